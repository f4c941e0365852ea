"""One error family for batchtui.

Every error a user can meet is a :class:`BatchtuiError` with a message they can act on and the
exit code of DESIGN.md. The CLI's top-level handler prints ``batchtui: <message>`` on stderr and
exits with :attr:`BatchtuiError.exit_code`; the TUI shows the same message in a notification or a
modal. Nothing else in the code base decides exit codes.

Every message reads ``<what went wrong> (<what to do>)``: a raise site gives the hint that fits,
and each class has a :attr:`~BatchtuiError.default_hint` for the ones that do not.
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
    #: What to do, when the raise site has nothing more specific to say.
    default_hint: str | None = "see `batchtui --help`"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # A list of problems, one a line (a profile, the TUI config), names what to fix in
        # each line: a hint after the last one would read as belonging to it alone.
        self.hint = hint if hint is not None or "\n" in message else self.default_hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class UsageError(BatchtuiError):
    """Bad arguments or input files. Exit code 2."""

    exit_code = ExitCode.USAGE
    title = "Bad input"
    default_hint: str | None = "see --help"


class ProfileError(UsageError):
    """A planning profile failed validation; ``problems`` holds every problem found."""

    title = "Invalid profile"
    #: Each problem names its file, line and key and what is wrong: --help adds nothing.
    default_hint = "fix it in the profile and run again"

    def __init__(self, problems: list[str], *, hint: str | None = None) -> None:
        self.problems = list(problems)
        text = "\n".join(self.problems) if self.problems else "invalid profile"
        super().__init__(text, hint=hint)


class BlockingProblems(BatchtuiError):
    """A plan or a diagnosis found problems that block the user's goal. Exit code 3."""

    exit_code = ExitCode.BLOCKED
    title = "Blocking problems"
    default_hint = "the report on stdout says what blocks"


class AwsError(BatchtuiError):
    """An AWS call failed; the message names the operation and what to do."""

    title = "AWS error"
    default_hint = "check the names and values sent; retry if AWS was having trouble"


class ReadOnlyRefused(AwsError):
    """A mutating call was refused by --read-only before any request was sent."""

    title = "Read-only"
    default_hint = "restart without --read-only to change the account"


class CredentialsError(AwsError):
    title = "Credentials"
    default_hint = "check AWS_PROFILE / --aws-profile and the credentials it names"


class AccessDenied(AwsError):
    title = "Access denied"
    default_hint = "ask for that permission, or use a role that has it"


class Throttled(AwsError):
    title = "Throttled"
    default_hint = "wait and retry; lower the refresh rate"


class EndpointUnreachable(AwsError):
    title = "Endpoint unreachable"
    default_hint = "is the endpoint up and the region right?"


class ServiceFailing(AwsError):
    """AWS answered with server errors (5xx) on every try."""

    title = "AWS failing"
    default_hint = "the service is having trouble: try again in a minute"


class AnswerCutShort(AwsError):
    """Every answer was shorter than announced, or did not parse: nothing of it is used."""

    title = "Incomplete answer"
    default_hint = "the network or a proxy cuts answers short: try again, or from another network"


class CircuitOpen(EndpointUnreachable):
    """An endpoint failed request after request: batchtui stopped calling it for a while."""

    title = "Endpoint failing"


class NotFound(AwsError):
    """A resource the user named does not exist (job, queue, log group ...)."""

    title = "Not found"
    default_hint = "check the name, the region and the account"


class OutputError(BatchtuiError):
    """stdout cannot take a command's data (a full disk, a closed stdout). Exit code 1."""

    title = "Cannot write output"
    default_hint = "check the disk and where stdout goes"


class SandboxError(BatchtuiError):
    title = "Sandbox"
    default_hint = "see `batchtui sandbox --help`"
