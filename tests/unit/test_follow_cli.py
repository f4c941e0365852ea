"""`batchtui logs` argument handling: times, selections, --raw, and no traceback on bad input."""

from __future__ import annotations

import argparse
import io

import pytest

from batchtui.cli import build_parser, main
from batchtui.commands import CommandContext
from batchtui.commands.logs import LinePrinter, parse_selection, parse_time, run
from batchtui.errors import UsageError
from batchtui.follow import LogEvent, LogTarget

NOW = 1_800_000_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10m", NOW - 600_000),
        ("90s", NOW - 90_000),
        ("2h", NOW - 7_200_000),
        ("1.5d", NOW - 129_600_000),
        ("2027-01-15T08:00:00Z", NOW),
        ("2027-01-15T09:00:00+01:00", NOW),
        ("2027-01-15T08:00:00", NOW),  # no zone: UTC
        ("1800000000000", NOW),
        ("1800000000", NOW),  # epoch seconds
    ],
)
def test_parse_time(text: str, expected: int) -> None:
    assert parse_time(text, NOW, option="--since") == expected


def test_parse_time_refuses_nonsense() -> None:
    with pytest.raises(UsageError, match="--since 'yesterday-ish': not a time"):
        parse_time("yesterday-ish", NOW, option="--since")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "--since '': no time given"),
        ("  ", "--since '  ': no time given"),
        ("99999999d", "--since '99999999d': before 1970-01-01"),
        ("9" * 400 + "s", "before 1970-01-01"),  # a float overflow, once an internal error
        ("1900-01-01", "--since '1900-01-01': before 1970-01-01"),
        ("99999999999999999999", "after 9999-12-31"),
        ("²", "--since '²': not a time"),  # a digit to str.isdigit(), not to int()
    ],
)
def test_parse_time_refuses_empty_and_out_of_range_times(text: str, message: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_time(text, NOW, option="--since")
    assert message in str(e.value)


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["logs", "job-1", *argv])


def test_selections() -> None:
    sel = parse_selection(_args("--attempt", "2", "--child", "all"))
    assert (sel.attempt, sel.child, sel.node) == (2, "all", None)
    assert parse_selection(_args()).attempt is None
    assert parse_selection(_args("--attempt", "latest", "--node", "3")).attempt == -1
    with pytest.raises(UsageError, match="numbered from 1"):
        parse_selection(_args("--attempt", "0"))
    with pytest.raises(UsageError, match="not a number"):
        parse_selection(_args("--child", "first"))
    with pytest.raises(UsageError, match="not a number"):
        parse_selection(_args("--child", "²"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--child", "-1"], "--child '-1': must be 0 or more (array children are numbered from 0)"),
        (["--node", "-2"], "--node '-2': must be 0 or more (nodes are numbered from 0)"),
        (["--attempt", "-1"], "--attempt '-1': must be 1 or more (attempts are numbered from 1)"),
    ],
)
def test_negative_indexes_are_numbers_out_of_range(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_selection(_args(*argv))
    assert str(e.value) == message


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--follow", "--end", "5m"], "--end cannot be combined with --follow"),
        (["--since", "5m", "--start", "1h"], "give one"),
        (["--grep", "(unclosed"], "not a regular expression"),
        (["--raw", "--output", "json"], "JSON output is always escaped"),
        (["--start", "1m", "--end", "1h"], "--end is before the start"),
        (["--since", ""], "--since '': no time given"),
        (["--end", ""], "--end '': no time given"),
        (["--since", "99999999d"], "--since '99999999d': before 1970-01-01"),
        (["--start", "1900-01-01T00:00Z"], "before 1970-01-01"),
    ],
)
def test_bad_input_is_a_usage_error_before_any_aws_call(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["logs", "job-1", "--endpoint-url", "http://127.0.0.1:1", *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_raw_refused_on_a_terminal() -> None:
    args = _args("--raw")
    with pytest.raises(UsageError, match="stdout is a terminal"):
        run(args, CommandContext(args, stdout=Tty()))


def test_line_printer_marks_times_and_greps() -> None:
    out = io.StringIO()
    t = LogTarget("job-1", "g", "s", 2, label="child 3 attempt 2", child=3)
    printer = LinePrinter(out, output="text", raw=False, timestamps=True, mark=True, grep=None)
    printer.print_events([LogEvent(NOW + 5, "\x1b[31mred\x1b[0m [b]x[/b]\n", target=t)])
    assert out.getvalue() == (
        "2027-01-15T08:00:00.005Z [child 3 attempt 2] \\x1b[31mred\\x1b[0m [b]x[/b]\n"
    )
    out = io.StringIO()
    import re

    printer = LinePrinter(
        out, output="text", raw=False, timestamps=False, mark=False, grep=re.compile("ERR")
    )
    printer.print_events([LogEvent(1, "ok"), LogEvent(2, "ERROR boom")])
    assert out.getvalue() == "ERROR boom\n"
    assert printer.printed == 1
