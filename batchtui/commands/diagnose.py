"""`batchtui diagnose`: why a job (or every stuck job of a queue) does not run."""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

from batchtui.commands import CommandContext, add_output_option
from batchtui.errors import BlockingProblems, UsageError

NAME = "diagnose"
HELP = "Explain why a job is stuck in RUNNABLE, with evidence and the fix"
DESCRIPTION = """\
Name the real cause of a stuck job, or of every PENDING, RUNNABLE and long-STARTING job of a
queue (grouped by cause, most severe and most jobs first, a blocked head's own cause before the
jobs it holds back): the facts read from the account, the API call each came from, and the
fix. A job that only waits its turn is reported as waiting, with its place.
Exit codes: 0 nothing blocks (healthy or waiting), 3 a blocking cause was found, 1 AWS failed,
2 bad input."""

#: Show progress on stderr once a queue has more jobs than this.
PROGRESS_FROM = 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job_id", nargs="?", metavar="JOB_ID", help="the job to diagnose")
    parser.add_argument("--queue", "-q", metavar="Q", help="diagnose every stuck job of this queue")
    parser.add_argument(
        "--dwell",
        default="300",
        metavar="SECONDS",
        help="a CAPACITY reason younger than this while instances launch is transient (300)",
    )
    add_output_option(parser)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from batchtui.aws.diagnosis import gather_for_job, gather_for_queue
    from batchtui.diagnose import Settings, diagnose
    from batchtui.render.diagnosis import blocked_line, to_document, to_text
    from batchtui.render.text import to_json

    if (args.job_id is None) == (args.queue is None):
        raise UsageError("give a JOB_ID or --queue Q (one of them)")
    dwell = _dwell(args.dwell)
    aws = ctx.aws()
    now = _now(ctx)
    if args.job_id is not None:
        facts = gather_for_job(aws, args.job_id, now)
        subject = {"jobId": args.job_id}
        label = f"job {args.job_id}"
    else:
        facts = gather_for_queue(aws, args.queue, now, _progress(ctx))
        subject = {"jobQueue": facts.queue.name if facts.queue else args.queue}
        label = f"queue {subject['jobQueue']}"
    diagnosis = diagnose(facts, Settings(dwell_seconds=dwell))
    if args.output == "json":
        print(to_json(to_document(diagnosis, subject)), file=ctx.stdout)
    else:
        print(to_text(diagnosis, label), file=ctx.stdout)
    if diagnosis.blocking:
        report = "the JSON document" if args.output == "json" else "the report"
        raise BlockingProblems(
            blocked_line(diagnosis, label),
            hint=f"{report} on stdout has the evidence and the fix of each",
        )
    return 0


def _dwell(text: str) -> float:
    """--dwell's seconds; read here, not by argparse, so that bad input is one line naming it
    (argparse would print its usage block)."""
    try:
        seconds = float(text)
    except ValueError:
        raise UsageError(f"--dwell {text}: not a number of seconds") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(f"--dwell {text}: must be 0 or more seconds")
    return seconds


def _now(ctx: CommandContext) -> float:
    """The clock to judge ages by, unless the account says its own time: the sandbox's
    simulated clock when it runs in-process."""
    sandbox = ctx.sandbox
    return float(sandbox.now()) if sandbox is not None else time.time()


def _progress(ctx: CommandContext) -> Callable[[int, int], None]:
    last = [0.0]

    def report(done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        moment = time.monotonic()
        if done < total and moment - last[0] < 0.5:
            return
        last[0] = moment
        word = "listed" if done == 0 else "described"
        ctx.note(f"diagnose: {done if done else total:,} of {total:,} jobs {word}")

    return report
