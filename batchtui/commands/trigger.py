"""`batchtui submit --print-trigger`: the S3 -> Lambda upload trigger a profile's account needs.

Prints, as the aws CLI commands that create them (``--output json``: the documents), the
function's execution role, the S3-event function with its environment, the permission that
lets S3 invoke it, and the bucket's notification configuration. Nothing is changed in the
account. Values that are the example profiles' placeholders (an example account id, an
``example`` bucket) are named on stderr, to replace before the commands are run.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

PRINT_HELP = (
    "print the S3 notification, Lambda function and IAM that tag uploads as they arrive "
    "(as aws CLI commands; changes nothing)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--print-trigger; --profile and --output too unless submit has them."""
    parser.add_argument("--print-trigger", action="store_true", help=PRINT_HELP)
    # submit may define them itself (argparse refuses an option defined twice)
    with contextlib.suppress(argparse.ArgumentError):
        parser.add_argument("--profile", "-p", metavar="NAME|PATH", help="planning profile")
    with contextlib.suppress(argparse.ArgumentError):
        parser.add_argument("--output", "-o", choices=("table", "json"), default="table",
                            help="output format (default: table)")  # fmt: skip


def wants_trigger(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "print_trigger", False))


def print_trigger(args: argparse.Namespace, ctx: Any) -> int:
    """Print the profile's upload trigger."""
    from batchtui.errors import UsageError
    from batchtui.profiles import load_profile
    from batchtui.render.text import to_json
    from batchtui.submission.trigger import placeholders, trigger_setup

    if not getattr(args, "profile", None):
        raise UsageError("--print-trigger needs --profile NAME|PATH")
    profile = load_profile(args.profile)
    setup = trigger_setup(profile)
    text = to_json(setup.to_json()) if args.output == "json" else setup.script()
    print(text, file=ctx.stdout)
    found = placeholders(setup)
    if found:
        ctx.note(
            f"submit --print-trigger: warning: {profile.path} has placeholders to replace before "
            f"running these commands: {'; '.join(found)}"
        )
    return 0
