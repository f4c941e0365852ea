"""batchtui's entry point: a bare ``batchtui`` starts the TUI, subcommands run headless.

This module and everything it imports at the top stay free of textual and moto, so
``batchtui --help`` and every headless command start fast; the TUI is imported only to start it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from batchtui import __version__
from batchtui.commands import COMMAND_MODULES, CommandContext
from batchtui.errors import BatchtuiError, ExitCode, UsageError

if TYPE_CHECKING:
    from batchtui.aws.session import Aws

EPILOG = """\
exit codes: 0 ok, 1 operation failed, 2 bad input or usage, 3 plan/diagnose found blocking problems
environment: AWS_PROFILE, AWS_REGION / AWS_DEFAULT_REGION and AWS_ENDPOINT_URL are honoured
like the aws CLI does. --profile always names a planning profile, never AWS credentials.
BATCHTUI_AWS_TIMEOUT: seconds one AWS request may take, retries included (default 10; more
for a slow link).
"""


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted before and after the subcommand (``batchtui jobs --sandbox ...``)."""
    d: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    g = parser.add_argument_group("AWS target")
    g.add_argument(
        "--aws-profile", metavar="NAME", help="AWS credentials profile (or AWS_PROFILE)", **d
    )
    g.add_argument(
        "--region", metavar="R", help="AWS region (or AWS_REGION / AWS_DEFAULT_REGION)", **d
    )
    g.add_argument(
        "--endpoint-url", metavar="URL", help="send AWS calls here (or AWS_ENDPOINT_URL)", **d
    )
    g.add_argument(
        "--sandbox",
        action="store_true",
        help="use an embedded sandbox AWS with a demo account (no AWS account needed)",
        **d,
    )
    g.add_argument(
        "--read-only",
        action="store_true",
        help="refuse every AWS call that would change something, before it is sent",
        **d,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="batchtui",
        description="Operate, plan and troubleshoot AWS Batch. With no command, starts the TUI.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"batchtui {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"batchtui.commands.{name}")
        p = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _global_options(p, suppress=True)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def run_tui(args: argparse.Namespace) -> int:
    from batchtui.tui.app import run

    return int(run(args) or 0)


def check_sandbox_options(args: argparse.Namespace) -> None:
    """--sandbox is its own AWS: an explicit --endpoint-url or another --region contradicts it.

    Only flags count: AWS_ENDPOINT_URL and AWS_REGION are often set in a user's shell, and
    --sandbox ignores them.
    """
    if not getattr(args, "sandbox", False):
        return
    if getattr(args, "endpoint_url", None) is not None:
        raise UsageError(
            "--sandbox and --endpoint-url cannot be used together",
            hint="the sandbox is its own endpoint: drop one of them",
        )
    region = getattr(args, "region", None)
    if region is not None:
        from batchtui.sandbox.config import SandboxConfig  # a dataclass: no moto

        if region != SandboxConfig.region:
            raise UsageError(
                f"--region {region}: the sandbox runs in {SandboxConfig.region}",
                hint=f"drop --region, or use --region {SandboxConfig.region}",
            )


def main(argv: Sequence[str] | None = None, *, aws: Aws | None = None) -> int:
    """Run batchtui; ``aws``: clients to use instead of the ones the options name (the fault
    tests' clients, whose retries sleep on a simulated clock)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = CommandContext(args, _aws=aws)
    try:
        check_sandbox_options(args)
        if getattr(args, "_run", None) is None:
            return run_tui(args)
        try:
            return int(args._run(args, ctx) or 0)
        finally:
            # Output still buffered fails here (a full disk), as an OutputError, not at exit.
            ctx.stdout.flush()
    except BatchtuiError as e:
        print(f"batchtui: {e}", file=sys.stderr)
        return int(e.exit_code)
    except KeyboardInterrupt:
        print("batchtui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`batchtui jobs ... | head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(ExitCode.OK)
    except Exception as e:  # the last line of defence: never a traceback for users
        if os.environ.get("BATCHTUI_DEBUG"):
            raise
        print(
            f"batchtui: internal error: {type(e).__name__}: {e} "
            "(set BATCHTUI_DEBUG=1 for a traceback, and please report it)",
            file=sys.stderr,
        )
        return int(ExitCode.FAILED)
    finally:
        ctx.close()
