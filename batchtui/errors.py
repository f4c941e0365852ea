"""One error family for batchtui.

Every error a user can meet is a :class:`BatchtuiError` with a message they can act on and the
exit code of DESIGN.md. The CLI's top-level handler prints ``batchtui: <message>`` on stderr and
exits with :attr:`BatchtuiError.exit_code`; the TUI shows the same message in a notification or a
modal. Nothing else in the code base decides exit codes.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Exit codes of every non-interactive command (documented in README.md)."""

    OK = 0
    FAILED = 1  #: the operation failed (AWS refused, unreachable, job not found, ...)
    USAGE = 2  #: bad input or usage: arguments, profile files, plan files
    BLOCKED = 3  #: plan/diagnose found blocking problems


class BatchtuiError(Exception):
    """Base of every error batchtui reports to a user."""

    exit_code: ExitCode = ExitCode.FAILED
    title: str = "Error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class UsageError(BatchtuiError):
    """Bad arguments or input files. Exit code 2."""

    exit_code = ExitCode.USAGE
    title = "Bad input"


class ProfileError(UsageError):
    """A planning profile failed validation; ``problems`` holds every problem found."""

    title = "Invalid profile"

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems) if self.problems else "invalid profile")


class BlockingProblems(BatchtuiError):
    """A plan or a diagnosis found problems that block the user's goal. Exit code 3."""

    exit_code = ExitCode.BLOCKED
    title = "Blocking problems"


class AwsError(BatchtuiError):
    """An AWS call failed; the message names the operation and what to do."""

    title = "AWS error"


class ReadOnlyRefused(AwsError):
    """A mutating call was refused by --read-only before any request was sent."""

    title = "Read-only"


class CredentialsError(AwsError):
    title = "Credentials"


class AccessDenied(AwsError):
    title = "Access denied"


class Throttled(AwsError):
    title = "Throttled"


class EndpointUnreachable(AwsError):
    title = "Endpoint unreachable"


class NotFound(AwsError):
    """A resource the user named does not exist (job, queue, log group ...)."""

    title = "Not found"


class OutputError(BatchtuiError):
    """stdout cannot take a command's data (a full disk, a closed stdout). Exit code 1."""

    title = "Cannot write output"


class SandboxError(BatchtuiError):
    title = "Sandbox"
