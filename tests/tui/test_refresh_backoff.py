"""While reads fail, the automatic refresh waits longer each time and the status bar says so;
the first read that succeeds brings the normal pace back."""

from __future__ import annotations

from conftest import SIZE, settle
from faults import Faults
from screen_text import screen_text

import batchtui.aws.session as session


async def test_a_failing_refresh_backs_off_and_says_when_it_retries(
    make_app, demo, monkeypatch
) -> None:
    monkeypatch.setattr(session, "MAX_ATTEMPTS", 1)
    now = [1000.0]
    app = make_app(clock=lambda: now[0])
    # The AWS layer's circuit (closed again 30 s after requests keep failing) runs on the same
    # clock, so the read that succeeds must come after it, as it would on a real account.
    app.aws.clock = lambda: now[0]
    faults = Faults(app.aws)
    # The timer itself stays off (the test ticks by hand); the schedule paces as a 5 s timer.
    app.refresh_schedule.interval = 5.0
    app.refresh_schedule.random = lambda: 1.0  # the whole wait, no jitter taken off
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        faults.fail("ServerException")
        app.refresh_tick()
        await settle(app, pilot, failures_expected=True)
        app.update_status()
        await pilot.pause()
        assert app.stale and "refresh failing, next in 10s" in screen_text(app)
        faults.answered.clear()
        now[0] += 9
        app.refresh_tick()  # not yet: the tick is skipped
        await settle(app, pilot, failures_expected=True)
        assert faults.answered == []
        now[0] += 1
        app.refresh_tick()  # due: it reads, fails again, and waits twice as long
        await settle(app, pilot, failures_expected=True)
        assert faults.answered != []
        assert app.refresh_schedule.next_in() == 20.0
        faults.fail(None)
        now[0] += 30  # past the refresh's 20 s wait and the circuit's 30 s pause
        app.refresh_tick()
        await settle(app, pilot)
        app.update_status()
        await pilot.pause()
        assert not app.stale and app.refresh_schedule.next_in() is None
        assert "refresh failing" not in screen_text(app)
