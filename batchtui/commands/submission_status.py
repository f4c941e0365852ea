"""``batchtui submit --status SUBMISSION``: how far a submission has got.

Its arrays' children by status, the images done (counted from the children that succeeded: see
:mod:`batchtui.submission.progress`), the failed children with their reasons, a progress bar and
an ETA from the rate since the first child started, once as many children have finished as run
at once (before, it says it is estimating); while children wait and none runs, it says what
they wait for and gives no ETA. Read calls only: the journal from S3, then
DescribeJobs by 100 and one ListJobs page per array with failed children
(:mod:`batchtui.aws.submissions`).

The journal is looked for in the ``[data]`` bucket of ``--profile``, or else of every planning
profile found (./profiles and the bundled ones; one GetObject per bucket).
"""

from __future__ import annotations

import argparse
import contextlib

from batchtui.commands import CommandContext, add_output_option
from batchtui.errors import NotFound

STATUS_HELP = (
    "show how far submission SUBMISSION has got (its id, as `batchtui submit` printed it) "
    "instead of submitting"
)

#: Why --sandbox never finds a submission made by another command, and what shares one sandbox.
FRESH_SANDBOX_HINT = (
    "each --sandbox command starts a fresh sandbox, so a submission made by another command is "
    "not in it: run `batchtui sandbox serve` in another terminal, paste the export line it "
    "prints (AWS_ENDPOINT_URL and the keys; --endpoint-url URL works too with those keys), then "
    "run `batchtui submit` and `batchtui submit --status ID --profile P` without --sandbox"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--status``, and ``--profile`` and ``--output`` when the submit command has not added
    them already (call it after the command's own arguments)."""
    parser.add_argument("--status", metavar="SUBMISSION", help=STATUS_HELP)
    with contextlib.suppress(argparse.ArgumentError):
        parser.add_argument(
            "--profile", "-p", metavar="NAME|PATH",
            help="planning profile whose [data] bucket holds the submission",
        )  # fmt: skip
    with contextlib.suppress(argparse.ArgumentError):
        add_output_option(parser)


def run(args: argparse.Namespace, ctx: object) -> int:
    from batchtui.account.submissions import image_buckets
    from batchtui.aws.submissions import check_submission_id, find_submission, read_progress
    from batchtui.render.submission_status import progress_json, progress_table
    from batchtui.render.text import to_json
    from batchtui.submission.progress import since_start

    assert isinstance(ctx, CommandContext)
    sid = check_submission_id(args.status)
    aws = ctx.aws()
    buckets = image_buckets(getattr(args, "profile", None), sandbox=aws.target.sandbox)
    try:
        found = find_submission(aws, buckets, sid)
    except NotFound as e:
        if ctx.wants_sandbox:
            raise NotFound(e.message, hint=FRESH_SANDBOX_HINT) from None
        raise
    progress = read_progress(aws, found)
    samples = since_start(progress)
    if getattr(args, "output", "table") == "json":
        print(to_json(progress_json(progress, samples)), file=ctx.stdout)
    else:
        print(progress_table(progress, samples), file=ctx.stdout)
        ctx.note(f"read from {found.where}")
    return 0
