"""The jobs screen on the demo account: status tabs, filter (! inverts), sort, array children,
stop (what the sandbox then reports), copy, refresh, paging of a big queue."""

from __future__ import annotations

import math
from typing import Any

import account
from conftest import SIZE, Clock, app_on, fresh_sandbox, settle
from faults import Faults
from screen_text import screen_text, toast_text
from textual.widgets import Input

from batchtui.tui.screens.dialogs import ConfirmScreen
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import REUSE_PAGES_S, JobsScreen
from batchtui.tui.widgets.job_table import JobTable

ACTIVE = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING")
REASON = "stopped by the operator with batchtui"


async def open_jobs(app, pilot, queue_row: int = 0) -> JobsScreen:
    """The jobs of the overview's ``queue_row``-th queue (0: demo-main, 1: demo-batch-low)."""
    await settle(app, pilot)
    await pilot.press(*["down"] * queue_row, "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, JobsScreen)
    return app.screen


def names(screen: JobsScreen) -> list[str]:
    return [j.job_name for j in screen.query_one(JobTable).rows]


def record_list_jobs(app) -> list[dict[str, Any]]:
    """The parameters of every ListJobs the app sends from now on."""
    calls: list[dict[str, Any]] = []
    app.aws.client("batch").meta.events.register(
        "provide-client-params.batch.ListJobs", lambda params, **_: calls.append(dict(params))
    )
    return calls


async def test_opening_a_queue_reuses_the_overviews_fresh_pages(make_app, demo) -> None:
    """The overview read one ListJobs page per status; each held the whole status, so opening
    the queue right after lists nothing again. ``r`` re-reads every status."""
    counts = account.counts(demo, "demo-main")
    total = sum(counts.values())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = app.aws.counter.get("batch", "ListJobs")
        screen = await open_jobs(app, pilot)
        assert app.aws.counter.get("batch", "ListJobs") - before == 0
        assert len(screen.index) == total
        text = screen_text(app)
        assert f"5:RUNNING {counts['RUNNING']}" in text and f"{total} of {total} jobs" in text
        await pilot.press("r")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "ListJobs") - before == 7
        assert len(screen.index) == total


async def test_a_stale_overview_is_listed_again_one_listjobs_per_status(make_app, demo) -> None:
    total = sum(account.counts(demo, "demo-main").values())
    now = [1000.0]
    app = make_app(clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        now[0] += REUSE_PAGES_S + 1
        before = app.aws.counter.get("batch", "ListJobs")
        screen = await open_jobs(app, pilot)
        assert app.aws.counter.get("batch", "ListJobs") - before == 7
        assert len(screen.index) == total


async def test_reuse_lists_only_the_pages_after_the_first() -> None:
    """A status with more than one page: the first is reused, the rest follow its nextToken."""
    with fresh_sandbox(seed="empty", jobs=1500) as sb:  # one queue holds the history
        succeeded = len(account.job_ids(sb, "history", "SUCCEEDED"))
        assert 1000 < succeeded <= 2000
        app = app_on(sb)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            listed = record_list_jobs(app)
            screen = await open_jobs(app, pilot)
            assert [(p["jobStatus"], p["maxResults"], "nextToken" in p) for p in listed] == [
                ("SUCCEEDED", 1000, True)
            ]
            assert len(screen.index) == sum(account.counts(sb, "history").values())
            assert f"6:SUCCEEDED {succeeded}" in screen_text(app)


async def test_the_front_of_the_queue_and_why_it_waits(make_app, demo) -> None:
    """GetJobQueueSnapshot names the job every RUNNABLE job waits behind; its statusReason is
    the queue's reason (the jobs behind it have none). `h` goes to it."""
    runnable = account.job_ids(demo, "demo-batch-low", "RUNNABLE")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot, 1)
        head = str(screen.query_one("#queue-head").render())
        assert "front of the queue for 28m49s: simulate-72-cores" in head  # since the seed
        assert "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE" in head
        assert f"({len(runnable) - 1} RUNNABLE jobs behind it; h: go to it)" in head
        table = screen.query_one(JobTable)
        assert table.current.job_name != "simulate-72-cores"
        await pilot.press("h")
        assert table.current.job_name == "simulate-72-cores" and screen.tab == "ALL"
        await pilot.press("6", "h")  # from another status tab: goes to RUNNABLE
        assert screen.tab == "RUNNABLE" and table.current.job_name == "simulate-72-cores"
        assert "simulate-72-cores  RUNNABLE  MISCONFIGURATION" in screen_text(app)


async def test_no_front_line_when_aws_does_not_say(make_app) -> None:
    app = make_app()
    Faults(app.aws).fail("UnknownOperationException", "GetJobQueueSnapshot")  # not offered
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot, 1)
        assert "front of the queue" not in screen_text(app) and not app.stale
        await pilot.press("h")
        assert screen.query_one(JobTable).cursor == 0


async def test_status_tabs(make_app, demo) -> None:
    total = sum(account.counts(demo, "demo-main").values())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("5")
        assert {j.status for j in screen.query_one(JobTable).rows} == {"RUNNING"}
        await pilot.press("right_square_bracket")
        assert {j.status for j in screen.query_one(JobTable).rows} == {"SUCCEEDED"}
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert {j.status for j in screen.query_one(JobTable).rows} == {"STARTING"}
        await pilot.press("0")
        assert len(screen.query_one(JobTable).rows) == total


async def test_filter_by_name_id_reason_and_invert(make_app, demo) -> None:
    jobs = account.summaries(demo, "demo-main")
    cancelled = [j for j in jobs if "cancelled by user" in j.get("statusReason", "").lower()]
    streams = [j for j in jobs if j["jobName"].startswith("stream-processor-")]
    assert cancelled and len(streams) == 12
    one = jobs[len(jobs) // 2]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("slash", *"cancelled by")
        assert len(names(screen)) == len(cancelled)  # the statusReason
        await pilot.press("enter")
        assert screen.query_one(JobTable).has_focus
        assert "filter: cancelled by" in screen_text(app)
        await pilot.press("escape")  # clears the filter, stays on the screen
        assert isinstance(app.screen, JobsScreen) and len(names(screen)) == len(jobs)
        await pilot.press("slash", *"!stream-processor", "enter")
        assert len(names(screen)) == len(jobs) - 12
        assert not any(n.startswith("stream-processor") for n in names(screen))
        await pilot.press("escape", "slash", *one["jobId"], "enter")
        assert names(screen) == [one["jobName"]]


async def test_sort_by_column(make_app, demo) -> None:
    newest = max(account.summaries(demo, "demo-main"), key=lambda j: j["createdAt"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        assert names(screen)[0] == newest["jobName"]  # newest first
        await pilot.press("s")  # -> name
        assert screen.query_state.sort == "name"
        assert names(screen) == sorted(names(screen), key=str.lower, reverse=True)
        await pilot.press("S")
        assert names(screen) == sorted(names(screen), key=str.lower)


async def test_array_children_and_detail(make_app, demo) -> None:
    [tagger] = [j for j in account.summaries(demo, "demo-main") if j["jobName"] == "tag-images"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("slash", *"tag-images", "enter")
        screen.query_one(JobTable).move_to(screen.query_one(JobTable).index_of(tagger["jobId"]))
        await pilot.press("a")
        await settle(app, pilot)
        children = app.screen
        assert isinstance(children, JobsScreen) and children.array_job_id == tagger["jobId"]
        rows = children.query_one(JobTable).rows
        assert sorted(j.array_index for j in rows) == list(range(50))
        assert "6:SUCCEEDED 50" in screen_text(app)  # the seed ran them all
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, JobDetailScreen)
        assert "Array" in screen_text(app) and "a: list the children" in screen_text(app)


async def test_ctrl_d_terminates_a_running_job_after_confirming(make_app, demo) -> None:
    """The sandbox reports the job FAILED with the operator's reason, and the next refresh shows
    it (when it turns FAILED: test_terminate_takes_effect_when_the_container_stops)."""
    [job_id] = [
        j["jobId"]
        for j in account.summaries(demo, "demo-main")
        if j["jobName"] == "stream-processor-04"
    ]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("slash", *"stream-processor-04", "enter", "ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "Terminate job stream-processor-04" in text and "It is RUNNING" in text
        await pilot.press("y")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "TerminateJob") == 1
        assert app.aws.counter.get("batch", "CancelJob") == 0
        demo.advance(60)
        stopped = account.job(demo, job_id)
        assert stopped["status"] == "FAILED" and stopped["statusReason"] == REASON
        screen.reload(full=False)
        await settle(app, pilot)
        assert screen.index.get(job_id).status == "FAILED"


async def test_terminate_takes_effect_when_the_container_stops(make_app, demo) -> None:
    """On AWS the job is still RUNNING right after TerminateJob, FAILED once the clock moves."""
    [job_id] = [
        j["jobId"]
        for j in account.summaries(demo, "demo-main")
        if j["jobName"] == "stream-processor-05"
    ]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(app, pilot)
        await pilot.press("slash", *"stream-processor-05", "enter", "ctrl+d", "y")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "TerminateJob") == 1
        assert account.job(demo, job_id)["status"] == "RUNNING"
        demo.advance(60)
        assert account.job(demo, job_id)["status"] == "FAILED"


async def test_ctrl_d_cancels_a_runnable_job_and_no_means_no(make_app, demo) -> None:
    """Cancelling the job at the front of demo-batch-low (too big for its CE) lets the nightly
    jobs behind it run."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot, 1)
        await pilot.press("3", "h", "ctrl+d")
        head = screen.query_one(JobTable).current
        assert head.job_name == "simulate-72-cores"
        assert "Cancel job simulate-72-cores" in screen_text(app)
        assert "It is RUNNABLE" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "CancelJob") == 0
        assert account.job(demo, head.job_id)["status"] == "RUNNABLE"
        await pilot.press("ctrl+d", "y")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "CancelJob") == 1
        assert app.aws.counter.get("batch", "TerminateJob") == 0
        demo.advance(60)
        cancelled = account.job(demo, head.job_id)
        assert cancelled["status"] == "FAILED" and cancelled["statusReason"] == REASON
        demo.advance(600)
        rollup = [
            j
            for j in account.summaries(demo, "demo-batch-low")
            if j["jobName"].startswith("nightly-rollup-")
        ]
        assert len(rollup) == 3 and all(j["status"] != "RUNNABLE" for j in rollup)


async def test_finished_job_cannot_be_stopped(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(app, pilot)
        await pilot.press("6", "ctrl+d")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        stops = [app.aws.counter.get("batch", op) for op in ("CancelJob", "TerminateJob")]
        assert stops == [0, 0]


async def test_copy_job_id(make_app, demo) -> None:
    newest = max(account.summaries(demo, "demo-main"), key=lambda j: j["createdAt"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(app, pilot)
        await pilot.press("y")
        assert app.clipboard == newest["jobId"]


async def test_refresh_is_incremental_and_keeps_the_selection(make_app, demo) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        table = screen.query_one(JobTable)
        await pilot.press("down", "down", "down")
        selected = table.current.job_id
        active = [i for status in ACTIVE for i in account.job_ids(demo, "demo-main", status)]
        fresh = account.submit(demo, "fresh-one", containerOverrides=account.sleeping(3600))
        # Made and finished between two refreshes: never in an active status when listed.
        quick = account.submit(demo, "quick-one", containerOverrides=account.sleeping(30))
        demo.advance(600)  # jobs finish, new ones arrive
        assert account.job(demo, quick)["status"] == "SUCCEEDED"
        left = [i for i in active if account.job(demo, i)["status"] not in ACTIVE]
        assert left
        listed, described = (
            app.aws.counter.get("batch", op) for op in ("ListJobs", "DescribeJobs")
        )
        screen.reload(full=False)
        await settle(app, pilot)
        # Each active status, and the jobs created since the newest listed (any status).
        assert app.aws.counter.get("batch", "ListJobs") - listed == len(ACTIVE) + 1
        # Only the jobs that left the active statuses are described, 100 ids a call.
        assert app.aws.counter.get("batch", "DescribeJobs") - described == math.ceil(
            len(left) / 100
        )
        for job_id in left:
            assert screen.index.get(job_id).status == account.job(demo, job_id)["status"]
        assert screen.index.get(fresh) is not None
        assert screen.index.get(quick).status == "SUCCEEDED"
        assert table.current.job_id == selected


async def test_detail_shows_reason_attempts_container_dependencies(make_app, demo) -> None:
    first = account.submit(
        demo,
        "oom-first",
        containerOverrides={"command": ["sh", "-c", "work && sleep 60 && exit 137"]},
        timeout={"attemptDurationSeconds": 3600},
    )
    demo.advance(600)
    assert account.job(demo, first)["status"] == "FAILED"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        table = screen.query_one(JobTable)
        table.move_to(table.index_of(first))
        await pilot.press("d")
        await settle(app, pilot)
        text = screen_text(app)
        attempt = next(line for line in text.splitlines() if line.startswith(" 1  2026-"))
        assert "137" in attempt and "Essential container in task exited" in attempt
        for expected in (
            "oom-first",
            "137",
            "Essential container in task exited",
            "public.ecr.aws/docker/library/python:3.12-slim",
            "1 vCPU   2048 MiB",
            "sh -c work && sleep 60 && exit 137",
            "3600 s per attempt",
            "ran for             1m00s",
        ):
            assert expected in text, expected
        await pilot.press("y")
        assert app.clipboard == first


async def test_dependents_are_found(make_app, demo) -> None:
    first = account.submit(demo, "first-step", containerOverrides=account.sleeping(1800))
    second = account.submit(demo, "second-step", dependsOn=[{"jobId": first}])
    demo.advance(60)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        table = screen.query_one(JobTable)
        table.move_to(table.index_of(second))
        await pilot.press("d")
        await settle(app, pilot)
        text = screen_text(app)
        assert "waits on:" in text and f"{first}  first-step  RUNNING" in text
        await pilot.press("escape")
        table.move_to(table.index_of(first))
        await pilot.press("d")
        await settle(app, pilot)
        text = screen_text(app)
        assert "waited on by:" in text and f"{second}  second-step  PENDING" in text


async def test_large_queue_pages_by_1000_and_renders_only_visible_rows() -> None:
    with fresh_sandbox(seed="empty", jobs=5500) as sb:
        counts = account.counts(sb, "history")
        # The overview: one page per status (7). A status of more than 1,000 jobs: its first
        # page is reused, the others follow.
        pages = 7 + sum(max(0, math.ceil(n / 1000) - 1) for n in counts.values())
        assert pages >= 7 + 3
        app = app_on(sb)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_jobs(app, pilot)
            table = screen.query_one(JobTable)
            assert len(table.rows) == sum(counts.values()) > 4000
            assert app.aws.counter.get("batch", "ListJobs") == pages
            visible = len(table.visible_rows())
            # One screenful (and the cursor's re-render), and once more when their ATTEMPTS
            # are read: one DescribeJobs for the rows on screen, none for the 5,000 others.
            assert table.rendered_rows < 80 + visible
            assert app.aws.counter.get("batch", "DescribeJobs") == 1
            await pilot.press("G")
            await pilot.pause()
            assert table.cursor == len(table.rows) - 1
            assert table.rendered_rows < 160 + visible


def test_reason_line_says_what_a_reasonless_runnable_job_waits_behind() -> None:
    from batchtui.model import JobSummary
    from batchtui.tui.screens.jobs import reason_line

    behind = JobSummary("j-2", "nightly", "RUNNABLE")
    head = JobSummary("j-1", "simulate", "RUNNABLE")
    text = str(reason_line(behind, "simulate", "j-1"))
    assert "no status reason of its own: it waits behind simulate" in text
    assert "at the front of the queue" in str(reason_line(head, "simulate", "j-1"))
    assert "no status reason from AWS" in str(reason_line(behind))  # AWS did not say
    failed = JobSummary("j-3", "x", "FAILED", status_reason="Essential container", exit_code=2)
    assert str(reason_line(failed, "simulate", "j-1")) == "x  FAILED  exit 2  Essential container"


async def test_a_filter_empty_in_one_status_says_where_it_matches(make_app, demo) -> None:
    jobs = account.summaries(demo, "demo-main")
    total = len(jobs)
    cancelled = [j for j in jobs if "cancelled by user" in j.get("statusReason", "").lower()]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("5", "slash", *"cancelled by", "enter")  # none RUNNING has it
        assert names(screen) == []
        info = str(screen.query_one("#jobs-info").render())
        assert f"0 of {total} jobs (RUNNING)" in info
        assert f"none RUNNING; {len(cancelled)} in other statuses" in info


async def test_a_queue_that_flows_has_no_front_line(make_app, demo) -> None:
    """demo-main places its jobs: one RUNNABLE for a few seconds (waiting for an instance big
    enough to launch) is at the front of the queue without a reason; no line says it is stuck."""
    big = {"resourceRequirements": [{"type": "VCPU", "value": "16"},
                                    {"type": "MEMORY", "value": "32768"}]}  # fmt: skip
    account.submit(demo, "needs-a-new-instance", containerOverrides=big)
    demo.advance(20)
    assert account.job_ids(demo, "demo-main", "RUNNABLE")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        assert screen.front is not None and not screen.query_one("#queue-head").display
        await pilot.press("h")  # go to the front of the queue
        reason = str(screen.query_one("#job-reason").render())
        assert "at the front of the queue: waiting to be placed" in reason


async def test_a_on_a_job_that_is_not_an_array_says_so(make_app) -> None:
    """Keys that do not apply to the current row say why instead of doing nothing."""
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("slash", *"stream-processor-01", "enter", "a")
        await settle(app, pilot)  # the toast mounts a few messages later
        assert app.screen is screen and "is not an array job" in screen_text(app)
        await pilot.press("escape", "7", "ctrl+d")  # FAILED
        await settle(app, pilot)
        assert app.screen is screen and "it has finished" in screen_text(app)


async def test_every_status_tab_stays_in_sight_at_80_columns(make_app, demo) -> None:
    """Full names (RUNNABLE, SUCCEEDED) do not fit 80 columns: the tabs take the overview's short
    names instead of cutting off the last ones; a wide terminal keeps the full names."""
    runnable = len(account.job_ids(demo, "demo-batch-low", "RUNNABLE"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_jobs(app, pilot, 1)
        await pilot.pause()
        tabs = next(line for line in screen_text(app).splitlines() if "0:ALL" in line)
        assert f"3:RNBL {runnable}" in tabs and "6:OK" in tabs and "7:FAIL" in tabs, tabs
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        tabs = next(line for line in screen_text(app).splitlines() if "0:ALL" in line)
        assert f"3:RUNNABLE {runnable}" in tabs and "7:FAILED" in tabs, tabs


async def test_a_queue_behind_a_disabled_ce_says_so(make_app) -> None:
    """AWS gives the jobs of a queue whose every CE is DISABLED no statusReason: the list said
    "waiting to be placed on an instance" and `d` explained nothing, for hours."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(app, pilot, 3)
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "demo-gpu"
        text = screen_text(app)
        assert "demo-gpu is DISABLED" in text and "waiting to be placed" not in text
        await pilot.press("3", "d")
        await settle(app, pilot)
        assert isinstance(app.screen, JobDetailScreen)
        text = screen_text(app)
        assert "what it means" in text and "demo-gpu is DISABLED" in text
        assert "enable a compute environment of the queue (e on it in the overview)" in text


async def test_h_says_when_the_filter_hides_the_front_job(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_jobs(app, pilot, 1)
        await pilot.press("slash", *"nightly", "enter", "h")
        await pilot.pause()
        assert "hidden by the filter" in toast_text(app)
        assert isinstance(app.screen, JobsScreen) and screen.query_state.text == "nightly"


async def test_new_jobs_on_top_do_not_slide_under_an_untouched_cursor(make_app, demo) -> None:
    """The cursor on the first row of a tab followed whatever job arrived on top at the next
    refresh, so ctrl+d could name another job than the one read. Once listed, the job under
    the cursor stays selected, moved or not."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("6")  # SUCCEEDED, newest first
        table = screen.query_one(JobTable)
        first = table.current.job_id
        newest = account.submit(demo, "newest", containerOverrides=account.sleeping(30))
        demo.advance(600)
        assert account.job(demo, newest)["status"] == "SUCCEEDED"
        screen.reload(full=True)
        await settle(app, pilot)
        assert table.rows[0].job_id != first
        assert table.current.job_id == first


async def test_the_filter_box_closes_on_enter_and_escape_keeps_the_selected_job(make_app) -> None:
    """Escape clearing the filter moved the cursor to the top row: a ctrl+d right after would
    have acted on a job the user did not see selected."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        table = screen.query_one(JobTable)
        box = screen.query_one("#filter", Input)
        await pilot.press("slash", *"stream-processor", "enter")
        assert not box.display and table.has_focus  # closed, the filter kept
        assert all(n.startswith("stream-processor") for n in names(screen))
        assert "filter: stream-processor" in screen_text(app)
        await pilot.press("down", "down")
        chosen = table.current
        assert chosen is not None and names(screen).index(chosen.job_name) == 2
        await pilot.press("slash")  # the box again, on the filter
        assert box.display and box.value == "stream-processor"
        await pilot.press("enter", "escape")
        await settle(app, pilot)
        assert not screen.query_state.text
        assert len(names(screen)) > 3
        assert table.current is not None and table.current.job_id == chosen.job_id
        assert table.cursor != 0


async def test_a_running_jobs_duration_goes_on_between_reads_at_the_sandbox_speed(
    make_app,
) -> None:
    """DURATION of a RUNNING job stayed at the last read (7m01s) while the clock moved 12
    minutes: between reads it counts on, at the sandbox's speed."""
    from batchtui.tui.widgets.job_table import duration_cell

    clock = Clock()
    app = make_app(clock=clock)
    app.clock_speed = lambda: 60.0  # as a sandbox at ×60 runs
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        table = screen.query_one(JobTable)
        running = next(j for j in table.rows if j.status == "RUNNING")
        read = table.now_ms
        clock.now += 12  # twelve seconds here, twelve minutes on the endpoint
        screen.show_ages()
        await pilot.pause()
        assert table.now_ms == read + 12 * 60 * 1000
        assert duration_cell(running, table.now_ms) != duration_cell(running, read)
        assert duration_cell(running, table.now_ms) in screen_text(app)


def test_the_endpoints_clock_between_reads() -> None:
    from batchtui.tui.freshness import endpoint_now

    assert endpoint_now(None, 5.0, 10.0) is None
    assert endpoint_now(100.0, None, 10.0) == 100.0
    assert endpoint_now(100.0, 5.0, 10.0) == 105.0  # a real account: its clock runs as ours
    assert endpoint_now(100.0, 5.0, 10.0, speed=60) == 400.0
    assert endpoint_now(100.0, 5.0, 10.0, speed=0) == 100.0  # a clock stepped by hand
    assert endpoint_now(100.0, 10.0, 5.0, speed=60) == 100.0  # never backwards
