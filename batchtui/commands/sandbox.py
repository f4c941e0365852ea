"""`batchtui sandbox serve`: run the embedded sandbox AWS until interrupted.

The endpoint URL is the first line on stdout, so scripts can read it; how to point the aws CLI
and boto3 at it goes to stderr.
"""

from __future__ import annotations

import argparse
import re

NAME = "sandbox"
HELP = "Run the embedded sandbox AWS (moto server + Batch scheduler model + demo account)"
DESCRIPTION = (
    "Serve a loopback-only AWS whose Batch behaves like AWS Batch, seeded with a demo account. "
    "Any AWS client can use it: the endpoint URL is printed first on stdout."
)


#: The modules the sandbox runs for real unless told more: the worker entry points batchtui
#: ships (the image tagger, the summary job).
DEFAULT_REAL_MODULES = ("batchtui_worker.tagger", "batchtui_worker.summary")
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

#: Above this a real second holds more simulated work than the scheduler can step in one.
MAX_SPEED = 10_000.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    serve = sub.add_parser("serve", help="serve the sandbox until interrupted (Ctrl-C)")
    serve.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: free)")
    serve.add_argument("--seed", choices=("demo", "empty"), default="demo",
                       help="demo account or an empty one (default: demo)")  # fmt: skip
    serve.add_argument("--region", default="us-east-1",
                       help="the region the seed's account is in; every other region is served "
                            "too, each an empty account of its own (default: us-east-1)")  # fmt: skip
    serve.add_argument("--jobs", type=int, default=0, metavar="N",
                       help="add N more historical jobs (default: 0)")  # fmt: skip
    serve.add_argument("--speed", type=float, default=60.0, metavar="X",
                       help=f"simulated seconds per real second, up to {MAX_SPEED:g} "
                            "(default: 60)")  # fmt: skip
    serve.add_argument("--random-seed", type=int, default=0, metavar="S",
                       help="seed of every random choice, for reproducible runs (default: 0)")  # fmt: skip
    serve.add_argument("--require-credentials", action="store_true",
                       help="mint credentials for this run, print them, and refuse requests not "
                            "signed with them")  # fmt: skip
    serve.add_argument("--run-module", action="append", default=[], metavar="MODULE",
                       help="also run jobs whose command is `python -m MODULE` for real, as "
                            "processes on this machine (repeatable; default: only the "
                            f"worker's, {', '.join(DEFAULT_REAL_MODULES)}); every other command is simulated")  # fmt: skip


def run(args: argparse.Namespace, ctx: object) -> int:
    import math
    import signal
    import threading

    from batchtui.errors import UsageError

    out = getattr(ctx, "stdout", None)
    err = getattr(ctx, "stderr", None)
    if args.port < 0 or args.port > 65535:
        raise UsageError(f"--port must be 0 to 65535, not {args.port}")
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 or more")
    if not (math.isfinite(args.speed) and 0 < args.speed <= MAX_SPEED):
        raise UsageError(
            f"--speed must be a number above 0 and at most {MAX_SPEED:g}, not {args.speed:g}"
        )

    from batchtui.sandbox.config import REGION_NAME

    if not REGION_NAME.match(args.region):
        raise UsageError(
            f"--region {args.region!r} is not an AWS region name", hint="e.g. eu-west-1"
        )

    for module in args.run_module:
        if not _MODULE_NAME.match(module):
            raise UsageError(
                f"--run-module {module!r} is not a Python module name",
                hint="name a module as `python -m` takes it, e.g. mypackage.worker",
            )

    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        seed=args.seed, jobs=args.jobs, speed=args.speed, random_seed=args.random_seed,
        port=args.port, require_credentials=args.require_credentials, region=args.region,
        real_modules=tuple(dict.fromkeys([*DEFAULT_REAL_MODULES, *args.run_module])),
    )  # fmt: skip
    done = threading.Event()

    def stop(signum: int, frame: object) -> None:
        done.set()

    # Ctrl-C while the sandbox starts is an interruption (exit 130, no URL printed); once it
    # serves, Ctrl-C or SIGTERM is the way to stop it, and stopping that way exits 0.
    with Sandbox(config) as sb:
        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            key_id, secret = sb.credentials
            exports = (
                f"export AWS_ENDPOINT_URL={sb.url} AWS_DEFAULT_REGION={sb.region} "
                f"AWS_ACCESS_KEY_ID={key_id} AWS_SECRET_ACCESS_KEY={secret}"
            )
            print(sb.url, file=out, flush=True)
            if config.require_credentials:
                print(exports, file=out, flush=True)
            keys = (
                "only requests signed with these keys are served"
                if config.require_credentials
                else "any keys work"
            )
            print(
                f"batchtui sandbox: {config.seed} account in {sb.region} at {sb.url} "
                f"(simulated time x{config.speed:g}); {keys}:\n"
                f"  {exports}\n"
                "  aws batch describe-job-queues\n"
                f"Runs for real: python -m {', '.join(config.real_modules)}; every other "
                "job command is simulated. Ctrl-C stops it.",
                file=err,
                flush=True,
            )
            done.wait()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
    return 0
