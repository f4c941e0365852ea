"""`batchtui submit`: submit the image-tagging workload as array jobs, a fan-in and a summary."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from batchtui.commands import CommandContext, add_output_option, submission_status, trigger
from batchtui.errors import UsageError
from batchtui.wording import count

if TYPE_CHECKING:
    from batchtui.planner import Plan
    from batchtui.profiles import Profile
    from batchtui.render.submission import SubmitReport
    from batchtui.submission import Layout

NAME = "submit"
HELP = "Submit the image-tagging workload as array jobs with dependencies"
DESCRIPTION = """\
List the images under an s3:// prefix, slice them into array jobs (up to 10,000 children each)
whose manifests go to the bucket under batchtui/submissions/ID/, show the estimate of
`batchtui plan` for them and the profile's queue, ask, then submit the arrays and a summary job
that runs when they all succeed and writes report.json beside the manifests. The submission id
comes from the profile's file, the images (keys and ETags) and the options, so running the same
command again resumes an interrupted submission: jobs already submitted are found (in the
journal, or in the queue by their names) and never submitted twice.
Exit codes: 0 submitted or nothing to do, 1 AWS failed (the step and what was already submitted
are named), 2 bad input (the URL, no images, the profile), or no confirmation possible (no
terminal and no --yes). With --status: 0, 1 AWS failed or no such submission in the buckets
looked in, 2 not a submission id."""

#: The summary job's command: the worker image's report writer.
SUMMARY_COMMAND = ("python", "-m", "batchtui_worker.summary")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", "-p", metavar="NAME|PATH",
        help="planning profile: its queue, job definition and workload",
    )  # fmt: skip
    parser.add_argument(
        "--images", metavar="s3://BUCKET/PREFIX/",
        help="the images to tag: every object under this prefix",
    )  # fmt: skip
    parser.add_argument(
        "--images-per-job", type=int, metavar="N",
        help="images each array child tags (default: the profile's workload.images_per_job)",
    )  # fmt: skip
    parser.add_argument(
        "--dry-run", action="store_true", help="list, plan and estimate; write and submit nothing"
    )
    parser.add_argument("--yes", "-y", action="store_true", help="submit without asking")
    add_output_option(parser)
    trigger.add_arguments(parser)  # --print-trigger
    submission_status.add_arguments(parser)  # --status SUBMISSION


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    if trigger.wants_trigger(args):
        return trigger.print_trigger(args, ctx)
    if args.status is not None:
        return submission_status.run(args, ctx)
    return submit(args, ctx)


def submit(args: argparse.Namespace, ctx: CommandContext) -> int:
    from pathlib import Path

    from batchtui.aws.submission import (
        SubmitFailed,
        check_targets,
        list_images,
        local_journal_path,
        read_state,
        state_dir,
        submit_pending,
        write_manifests,
    )
    from batchtui.profiles import load_profile
    from batchtui.render.submission import confirmation
    from batchtui.submission import MANIFEST_PREFIX, SubmitOptions, plan_submission, profile_ref
    from batchtui.submission.location import parse_images_url

    for option, value in (("--profile", args.profile), ("--images", args.images)):
        if value is None:
            raise UsageError(f"submit: {option} is required", hint="batchtui submit --help")
    bucket, prefix = parse_images_url(args.images)
    profile = load_profile(args.profile)
    per_job = args.images_per_job
    if per_job is None:
        per_job = profile.workload.images_per_job
    elif per_job < 1:
        raise UsageError(f"--images-per-job {per_job}: must be at least 1")
    profile_bytes = Path(profile.path).read_bytes()
    options = SubmitOptions(bucket, per_job, array_size=_array_size(profile, profile_bytes))
    aws = ctx.aws()
    if not args.dry_run:
        # Refused before the first request, the listing included: nothing is sent at all.
        aws.ensure_allowed("batch", "SubmitJob")
    queue, definition = profile.workload.queue, profile.job_definition.name
    targets = check_targets(aws, queue, definition)
    if targets.problems and not args.dry_run:
        raise UsageError(
            f"not submitting: {'; '.join(targets.problems)} (profile {profile.path}; nothing"
            " was sent)",
            hint=f"create them first: batchtui apply --profile {args.profile}",
        )
    for problem in targets.problems:
        ctx.note(f"submit: warning: {problem}; a real submit is refused until it is fixed")
    images = list_images(aws, bucket, prefix, ctx.note)
    if not any(not i.key.startswith(MANIFEST_PREFIX) for i in images):
        raise UsageError(f"--images {args.images}: no images there", hint="check the prefix")
    ref = profile_ref(profile.name, profile_bytes)
    layout, kept = plan_submission(ref, images, options)
    local = local_journal_path(layout, state_dir(), aws.target)
    state = read_state(aws, layout, local, queue if targets.queue_exists else "")
    calls_before = aws.counter.get("batch", "SubmitJob")

    def report(status: str, error: str | None = None) -> SubmitReport:
        from batchtui.render.submission import SubmitReport

        return SubmitReport(
            layout=layout, profile_name=profile.name, profile_path=profile.path,
            images_url=f"s3://{bucket}/{prefix}", job_queue=queue, job_definition=definition,
            plan=plan, steps=state.steps(), status=status, local_journal=str(local),
            job_vcpus=float(profile.job_definition.vcpus),
            submit_job_calls=aws.counter.get("batch", "SubmitJob") - calls_before, error=error,
        )  # fmt: skip

    plan = _estimate(profile, layout, ctx)
    if args.output == "table":
        _table(ctx, report("dry-run" if args.dry_run else "pending"))
    if not state.pending:
        _emit_json(args, ctx, report("nothing-to-do"))
        ctx.note(f"submit: submission {layout.submission_id} is already submitted; nothing to do")
        return 0
    if args.dry_run:
        _emit_json(args, ctx, report("dry-run"))
        return 0
    if not args.yes and not ctx.confirm(
        f"{confirmation(layout, state.pending)} Only 'yes' submits: ", refusing="not submitting"
    ):
        _emit_json(args, ctx, report("cancelled"))
        ctx.note("submit: cancelled, nothing was sent")
        return 0
    to_submit = len(state.pending)
    try:
        write_manifests(aws, layout, kept, state.pending, ctx.note)
        submit_pending(aws, state, local, job_queue=queue, job_definition=definition,
                       summary_command=SUMMARY_COMMAND, progress=ctx.note,
                       summary_environment=_estimate_for_summary(report("pending")))  # fmt: skip
    except SubmitFailed as e:
        _emit_json(args, ctx, report("failed", e.message))
        raise
    done = report("submitted")
    _emit_json(args, ctx, done)
    if args.output == "table":
        print("", file=ctx.stdout)
        _table(ctx, done, jobs_only=True)
    ctx.note(
        f"submit: submission {layout.submission_id}: {count(to_submit, 'job')} submitted; "
        f"the summary job writes s3://{bucket}/{layout.report_key}"
    )
    return 0


def _array_size(profile: Profile, content: bytes) -> int | None:
    """The profile's ``workload.array_size``, the most children an array job gets; None when
    the profile does not set it (arrays then go up to AWS's 10,000). The planner reads 1 as
    "single jobs", which submit does not make, so only AWS's 2 to 10,000 is taken."""
    import sys

    from batchtui.errors import ProfileError
    from batchtui.submission import MAX_ARRAY_SIZE, MIN_ARRAY_SIZE
    from batchtui.toml_positions import KeyLines

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    text = content.decode("utf-8")
    if "array_size" not in tomllib.loads(text).get("workload", {}):
        return None
    size = profile.workload.array_size
    if MIN_ARRAY_SIZE <= size <= MAX_ARRAY_SIZE:
        return size
    line = KeyLines(text).line_of("workload.array_size")
    where = f"{profile.path}:{line}" if line else profile.path
    raise ProfileError([
        f"{where}: workload.array_size: {size:,}: submit makes array jobs of {MIN_ARRAY_SIZE} to "
        f"{MAX_ARRAY_SIZE:,} children, as AWS Batch takes (set it in that range, or remove it "
        f"for arrays of up to {MAX_ARRAY_SIZE:,})"
    ])  # fmt: skip


def _estimate(profile: Profile, layout: Layout, ctx: CommandContext) -> Plan:
    """The planner's estimate for these images (the same as `batchtui plan` for them)."""
    from batchtui.account.plan_facts import gather_plan_facts
    from batchtui.planner import run_plan
    from batchtui.submission.estimate import workload_profile

    adjusted = workload_profile(profile, layout)
    return run_plan(adjusted, gather_plan_facts(adjusted, ctx.aws, live=False, note=ctx.note))


def _estimate_for_summary(report: SubmitReport) -> dict[str, str]:
    """What the summary job's report sets the actual vCPU-hours against."""
    from batchtui.render.submission import estimate_document

    estimate = estimate_document(report)
    return {
        "ESTIMATED_VCPU_HOURS": str(estimate["vcpuHours"]),
        "ESTIMATED_COST_USD": str(estimate["costUsd"]),
    }


def _table(ctx: CommandContext, report: SubmitReport, *, jobs_only: bool = False) -> None:
    from batchtui.render.submission import render_submission_table

    text = render_submission_table(report)
    if jobs_only:
        text = text[text.index("STEP ") :]
    print(text, file=ctx.stdout, flush=True)


def _emit_json(args: argparse.Namespace, ctx: CommandContext, report: SubmitReport) -> None:
    if args.output != "json":
        return
    from batchtui.render.submission import submission_document
    from batchtui.render.text import to_json

    print(to_json(submission_document(report)), file=ctx.stdout)
