"""The jobs screen: status tabs, filter (! inverts), sort, array children, stop, copy, refresh."""

from __future__ import annotations

from conftest import SIZE, settle
from fakebatch import T0, FakeBatch, demo_account
from screen_text import screen_text, toast_text

from batchtui.tui.screens.dialogs import ConfirmScreen
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import REUSE_PAGES_S, JobsScreen
from batchtui.tui.widgets.job_table import JobTable


async def open_jobs(app, pilot) -> JobsScreen:
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, JobsScreen)
    return app.screen


def names(screen: JobsScreen) -> list[str]:
    return [j.job_name for j in screen.query_one(JobTable).rows]


async def test_opening_a_queue_reuses_the_overviews_fresh_pages(make_app) -> None:
    """The overview read one ListJobs page per status; each held the whole status, so opening
    the queue right after lists nothing again. ``r`` re-reads every status."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = app.aws.counter.get("batch", "ListJobs")
        screen = await open_jobs(app, pilot)
        assert app.aws.counter.get("batch", "ListJobs") - before == 0
        assert app.aws.counter.get("batch", "DescribeJobs") == 0
        assert len(screen.index) == 33
        text = screen_text(app)
        assert "3:RUNNABLE 4" in text and "33 of 33 jobs" in text
        assert "MISCONFIGURATION:JOB_RESOURCE" in text
        await pilot.press("r")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "ListJobs") - before == 7
        assert len(screen.index) == 33


async def test_a_stale_overview_is_listed_again_one_listjobs_per_status(make_app) -> None:
    now = [1000.0]
    app = make_app(clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        now[0] += REUSE_PAGES_S + 1
        before = app.aws.counter.get("batch", "ListJobs")
        screen = await open_jobs(app, pilot)
        assert app.aws.counter.get("batch", "ListJobs") - before == 7
        assert len(screen.index) == 33


async def test_reuse_lists_only_the_pages_after_the_first(make_app) -> None:
    """A status with more than one page: the first is reused, the rest follow its nextToken."""
    fake = FakeBatch()
    fake.add_ce("ce")
    fake.add_queue("big", ["ce"])
    for i in range(1500):
        fake.add_job(f"j-{i:05d}", f"job-{i:05d}", "big", "SUCCEEDED")
    app = make_app(account=fake)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        fake.requests.clear()
        screen = await open_jobs(app, pilot)
        listed = [p for op, p in fake.requests if op == "listjobs"]
        assert listed == [
            {"jobQueue": listed[0]["jobQueue"], "jobStatus": "SUCCEEDED", "maxResults": 1000,
             "nextToken": "1000"}
        ]  # fmt: skip
        assert len(screen.index) == 1500
        assert "6:SUCCEEDED 1500" in screen_text(app)


async def test_the_front_of_the_queue_and_why_it_waits(make_app, fake) -> None:
    """GetJobQueueSnapshot names the job every RUNNABLE job waits behind; its statusReason is
    the queue's reason (the jobs behind it have none). `h` goes to it."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        head = str(screen.query_one("#queue-head").render())
        # job-0002 is the oldest RUNNABLE job; it has been first since it was created.
        assert "front of the queue for 59m58s: tag-batch-0002" in head
        assert "no instance type fits 512 vCPUs" in head
        assert "(3 RUNNABLE jobs behind it; h: go to it)" in head
        assert "tag-batch-0002" in screen_text(app)
        await pilot.press("h")
        table = screen.query_one(JobTable)
        assert table.current.job_id == "job-0002" and screen.tab == "ALL"
        await pilot.press("6", "h")  # from another status tab: goes to RUNNABLE
        assert screen.tab == "RUNNABLE" and table.current.job_id == "job-0002"
        assert "tag-batch-0002  RUNNABLE  MISCONFIGURATION" in screen_text(app)


async def test_no_front_line_when_aws_does_not_say(make_app, fake) -> None:
    fake.op_getjobqueuesnapshot = None  # an API the account does not have
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        assert "front of the queue" not in screen_text(app) and not app.stale
        await pilot.press("h")
        assert screen.query_one(JobTable).cursor == 0


async def test_status_tabs(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("3")
        assert {j.status for j in screen.query_one(JobTable).rows} == {"RUNNABLE"}
        await pilot.press("right_square_bracket")
        assert {j.status for j in screen.query_one(JobTable).rows} == {"STARTING"}
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert {j.status for j in screen.query_one(JobTable).rows} == {"PENDING"}
        await pilot.press("0")
        assert len(screen.query_one(JobTable).rows) == 33


async def test_filter_by_name_id_reason_and_invert(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("slash", *"misconfig")
        assert len(names(screen)) == 4  # the RUNNABLE jobs' statusReason
        await pilot.press("enter")
        assert screen.query_one(JobTable).has_focus
        assert "filter: misconfig" in screen_text(app)
        await pilot.press("escape")  # clears the filter, stays on the screen
        assert isinstance(app.screen, JobsScreen) and len(names(screen)) == 33
        await pilot.press("slash", *"!tag-batch", "enter")
        assert sorted(names(screen)) == ["extract", "label", "tag-array"]
        await pilot.press("escape", "slash", *"job-0007", "enter")
        assert names(screen) == ["tag-batch-0007"]


async def test_sort_by_column(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        assert names(screen)[0] == "label"  # newest first
        await pilot.press("s")  # -> name
        assert screen.query_state.sort == "name"
        assert names(screen) == sorted(names(screen), key=str.lower, reverse=True)
        await pilot.press("S")
        assert names(screen) == sorted(names(screen), key=str.lower)


async def test_array_children_and_detail(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("slash", *"tag-array", "enter", "a")
        await settle(app, pilot)
        children = app.screen
        assert isinstance(children, JobsScreen) and children.array_job_id == "array-1"
        assert sorted(j.array_index for j in children.query_one(JobTable).rows) == [0, 1, 2, 3]
        assert "5:RUNNING 2" in screen_text(app) and "6:SUCCEEDED 2" in screen_text(app)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, JobDetailScreen)
        assert "Array" in screen_text(app) and "a: list the children" in screen_text(app)


async def test_ctrl_d_terminates_a_running_job_after_confirming(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("slash", *"job-0004", "enter", "ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "Terminate job tag-batch-0004" in text and "It is RUNNING" in text
        await pilot.press("y")
        await settle(app, pilot)
        assert (
            "terminatejob",
            {"jobId": "job-0004", "reason": "stopped by the operator with batchtui"},
        ) in fake.requests
        # The incremental refresh found it gone from RUNNING and described it: now FAILED.
        assert screen.index.get("job-0004").status == "FAILED"


async def test_ctrl_d_cancels_a_runnable_job_and_no_means_no(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(app, pilot)
        await pilot.press("3", "ctrl+d")
        assert "Cancel job" in screen_text(app) and "It is RUNNABLE" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not any(op in ("canceljob", "terminatejob") for op, _ in fake.requests)
        await pilot.press("ctrl+d", "y")
        await settle(app, pilot)
        assert [op for op, _ in fake.requests if op == "canceljob"] == ["canceljob"]


async def test_finished_job_cannot_be_stopped(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(app, pilot)
        await pilot.press("6", "ctrl+d")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_copy_job_id(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(app, pilot)
        await pilot.press("y")
        assert app.clipboard == "dep-b"


async def test_refresh_is_incremental_and_keeps_the_selection(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        table = screen.query_one(JobTable)
        await pilot.press("down", "down", "down")
        selected = table.current.job_id
        fake.jobs["job-0025"]["status"] = "SUCCEEDED"  # left RUNNING
        fake.add_job("job-new", "fresh", "high", "RUNNABLE", created=1)  # oldest: sorts last
        fake.requests.clear()
        screen.reload(full=False)
        await settle(app, pilot)
        ops = [op for op, _ in fake.requests]
        assert ops.count("listjobs") == 5  # active statuses only
        assert ops.count("describejobs") == 1  # only the job that left them
        assert screen.index.get("job-0025").status == "SUCCEEDED"
        assert screen.index.get("job-new") is not None
        assert table.current.job_id == selected


async def test_detail_shows_reason_attempts_container_dependencies(make_app, fake) -> None:
    fake.jobs["dep-b"]["statusReason"] = "waiting on dep-a"
    fake.jobs["dep-b"]["attempts"] = [
        {
            "container": {"exitCode": 137, "reason": "OutOfMemoryError: Container killed"},
            "startedAt": 1_790_000_100_000,
            "stoppedAt": 1_790_000_200_000,
            "statusReason": "Essential container in task exited",
        }
    ]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        text = screen_text(app)
        for expected in (
            "waiting on dep-a",
            "137",
            "Essential container in task exited",
            "public.ecr.aws/batchtui/tagger:1.4",
            "2 vCPU   4096 MiB",
            "python -m tagger --bucket images",
            "TABLE=labels",
            "3600 s per attempt",
            "waits on:",
            "dep-a  extract  RUNNING",
        ):
            assert expected in text, expected
        await pilot.press("y")
        assert app.clipboard == "dep-b"


async def test_dependents_are_found(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        table = screen.query_one(JobTable)
        table.move_to(table.index_of("dep-a"))
        await pilot.press("d")
        await settle(app, pilot)
        text = screen_text(app)
        assert "waited on by:" in text and "dep-b  label  PENDING" in text


def big_account(n: int) -> FakeBatch:
    fake = demo_account(jobs=0)
    for i in range(n):
        fake.add_job(f"big-{i:06d}", f"bulk-{i:06d}", "high", "SUCCEEDED")
    return fake


async def test_large_queue_pages_by_1000_and_renders_only_visible_rows(make_app) -> None:
    app = make_app(account=big_account(5_500))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        table = screen.query_one(JobTable)
        assert len(table.rows) == 5_500 + 3  # + the array parent and the dependency pair
        # The overview: one page per queue and status (14). SUCCEEDED has 6 pages of 1,000: the
        # overview's first is reused, 5 follow; every other status fit in the overview's page.
        assert app.aws.counter.get("batch", "ListJobs") == 14 + 5
        assert table.rendered_rows < 80  # one screenful (and the cursor's re-render), not 5,500
        await pilot.press("G")
        await pilot.pause()
        assert table.current.job_name == "tag-batch-0000" or table.cursor == len(table.rows) - 1
        assert table.rendered_rows < 160


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


async def test_a_filter_empty_in_one_status_says_where_it_matches(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("5", "slash", *"misconfig", "enter")  # RUNNING: none has that reason
        assert names(screen) == []
        info = str(screen.query_one("#jobs-info").render())
        assert "0 of 33 jobs (RUNNING)" in info and "none RUNNING; 4 in other statuses" in info


async def test_a_queue_that_flows_has_no_front_line(make_app, fake) -> None:
    for job in fake.jobs.values():  # RUNNABLE without a reason, first for a few seconds only
        if job["status"] == "RUNNABLE":
            job["statusReason"] = ""
            job["createdAt"] = T0 + 3_600_000 - 5_000
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
        await pilot.press("slash", *"tag-batch-0001", "enter", "a")
        await settle(app, pilot)  # the toast mounts a few messages later
        assert app.screen is screen and "is not an array job" in screen_text(app)
        await pilot.press("escape", "slash", *"tag-batch-0006", "enter", "ctrl+d")  # FAILED
        await settle(app, pilot)
        assert app.screen is screen and "it has finished" in screen_text(app)


async def test_every_status_tab_stays_in_sight_at_80_columns(make_app) -> None:
    """Full names (RUNNABLE, SUCCEEDED) do not fit 80 columns: the tabs take the overview's short
    names instead of cutting off the last ones; a wide terminal keeps the full names."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_jobs(app, pilot)
        await pilot.pause()
        tabs = next(line for line in screen_text(app).splitlines() if "0:ALL" in line)
        assert "3:RNBL 4" in tabs and "6:OK" in tabs and "7:FAIL" in tabs, tabs
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        tabs = next(line for line in screen_text(app).splitlines() if "0:ALL" in line)
        assert "3:RUNNABLE 4" in tabs and "7:FAILED" in tabs, tabs


async def test_a_queue_behind_a_disabled_ce_says_so(make_app, fake) -> None:
    """AWS gives the jobs of a queue whose every CE is DISABLED no statusReason: the list said
    "waiting to be placed on an instance" and `d` explained nothing, for hours."""
    fake.add_job("stuck-1", "train-model", "low", "RUNNABLE")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "low"
        text = screen_text(app)
        assert "ondemand-ce is DISABLED" in text and "waiting to be placed" not in text
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, JobDetailScreen)
        text = screen_text(app)
        assert "what it means" in text and "ondemand-ce is DISABLED" in text
        assert "enable a compute environment of the queue (e on it in the overview)" in text


async def test_h_says_when_the_filter_hides_the_front_job(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("slash", *"extract", "enter", "h")
        await pilot.pause()
        assert "hidden by the filter" in toast_text(app)
        assert isinstance(app.screen, JobsScreen) and screen.query_state.text == "extract"


async def test_new_jobs_on_top_do_not_slide_under_an_untouched_cursor(make_app, fake) -> None:
    """The cursor on the first row of a tab followed whatever job arrived on top at the next
    refresh, so ctrl+d could name another job than the one read. Once listed, the job under
    the cursor stays selected, moved or not."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("6")  # SUCCEEDED, newest first
        table = screen.query_one(JobTable)
        first = table.current.job_id
        fake.add_job("job-newest", "newest", "high", "SUCCEEDED", created=T0 + 10**9)
        screen.reload(full=True)
        await settle(app, pilot)
        assert table.rows[0].job_id == "job-newest"
        assert table.current.job_id == first
