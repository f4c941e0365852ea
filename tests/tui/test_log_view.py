"""The log view alone: wrapped rows keep every character whether or not the scrollbar shows."""

from __future__ import annotations

from conftest import settle
from textual.app import App, ComposeResult

from batchtui.follow import LogEvent
from batchtui.tui.logbuffer import LogBuffer
from batchtui.tui.widgets.log_view import LogView


class OneView(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.buffer = LogBuffer()

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
