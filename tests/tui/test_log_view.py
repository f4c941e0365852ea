"""The log view alone: wrapped rows keep every character whether or not the scrollbar shows,
rows are measured in terminal cells, and the view follows a bounded buffer."""

from __future__ import annotations

from typing import Any

from conftest import settle
from rich.cells import cell_len, split_graphemes
from textual.app import App, ComposeResult

from batchtui.follow import LogEvent
from batchtui.tui.logbuffer import LogBuffer
from batchtui.tui.widgets.log_view import LogView


class OneView(App[None]):
    def __init__(self, capacity: int = 1000) -> None:
        super().__init__()
        self.buffer = LogBuffer(capacity)

    def compose(self) -> ComposeResult:
        yield LogView(self.buffer)


def rows_text(view: LogView) -> list[str]:
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


async def test_wrapped_rows_cut_before_the_scrollbar_appears_lose_nothing() -> None:
    """Wrap on while the view is empty (no scrollbar), then enough long lines to need one: the
    rows were cut at the width without it and drawn at the width with it, so `r` in a wrapped
    log turned "starting" into "arting"."""
    app = OneView()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(LogView)
        view.wrap, view.labels, view.follow = True, False, False
        view.relayout()
        lines = [f"{i:02d} " + "starting the work of tagging images " * 2 for i in range(30)]
        added = app.buffer.extend(LogEvent(timestamp=i, message=m) for i, m in enumerate(lines))
        view.lines_added(added)
        await settle(app, pilot)
        first_rows = view.row_of_line(1) - view.row_of_line(0)
        assert first_rows > 1
        assert "".join(rows_text(view)[:first_rows]) == lines[0].rstrip()


WIDE = [
    "日本語のログ行：画像タグ付けジョブが開始されました。処理件数は一万件です。",
    "emoji 🚀🔥✅ mixed with 中文字符 and ❤️ hearts 👨‍👩‍👧 family, e\u0301 accent, 한국어 로그",
    "x" + "界" * 60,  # odd start: every row boundary falls where a wide character would split
]


def _cells(strip: Any) -> int:
    return sum(cell_len(segment.text) for segment in strip)


async def test_wrapped_cjk_and_emoji_never_draw_past_the_row() -> None:
    """A wrapped CJK line was cut every 38 characters, so a 38-cell row drew 74 cells. Each
    rendered row is measured in cells; together the rows give back the line, no character
    split or lost."""
    app = OneView()
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(LogView)
        view.wrap, view.labels, view.follow = True, False, False
        view.relayout()
        added = app.buffer.extend(LogEvent(timestamp=i, message=m) for i, m in enumerate(WIDE))
        view.lines_added(added)
        await settle(app, pilot)
        width = view.scrollable_content_region.width
        assert width < 40  # the gutter is kept: rows are cut narrower than the screen
        for number, line in enumerate(WIDE):
            rows = []
            for row in range(view.row_of_line(number), view.row_of_line(number + 1)):
                view.scroll_to(y=row, animate=False, immediate=True)  # (bounded at the end)
                strip = view.render_line(row - view.scroll_offset.y)
                assert strip.cell_length == width and _cells(strip) == width
                rows.append(strip.text)
            assert len(rows) > 1
            _assert_rows_show(rows, line, width)


def _assert_rows_show(rows: list[str], line: str, width: int) -> None:
    """Each row is the next part of ``line`` padded with blanks to ``width`` cells, and is short
    only where the next grapheme (a wide character, an emoji sequence) would not fit."""
    graphemes = {start for start, _end, _cells in split_graphemes(line)[0]}
    pos = 0
    for row in rows:
        k = max(
            k
            for k in range(len(line) - pos + 1)
            if row.startswith(line[pos : pos + k]) and not row[k:].strip(" ")
        )
        assert pos + k in graphemes or pos + k == len(line)  # never inside a grapheme
        part = line[pos : pos + k]
        if pos + k < len(line):
            nxt = (
                min(g for g in graphemes if g > pos + k) if max(graphemes) > pos + k else len(line)
            )
            assert cell_len(part) + cell_len(line[pos + k : nxt]) > width
        pos += k
    assert pos == len(line)


async def test_unwrapped_wide_lines_scroll_sideways_within_the_row() -> None:
    """Without wrap, scrolled sideways by an odd number of cells, a row is exactly the view's
    width: a wide character cut by the edge shows as a blank, never as a half glyph."""
    app = OneView()
    async with app.run_test(size=(40, 8)) as pilot:
        view = app.query_one(LogView)
        view.labels, view.follow = False, False
        added = app.buffer.extend(LogEvent(timestamp=i, message=m) for i, m in enumerate(WIDE))
        view.lines_added(added)
        await settle(app, pilot)
        assert view.virtual_size.width == max(cell_len(m) for m in WIDE)  # cells, not chars
        width = view.scrollable_content_region.width
        for x in (0, 1, 7):
            view.scroll_to(x=x, y=0, animate=False, immediate=True)
            for y in range(len(WIDE)):
                strip = view.render_line(y)
                assert strip.cell_length == width and _cells(strip) == width


async def test_old_lines_leave_and_the_reader_keeps_their_line() -> None:
    """The buffer holds 50 lines; 120 arrive in batches while the reader sits on one line:
    rows of dropped lines go, the note above the held lines appears, and the line under the
    reader's eye stays there."""
    app = OneView(capacity=50)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(LogView)
        view.labels = False
        for start in range(0, 40, 10):
            view.lines_added(app.buffer.extend(_events(start, 10)))
        await settle(app, pilot)
        view.follow = False
        view.scroll_to(y=30, animate=False, immediate=True)
        assert rows_text(view)[0] == "line 30"
        for start in range(40, 70, 10):
            view.head_note = "older lines dropped" if app.buffer.dropped or start >= 50 else ""
            view.lines_added(app.buffer.extend(_events(start, 10)))
            await pilot.pause()
            assert rows_text(view)[0] == "line 30"
        assert app.buffer.dropped == 20 and app.buffer.first == 20
        view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert rows_text(view)[:2] == [" older lines dropped", "line 20"]
        view.wrap = True
        view.relayout()
        assert view.row_of_line(20) == 1 and view.virtual_size.height == 1 + 50


def _events(start: int, n: int) -> list[LogEvent]:
    return [LogEvent(timestamp=i, message=f"line {i}") for i in range(start, start + n)]
