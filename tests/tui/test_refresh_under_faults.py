"""The TUI's refreshes through the fault-injecting proxy: the list on screen is either the
whole listing, fresh, or the last whole one marked STALE with the reason - never a shorter
list shown as fresh."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import SIZE, settle
from faultproxy import FaultProxy, Rule, SimClock
from screen_text import screen_text

from batchtui.aws import batch
from batchtui.aws.retries import RetryPolicy
from batchtui.aws.session import Aws, AwsTarget
from batchtui.tui.app import create_app
from batchtui.tui.config import TuiConfig
from batchtui.tui.screens.jobs import JobsScreen

QUEUE = "demo-genomics"


@pytest.fixture
def sim() -> SimClock:
    return SimClock(5000.0)


@pytest.fixture
def proxy(demo_sandbox: Any, sim: SimClock) -> Iterator[FaultProxy]:
    with FaultProxy(demo_sandbox.url, clock=sim.now) as p:
        yield p


def aws_at(url: str, sb: Any, sim: SimClock | None = None, **policy: Any) -> Aws:
    target = AwsTarget(region=sb.region, endpoint_url=url, credentials=("testing", "testing"))
    if sim is None:
        return Aws(target)
    return Aws(
        target,
        retry=RetryPolicy(**policy),
        clock=sim.now,
        sleep=sim.sleep,
        rand=random.Random(9).random,
    )


async def test_refreshes_under_30_percent_faults_never_show_a_shorter_list_as_fresh(
    demo_sandbox, proxy, sim
) -> None:
    whole = {j.job_id for j in batch.list_jobs(aws_at(demo_sandbox.url, demo_sandbox), QUEUE)}
    assert len(whole) > 300
    aws = aws_at(proxy.url, demo_sandbox, sim, max_attempts=2)
    app = create_app(aws, config=TuiConfig(refresh_interval=0), clock=sim.now)
    seen = {"stale": 0, "fresh": 0}
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(JobsScreen(QUEUE))
        await settle(app, pilot)
        jobs = app.screen
        assert isinstance(jobs, JobsScreen)
        assert {j.job_id for j in jobs.index.select(jobs.query_state)} == whole
        faults = ("cut", "garble", "drop", "error", "throttle")
        for tick in range(12):
            proxy.rules = [Rule(faults[tick % len(faults)], rate=0.3, seed=tick)]
            sim.t += 31  # past any circuit's cool-down: every tick calls AWS
            app.refresh_tick()
            await settle(app, pilot, failures_expected=True)
            app.update_status()
            await pilot.pause()
            shown = {j.job_id for j in jobs.index.select(jobs.query_state)}
            text = screen_text(app)
            if app.stale:
                seen["stale"] += 1
                assert f"STALE: {app.stale_reason}" in text and app.stale_reason
                assert shown >= whole  # the last whole listing stays on screen
            else:
                seen["fresh"] += 1
                assert "STALE" not in text
                assert shown == whole, f"tick {tick}: a list of {len(shown)} shown as fresh"
    assert proxy.faults() > 0
    assert seen["stale"] and seen["fresh"], seen


async def test_a_queue_whose_listing_cannot_be_read_says_stale_and_why(
    demo_sandbox, proxy, sim
) -> None:
    proxy.rules = [Rule("cut", ops={"ListJobs"}, nth=range(3, 1000))]
    aws = aws_at(proxy.url, demo_sandbox, sim, max_attempts=2)
    app = create_app(aws, config=TuiConfig(refresh_interval=0), clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, failures_expected=True)
        assert app.stale and app.stale_reason == "Incomplete answer"
        assert "STALE: Incomplete answer" in screen_text(app)
        assert app.account is None  # no partial overview was taken for the account
