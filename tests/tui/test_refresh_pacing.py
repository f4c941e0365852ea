"""The automatic refresh at a call rate AWS tolerates, with data whose age is said truly: only the
screen shown reads, a stale screen catches up when shown again, each pane says how old its data
is, the status bar says the calls of the last minute, an unchanged account is read less often,
and throttling empties the budget.

The refresh timer stays off (the tests tick by hand, on the app's clock): the app is given the
pacing and the budget a 5-second timer has."""

from __future__ import annotations

import account
from conftest import Clock, settle
from faults import Faults
from screen_text import screen_text
from textual.worker import WorkerState

import batchtui.aws.session as session
from batchtui.account.pacing import (
    ACTIVE_CAP_S,
    RESOURCES,
    AccountPacing,
    CallBudget,
    Pace,
    Part,
)
from batchtui.model import ACTIVE_STATUSES
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.overview import OverviewScreen
from batchtui.tui.screens.plan import PlanScreen

SIZE = (140, 40)


def paced(make_app, *, budget: bool = True, **kwargs):
    """The app as a 5-second timer paces it (the timer itself off), on a clock of its own."""
    clock = Clock()
    app = make_app(clock=clock, **kwargs)
    app.pacing = AccountPacing(5.0)
    app.budget = CallBudget() if budget else None
    app.refresh_schedule.interval = 5.0
    app.refresh_schedule.random = lambda: 1.0
    return app, clock


async def tick(app, pilot, clock, seconds: int, *, failures_expected: bool = False) -> None:
    """``seconds`` of the timer's ticks, each read awaited.

    A tick that started no worker read nothing and changed nothing to wait for: only the ticks
    that read are settled (most ticks find nothing due, and settling each costs a repaint)."""
    for _ in range(seconds):
        clock.now += 1
        app.refresh_tick()
        if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            await settle(app, pilot, failures_expected=failures_expected)
    await settle(app, pilot, failures_expected=failures_expected)


async def test_a_screen_under_another_makes_no_call(make_app, demo) -> None:
    """The overview kept re-reading the account behind the plan screen (~9 calls/s)."""
    app, clock = paced(make_app, budget=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.run_command(":plan")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen)
        before = app.aws.counter.snapshot()
        demo.advance(600)  # the account changes meanwhile
        await tick(app, pilot, clock, 120)
        assert app.aws.counter.snapshot() == before
        # Control: the same ticks on the overview do read.
        app.pop_screen()
        await settle(app, pilot)
        shown = app.aws.counter.total
        await tick(app, pilot, clock, 10)
        assert app.aws.counter.total > shown


async def test_a_stale_screen_reads_when_shown_again_and_a_fresh_one_does_not(
    make_app, demo
) -> None:
    app, clock = paced(make_app, budget=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = app.account.counts_read_at(ACTIVE_STATUSES)
        app.navigate.open_jobs("demo-main")
        await settle(app, pilot)
        await pilot.press("escape")  # back at once: nothing is older than its interval
        await settle(app, pilot)
        assert app.account.counts_read_at(ACTIVE_STATUSES) == first
        app.navigate.open_jobs("demo-main")
        await settle(app, pilot)
        jobs = app.screen
        assert isinstance(jobs, JobsScreen)
        clock.now += 30  # the user reads the list; the overview under it is not read
        await settle(app, pilot)
        assert app.account.counts_read_at(ACTIVE_STATUSES) == first
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.account.counts_read_at(ACTIVE_STATUSES) == clock.now
        assert "counts read 0s ago" in screen_text(app)


async def test_the_jobs_list_reads_again_when_shown_again_after_its_interval(
    make_app, demo
) -> None:
    app, clock = paced(make_app, budget=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.navigate.open_jobs("demo-main")
        await settle(app, pilot)
        jobs = app.screen
        jobs.pace = Pace(5.0, ACTIVE_CAP_S, last_read=jobs.read_at)
        listed = jobs.read_at
        running = account.job_ids(demo, "demo-main", "RUNNING")
        await pilot.press("d")  # a job's detail over the list
        await settle(app, pilot)
        assert isinstance(app.screen, JobDetailScreen)
        clock.now += 20
        await tick(app, pilot, clock, 1)
        assert jobs.read_at == listed  # hidden: not read
        await pilot.press("escape")
        await settle(app, pilot)
        assert jobs.read_at == clock.now and jobs.read_at != listed
        assert "Jobs in demo-main   read 0s ago" in screen_text(app)
        assert running  # the queue has jobs that move: the read was worth it


async def test_each_pane_says_how_old_its_data_is(make_app, demo) -> None:
    """The bar said "refreshed 3s ago" over counts merged from an older read; now each pane
    says its own age, the oldest part's."""
    app, clock = paced(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "Compute environments   read 0s ago" in text
        assert "█FAIL   counts read 0s ago   SUCCEEDED/FAILED 0s ago" in text
        await tick(app, pilot, clock, 7)  # the active counts are read again, the rest not
        text = screen_text(app)
        assert "Compute environments   read 7s ago" in text
        assert "SUCCEEDED/FAILED 7s ago" in text
        # Not every active count was read at the last tick: the oldest is said.
        oldest = clock.now - app.account.counts_read_at(ACTIVE_STATUSES)
        assert f"counts read {oldest:.0f}s ago" in text
        await pilot.press("enter")  # the selected queue's jobs
        await settle(app, pilot)
        clock.now += 4
        app.screen.show_ages()
        await pilot.pause()
        # The list starts from the overview's first pages: it is as old as the oldest of them
        # (SUCCEEDED's, read at the start), not as the jobs read since.
        assert app.screen.read_at == 1000.0
        assert screen_text(app).splitlines()[1].endswith(f"read {clock.now - 1000:.0f}s ago")
        await pilot.press("d")
        await settle(app, pilot)
        clock.now += 3
        app.screen.show_ages()
        await pilot.pause()
        title = screen_text(app).splitlines()[1]
        assert title.lstrip().startswith("Job ") and title.endswith("read 3s ago")


async def test_the_status_bar_says_the_calls_of_the_last_minute(make_app, demo) -> None:
    app, clock = paced(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = app.aws.counter.total  # the first read, all made at one instant of the clock
        app.update_status()
        await pilot.pause()
        assert f" {first} calls/min" in screen_text(app).splitlines()[0]
        clock.now += 61  # a minute with no call: the first read has left the window
        app.calls_per_minute()
        app.update_status()
        await pilot.pause()
        assert " 0 calls/min" in screen_text(app).splitlines()[0]
        await tick(app, pilot, clock, 10)
        app.update_status()
        await pilot.pause()
        made = app.aws.counter.total - first
        assert made > 0 and f" {made} calls/min" in screen_text(app).splitlines()[0]


async def _bar(make_app, size) -> str:
    app = make_app(read_only=True)  # the longest left part there is without an error
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        app.update_status()
        await pilot.pause()
        return screen_text(app).splitlines()[0]


async def test_the_status_bar_keeps_the_sandbox_clock_whole_at_120_columns(make_app) -> None:
    """At 120 columns the bar was cut in the clock ("sim 2026-12-0…")."""
    bar = await _bar(make_app, (120, 35))
    assert "sim 2026-11-18 11:06:40Z manual clock" in bar, bar
    assert bar.rstrip().endswith("?: keys")
    # What gave way: the URL's scheme went, the calls kept their words.
    assert "http://" not in bar and " calls/min" in bar and "READ-ONLY" in bar


async def test_the_status_bar_keeps_the_sandbox_clock_whole_at_80_columns(make_app) -> None:
    bar = await _bar(make_app, (80, 24))
    assert "sim 11:06Z manual" in bar, bar
    assert bar.rstrip().endswith("?: keys")
    assert bar.startswith(" SANDBOX ") and "/min" in bar and "READ-ONLY" in bar


async def test_an_unchanged_account_is_read_less_often_and_a_change_restores_the_pace(
    make_app, demo
) -> None:
    app, clock = paced(make_app, budget=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        start = app.aws.counter.total
        await tick(app, pilot, clock, 60)  # the sandbox's clock stands still: nothing changes
        first_minute = app.aws.counter.total - start
        await tick(app, pilot, clock, 120)
        start = app.aws.counter.total
        await tick(app, pilot, clock, 60)
        later_minute = app.aws.counter.total - start
        assert later_minute < first_minute / 3, (first_minute, later_minute)
        main = [Part("demo-main", s) for s in ACTIVE_STATUSES]
        assert all(app.pacing.pace(p).interval == ACTIVE_CAP_S for p in main)
        account.submit(demo, "arrives", "demo-main")  # the account changes
        for _ in range(int(ACTIVE_CAP_S) + 1):  # until the new job's status is read again
            await tick(app, pilot, clock, 1)
            restored = [p for p in main if app.pacing.pace(p).interval == 5.0]
            if restored:
                break
        assert restored  # read, changed: the normal pace
        gpu = [Part("demo-gpu", s) for s in ACTIVE_STATUSES]
        assert all(app.pacing.pace(p).interval == ACTIVE_CAP_S for p in gpu)


async def test_the_user_acting_brings_the_normal_pace_back(make_app, demo) -> None:
    app, clock = paced(make_app, budget=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await tick(app, pilot, clock, 120)
        assert app.pacing.slowest() > 5.0
        await pilot.press("down")  # any key: the user is looking
        assert app.pacing.pace(Part("demo-main", "RUNNING")).interval == 5.0
        assert app.pacing.pace(RESOURCES).interval == app.pacing.pace(RESOURCES).base


async def test_the_budget_holds_the_timer_to_its_rate(make_app, demo) -> None:
    app, clock = paced(make_app)
    app.budget = CallBudget(per_minute=30, burst=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        start = app.aws.counter.total
        await tick(app, pilot, clock, 10)
        demo.advance(300)  # jobs move: much is due, more than the budget pays for
        await tick(app, pilot, clock, 120)
        made = app.aws.counter.total - start
        # Two minutes at 30 a minute, the first read's debt paid back first; one read over.
        assert 0 < made <= 130 * 30 / 60 + 60 - start + 8, made


async def test_throttling_backs_off_and_empties_the_budget(make_app, demo, monkeypatch) -> None:
    monkeypatch.setattr(session, "MAX_ATTEMPTS", 1)  # no retry sleeps: one answer per call
    app, clock = paced(make_app)
    faults = Faults(app.aws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await tick(app, pilot, clock, 90)  # the first read's debt is paid back
        faults.fail("ThrottlingException")
        while not app.stale:  # until a read is due and fails
            await tick(app, pilot, clock, 1, failures_expected=True)
        assert app.refresh_schedule.throttled
        assert app.budget.tokens <= 0  # the other screens' automatic reads wait too
        app.update_status()
        await pilot.pause()
        assert "refresh throttled, next in" in screen_text(app).splitlines()[0]
        faults.answered.clear()
        await tick(app, pilot, clock, 5, failures_expected=True)
        assert faults.answered == []  # backing off: no call at all
        faults.fail(None)
        await tick(app, pilot, clock, 40)
        assert not app.stale and not app.refresh_schedule.throttled


async def test_the_refresh_goes_on_after_a_job_is_cancelled_on_the_jobs_list(
    make_app, demo
) -> None:
    """After ctrl+d, y on the jobs list and back, the overview said "0 calls/min … read 1m41s
    ago" and only r read again."""
    app, clock = paced(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await tick(app, pilot, clock, 90)  # the first read's debt is paid back
        app.navigate.open_jobs("demo-main")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen)
        await pilot.press("ctrl+d", "y")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "TerminateJob") == 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, OverviewScreen)
        for _ in range(4):
            demo.advance(60)
            before = app.aws.counter.total
            await tick(app, pilot, clock, 60)
            assert app.aws.counter.total > before
            # Everything changes at the sandbox's speed: the budget reads each count about
            # once a minute, never late (twice the cap).
            age = clock.now - app.account.counts_read_at(ACTIVE_STATUSES)
            assert age < 2 * ACTIVE_CAP_S, age


async def test_data_older_than_twice_its_cap_says_refresh_late(make_app, demo) -> None:
    """Whatever holds the refresh back, the bar never looks fresh over data past its cap."""
    app, clock = paced(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.budget = CallBudget(per_minute=0.0)  # nothing is ever paid for
        app.budget.drain()
        await tick(app, pilot, clock, int(2 * ACTIVE_CAP_S))
        app.update_status()
        await pilot.pause()
        assert "refresh late" not in screen_text(app).splitlines()[0]
        await tick(app, pilot, clock, 2)
        app.update_status()
        await pilot.pause()
        assert " refresh late " in screen_text(app).splitlines()[0]
        await pilot.press("r")  # the user's read: fresh again
        await settle(app, pilot)
        app.update_status()
        await pilot.pause()
        assert "refresh late" not in screen_text(app).splitlines()[0]
