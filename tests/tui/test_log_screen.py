"""The log screen's reading machinery: one bound on batches in flight across reloads, the file
written off the UI thread, and a bounded log that says what it no longer holds."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import settle
from hypothesis import given
from hypothesis import strategies as st
from screen_text import screen_text, toast_text
from textual import on

from batchtui.aws.session import Aws, AwsTarget
from batchtui.follow import FollowBatch, LogEvent
from batchtui.tui.app import create_app
from batchtui.tui.config import TuiConfig
from batchtui.tui.screens.logs import MAX_IN_FLIGHT, BatchPermits, LogBatch, LogsScreen
from batchtui.tui.widgets.log_view import LogView

# -- batches in flight ------------------------------------------------------------------------


@given(st.lists(st.sampled_from(["acquire", "release", "release again"]), max_size=60))
def test_permits_never_exceed_the_limit_and_count_each_release_once(ops: list[str]) -> None:
    permits = BatchPermits(3)
    held: list[Any] = []
    released: list[Any] = []
    for op in ops:
        if op == "acquire":
            permit = permits.acquire(timeout=0)
            assert (permit is None) == (len(held) == 3)
            if permit is not None:
                held.append(permit)
        elif op == "release" and held:
            released.append(held.pop(0))
            released[-1].release()
        elif op == "release again" and released:
            released[0].release()  # a second release of one batch gives nothing back
        assert permits.outstanding == len(held) <= 3


class ScriptedLogs(LogsScreen):
    """A log screen whose reader yields batches until stopped, counting the batches posted and
    not yet applied (what the bound is about), whatever their generation."""

    def __init__(self, batches: int) -> None:
        super().__init__("j-1")
        self.batches = batches
        self.lock = threading.Lock()
        self.in_queue = 0
        self.most_in_queue = 0
        self.generations_read: set[int] = set()

    def read_batches(
        self, generation: int, selection: Any, stop: threading.Event
    ) -> Iterator[FollowBatch]:
        n = 0
        while not stop.is_set() and n < self.batches:
            n += 1
            self.generations_read.add(generation)
            yield FollowBatch(events=(LogEvent(timestamp=n, message=f"gen {generation} #{n}"),))

    def post_message(self, message: Any) -> bool:
        if isinstance(message, LogBatch):
            with self.lock:
                self.in_queue += 1
                self.most_in_queue = max(self.most_in_queue, self.in_queue)
        return super().post_message(message)

    @on(LogBatch)
    def _count_applied(self, message: LogBatch) -> None:
        with self.lock:
            self.in_queue -= 1


async def test_batches_of_a_superseded_reader_count_against_the_bound() -> None:
    """Each reload started a reader with a fresh semaphore, and the superseded reader's
    batches, still queued, released the new one: the new reader could then put more than
    MAX_IN_FLIGHT batches in the queue. Now every batch carries its permit, given back once
    when it is handled, whatever its generation."""
    app = create_app(config=TuiConfig(refresh_interval=0))  # not connected: no real reader
    async with app.run_test() as pilot:
        screen = ScriptedLogs(batches=0)
        await app.push_screen(screen)
        await pilot.pause()
        stale = [screen.permits.acquire(timeout=0) for _ in range(MAX_IN_FLIGHT)]
        for permit in stale:  # a reader's full share of batches, not handled yet
            assert permit is not None
            screen.post_message(LogBatch(screen.generation, FollowBatch(), permit))
        screen.reload(full=True)  # a new reader: the queued batches are stale now
        assert screen.permits.acquire(timeout=0) is None  # the stale batches still count
        await pilot.pause()  # ... until they are handled (and dropped: stale)
        assert screen.permits.outstanding == 0 and len(screen.buffer) == 0
        fresh = [screen.permits.acquire(timeout=0) for _ in range(MAX_IN_FLIGHT + 1)]
        assert fresh[-1] is None and None not in fresh[:-1]
        for permit in fresh[:-1]:
            assert permit is not None
            permit.release()
            permit.release()  # once only
        assert screen.permits.outstanding == 0
        await settle(app, pilot)


async def test_readers_superseded_mid_stream_stay_within_the_bound() -> None:
    """Live readers (threads) posting as fast as they may while the screen reloads: the
    queue never holds more than MAX_IN_FLIGHT batches, and every permit comes back."""
    app = create_app(config=TuiConfig(refresh_interval=0))
    async with app.run_test() as pilot:
        screen = ScriptedLogs(batches=200)
        await app.push_screen(screen)
        await pilot.pause()
        for _ in range(8):
            screen.reload(full=True)
            await pilot.pause()
        await settle(app, pilot)
        assert len(screen.generations_read) >= 2
        assert 0 < screen.most_in_queue <= MAX_IN_FLIGHT
        assert screen.permits.outstanding == 0 and screen.in_queue == 0


# -- saving -----------------------------------------------------------------------------------

_opened_in: list[tuple[str, bool]] = []
_watching: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    path = args[0] if event == "open" and args else None
    if _watching and isinstance(path, str) and path.startswith(_watching[0]):
        _opened_in.append((path, threading.current_thread() is threading.main_thread()))


sys.addaudithook(_audit)  # (hooks stay for the process; this one only looks at one folder)


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)  # ctrl+s writes to the working directory
    _opened_in.clear()
    _watching[:] = [str(tmp_path)]
    yield tmp_path
    _watching.clear()


def _with_lines(screen: LogsScreen, n: int) -> None:
    added = screen.buffer.extend(LogEvent(timestamp=i, message=f"line {i}") for i in range(n))
    screen.query_one(LogView).lines_added(added)


async def test_save_writes_in_a_worker_thread_and_says_so(watched: Path) -> None:
    app = create_app(config=TuiConfig(refresh_interval=0))
    async with app.run_test(size=(140, 30), notifications=True) as pilot:
        screen = LogsScreen("j-1")
        await app.push_screen(screen)
        await pilot.pause()
        _with_lines(screen, 5)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        opened = list(_opened_in)  # (before this test reads the file itself)
        assert opened and not any(on_ui for _, on_ui in opened)  # never on the UI thread
        assert (watched / "batchtui-j-1.log").read_text().count("\n") == 5
        assert "saved 5 lines to" in toast_text(app)


async def test_a_failed_save_says_why_in_one_message(watched: Path) -> None:
    (watched / "batchtui-j-1.log").mkdir()  # the name is taken: the write cannot land
    app = create_app(config=TuiConfig(refresh_interval=0))
    async with app.run_test(size=(140, 30), notifications=True) as pilot:
        screen = LogsScreen("j-1")
        await app.push_screen(screen)
        await pilot.pause()
        _with_lines(screen, 3)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        text = toast_text(app)
        assert "cannot save the log to" in text and "Is a directory" in text
        assert "Traceback" not in text
        assert sorted(p.name for p in watched.iterdir()) == ["batchtui-j-1.log"]  # no leftovers


# -- a bounded log on the sandbox -------------------------------------------------------------


@pytest.fixture(scope="module")
def sb() -> Iterator[Any]:
    from batchtui.sandbox import Sandbox, SandboxConfig

    # Its own random seed: moto's log streams belong to the process, and the per-test demo
    # sandboxes (seed 11) would otherwise name their streams as this one does.
    config = SandboxConfig(seed="demo", manual_clock=True, random_seed=12, start_time=1.795e9)
    with Sandbox(config) as sandbox:
        yield sandbox


def _on(sb: Any) -> Any:
    aws = Aws(
        AwsTarget(
            region=sb.region,
            endpoint_url=sb.url,
            sandbox=True,
            credentials=("testing", "testing"),
        )
    )
    return create_app(aws, sandbox=sb, config=TuiConfig(refresh_interval=0), clock=lambda: 0.0)


def _client(sb: Any, service: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=sb.url,
        region_name=sb.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _submit(sb: Any, name: str, seconds: int, **body: Any) -> str:
    command = ["sh", "-c", f"sleep {seconds}"]
    return str(
        _client(sb, "batch").submit_job(
            jobName=name,
            jobQueue="demo-main",
            jobDefinition="demo-etl",
            containerOverrides={"command": command},
            **body,
        )["jobId"]
    )


def _whole_stream(sb: Any, group: str, stream: str) -> list[str]:
    logs, out, token = _client(sb, "logs"), [], None
    while True:
        kw = {"nextToken": token} if token else {}
        page = logs.get_log_events(
            logGroupName=group, logStreamName=stream, startFromHead=True, **kw
        )
        out += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            return out
        token = page["nextForwardToken"]


async def test_scrolling_up_past_the_held_lines_reads_them_back_from_cloudwatch(sb) -> None:
    """One stream, ten lines held of ninety: each time the reader reaches the top, the page
    before the held lines is read back (lines sharing a millisecond line up), the newest
    held ones make room and reading stops; at the log's start the note goes; f goes back."""
    job_id = _submit(sb, "paged", 60)
    sb.advance(300)
    job = _client(sb, "batch").describe_jobs(jobs=[job_id])["jobs"][0]
    group = (
        job["container"]
        .get("logConfiguration", {})
        .get("options", {})
        .get("awslogs-group", "/aws/batch/job")
    )
    stream = job["container"]["logStreamName"]
    last = _client(sb, "logs").get_log_events(
        logGroupName=group, logStreamName=stream, startFromHead=False, limit=1
    )["events"][-1]["timestamp"]
    # (the sandbox's own writer: PutLogEvents drops events far from the real clock)
    from batchtui.sandbox import moto_glue

    moto_glue.append_log_events(
        sb.region,
        group,
        stream,
        [{"timestamp": last + 1 + i // 3, "message": f"extra {i}"} for i in range(80)],
    )
    true = _whole_stream(sb, group, stream)
    assert len(true) > 85

    app = _on(sb)
    async with app.run_test(size=(140, 14)) as pilot:
        await settle(app, pilot)
        screen = LogsScreen(job_id, name="paged", held_lines=10)
        await app.push_screen(screen)
        await settle(app, pilot)
        buf, view = screen.buffer, screen.query_one(LogView)
        assert screen.done and buf.dropped == len(true) - 10
        assert [line.text for line in buf.lines] == true[-10:]
        # The view opens at its end (the newest held line); the note is its first row, above.
        assert true[-1] in screen_text(app)
        assert "scroll up to read them back from CloudWatch" in view.head_note
        pages = 0
        while buf.dropped and pages < 40:
            await pilot.press("home")  # the top: the page before the held lines is read
            await settle(app, pilot)
            pages += 1
            held = [line.text for line in buf.lines]
            assert held == true[buf.first : buf.first + len(held)] and len(held) == 10
            assert buf.refused == len(true) - buf.end  # the newest made room
        assert buf.dropped == 0 and buf.first == 0 and pages > 10
        text = screen_text(app)
        assert "older lines dropped" not in text and "reading stopped" in text
        await pilot.press("end")
        assert "the log goes on past these 10 held lines; press f" in screen_text(app)

        await pilot.press("f")
        await settle(app, pilot)
        assert [line.text for line in buf.lines] == true[-10:] and view.follow
        assert buf.dropped == len(true) - 10 and buf.refused == 0


async def test_a_merged_log_says_what_it_dropped_and_s_reads_from_the_start(sb) -> None:
    """Array children merged (FilterLogEvents pages forward only): five lines held, the row
    above them counts the dropped ones and names the key; `s` reads the log again from its
    first line, holding the first five and saying the log goes on; `f` goes back."""
    job_id = _submit(sb, "merged", 1200, arrayProperties={"size": 2})
    sb.advance(1500)
    app = _on(sb)
    async with app.run_test(size=(140, 16)) as pilot:
        await settle(app, pilot)
        screen = LogsScreen(job_id, name="merged", array_size=2, held_lines=5)
        await app.push_screen(screen)
        await settle(app, pilot)
        buf, view = screen.buffer, screen.query_one(LogView)
        assert screen.done and len(buf) == 5 and buf.dropped > 0
        total = buf.read
        newest = [line.text for line in buf.lines]
        await pilot.press("home")
        await settle(app, pilot)
        assert buf.dropped == total - 5  # nothing read back: merged streams cannot be paged
        text = screen_text(app)
        assert f"older lines dropped: {buf.dropped:,} (holding 5); press s" in text
        assert f"lines {buf.dropped + 1:,}-{total:,} held" in text
        rows = text.splitlines()
        note = next(i for i, row in enumerate(rows) if "older lines dropped" in row)
        assert newest[0] in rows[note + 1]

        await pilot.press("s")
        await settle(app, pilot)
        assert screen.from_start and buf.dropped == 0 and buf.refused > 0 and len(buf) == 5
        assert [line.text for line in buf.lines] != newest
        await pilot.press("end")
        text = screen_text(app)
        assert "the log goes on past these 5 held lines; press f" in text
        assert "reading stopped" in text and "lines 1-5 held" in text

        await pilot.press("f")
        await settle(app, pilot)
        assert not screen.from_start and [line.text for line in buf.lines] == newest
        assert buf.read == total and view.follow


async def test_search_starts_at_the_first_held_line_when_older_ones_were_dropped() -> None:
    app = create_app(config=TuiConfig(refresh_interval=0))
    async with app.run_test() as pilot:
        screen = LogsScreen("j-1", held_lines=5)
        await app.push_screen(screen)
        await pilot.pause()
        _with_lines(screen, 12)  # lines 7..11 held
        await pilot.press("slash", *"line", "enter")
        view = screen.query_one(LogView)
        assert view.highlight == 7
        await pilot.press("N", "N")
        assert view.highlight == 10  # backwards, round the held lines
