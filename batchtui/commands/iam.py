"""`batchtui apply --print-iam` / `--create-iam`: the IAM a profile's Batch setup needs.

``--print-iam`` prints the roles, trust and permission policies and the instance profile as the
aws CLI commands that create them (``--output json``: the documents, and each request's input
for ``aws iam <command> --cli-input-json``). ``--create-iam`` creates them in the account, or
brings what exists by the same names up to date; run twice, it changes nothing the second time.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

PRINT_HELP = "print the IAM roles and policies the profile's setup needs (as aws CLI commands)"
CREATE_HELP = "create the profile's IAM roles, policies and instance profile (idempotent)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--print-iam and --create-iam; --profile and --output too unless apply has them."""
    parser.add_argument("--print-iam", action="store_true", help=PRINT_HELP)
    parser.add_argument("--create-iam", action="store_true", help=CREATE_HELP)
    # apply may define them itself (argparse refuses an option defined twice)
    with contextlib.suppress(argparse.ArgumentError):
        parser.add_argument("--profile", "-p", metavar="NAME|PATH", help="planning profile")
    with contextlib.suppress(argparse.ArgumentError):
        parser.add_argument("--output", "-o", choices=("table", "json"), default="table",
                            help="output format (default: table)")  # fmt: skip


def wants_iam(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "print_iam", False) or getattr(args, "create_iam", False))


def print_iam(args: argparse.Namespace, ctx: Any) -> int:
    """Print (and with --create-iam, create) the profile's IAM setup."""
    from batchtui.changes.iam import iam_setup
    from batchtui.errors import UsageError
    from batchtui.profiles import load_profile
    from batchtui.render.iam import iam_script
    from batchtui.render.text import to_json

    if not getattr(args, "profile", None):
        raise UsageError("--print-iam and --create-iam need --profile NAME|PATH")
    setup = iam_setup(load_profile(args.profile))
    if not args.create_iam:
        text = to_json(setup.to_json()) if args.output == "json" else iam_script(setup)
        print(text, file=ctx.stdout)
        return 0

    from batchtui.aws.iam_setup import create_iam

    outcomes = create_iam(ctx.aws(), setup)
    if args.output == "json":
        document = setup.to_json() | {"changes": [o.to_json() for o in outcomes]}
        print(to_json(document), file=ctx.stdout)
    else:
        if args.print_iam:
            print(iam_script(setup), file=ctx.stdout)
        width = max(len(o.kind) for o in outcomes)
        for o in outcomes:
            print(f"{o.action:<9}  {o.kind:<{width}}  {o.name}", file=ctx.stdout)
    changed = sum(o.action != "unchanged" for o in outcomes)
    ctx.note(f"IAM: {changed} of {len(outcomes)} resources created or updated")
    return 0
