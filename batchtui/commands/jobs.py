"""`batchtui jobs`: list a queue's jobs with the fewest ListJobs calls."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from batchtui.commands import CommandContext, add_output_option
from batchtui.errors import UsageError
from batchtui.model import JOB_STATUSES

if TYPE_CHECKING:
    from batchtui.aws.session import Aws
    from batchtui.model import JobQueue

NAME = "jobs"
HELP = "List a job queue's jobs (per-status ListJobs, 1,000 a page)"
DESCRIPTION = """\
List the jobs of a job queue, or the children of an array job, in every status or the ones
named. One ListJobs call per 1,000 jobs per status, and with --array-job one DescribeJobs call
to check that it is an array job of the queue; nothing else is called."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queue", "-q", required=True, metavar="Q", help="job queue name or ARN")
    parser.add_argument(
        "--status",
        "-s",
        action="append",
        metavar="S",
        help=f"only these statuses (repeat, or comma-separate): {', '.join(JOB_STATUSES)}",
    )
    parser.add_argument("--array-job", metavar="ID", help="list the children of this array job")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N jobs, newest first")
    add_output_option(parser)


def parse_statuses(values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return JOB_STATUSES
    wanted: list[str] = []
    for v in values:
        names = [s.strip().upper() for s in v.split(",") if s.strip()]
        if not names:  # `--status ''`, an unset shell variable: listing nothing says nothing
            raise UsageError(f"--status {v!r}: names no job status", hint=", ".join(JOB_STATUSES))
        for s in names:
            if s not in JOB_STATUSES:
                raise UsageError(f"--status {s}: not a job status", hint=", ".join(JOB_STATUSES))
            if s not in wanted:
                wanted.append(s)
    return tuple(wanted)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from batchtui.aws import batch
    from batchtui.render.jobs import jobs_to_json
    from batchtui.render.text import epoch_ms, table, to_json

    statuses = parse_statuses(args.status)
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit {args.limit}: must be at least 1")
    aws = ctx.aws()
    queue = batch.require_job_queue(aws, args.queue)
    if args.array_job is not None:
        check_array_parent(aws, args.array_job, queue)
    jobs = batch.list_jobs(
        aws, queue.arn or queue.name, statuses, array_job_id=args.array_job, limit=args.limit
    )
    if args.output == "json":
        doc = jobs_to_json(queue.name, jobs, statuses=statuses, array_job_id=args.array_job)
        print(to_json(doc), file=ctx.stdout)
    else:
        rows = (
            (
                j.job_id,
                j.job_name,
                j.status,
                f"[{j.array_size}]"
                if j.array_size
                else (j.array_index if j.array_index is not None else ""),
                epoch_ms(j.created_at),
                j.exit_code,
                j.status_reason,
            )
            for j in jobs
        )
        print(
            table(("JOB ID", "NAME", "STATUS", "ARRAY", "CREATED", "EXIT", "STATUS REASON"), rows),
            file=ctx.stdout,
        )
        noun = "job" if len(jobs) == 1 else "jobs"
        ctx.note(f"{len(jobs)} {noun} in {queue.name} ({', '.join(statuses)})")
    return 0


def check_array_parent(aws: Aws, job_id: str, queue: JobQueue) -> None:
    """``--array-job`` names an array parent of ``--queue``: ListJobs with an arrayJobId lists
    nothing for any other id and another queue's children as if they were this one's."""
    from batchtui.aws import batch

    if not job_id.strip():
        raise UsageError(f"--array-job {job_id!r}: no job id given")
    job = batch.describe_job(aws, job_id)
    if job.array_index is not None:
        parent = job_id.rpartition(":")[0]
        raise UsageError(
            f"--array-job {job_id}: that is child {job.array_index} of an array job",
            hint=f"list its siblings with --array-job {parent}",
        )
    if not job.array_size:
        raise UsageError(f"--array-job {job_id}: job {job.job_name} is not an array job")
    if job.job_queue not in (queue.arn, queue.name):
        name = job.queue_name
        raise UsageError(
            f"--array-job {job_id}: the array job is in job queue {name}, not {queue.name}",
            hint=f"use --queue {name}",
        )
