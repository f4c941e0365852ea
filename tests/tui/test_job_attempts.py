"""The jobs list's ATTEMPTS column on the demo sandbox: a retried job shows its second attempt,
and the column's DescribeJobs calls are only for rows on screen that are new or changed."""

from __future__ import annotations

import account
from conftest import settle
from screen_text import screen_text

from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.widgets.job_table import JobTable

#: A job that fails each attempt after a minute, allowed two attempts.
FAILING_TWICE = {
    "containerOverrides": {"command": ["sh", "-c", "work && sleep 60; exit 3"]},
    "retryStrategy": {"attempts": 2},
}


async def open_main(app, pilot) -> JobsScreen:
    await settle(app, pilot)
    await pilot.press("enter")  # demo-main, the first queue
    await settle(app, pilot)
    assert isinstance(app.screen, JobsScreen)
    return app.screen


def cells_of(app, name: str) -> list[str]:
    """STATUS, DURATION and ATTEMPTS of the row of job ``name``."""
    line = next(line for line in screen_text(app).splitlines() if line.startswith(f"{name} "))
    return line.split()[1:4]


def step_until(demo, job_id: str, done, *, step: int = 10, limit: int = 200) -> dict:
    """Step the sandbox's clock until ``done(job)`` (DescribeJobs as another client reads it)."""
    for _ in range(limit):
        job = account.job(demo, job_id)
        if done(job):
            return job
        demo.advance(step)
    raise AssertionError(f"job {job_id} never got there: {account.job(demo, job_id)['status']}")


async def test_a_retried_job_shows_its_second_attempt_of_two(make_app, demo) -> None:
    job_id = account.submit(demo, "retried-one", **FAILING_TWICE)
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await open_main(app, pilot)
        await pilot.press("slash", *"retried-one", "enter")
        await settle(app, pilot)
        assert cells_of(app, "retried-one")[2] == "-"  # not placed yet: no attempt
        second = step_until(
            demo, job_id, lambda j: j["status"] == "RUNNING" and len(j.get("attempts", [])) == 1
        )
        assert second["retryStrategy"]["attempts"] == 2
        await pilot.press("r")
        await settle(app, pilot)
        status, _, attempts = cells_of(app, "retried-one")
        assert (status, attempts) == ("RUNNING", "2/2")
        step_until(demo, job_id, lambda j: j["status"] == "FAILED")
        await pilot.press("r")
        await settle(app, pilot)
        status, _, attempts = cells_of(app, "retried-one")
        assert (status, attempts) == ("FAILED", "2/2")


async def test_a_refresh_of_an_unchanged_list_makes_no_describe_call(make_app, demo) -> None:
    running = account.submit(demo, "runs-long", containerOverrides=account.sleeping(3600))
    demo.advance(60)
    assert account.job(demo, running)["status"] == "RUNNING"
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_main(app, pilot)
        table = screen.query_one(JobTable)
        visible = table.visible_rows()
        assert any(j.job_id == running for j in visible)  # the newest job: on top
        # Every placed row on screen has its attempts: none is left at "…".
        assert [table.attempts_of(j) for j in visible if table.attempts_of(j) == "…"] == []
        described = app.aws.counter.get("batch", "DescribeJobs")
        listed = app.aws.counter.get("batch", "ListJobs")
        assert described >= 1

        screen.pace.expire()
        screen.reload(full=False)  # the timer's refresh, with the account as it was
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "ListJobs") > listed  # the list was read again
        assert app.aws.counter.get("batch", "DescribeJobs") == described

        # Control: jobs new on the list are described once they are on screen. The refresh
        # keeps the row under the cursor in place, so they arrive above it, out of sight ...
        other = account.submit(demo, "starts-later", containerOverrides=account.sleeping(3600))
        demo.advance(60)
        assert account.job(demo, other)["status"] == "RUNNING"
        screen.pace.expire()
        screen.reload(full=False)
        await settle(app, pilot)
        assert other not in {j.job_id for j in table.visible_rows()}
        # (Jobs that ended meanwhile were described by the refresh, rows that changed on
        # screen by the column: neither is this test's point.)
        described = app.aws.counter.get("batch", "DescribeJobs")
        # ... until the user scrolls to them: once scrolling stops, one call for the new rows.
        await pilot.press("g")
        screen.read_attempts()  # what the scroll's settle timer calls
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "DescribeJobs") == described + 1
        assert cells_of(app, "starts-later")[2] == "1"
