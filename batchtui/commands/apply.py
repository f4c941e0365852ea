"""`batchtui apply`: show what a profile changes in the account, then change exactly that."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batchtui.commands import CommandContext, add_output_option, iam
from batchtui.errors import UsageError

if TYPE_CHECKING:
    from batchtui.aws.apply import Waiter
    from batchtui.changes import ChangeSet, DesiredState, Step
    from batchtui.profiles import Profile

NAME = "apply"
HELP = "Show the diff of a profile's Batch setup against the account, then apply it"
DESCRIPTION = """\
Compare a planning profile's compute environments, job queues and job definition with the
account's, show the change set as a diff (+ create, ~ update in place, -/+ blue/green replace,
- delete: field, old -> new, and why), ask, then apply it step by step, waiting for each
resource to be VALID, and read the account again to verify it matches. Batch's rules are
checked before any request, and so is ownership: a queue or compute environment under the
profile's names that no profile made is changed only once adopted (--adopt). Nothing is deleted
without --allow-delete, running jobs are never terminated unless the profile's update_policy
says so. A failure names the step and AWS's message; running the same apply again continues
from where it stopped.
Exit codes: 0 applied or no changes, 1 AWS failed, 2 bad input, a change Batch's rules forbid
or a resource the profile does not manage (nothing sent), or no confirmation possible (no
terminal and no --yes)."""


class ChangeForbidden(UsageError):
    """Batch's rules forbid the change set, or it would change what the profile does not
    manage: nothing is sent (exit 2)."""

    title = "Change forbidden"
    default_hint = "see PROBLEMS above: each says what to change"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", "-p", metavar="NAME|PATH",
        help="planning profile: a path to a .toml file, or NAME for profiles/NAME.toml "
        "(optional with --plan-file, which names its profile)",
    )  # fmt: skip
    parser.add_argument(
        "--dry-run", action="store_true", help="show the change set, change nothing"
    )
    parser.add_argument(
        "--out", metavar="PLAN.json",
        help="save the change set, with a fingerprint of the account it was computed against",
    )  # fmt: skip
    parser.add_argument(
        "--plan-file", metavar="PLAN.json",
        help="apply exactly this saved change set; refused when the account changed since",
    )  # fmt: skip
    parser.add_argument(
        "--recommended", action="store_true",
        help="apply the profile with `batchtui plan`'s recommended vCPU settings instead of "
        "its own (prices and quotas from the bundled snapshot, the profile's trials and seed)",
    )  # fmt: skip
    parser.add_argument(
        "--adopt", action="store_true",
        help="adopt compute environments and job queues the account has under the profile's "
        "names that no profile made (no batchtui:profile tag): tag them as the profile's first, "
        "then change them as it says (without it, the change set is refused, naming them)",
    )  # fmt: skip
    parser.add_argument("--yes", "-y", action="store_true", help="apply without asking")
    parser.add_argument(
        "--allow-delete", action="store_true",
        help="delete compute environments a blue/green replacement took over (once drained), "
        "and the job queues and compute environments the profile made and no longer names "
        "(disabled, then deleted once they hold no SUBMITTED..RUNNING job, or once drained)",
    )  # fmt: skip
    add_output_option(parser)
    iam.add_arguments(parser)  # IAM setup: --print-iam, --create-iam


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from batchtui.aws.apply import ApplyFailed, apply_change_set, read_live_state
    from batchtui.changes import DesiredState, compute_change_set, fingerprint
    from batchtui.profiles import load_profile

    if iam.wants_iam(args):  # IAM setup
        return iam.print_iam(args, ctx)
    saved = _read_plan_file(args.plan_file) if args.plan_file else None
    if args.profile is None and saved is None:
        raise UsageError("give --profile NAME|PATH (or --plan-file PLAN.json)")
    if saved is not None and args.allow_delete != saved["allowDelete"]:
        raise UsageError(
            f"{args.plan_file} was made {'with' if saved['allowDelete'] else 'without'} "
            "--allow-delete: apply it the same way, or make a new one"
        )
    if saved is not None:
        args.recommended = bool(saved.get("recommended", False))
    aws = ctx.aws()
    if not args.dry_run:
        # Refused before the first request, reads included: nothing is sent at all.
        aws.ensure_allowed("batch", "UpdateComputeEnvironment")
    ref = args.profile if args.profile is not None else str(_profile_of(saved)["path"])
    profile = load_profile(ref)
    if saved is not None and _profile_of(saved)["name"] != profile.name:
        raise UsageError(
            f"{args.plan_file} is a change set of profile {saved['profile']['name']!r}, "
            f"not {profile.name!r}"
        )
    desired = DesiredState.from_profile(profile)
    recommended_notes: list[str] = []
    if args.recommended:
        desired, recommended_notes = _recommended(profile, desired, ctx)
    live = read_live_state(aws, desired)
    now = fingerprint(desired, live)
    if saved is not None:
        fresh = compute_change_set(desired, live, allow_delete=args.allow_delete, adopt=args.adopt)
        cs = _saved_change_set(saved, args.plan_file, now, fresh)
    else:
        cs = compute_change_set(desired, live, allow_delete=args.allow_delete, adopt=args.adopt)
        if recommended_notes:
            cs = replace(cs, notes=(*recommended_notes, *cs.notes))
    about = {"name": profile.name, "path": profile.path, "region": profile.region}
    document: dict[str, Any] = {
        "profile": about, "fingerprint": now, "allow": args.allow_delete,
        "recommended": args.recommended,
    }  # fmt: skip
    header = f"apply: profile {profile.name} ({profile.path}) against {aws.target.describe}"
    if args.output == "table":
        from batchtui.render.changes import render_change_set

        print(render_change_set(cs, header, colour=_colour(ctx)), file=ctx.stdout, flush=True)
    if cs.problems:
        _emit_json(args, ctx, cs, document, {"status": "forbidden"})
        raise ChangeForbidden("the change set is refused: " + "; ".join(cs.problems))
    if args.out:
        _save(args.out, cs, document)
        ctx.note(f"apply: change set saved to {args.out}")
    if cs.empty:
        _emit_json(args, ctx, cs, document, {"status": "no-changes", "stepsDone": 0})
        ctx.note("apply: no changes" + _skipped(cs))
        return 0
    if args.dry_run:
        _emit_json(args, ctx, cs, document, {"status": "dry-run", "stepsDone": 0})
        return 0
    if not args.yes and not ctx.confirm(
        f"Apply these {len(cs.steps)} steps? Only 'yes' applies: ", refusing="not applying"
    ):
        _emit_json(args, ctx, cs, document, {"status": "cancelled", "stepsDone": 0})
        ctx.note("apply: cancelled, nothing was sent")
        return 0
    try:
        result = apply_change_set(aws, cs.steps, progress=ctx.note, waiter=_waiter(ctx))
    except ApplyFailed as e:
        _emit_json(
            args, ctx, cs, document,
            {"status": "failed", "stepsDone": len(e.done), "error": e.message},
        )  # fmt: skip
        raise
    after = compute_change_set(desired, read_live_state(aws, desired, quotas=False),
                               allow_delete=args.allow_delete, adopt=args.adopt)  # fmt: skip
    verified = after.empty
    _emit_json(
        args, ctx, cs, document,
        {"status": "applied", "stepsDone": len(result.done), "verified": verified},
    )  # fmt: skip
    if not verified:
        from batchtui.errors import AwsError

        raise AwsError(
            "applied, but the account does not match the profile yet: "
            + "; ".join(s.title() for s in after.steps),
            hint="run apply again",
        )
    done = len(result.done)
    ctx.note(
        f"apply: {done} step{'s' if done != 1 else ''} applied; the account matches profile "
        f"{profile.name}"
        + (" with the plan's recommended vCPU settings" if args.recommended else "")
        + _skipped(cs)
    )
    return 0


def _skipped(cs: ChangeSet) -> str:
    """What was not deleted for want of --allow-delete, for the closing line."""
    names = [f"{s.resource} {s.name}" for s in cs.skipped if s.operation.startswith("Delete")]
    if not names:
        return ""
    return f"; skipped (needs --allow-delete): deleting {', '.join(names)}"


def _recommended(
    profile: Profile, desired: DesiredState, ctx: CommandContext
) -> tuple[DesiredState, list[str]]:
    """The desired state with the plan's recommendation applied (exit 2 when there is none,
    or when it needs compute environments the profile does not have)."""
    from batchtui.account.plan_facts import gather_plan_facts
    from batchtui.planner import run_plan

    plan = run_plan(profile, gather_plan_facts(profile, None, live=False, note=ctx.note))
    rec = plan.recommendation
    if rec.scenario is None:
        raise UsageError(
            "no scenario of the plan meets the deadline and the budget: nothing to recommend",
            hint=f"see `batchtui plan --profile {profile.path}`",
        )
    try:
        applied, notes = desired.with_recommendation(rec.scenario, rec.settings,
                                                     profile.workload.queue)  # fmt: skip
    except ValueError as e:
        raise UsageError(
            str(e), hint="add them to the profile, or apply the profile's own settings"
        ) from None
    ctx.note(f"apply: the plan recommends {rec.scenario!r}; applying its vCPU settings")
    return applied, [f"recommended scenario {rec.scenario!r}: " + "; ".join(rec.reasons), *notes]


def _profile_of(saved: dict[str, Any] | None) -> dict[str, Any]:
    return dict(saved["profile"]) if saved is not None else {}


def _values_moved(saved: Sequence[Step], fresh: Sequence[Step]) -> list[str]:
    """``demo-ondemand maxvCpus: 64 when reviewed, 96 now``: the fields a saved step changes
    whose value in the account is no longer the one the review showed."""
    from batchtui.render.changes import value_text

    now = {(s.resource, s.name, c.field): c.old for s in fresh for c in s.changes}
    out = []
    for step in saved:
        for c in step.changes:
            key = (step.resource, step.name, c.field)
            if key in now and now[key] != c.old:
                out.append(
                    f"{step.name} {c.field}: {value_text(c.old)} when reviewed, "
                    f"{value_text(now[key])} now"
                )
    return out


def _colour(ctx: CommandContext) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(ctx.stdout.isatty())
    except (AttributeError, ValueError):
        return False


def _waiter(ctx: CommandContext) -> Waiter:
    from batchtui.aws.apply import POLL_S, SANDBOX_POLL_S, Waiter

    aws = ctx.aws()
    fast = ctx.sandbox is not None
    return Waiter(clock=aws.clock, sleep=aws.sleep, poll_s=SANDBOX_POLL_S if fast else POLL_S)


def _emit_json(
    args: argparse.Namespace,
    ctx: CommandContext,
    cs: ChangeSet,
    document: dict[str, Any],
    outcome: dict[str, Any],
) -> None:
    if args.output != "json":
        return
    from batchtui.render.changes import change_set_document
    from batchtui.render.text import to_json

    doc = change_set_document(
        cs,
        profile=document["profile"],
        fingerprint=document["fingerprint"],
        allow_delete=document["allow"],
        recommended=document["recommended"],
        outcome=outcome,
    )
    print(to_json(doc), file=ctx.stdout)


def _save(path: str, cs: ChangeSet, document: dict[str, Any]) -> None:
    from batchtui.render.changes import change_set_document
    from batchtui.render.text import to_json

    doc = change_set_document(
        cs,
        profile=document["profile"],
        fingerprint=document["fingerprint"],
        allow_delete=document["allow"],
        recommended=document["recommended"],
    )
    try:
        Path(path).write_text(to_json(doc) + "\n", encoding="utf-8")
    except OSError as e:
        raise UsageError(f"--out {path}: cannot write: {e.strerror or e}") from None


def _read_plan_file(path: str) -> dict[str, Any]:
    from batchtui.changes import Step
    from batchtui.render.changes import SCHEMA_VERSION

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"--plan-file {path}: cannot read: {e.strerror or e}") from None
    except ValueError as e:
        raise UsageError(f"--plan-file {path}: not JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("schemaVersion") != SCHEMA_VERSION:
        raise UsageError(
            f"--plan-file {path}: not a change set of this batchtui "
            f"(schemaVersion {SCHEMA_VERSION} expected)",
            hint="save one with `batchtui apply --profile P --dry-run --out PLAN.json`",
        )
    try:
        doc["parsedSteps"] = tuple(Step.from_json(s) for s in doc["steps"])
        doc["parsedSkipped"] = tuple(Step.from_json(s) for s in doc.get("skipped", ()))
        about = doc["profile"]
        well_formed = (
            isinstance(about.get("name"), str)
            and isinstance(about.get("path"), str)
            and isinstance(doc.get("allowDelete"), bool)
            and isinstance(doc.get("fingerprint"), dict)
        )
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        raise UsageError(f"--plan-file {path}: malformed change set ({e})") from None
    if not well_formed:
        raise UsageError(
            f"--plan-file {path}: malformed change set (profile.name, profile.path, "
            "allowDelete and fingerprint are required)"
        )
    return doc


def _saved_change_set(
    saved: dict[str, Any], path: str, now: dict[str, str], fresh: ChangeSet
) -> ChangeSet:
    """The saved change set, unless the account moved since (``fresh``: the change set the
    account needs now, to say what moved)."""
    from batchtui.changes import ChangeSet, changed_since

    stale = changed_since(saved["fingerprint"], now)
    if stale:
        if fresh.empty and not fresh.problems:
            raise UsageError(
                f"--plan-file {path} is stale: the account already matches the profile "
                "(was this change set applied already?): " + "; ".join(stale),
                hint="nothing is left to apply; batchtui apply --profile P --dry-run shows it",
            )
        moved = _values_moved(saved["parsedSteps"], fresh.steps)
        raise UsageError(
            f"--plan-file {path} is stale: the account changed since it was made: "
            + "; ".join(stale)
            + (f" ({'; '.join(moved)})" if moved else ""),
            hint="review a new one: batchtui apply --profile P --dry-run --out PLAN.json",
        )
    return ChangeSet(
        steps=saved["parsedSteps"],
        warnings=tuple(saved.get("warnings", ())),
        notes=tuple(saved.get("notes", ())),
        skipped=saved["parsedSkipped"],
    )
