"""Headless commands. Each module has NAME, HELP, add_arguments(parser) and run(args, ctx).

A command module's top level imports only the standard library, so ``batchtui --help`` stays
fast; it imports boto3, the planner or the sandbox inside ``run``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO, cast

from batchtui.errors import OutputError, UsageError

if TYPE_CHECKING:
    from batchtui.aws.session import Aws, AwsTarget

#: Command modules, in the order ``batchtui --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "plan",
    "apply",
    "submit",
    "jobs",
    "logs",
    "diagnose",
    "sandbox",
)


def add_output_option(
    parser: argparse.ArgumentParser, choices: tuple[str, ...] = ("table", "json")
) -> None:
    parser.add_argument(
        "--output",
        "-o",
        choices=choices,
        default=choices[0],
        help=f"output format (default: {choices[0]}); data goes to stdout, messages to stderr",
    )


class DataOutput:
    """A command's stdout, where a failed write is an :class:`OutputError` (one line, exit 1)
    rather than an internal error: a full disk, or stdout closed when batchtui started
    (``>&-``, ``sys.stdout`` is None). BrokenPipeError passes through: the reader went away,
    which the CLI treats as the end, not an error."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        with _reporting_write_errors():
            return self._open().write(text)

    def flush(self) -> None:
        with _reporting_write_errors():
            if self.stream is not None:
                self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, reconfigure, ... of the stream itself
        return getattr(self._open(), name)

    def _open(self) -> TextIO:
        if self.stream is None:
            raise OutputError("cannot write output: stdout is closed")
        return self.stream


@contextlib.contextmanager
def _reporting_write_errors() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as e:
        raise OutputError(f"cannot write output: {e.strerror or e}") from None


@dataclass
class CommandContext:
    """What a command needs from the outside world, built once by the CLI."""

    args: argparse.Namespace
    # DataOutput has the part of TextIO that commands use (write, flush, the stream's own rest).
    stdout: TextIO = field(default_factory=lambda: cast(TextIO, DataOutput(sys.stdout)))
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _aws: Aws | None = None
    _sandbox: Any = None

    @property
    def wants_sandbox(self) -> bool:
        return bool(getattr(self.args, "sandbox", False))

    def note(self, message: str) -> None:
        """A diagnostic line for the user, on stderr (stdout carries data only)."""
        print(message, file=self.stderr, flush=True)

    def confirm(self, prompt: str, *, refusing: str) -> bool:
        """Ask ``prompt`` on the terminal; only "yes" agrees. With no terminal to ask on it
        refuses (exit 2, nothing sent): ``refusing`` says what ("not applying")."""
        stdin = sys.stdin
        if stdin is None or not stdin.isatty():
            raise UsageError(
                f"{refusing}: no terminal to confirm on and no --yes (nothing was sent)",
                hint="review with --dry-run, then pass --yes",
            )
        self.stderr.write(prompt)
        self.stderr.flush()
        return stdin.readline().strip().lower() == "yes"

    def target(self) -> AwsTarget:
        return self.aws().target

    def aws(self) -> Aws:
        """Clients for the account the user chose; starts an in-process sandbox for --sandbox."""
        if self._aws is None:
            from batchtui.aws.session import Aws, AwsTarget, retry_policy

            if self.wants_sandbox:
                sandbox = self.start_sandbox()
                target = AwsTarget(
                    region=sandbox.region,
                    endpoint_url=sandbox.url,
                    read_only=bool(getattr(self.args, "read_only", False)),
                    sandbox=True,
                    credentials=sandbox.credentials,
                )
            else:
                target = AwsTarget.resolve(
                    region=getattr(self.args, "region", None),
                    aws_profile=getattr(self.args, "aws_profile", None),
                    endpoint_url=getattr(self.args, "endpoint_url", None),
                    read_only=bool(getattr(self.args, "read_only", False)),
                )
            self._aws = Aws(target, retry=retry_policy())
        return self._aws

    @staticmethod
    def sandbox_config(**overrides: Any) -> Any:
        """The in-process sandbox's settings (``--sandbox``, the TUI's and every command's)."""
        from batchtui.sandbox.config import SandboxConfig  # a dataclass: no moto

        # In-process, nothing but batchtui needs the sandbox: it takes only this run's keys.
        settings: dict[str, Any] = {
            "seed": "demo", "speed": 60.0, "require_credentials": True, **overrides
        }  # fmt: skip
        return SandboxConfig(**settings)

    def start_sandbox(self, **overrides: Any) -> Any:
        if self._sandbox is None:
            from batchtui.sandbox import Sandbox

            self._sandbox = Sandbox(self.sandbox_config(**overrides))
            self._sandbox.start()
        return self._sandbox

    @property
    def sandbox(self) -> Any:
        return self._sandbox

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
