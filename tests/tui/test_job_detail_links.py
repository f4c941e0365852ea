"""The job detail of a running job says for how long and which attempt runs, and ``enter`` on a
related job (a dependency, a dependent, the array parent, a child) opens its detail."""

from __future__ import annotations

import account
from conftest import SIZE, Clock, settle
from screen_text import screen_text

from batchtui.model import JobSummary
from batchtui.render.text import epoch_ms
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.widgets.related_jobs import RelatedJobs
from batchtui.wording import duration


async def open_detail(app, pilot, job_id: str, name: str = "") -> JobDetailScreen:
    app.navigate.open_job_detail(JobSummary(job_id, name or job_id, ""), "demo-main")
    await settle(app, pilot)
    assert isinstance(app.screen, JobDetailScreen)
    return app.screen


async def test_a_running_job_says_for_how_long_and_which_attempt_runs(make_app, demo) -> None:
    job_id = account.submit(demo, "long-one", containerOverrides=account.sleeping(3600))
    demo.advance(120)
    started = account.job(demo, job_id)["startedAt"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_detail(app, pilot, job_id)
        ran = duration(demo.now() - started / 1000)
        text = screen_text(app)
        assert f" running for         {ran}" in text.splitlines()
        assert f" attempt 1 running since {epoch_ms(started)} ({ran})" in text
        assert "no attempts yet" not in text
        demo.advance(192)
        await pilot.press("r")
        await settle(app, pilot)
        later = duration(demo.now() - started / 1000)
        assert later != ran
        assert f" running for         {later}" in screen_text(app).splitlines()


async def test_a_job_waiting_to_start_has_no_attempt_yet(make_app, demo) -> None:
    app = make_app()
    (head,) = account.job_ids(demo, "demo-genomics", "RUNNABLE")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_detail(app, pilot, head)
        text = screen_text(app)
        assert "no attempts yet" in text and " ran for             -" in text.splitlines()


async def test_enter_opens_a_dependency_and_tab_enter_a_dependent(make_app, demo) -> None:
    first = account.submit(demo, "first-step", containerOverrides=account.sleeping(1800))
    second = account.submit(demo, "second-step", dependsOn=[{"jobId": first}])
    demo.advance(60)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_detail(app, pilot, second)
        assert f"waits on     first-step  RUNNING  {first}" in screen_text(app)
        await pilot.press("enter")  # the pane has the focus: enter opens the highlighted link
        await settle(app, pilot)
        assert isinstance(app.screen, JobDetailScreen) and app.screen.job.job_id == first
        assert f"waited on by second-step  PENDING  {second}" in screen_text(app)
        await pilot.press("tab")
        assert app.screen.query_one(RelatedJobs).has_focus
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.job.job_id == second
        await pilot.press("escape", "escape")
        assert app.screen.job.job_id == second  # back where it started


async def test_enter_opens_a_child_of_an_array_job_and_its_parent(make_app, demo) -> None:
    (parent,) = [
        j["jobId"]
        for j in account.summaries(demo, "demo-main")
        if j["jobName"] == "tag-images" and "arrayProperties" in j
    ]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_detail(app, pilot, parent, "tag-images")
        links = screen.query_one(RelatedJobs)
        # Its first ten children (tag-images-report, which waited on it, has run by now).
        assert [r.kind for r in screen.related] == ["child"] * 10
        assert f"child        tag-images:2  {parent}:2" in screen_text(app)
        await pilot.press("tab", "down", "down", "enter")
        await settle(app, pilot)
        child = app.screen
        assert isinstance(child, JobDetailScreen) and child.job.job_id == f"{parent}:2"
        assert child.detail is not None and child.detail.job.array_index == 2
        assert f"array parent tag-images  {parent}" in screen_text(app)
        assert links is not child.query_one(RelatedJobs)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.job.job_id == parent


async def test_a_job_without_related_jobs_shows_no_list_and_does_not_offer_enter(
    make_app, demo
) -> None:
    job_id = account.submit(demo, "alone", containerOverrides=account.sleeping(600))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        screen = await open_detail(app, pilot, job_id)
        assert not screen.query_one(RelatedJobs).display
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, JobDetailScreen) and app.screen is screen
        text = screen_text(app)
        assert "Related jobs" not in text and "Open related" not in text


async def test_running_for_counts_on_between_reads_at_the_sandbox_speed(make_app, demo) -> None:
    job_id = account.submit(demo, "long-two", containerOverrides=account.sleeping(3600))
    demo.advance(120)
    started = account.job(demo, job_id)["startedAt"]

    clock = Clock()
    app = make_app(clock=clock)
    app.clock_speed = lambda: 60.0  # as a sandbox at ×60 runs
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_detail(app, pilot, job_id)
        ran = demo.now() - started / 1000
        clock.now += 12  # twelve minutes on the endpoint, no read
        screen.show_ages()
        await pilot.pause()
        later = duration(ran + 12 * 60)
        assert f" running for         {later}" in screen_text(app).splitlines()
