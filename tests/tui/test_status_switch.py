"""Switching status tabs never hides the newest rows: the new tab opens at its top, unless
the job under the cursor is in it, which then stays in view."""

from __future__ import annotations

from conftest import settle
from screen_text import screen_text

from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.widgets.job_table import JobTable

SIZES = [(80, 24), (120, 35)]


def _in_view(table: JobTable) -> bool:
    top = int(table.scroll_y)
    return top <= table.cursor < top + len(table.visible_rows())


async def test_a_status_tab_opens_at_its_top_when_the_cursor_job_is_not_in_it(
    make_app,
) -> None:
    for size in SIZES:
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await pilot.press("enter")  # demo-main's jobs
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, JobsScreen)
            table = screen.query_one(JobTable)
            rows = list(table.rows)
            # Far down the list, on a job that is not FAILED: the list is scrolled.
            deep = max(i for i, j in enumerate(rows) if j.status != "FAILED")
            table.move_to(deep)
            await pilot.pause()
            assert table.scroll_y > 0
            await pilot.press("a")  # an array's children and back, as the user did
            await settle(app, pilot)
            if app.screen is not screen:
                await pilot.press("escape")
            await pilot.press("7")  # FAILED
            await pilot.pause()
            failed = table.rows
            assert len(failed) > len(table.visible_rows()), "the test needs a scrolled tab"
            assert {j.status for j in failed} == {"FAILED"}
            assert (table.cursor, table.scroll_y) == (0, 0), size
            assert failed[0].job_name[:10] in screen_text(app)


async def test_a_status_tab_keeps_the_cursor_job_in_view_when_it_is_in_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "7")
        await settle(app, pilot)
        table = app.screen.query_one(JobTable)
        table.move_to(len(table.rows) - 1)  # the oldest failure, at the bottom of the viewport
        await pilot.pause()
        chosen = table.current
        assert chosen is not None and table.scroll_y > 0
        await pilot.press("0")  # ALL holds it too
        await pilot.pause()
        assert table.current == chosen and _in_view(table)
