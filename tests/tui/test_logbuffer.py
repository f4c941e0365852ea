"""The log buffer and the cell arithmetic of wrapping, without a screen: a bounded window of
the log with honest counts, and rows that never exceed their width in terminal cells."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes

from batchtui.follow import LogEvent, LogTarget
from batchtui.tui.cells import wrap_starts
from batchtui.tui.logbuffer import LogBuffer, write_lines


def _events(start: int, n: int) -> list[LogEvent]:
    return [LogEvent(timestamp=i, message=f"line {i}") for i in range(start, start + n)]


@given(
    capacity=st.integers(1, 40),
    batches=st.lists(st.integers(0, 30), max_size=12),
)
def test_the_newest_lines_are_kept_and_the_rest_counted(capacity: int, batches: list[int]) -> None:
    buf = LogBuffer(capacity)
    total = 0
    for n in batches:
        assert buf.extend(_events(total, n)) == n
        total += n
        held = min(total, capacity)
        assert len(buf) == held and buf.dropped == total - held and buf.refused == 0
        assert [line.text for line in buf.lines] == [
            f"line {i}" for i in range(total - held, total)
        ]
        assert (buf.first, buf.end, buf.read) == (total - held, total, total)
        if held:
            assert buf.line(buf.first).text == f"line {total - held}"


@given(capacity=st.integers(1, 40), batches=st.lists(st.integers(0, 30), max_size=12))
def test_from_the_start_the_first_lines_are_kept_and_later_ones_refused(
    capacity: int, batches: list[int]
) -> None:
    buf = LogBuffer(capacity, keep="oldest")
    total = held = 0
    for n in batches:
        appended = buf.extend(_events(total, n))
        total += n
        assert appended == min(total, capacity) - held
        held = min(total, capacity)
        assert [line.text for line in buf.lines] == [f"line {i}" for i in range(held)]
        assert buf.dropped == 0 and buf.refused == total - held and buf.read == total


def test_a_line_not_held_is_not_given_and_search_says_absolute_numbers() -> None:
    buf = LogBuffer(5)
    buf.extend(_events(0, 12))
    with pytest.raises(IndexError, match=r"7\.\.11"):
        buf.line(3)
    assert buf.find("line 9", start=buf.first - 1, step=1) == 9
    assert buf.find("line 2", start=buf.first - 1, step=1) is None  # dropped: not searched
    buf.clear(keep="oldest")
    assert (len(buf), buf.dropped, buf.refused, buf.keep) == (0, 0, 0, "oldest")


def test_lines_of_one_stream_share_one_label_string() -> None:
    target = LogTarget("j", "g", "s", 2, label="attempt 2")
    buf = LogBuffer(10)
    buf.extend(LogEvent(timestamp=i, message=f"m{i}", target=target) for i in range(3))
    assert {id(line.label) for line in buf.lines} == {id(buf.lines[0].label)}


def test_a_capacity_below_one_line_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one line"):
        LogBuffer(0)


def test_a_failed_save_leaves_neither_a_file_nor_a_part(tmp_path: Path) -> None:
    buf = LogBuffer(10)
    buf.extend(_events(0, 3))
    target = tmp_path / "batchtui-j.log"
    target.mkdir()  # the name is taken by a directory: the final rename fails
    with pytest.raises(OSError):
        write_lines(target, buf.snapshot())
    assert [p.name for p in tmp_path.iterdir()] == ["batchtui-j.log"]
    target.rmdir()
    assert write_lines(target, buf.snapshot(), timestamps=False) == 3
    assert target.read_text() == "line 0\nline 1\nline 2\n"


WIDE_TEXT = st.lists(
    st.sampled_from(
        [*"ab ,.", *"日本語中文한국", "🚀", "✅", "❤️", "👨\u200d👩\u200d👧", "e\u0301"]
    ),
    max_size=60,
).map("".join)


@given(text=WIDE_TEXT, width=st.integers(1, 30))
def test_wrapped_rows_fit_their_width_and_never_split_a_grapheme(text: str, width: int) -> None:
    starts = wrap_starts(text, width)
    assert starts[0] == 0 and starts == sorted(set(starts))
    boundaries = {start for start, _end, _cells in split_graphemes(text)[0]}
    assert set(starts[1:]) <= boundaries
    rows = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert "".join(rows) == text
    for row in rows:
        # Only a grapheme wider than the whole row may exceed it, alone in its row.
        assert cell_len(row) <= width or len(split_graphemes(row)[0]) == 1


@given(
    capacity=st.integers(1, 20),
    total=st.integers(0, 80),
    pages=st.lists(st.integers(0, 30), max_size=8),
)
def test_paging_back_keeps_a_window_of_the_log_and_counts_both_sides(
    capacity: int, total: int, pages: list[int]
) -> None:
    """Lines read back go in front of the held ones; the newest make room (refused) and no
    line is taken after them any more: the held lines are always one run of the log."""
    buf = LogBuffer(capacity)
    buf.extend(_events(0, total))
    for n in pages:
        before = buf.first
        put = buf.prepend(_events(max(0, buf.first - n), min(n, buf.first)))
        assert put == min(n, before) and buf.first == before - put
        assert [line.text for line in buf.lines] == [f"line {i}" for i in range(buf.first, buf.end)]
        assert len(buf) <= capacity and buf.read == total
        assert buf.dropped + len(buf) + buf.refused == total
    if buf.refused:
        assert buf.extend(_events(total, 3)) == 0 and buf.refused >= 3  # no gap after them


def test_more_lines_read_back_than_were_dropped_are_cut_to_the_dropped_ones() -> None:
    buf = LogBuffer(10)
    buf.extend(_events(0, 12))  # lines 2..11 held, 2 dropped
    assert buf.prepend(_events(-3, 5)) == 2  # only the last two can be lines 0 and 1
    assert [line.text for line in buf.lines][:3] == ["line 0", "line 1", "line 2"]
    assert (buf.dropped, buf.refused, buf.keep) == (0, 2, "oldest")


def test_the_head_run_counts_held_lines_sharing_the_first_stamp() -> None:
    buf = LogBuffer(10)
    assert buf.head_run() == (0, 0)
    buf.extend(LogEvent(timestamp=t, message="m") for t in (5, 5, 5, 6, 5))
    assert buf.head_run() == (5, 3)
