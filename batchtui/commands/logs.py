"""`batchtui logs`: read or follow a job's CloudWatch logs, every line once, safe to print."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any, TextIO

from batchtui.commands import CommandContext
from batchtui.errors import UsageError

if TYPE_CHECKING:
    from batchtui.aws.logs import JobLogs, LogSelection
    from batchtui.follow import LogEvent, LogTarget

NAME = "logs"
HELP = "Read and follow a job's CloudWatch logs (every attempt, array child and node)"
DESCRIPTION = """\
Print a job's CloudWatch logs. Where they are is read from the job itself (each attempt's log
stream, the job definition's awslogs-group and -stream-prefix), not assumed. --follow keeps
reading until the job has finished and its streams are drained, printing each line exactly once,
late arrivals included.

Every line is sanitized before it is printed, to a terminal or a pipe alike: control characters
and escape sequences (colours, OSC 52 clipboard writes, OSC 8 links, title changes), backspace,
carriage return and bidi overrides are shown as visible escapes like \\x1b. --raw prints them as
they are, and is refused when stdout is a terminal.

times (--since, --start, --end): 90s, 10m, 2h, 3d (ago), an ISO 8601 time (2026-11-02T10:00Z,
UTC unless it says otherwise) or epoch milliseconds.

examples:
  batchtui logs 4f2a... --follow
  batchtui logs 4f2a... --child 7 --attempt 2 --since 30m --grep 'ERROR|Traceback'
  batchtui logs 4f2a... --child all --output json | jq .message"""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TIME_HINT = "use 90s, 10m, 2h, 3d, an ISO 8601 time like 2026-11-02T10:00Z, or epoch ms"
_LATEST_MS = int(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc).timestamp() * 1000)
_INDEX = re.compile(r"[-+]?\d+")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job_id", metavar="JOB_ID", help="job id (an array child: ID:N)")
    parser.add_argument(
        "--follow", "-f", action="store_true", help="keep printing new lines until the job ends"
    )
    parser.add_argument(
        "--attempt",
        metavar="N|all|latest",
        default="all",
        help="which attempt (1 = the first; default: all, in order, each line marked)",
    )
    parser.add_argument("--child", metavar="I|all", help="array job: child index, or all merged")
    parser.add_argument("--node", metavar="I|all", help="multi-node job: node index (default all)")
    parser.add_argument("--since", metavar="T", help="from this long ago, e.g. 10m (or a time)")
    parser.add_argument("--start", metavar="T", help="from this time")
    parser.add_argument("--end", metavar="T", help="up to this time (not with --follow)")
    parser.add_argument(
        "--grep", metavar="RE", help="only lines matching this regular expression (Python re)"
    )
    parser.add_argument(
        "--filter-pattern",
        metavar="P",
        help="a CloudWatch Logs filter pattern, applied by CloudWatch (FilterLogEvents)",
    )
    parser.add_argument(
        "--timestamps", "-t", action="store_true", help="prefix each line with its UTC time"
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="print lines unsanitized (refused when stdout is a terminal)",
    )
    parser.add_argument(
        "--output",
        "-o",
        choices=("text", "json"),
        default="text",
        help="text (default) or json: one JSON object per line (NDJSON)",
    )


# ---------------------------------------------------------------- argument parsing


def parse_time(text: str, now_ms: int, *, option: str) -> int:
    """A relative duration (``10m`` ago), an ISO 8601 time or epoch ms, as epoch ms."""
    value = text.strip()
    if not value:
        raise UsageError(f"{option} {text!r}: no time given", hint=_TIME_HINT)
    m = _DURATION.match(value)
    if m:
        ms = now_ms - float(m.group(1)) * _UNITS[m.group(2)] * 1000  # -inf past a float
    elif value.isdecimal():
        n = int(value)
        ms = n if n > 10**11 else n * 1000  # epoch seconds are accepted too
    else:
        try:
            t = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise UsageError(f"{option} {text!r}: not a time", hint=_TIME_HINT) from None
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        ms = t.timestamp() * 1000
    # CloudWatch Logs takes times from the epoch on; a later bound keeps them printable.
    if ms < 0:
        raise UsageError(f"{option} {text!r}: before 1970-01-01")
    if ms > _LATEST_MS:
        raise UsageError(f"{option} {text!r}: after 9999-12-31")
    return int(ms)


def parse_selection(args: argparse.Namespace) -> LogSelection:
    from batchtui.aws.logs import LogSelection

    def index(option: str, value: str | None, words: dict[str, Any], first: int, what: str) -> Any:
        if value is None:
            return None
        v = value.strip().lower()
        if v in words:
            return words[v]
        if not _INDEX.fullmatch(v):
            raise UsageError(f"{option} {value!r}: not a number", hint=" or ".join(words))
        n = int(v)
        if n < first:
            raise UsageError(
                f"{option} {value!r}: must be {first} or more",
                hint=f"{what} are numbered from {first}",
            )
        return n

    return LogSelection(
        attempt=index("--attempt", args.attempt, {"all": None, "latest": -1}, 1, "attempts"),
        child=index("--child", args.child, {"all": "all"}, 0, "array children"),
        node=index("--node", args.node, {"all": "all"}, 0, "nodes"),
    )


def _compile_grep(pattern: str | None) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as e:
        raise UsageError(f"--grep {pattern!r}: not a regular expression: {e}") from None


def _time_window(args: argparse.Namespace, now_ms: int) -> tuple[int | None, int | None]:
    if args.since is not None and args.start is not None:
        raise UsageError("--since and --start both say where to begin: give one")
    start = None
    if args.since is not None:
        start = parse_time(args.since, now_ms, option="--since")
    elif args.start is not None:
        start = parse_time(args.start, now_ms, option="--start")
    end = parse_time(args.end, now_ms, option="--end") if args.end is not None else None
    if args.follow and end is not None:
        raise UsageError("--end cannot be combined with --follow")
    if start is not None and end is not None and end < start:
        raise UsageError("--end is before the start of the window")
    return start, end


# ---------------------------------------------------------------- output


class LinePrinter:
    """Formats events for stdout: sanitized text (or raw), optionally marked and timestamped."""

    def __init__(
        self,
        out: TextIO,
        *,
        output: str,
        raw: bool,
        timestamps: bool,
        mark: bool,
        grep: re.Pattern[str] | None,
    ) -> None:
        from batchtui.render.log_events import log_event_json
        from batchtui.render.sanitize import sanitize_line

        self.record = log_event_json
        self.out = out
        self.output = output
        self.raw = raw
        self.timestamps = timestamps
        self.mark = mark
        self.grep = grep
        self.sanitize = sanitize_line
        self.printed = 0

    def print_events(self, events: list[LogEvent] | tuple[LogEvent, ...]) -> None:
        lines: list[str] = []
        for e in events:
            if self.grep is not None and self.grep.search(e.message) is None:
                continue
            lines.append(self._format(e))
        if lines:
            self.out.write("\n".join(lines) + "\n")
            self.out.flush()
            self.printed += len(lines)

    def _format(self, e: LogEvent) -> str:
        if self.output == "json":
            # ensure_ascii: every control, C1 and bidi character leaves as a \\u escape.
            return json.dumps(self.record(e), ensure_ascii=True)
        if self.raw:
            text = e.message[:-1] if e.message.endswith("\n") else e.message
        else:
            text = self.sanitize(e.message)
        prefix = ""
        if self.timestamps:
            prefix = _iso(e.timestamp) + " "
        if self.mark and e.target is not None and e.target.label:
            prefix += f"[{e.target.label}] "
        return prefix + text


def _iso(ms: int) -> str:
    t = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _prepare_stdout(out: TextIO) -> None:
    # Text the terminal's encoding cannot show is escaped, never a UnicodeEncodeError.
    reconfigure = getattr(out, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):  # a stream that refuses
            reconfigure(errors="backslashreplace")


# ---------------------------------------------------------------- run


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    import time

    from batchtui.aws.logs import follow, read_events, resolve_job_logs
    from batchtui.render.sanitize import sanitize_line

    if args.raw and args.output == "json":
        raise UsageError("--raw applies to text output; JSON output is always escaped")
    if args.raw and _is_terminal(ctx.stdout):
        raise UsageError(
            "--raw prints log lines unsanitized, and stdout is a terminal: a line could "
            "take it over (escape sequences, clipboard writes)",
            hint="pipe or redirect the output, or drop --raw",
        )
    selection = parse_selection(args)
    grep = _compile_grep(args.grep)
    start_ms, end_ms = _time_window(args, int(time.time() * 1000))
    _prepare_stdout(ctx.stdout)

    def note(message: str) -> None:
        ctx.note(sanitize_line(message, single_line=True))

    aws = ctx.aws()
    job_logs = resolve_job_logs(aws, args.job_id, selection)
    if aws.target.endpoint_url is not None and aws.server_time is not None:
        # An endpoint of one's own (the sandbox) may keep its own time, simulated: "10m ago" is
        # read against its clock, which the Date header of its answers tells. An AWS account's
        # clock is the machine's.
        start_ms, end_ms = _time_window(args, int(aws.server_time * 1000))
    _check_attempt(selection, job_logs)
    printer = LinePrinter(
        ctx.stdout,
        output=args.output,
        raw=args.raw,
        timestamps=args.timestamps,
        mark=job_logs.merged,
        grep=grep,
    )
    if args.follow:
        following = _follow_note(selection, job_logs)
        if following:
            note(following)
        for batch in follow(
            aws,
            args.job_id,
            selection,
            start_ms=start_ms,
            filter_pattern=args.filter_pattern,
        ):
            for n in batch.notices:
                note(n)
            printer.print_events(batch.events)
        return 0

    _check_has_logs(job_logs)
    with_lines: set[int | None] = set()  # the children (or nodes) that had a line
    for events in read_events(
        aws,
        job_logs.targets,
        start_ms=start_ms,
        end_ms=end_ms,
        filter_pattern=args.filter_pattern,
        on_notice=note,
    ):
        with_lines.update(_unit_of(e.target) for e in events)
        printer.print_events(events)
    partial = _partial_note(selection, job_logs, len(with_lines))
    if partial:
        note(partial)
    if job_logs.note:
        note(job_logs.note)
    if not job_logs.finished:
        note(f"job {job_logs.job_id} is {job_logs.status}: more lines may come (use --follow)")
    return 0


def _check_attempt(selection: LogSelection, job_logs: JobLogs) -> None:
    """An attempt beyond the job's retryStrategy.attempts is bad input, like a --child beyond
    its array size (exit 2); one it could have had but did not is a missing log (exit 1)."""
    most = job_logs.max_attempts
    if selection.attempt is not None and selection.attempt > most:
        n = selection.attempt
        why = "it is not retried" if most == 1 else "its retryStrategy.attempts"
        attempts = "1 attempt" if most == 1 else f"at most {most} attempts"
        choose = "--attempt 1 or none" if most == 1 else f"--attempt 1 to {most}"
        raise UsageError(
            f"--attempt {n}: job {job_logs.job_id} has {attempts}, not {n}",
            hint=f"{why}: use {choose}",
        )


def _units_reached(selection: LogSelection, job_logs: JobLogs) -> tuple[str, int, int] | None:
    """("children", 3, 18) when --child all / --node all asks for several children or nodes:
    how many of them have a log stream, of how many; None otherwise."""
    if selection.child == "all" and job_logs.array_size:
        return "children", len({t.child for t in job_logs.targets}), job_logs.array_size
    if selection.node in (None, "all") and job_logs.num_nodes and job_logs.units > 1:
        return "nodes", len({t.node for t in job_logs.targets}), job_logs.num_nodes
    return None


def _unit_of(target: LogTarget | None) -> int | None:
    """The array child or node an event's stream belongs to."""
    if target is None:
        return None
    return target.child if target.child is not None else target.node


def _partial_note(selection: LogSelection, job_logs: JobLogs, with_lines: int) -> str:
    """ "showing the lines of 3 of 39 children: ..." when --child all / --node all found lines
    of only some of them (after reading: a child may have a stream and no line in it, or a
    stream past the log group's retention): never a silently shorter log."""
    reached = _units_reached(selection, job_logs)
    if reached is None or with_lines >= reached[2]:
        return ""
    what, _streams, total = reached
    if job_logs.finished:
        why = (
            f"{total - with_lines} had none (no log stream, past the log group's retention, "
            "or nothing written)"
        )
    else:
        why = "the others have no log stream yet, or no line so far"
    return f"showing the lines of {with_lines} of {total} {what}: {why}"


def _follow_note(selection: LogSelection, job_logs: JobLogs) -> str:
    """ "following 18 children: 3 have a log stream so far ..." for --follow with --child all /
    --node all: how many it follows, and what becomes of the rest."""
    reached = _units_reached(selection, job_logs)
    if reached is None:
        return ""
    what, shown, total = reached
    if shown >= total:
        return f"following all {total} {what}"
    rest = (
        "the others ended without one" if job_logs.finished else "the others are read as they start"
    )
    return f"following {total} {what}: {shown} have a log stream so far, {rest}"


def _check_has_logs(job_logs: JobLogs) -> None:
    from batchtui.aws.logs import NoLogs

    if job_logs.targets:
        return
    hint = None if job_logs.finished else "use --follow to wait for it and read along"
    raise NoLogs(job_logs.note or f"job {job_logs.job_id} has no log streams", hint=hint)


def _is_terminal(out: TextIO) -> bool:
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False
