"""The jobs list's time columns (DURATION, STARTED) against the sandbox's clock, the NAME column
that stays when the table scrolls sideways, and the cursor on the first match of a filter."""

from __future__ import annotations

import account
from conftest import settle
from screen_text import screen_text

from batchtui.render.text import epoch_ms
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.widgets.job_table import JobTable
from batchtui.wording import duration


async def open_main(app, pilot) -> JobsScreen:
    await settle(app, pilot)
    await pilot.press("enter")  # demo-main, the first queue
    await settle(app, pilot)
    assert isinstance(app.screen, JobsScreen)
    return app.screen


def row_of(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"{name} "))


def hh_mm_ss(epoch: int) -> str:
    return epoch_ms(epoch)[11:19]


async def test_duration_and_started_count_to_the_sandbox_clock(make_app, demo) -> None:
    job_id = account.submit(demo, "timed-one", containerOverrides=account.sleeping(600))
    waiting = account.submit(demo, "waits-long", dependsOn=[{"jobId": job_id}])
    demo.advance(60)
    started = account.job(demo, job_id)["startedAt"]
    created = account.job(demo, waiting)["createdAt"]
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await open_main(app, pilot)
        await pilot.press("slash", *"timed-one", "enter")
        now_s = demo.now()
        row = row_of(screen_text(app), "timed-one")
        assert row.split()[1:6] == [
            "RUNNING",
            duration(now_s - started / 1000),
            "1",  # its first attempt, of one
            "11-18",
            hh_mm_ss(started),
        ], row
        await pilot.press("escape", "slash", *"waits-long", "enter")
        row = row_of(screen_text(app), "waits-long")
        assert now_s - created / 1000 == 60.0  # submitted at the start, a minute ago
        assert row.split()[1:3] == ["PENDING", "1m00s"], row
        assert row.split()[3:5] == ["-", "-"]  # no attempt, not started
        demo.advance(900)
        await pilot.press("escape", "r")
        await settle(app, pilot)
        await pilot.press("slash", *"timed-one", "enter")
        done = account.job(demo, job_id)
        assert done["status"] == "SUCCEEDED"
        row = row_of(screen_text(app), "timed-one")
        # A stopped job: how long it ran, whatever the clock says now.
        assert (done["stoppedAt"] - done["startedAt"]) == 600_000
        assert row.split()[1:6] == ["SUCCEEDED", "10m00s", "1", "11-18", hh_mm_ss(started)], row


async def test_the_name_stays_when_the_table_scrolls_sideways(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_main(app, pilot)
        table = screen.query_one(JobTable)
        first = table.rows[0]
        # Unscrolled, 80 columns show what an operator reads first, ATTEMPTS included.
        header = next(line for line in screen_text(app).splitlines() if line.startswith("NAME "))
        assert header.split()[:4] == ["NAME", "STATUS", "DURATION", "ATTEMPTS"]
        await pilot.press(*["right"] * 40)
        await pilot.pause()
        assert table.scroll_x > 0
        text = screen_text(app)
        header = next(line for line in text.splitlines() if line.startswith("NAME "))
        assert header.split()[1] != "STATUS" and "CREATED (UTC)" in header  # scrolled past it
        row = row_of(text, first.job_name)
        assert epoch_ms(first.created_at)[11:19] in row and first.status not in row


async def test_the_cursor_lands_on_the_first_match_of_a_filter(make_app, demo) -> None:
    for name in ("pick-a", "pick-b", "pick-c"):
        account.submit(demo, name, containerOverrides=account.sleeping(3600))
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_main(app, pilot)
        table = screen.query_one(JobTable)
        # Newest first: pick-c, pick-b, pick-a. The cursor on pick-a, and further down.
        table.move_to(table.index_of(next(j.job_id for j in table.rows if j.job_name == "pick-a")))
        await pilot.press("down", "down")
        await pilot.press("slash", *"pick")
        assert [j.job_name for j in table.rows] == ["pick-c", "pick-b", "pick-a"]
        assert table.cursor == 0 and table.current is not None
        assert table.current.job_name == "pick-c"
        await pilot.press("enter")
        assert table.has_focus and table.current.job_name == "pick-c"
        await pilot.press("down", "r")  # the user's choice stays on refresh
        await settle(app, pilot)
        assert table.current.job_name == "pick-b"


def test_duration_cell_for_each_kind_of_job() -> None:
    from batchtui.model import JobSummary
    from batchtui.tui.widgets.job_table import duration_cell, is_live

    now = 1_795_000_000_000
    ran = JobSummary("a", "a", "SUCCEEDED", now - 900_000, now - 800_000, now - 560_000)
    running = JobSummary("b", "b", "RUNNING", now - 900_000, now - 192_000)
    waiting = JobSummary("c", "c", "RUNNABLE", now - 9_360_000)
    cancelled = JobSummary("d", "d", "FAILED", now - 60_000, None, now - 30_000)
    assert duration_cell(ran, now) == duration_cell(ran, None) == "4m00s"
    assert duration_cell(running, now) == "3m12s" and duration_cell(running, None) == "-"
    assert duration_cell(waiting, now) == "2h36m"
    assert duration_cell(cancelled, now) == "-"
    assert [is_live(j) for j in (ran, running, waiting, cancelled)] == [False, True, True, False]
