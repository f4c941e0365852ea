"""Throttling or a lost connection: a notification and a STALE marker, never a crash."""

from __future__ import annotations

import account
from conftest import SIZE, settle
from faults import Faults
from screen_text import screen_text, toast_text

import batchtui.aws.session as session
from batchtui.errors import SandboxError
from batchtui.tui.app import create_app
from batchtui.tui.config import TuiConfig
from batchtui.tui.screens.dialogs import ErrorScreen
from batchtui.tui.screens.jobs import JobsScreen


async def test_throttling_marks_stale_and_notifies(make_app, demo, monkeypatch) -> None:
    # Tries, the first included: each call is sent once, with no back-off sleep.
    monkeypatch.setattr(session, "MAX_ATTEMPTS", 1)
    total = sum(account.counts(demo, "demo-main").values())
    app = make_app()
    faults = Faults(app.aws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        jobs = app.screen
        faults.fail("ThrottlingException")
        jobs.reload(full=False)
        await settle(app, pilot, failures_expected=True)
        assert app.stale
        assert "STALE" in screen_text(app)
        assert any("throttled" in n.message for n in app._notifications)
        assert app.screen is jobs and len(jobs.index) == total  # the data stays on screen
        faults.fail(None)
        app.refresh_tick()
        await settle(app, pilot)
        assert not app.stale and "STALE" not in screen_text(app)


async def test_failed_sandbox_start_is_a_modal_not_a_traceback() -> None:
    def connect():
        raise SandboxError("seeding the sandbox failed: boom")

    app = create_app(connect=connect, config=TuiConfig(refresh_interval=0), sandbox_expected=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, failures_expected=True)
        assert isinstance(app.screen, ErrorScreen)
        assert "seeding the sandbox failed: boom" in screen_text(app)
        await pilot.press("enter")
        assert not isinstance(app.screen, ErrorScreen)


async def test_refresh_timer_refreshes_the_active_screen(make_app, demo) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        jobs = app.screen
        assert isinstance(jobs, JobsScreen)
        submitted = account.submit(demo, "arrives-later")
        before = app.aws.counter.get("batch", "ListJobs")
        app.refresh_tick()
        await settle(app, pilot)
        # The active statuses, and the jobs created since the newest listed.
        assert app.aws.counter.get("batch", "ListJobs") - before == 5 + 1
        assert jobs.index.get(submitted) is not None


async def test_text_like_markup_is_shown_not_parsed(make_app) -> None:
    """What the user types and what AWS says reach notifications: `[/]` once crashed the app."""
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"[/]", "enter")
        await settle(app, pilot)
        assert "no view '[/]'" in screen_text(app)


async def test_a_listing_that_failed_says_so_and_the_timer_lists_again(
    make_app, demo, monkeypatch
) -> None:
    """The endpoint went away while a queue opened: the screen said "listing…" for ever and
    the timer never retried. Now it says what happened, and the next tick lists again."""
    monkeypatch.setattr(session, "MAX_ATTEMPTS", 1)  # one try: no retry, so no back-off sleep
    # Not a throttling code: adaptive retries would pace the calls with real sleeps.
    total = sum(account.counts(demo, "demo-main").values())
    now = [1000.0]
    app = make_app(clock=lambda: now[0])
    app.aws.clock = lambda: now[0]  # the endpoint's circuit on the same simulated clock
    faults = Faults(app.aws)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        now[0] += 60  # the overview's pages are old: the queue is listed, not reused
        faults.fail("ServerException")
        await pilot.press("enter")
        await settle(app, pilot, failures_expected=True)
        jobs = app.screen
        assert isinstance(jobs, JobsScreen) and not jobs.listing and app.stale
        assert "could not list the jobs" in screen_text(app)
        app.refresh_tick()  # still failing: the endpoint is left alone a while, and that is said
        await settle(app, pilot, failures_expected=True)
        assert toast_text(app).count("AWS failing") == 1  # the first failure, told once
        assert "stopped calling it" in toast_text(app)
        app.refresh_tick()  # said once
        await settle(app, pilot, failures_expected=True)
        assert toast_text(app).count("stopped calling it") == 1
        faults.fail(None)
        now[0] += 31  # the circuit's pause is over
        app.refresh_tick()
        await settle(app, pilot)
        assert len(jobs.index) == total and not app.stale
        assert "AWS answers again" in toast_text(app)
