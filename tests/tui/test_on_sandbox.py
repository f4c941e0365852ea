"""The TUI on the real sandbox (demo account, frozen clock): a new user's path through it, and
snapshots of the main screens. Each test has a fresh demo account (conftest's ``demo``), so
the snapshots are the same whatever ran before them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import SIZE, app_on, batch_client, settle
from screen_text import screen_text

from batchtui.tui.app import BatchtuiApp
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.logs import LogsScreen
from batchtui.tui.screens.plan import PlanScreen
from batchtui.tui.widgets.job_table import JobTable
from batchtui.tui.widgets.log_view import LogView


def tui_on(demo: Any, *, read_only: bool = False, snapshot: bool = False) -> BatchtuiApp:
    # The snapshots' status bar: the endpoint with its port masked, so any free port draws
    # the same picture.
    label = f"SANDBOX http://127.0.0.1:PORT {demo.region}" if snapshot else ""
    app = app_on(demo, read_only=read_only, clock=lambda: 0.0, where_label=label)
    if snapshot:
        # And its call count masked: a timer that fires before the picture or after it (a
        # loaded machine) moves it by one. The calls a screen makes are counted, exactly, by
        # the refresh-pacing and jobs tests.
        app.calls_per_minute = lambda: 0  # type: ignore[method-assign]
    return app


async def _settled(pilot: Any) -> None:
    """Every worker done, then the status bar redrawn now: its own 1 s timer would show an API
    call count from whenever it last ticked."""
    await settle(pilot.app, pilot)
    pilot.app.update_status()
    await pilot.pause()


async def _open_stuck_queue(pilot: Any) -> None:
    await _settled(pilot)
    await pilot.press("down", "enter")
    await _settled(pilot)
    await pilot.press("3")
    await _settled(pilot)


async def _open_stuck_job(pilot: Any) -> None:
    await _open_stuck_queue(pilot)
    table = pilot.app.screen.query_one(JobTable)
    stuck = next(i for i, j in enumerate(table.rows) if j.status_reason.startswith("MISCONFIG"))
    table.move_to(stuck)
    # Moving the cursor starts a 0.3 s timer that reads the ATTEMPTS of the rows in sight; read
    # them now, so that timer finds nothing left to read and the calls/min shown is the same in
    # every run.
    pilot.app.screen.read_attempts()
    await _settled(pilot)
    await pilot.press("d")
    await _settled(pilot)


def test_snapshot_overview(demo, snap_compare) -> None:
    assert snap_compare(tui_on(demo, snapshot=True), terminal_size=SIZE, run_before=_settled)


def test_snapshot_jobs_runnable(demo, snap_compare) -> None:
    assert snap_compare(
        tui_on(demo, snapshot=True), terminal_size=SIZE, run_before=_open_stuck_queue
    )


def test_snapshot_job_detail(demo, snap_compare) -> None:
    assert snap_compare(tui_on(demo, snapshot=True), terminal_size=SIZE, run_before=_open_stuck_job)


def test_snapshot_read_only_overview(demo, snap_compare) -> None:
    assert snap_compare(
        tui_on(demo, read_only=True, snapshot=True), terminal_size=SIZE, run_before=_settled
    )


async def test_overview_shows_the_living_account(demo) -> None:
    app = tui_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "SANDBOX" in text and "sim 2026-" in text
        assert f"{demo.url} {demo.region}" in text  # the real endpoint, when no label is given
        assert "demo-legacy" in text and "INVALID" in text and "CLIENT_ERROR" in text
        assert "RNBL" in text and "RUN " in text


async def test_find_a_stuck_job_and_its_reason(demo) -> None:
    app = tui_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        await _open_stuck_job(pilot)
        assert isinstance(app.screen, JobDetailScreen)
        text = screen_text(app)
        assert "RUNNABLE" in text and "MISCONFIGURATION:" in text


async def test_follow_a_running_jobs_logs(demo, tmp_path: Path, monkeypatch) -> None:
    demo.advance(120)  # let the running jobs write a few lines
    monkeypatch.chdir(tmp_path)
    app = tui_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")  # demo-main
        await settle(app, pilot)
        await pilot.press("5", "l")
        assert isinstance(app.screen, LogsScreen)
        logs = app.screen
        for _ in range(200):  # message rounds, not time: the first batch comes after one fetch
            if len(logs.buffer):
                break
            await pilot.pause()
        assert len(logs.buffer) > 0
        assert "lines" in screen_text(app) and "following" in screen_text(app)
        view = logs.query_one(LogView)
        await pilot.press("w", "t")
        assert view.wrap and view.timestamps
        await pilot.press("f")
        assert not view.follow and "paused" in screen_text(app)
        needle = logs.buffer.lines[0].text.split()[0]
        await pilot.press("slash", *needle, "enter")
        assert view.highlight is not None
        await pilot.press("ctrl+s")
        for save in [w for w in app.workers if w.group == "save"]:  # it writes in a worker
            await save.wait()
        saved = list(tmp_path.glob("batchtui-*.log"))
        assert saved and saved[0].read_text().count("\n") >= 1
        await pilot.press("escape", "escape")  # clear the search, then leave: the worker stops
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen)


async def test_plan_screen_runs_the_planner(demo) -> None:
    app = tui_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"plan sandbox", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen) and app.screen.plan is not None
        assert "RECOMMENDATION" in screen_text(app)
        seen = ""
        for _ in range(6):  # the scenarios' table is further down the plan: page to it
            seen += screen_text(app)
            if "SCENARIOS" in seen:
                break
            await pilot.press("pagedown")
            await pilot.pause()
        assert "SCENARIOS" in seen


def _submit(demo: Any, **body: Any) -> str:
    batch = batch_client(demo)
    return str(batch.submit_job(jobQueue="demo-main", jobDefinition="demo-etl", **body)["jobId"])


async def _open_logs_of(pilot: Any, name: str) -> LogsScreen:
    """From the overview: demo-main, filter on the job's name, l."""
    app = pilot.app
    while len(app.screen_stack) > 2:
        app.pop_screen()
    await pilot.press("enter")  # demo-main
    await settle(app, pilot)
    await pilot.press("slash", *name, "enter", "l")
    await settle(app, pilot)
    assert isinstance(app.screen, LogsScreen)
    return app.screen


def _labels(logs: LogsScreen) -> set[str]:
    return {line.label for line in logs.buffer.lines}


async def test_logs_switch_attempts_and_array_children(demo) -> None:
    """`a` steps through all / the latest / each attempt of a retried job; `c` picks one child
    of an array job, whose logs open with every child's lines merged."""
    _submit(
        demo,
        jobName="retry-thrice",
        retryStrategy={"attempts": 3},
        containerOverrides={"command": ["sh", "-c", "work && sleep 20 && exit 3"]},
    )
    _submit(
        demo,
        jobName="fan-out-three",
        arrayProperties={"size": 3},
        containerOverrides={"command": ["sh", "-c", "work && sleep 20"]},
    )
    demo.advance(600)  # every attempt and every child has run and written its lines
    app = tui_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        logs = await _open_logs_of(pilot, "retry-thrice")
        assert _labels(logs) == {"attempt 1", "attempt 2", "attempt 3"}
        assert "attempts: all" in screen_text(app) and "job FAILED" in screen_text(app)
        seen = []
        for _ in range(5):  # latest, 1, 2, 3, and back to all
            await pilot.press("a")
            await settle(app, pilot)
            seen.append((logs.selection.attempt, sorted(_labels(logs))))
        assert seen == [
            (-1, ["attempt 3"]),
            (1, ["attempt 1"]),
            (2, ["attempt 2"]),
            (3, ["attempt 3"]),
            (None, ["attempt 1", "attempt 2", "attempt 3"]),
        ]
        assert "attempt 3 of 3" not in screen_text(app)  # back to all
        await pilot.press("c")  # not an array job: says so, opens nothing
        assert app.screen is logs

        logs = await _open_logs_of(pilot, "fan-out-three")
        assert {label.split()[1] for label in _labels(logs)} == {"0", "1", "2"}  # child N …
        assert "from 3 of 3 children" in screen_text(app)
        await pilot.press("c")
        await pilot.pause()
        assert "0..2 or all" in screen_text(app)
        await pilot.press("1", "enter")
        await settle(app, pilot)
        assert logs.selection.child == 1 and len(logs.buffer) > 0
        assert {label.split()[1] for label in _labels(logs)} <= {"1"}
        assert "child 1" in screen_text(app)
        await pilot.press("c", *"all", "enter")
        await settle(app, pilot)
        assert logs.selection.child == "all" and len(_labels(logs)) >= 3


async def test_c_in_a_childs_log_names_its_parent_and_offers_its_children(demo) -> None:
    """A child's own log (opened by its ``parent:N`` id) is not "not an array job": `c` says
    whose child it is and picks among the parent's children."""
    parent = _submit(
        demo,
        jobName="fan-out-eight",
        arrayProperties={"size": 8},
        containerOverrides={"command": ["sh", "-c", "work && sleep 20"]},
    )
    demo.advance(600)
    app = tui_on(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        logs = LogsScreen(f"{parent}:7", name="fan-out-eight:7")
        await app.push_screen(logs)
        await settle(app, pilot)
        assert len(logs.buffer) > 0
        await pilot.press("c")
        await settle(app, pilot)
        text = screen_text(app)
        assert "is not an array job" not in text
        assert "child 7 of fan-out-eight (8 children)" in text and "(0..7, or all)" in text
        await pilot.press("ctrl+a", "ctrl+k", "3", "enter")
        await settle(app, pilot)
        assert (logs.job_id, logs.selection.child, logs.array_size) == (parent, 3, 8)
        assert len(logs.buffer) > 0 and "child 3" in screen_text(app)
        await pilot.press("c", *"all", "enter")
        await settle(app, pilot)
        assert logs.selection.child == "all" and len(_labels(logs)) == 8


def _reclaimed_attempt(demo: Any) -> tuple[str, str, str]:
    """(job id, name, statusReason) of a demo job whose first attempt's instance was reclaimed
    before its container wrote anything (its log stream does not exist)."""
    import boto3

    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    logs = boto3.client("logs", endpoint_url=demo.url, region_name=demo.region, **keys)
    batch = batch_client(demo)
    ids = [
        j["jobId"]
        for j in batch.list_jobs(jobQueue="demo-main", jobStatus="SUCCEEDED")["jobSummaryList"]
    ]
    for i in range(0, len(ids), 100):
        for job in batch.describe_jobs(jobs=ids[i : i + 100])["jobs"]:
            attempts = job.get("attempts") or []
            if len(attempts) < 2 or not attempts[0]["statusReason"].startswith("Host EC2"):
                continue
            stream = attempts[0]["container"]["logStreamName"]
            found = logs.describe_log_streams(
                logGroupName="/aws/batch/job", logStreamNamePrefix=stream
            )["logStreams"]
            if not found:
                return job["jobId"], job["jobName"], attempts[0]["statusReason"]
    raise AssertionError("the demo has no attempt reclaimed before it wrote a line")


async def test_an_attempt_that_wrote_nothing_says_why(demo) -> None:
    """An attempt whose instance was reclaimed before its container started has no stream: the
    log says so in AWS's words, not just "0 lines"."""
    job_id, name, reason = _reclaimed_attempt(demo)
    app = tui_on(demo)
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(app, pilot)
        logs = LogsScreen(job_id, name=name)
        await app.push_screen(logs)
        await settle(app, pilot)
        assert logs.done and len(logs.buffer) > 0  # the second attempt's lines
        assert "attempt 1 wrote nothing: its instance was reclaimed" in logs.notice
        assert reason in logs.notice
        assert "attempt 1 wrote nothing" in screen_text(app)
        await pilot.press("a", "a")  # the latest, then attempt 1 alone: no lines, and why
        await settle(app, pilot)
        assert logs.selection.attempt == 1 and len(logs.buffer) == 0
        assert "attempt 1 wrote nothing: its instance was reclaimed" in screen_text(app)


async def test_r_in_a_finished_log_keeps_the_place(demo) -> None:
    """`r` re-reads a finished log; a reader who scrolled stays where they were (it jumped to
    the first line). `f` on a finished log says there is nothing more to follow."""
    _submit(demo, jobName="long-reader", containerOverrides={"command": ["sh", "-c", "sleep 1200"]})
    demo.advance(1500)
    app = tui_on(demo)
    async with app.run_test(size=(100, 10)) as pilot:
        await settle(app, pilot)
        logs = await _open_logs_of(pilot, "long-reader")
        assert logs.done
        view = logs.query_one(LogView)
        assert view.virtual_size.height > view.size.height + 3  # it can scroll
        await pilot.press("home", "down", "down", "down")
        assert view.scroll_offset.y == 3
        await pilot.press("f")  # finished: nothing to follow, the place is kept
        assert view.scroll_offset.y == 3
        await pilot.press("r")
        await settle(app, pilot)
        assert logs.done and view.scroll_offset.y == 3


async def test_a_offers_only_the_attempts_a_job_made(demo) -> None:
    """A job its retry strategy allows 3 attempts that succeeded at the first: `a` stepped to
    "attempt 2 of 3", which does not exist, and every line was marked [attempt 1]."""
    _submit(
        demo,
        jobName="once-is-enough",
        retryStrategy={"attempts": 3},
        containerOverrides={"command": ["sh", "-c", "work && sleep 20"]},
    )
    demo.advance(600)
    app = tui_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        logs = await _open_logs_of(pilot, "once-is-enough")
        assert logs.done and len(logs.buffer) > 0
        assert logs.attempts_made == 1 and logs.max_attempts == 3
        text = screen_text(app)
        assert "attempt 1 of 1" in text and "[attempt 1]" not in text
        await pilot.press("a")
        await settle(app, pilot)
        assert logs.selection.attempt is None  # nothing to switch to


async def test_status_bar_at_80_columns_keeps_the_calls_and_the_clock(demo) -> None:
    """At 80 columns the bar was cut after the account: the API calls and the sandbox's clock
    (what tells a new user the account is simulated and moving) were gone."""
    app = tui_on(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.update_status()
        await pilot.pause()
        bar = screen_text(app).splitlines()[0]
        assert bar.startswith(" SANDBOX ") and " calls" in bar and "sim " in bar
        assert bar.rstrip().endswith("?: keys")
