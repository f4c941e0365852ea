"""The follow core: every event exactly once, whatever the pages, ties and late arrivals.

A fake CloudWatch Logs (:class:`FakeLogs`) answers FilterLogEvents the way AWS documents it:
events with ``timestamp >= startTime`` in timestamp order, pages of any size (empty pages with a
token included), a token that resumes after the last event returned. Events can be stored with
a timestamp older than events already stored (a late delivery).
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchtui.errors import Throttled
from batchtui.follow import (
    FollowSettings,
    LogEvent,
    LogTarget,
    LookbackSettings,
    Page,
    Query,
    ScheduleSettings,
    SourceState,
    StreamCursor,
    follow_loop,
)
from batchtui.follow.schedule import PollSchedule, RequestBudget

T0 = 1_800_000_000_000  # epoch ms


@dataclass
class FakeLogs:
    """FilterLogEvents over an in-memory log group, with AWS's documented paging."""

    now: int = T0  # the server's clock, epoch ms: each event's ingestionTime
    events: list[LogEvent] = field(default_factory=list)
    page_sizes: list[int] = field(default_factory=list)  # sizes of the next pages (then 10000)
    requests: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def put(self, stream: str, timestamp: int, message: str = "") -> str:
        event_id = f"{next(self._ids):08d}"
        self.events.append(
            LogEvent(
                timestamp=timestamp,
                message=message or f"line {event_id}",
                ingestion_time=self.now,
                event_id=event_id,
                log_stream=stream,
            )
        )
        return event_id

    def filter(self, q: Query) -> Page:
        self.requests += 1
        matching = sorted(
            (
                e
                for e in self.events
                if e.log_stream in q.log_streams
                and (q.start_time is None or e.timestamp >= q.start_time)
                and (q.end_time is None or e.timestamp <= q.end_time)
            ),
            key=lambda e: (e.timestamp, e.event_id),
        )
        if q.next_token:
            ts, eid = q.next_token.split(":")
            after = (int(ts), eid)
            matching = [e for e in matching if (e.timestamp, e.event_id) > after]
        size = self.page_sizes.pop(0) if self.page_sizes else 10_000
        page = matching[:size]
        if len(matching) <= size:
            return Page(tuple(page), None)
        last = page[-1] if page else None
        token = f"{last.timestamp}:{last.event_id}" if last else (q.next_token or "0:")
        return Page(tuple(page), token)


def full_poll(cursor: StreamCursor, logs: FakeLogs) -> list[LogEvent]:
    out: list[LogEvent] = []
    while True:
        out += cursor.accept(logs.filter(cursor.query()))
        if not cursor.in_poll:
            return out


# ---------------------------------------------------------------- the cursor, by example


def test_events_sharing_a_timestamp_across_polls_are_emitted_once() -> None:
    logs = FakeLogs()
    cur = StreamCursor("g", ["s"])
    a = logs.put("s", T0)
    b = logs.put("s", T0)
    assert [e.event_id for e in full_poll(cur, logs)] == [a, b]
    c = logs.put("s", T0)  # same millisecond, arrives after the poll
    assert [e.event_id for e in full_poll(cur, logs)] == [c]
    assert full_poll(cur, logs) == []


def test_token_boundaries_inside_a_tie_lose_nothing() -> None:
    logs = FakeLogs(page_sizes=[2, 0, 1, 3])
    cur = StreamCursor("g", ["s"])
    ids = [logs.put("s", T0 + (i // 4)) for i in range(12)]
    assert [e.event_id for e in full_poll(cur, logs)] == ids
    assert logs.requests == 5  # 2 + 0 + 1 + 3 + the rest


def late_event_scenario(lookback: LookbackSettings) -> tuple[list[str], list[str]]:
    """Stream b's line stamped 10:00:01 is stored after stream a's line of 10:00:05."""
    logs = FakeLogs()
    cur = StreamCursor("g", ["a", "b"], settings=lookback)
    first = logs.put("a", T0 + 5_000)
    logs.now = T0 + 5_100
    emitted = [e.event_id for e in full_poll(cur, logs)]
    emitted += [e.event_id for e in full_poll(cur, logs)]  # nothing new: the window moves on
    logs.now = T0 + 7_000
    late = logs.put("b", T0 + 1_000)
    emitted += [e.event_id for e in full_poll(cur, logs)]
    return emitted, [first, late]


def test_an_event_stored_late_with_an_older_timestamp_is_emitted() -> None:
    emitted, expected = late_event_scenario(LookbackSettings())
    assert emitted == expected


def test_without_a_lookback_the_late_event_is_lost() -> None:
    """The scenario above really is the trap aws-cli's tail falls into (#6788)."""
    emitted, expected = late_event_scenario(LookbackSettings(margin_ms=0))
    assert emitted == expected[:1]


def test_a_producer_clock_running_behind_widens_the_window() -> None:
    logs = FakeLogs()
    cur = StreamCursor("g", ["s"])
    logs.now = T0 + 60_000  # the container's clock is a minute behind the server's
    logs.put("s", T0)
    full_poll(cur, logs)
    assert cur.lookback_ms == 70_000  # the delay seen, plus the 10 s margin
    logs.now = T0 + 65_000
    late = logs.put("s", T0 + 4_000)
    logs.now = T0 + 66_000
    logs.put("s", T0 + 6_000)
    assert late in [e.event_id for e in full_poll(cur, logs)]


def test_forgotten_ids_stay_bounded_by_the_window() -> None:
    logs = FakeLogs()
    cur = StreamCursor("g", ["s"])
    for i in range(100):
        logs.now = T0 + i * 1_000
        logs.put("s", logs.now)
        full_poll(cur, logs)
    assert cur.emitted == 100
    assert cur.remembered <= 12  # about 10 s of one line a second
    # The window trails the server clock seen on the last poll's first page by 10 s.
    assert cur.horizon == T0 + 99_000 - 10_000


def test_start_time_is_honoured_and_never_crossed() -> None:
    logs = FakeLogs()
    logs.put("s", T0 - 1)
    keep = logs.put("s", T0)
    cur = StreamCursor("g", ["s"], start_time=T0)
    assert [e.event_id for e in full_poll(cur, logs)] == [keep]
    assert cur.query().start_time == T0


# ---------------------------------------------------------------- the invariant, by hypothesis

put_op = st.tuples(
    st.just("put"),
    st.sampled_from(["a", "b", "c"]),
    st.integers(min_value=-3_000, max_value=6_000),  # jitter (+ up to 999 ms of grid)
    st.integers(min_value=1, max_value=6),  # how many, all with one timestamp
)
op = st.one_of(
    put_op,
    st.tuples(st.just("advance"), st.integers(min_value=0, max_value=8_000)),
    st.tuples(st.just("page"), st.integers(min_value=0, max_value=5)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=st.lists(op, max_size=80),
    tie_grid=st.sampled_from([1, 1_000]),
    clock_offset=st.sampled_from([0, 3 * 3_600_000, -3 * 3_600_000]),
)
def test_every_event_exactly_once(ops: list[tuple], tie_grid: int, clock_offset: int) -> None:
    """Pages of any size, polls interleaved with puts, ties, late stores, producer clocks
    behind or ahead of the server's: nothing lost, nothing doubled (jitter within the margin)."""
    logs = FakeLogs()
    cur = StreamCursor("g", ["a", "b", "c"])
    emitted: list[str] = []
    for o in ops:
        if o[0] == "put":
            _, stream, jitter, n = o
            ts = (
                (logs.now - clock_offset - jitter) // tie_grid * tie_grid
            )  # a coarse grid makes many ties
            for _ in range(n):
                logs.put(stream, ts)
        elif o[0] == "advance":
            logs.now += o[1]
        else:
            logs.page_sizes = [o[1]]
            emitted += [e.event_id for e in cur.accept(logs.filter(cur.query()))]
    logs.now += 1
    logs.page_sizes = []
    emitted += [e.event_id for e in full_poll(cur, logs)]
    emitted += [e.event_id for e in full_poll(cur, logs)]
    counts = Counter(emitted)
    assert [i for i, n in counts.items() if n > 1] == []
    assert set(counts) == {e.event_id for e in logs.events}


# ---------------------------------------------------------------- the loop


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []
        self.on_sleep: list = []

    def clock(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s
        for hook in self.on_sleep:
            hook(self.t)


def target(attempt: int, stream: str) -> LogTarget:
    return LogTarget("job-1", "g", stream, attempt, label=f"attempt {attempt}")


class ScriptedJob:
    """A job whose status and streams change with the fake time; lines put as time passes."""

    def __init__(self, logs: FakeLogs, time: FakeTime) -> None:
        self.logs = logs
        self.time = time
        self.status = "RUNNABLE"
        self.targets: tuple[LogTarget, ...] = ()
        self.refreshes = 0
        self.throttle_next = 0

    def refresh(self) -> SourceState:
        self.refreshes += 1
        final = self.status in ("SUCCEEDED", "FAILED")
        note = "" if self.targets else f"job is {self.status}: waiting for it to start"
        return SourceState(self.targets, self.status, final, note)

    def fetch(self, q: Query) -> Page:
        if self.throttle_next:
            self.throttle_next -= 1
            raise Throttled("throttled")
        return self.logs.filter(q)


def run_loop(job: ScriptedJob, time: FakeTime, **kw: object) -> list:
    cfg = FollowSettings(**kw)  # type: ignore[arg-type]
    batches = []
    for batch in follow_loop(job, clock=time.clock, sleep=time.sleep, settings=cfg):
        batches.append(batch)
        assert len(batches) < 10_000, "the loop does not end"
    return batches


def test_the_loop_waits_for_the_start_follows_a_retry_and_ends_when_drained() -> None:
    logs, time = FakeLogs(), FakeTime()
    job = ScriptedJob(logs, time)
    expected: list[str] = []

    def script(t: float) -> None:
        logs.now = T0 + int(t * 1000)
        if job.status == "RUNNABLE" and t >= 10:
            job.status, job.targets = "RUNNING", (target(1, "s1"),)
        elif job.status == "RUNNING" and len(job.targets) == 1 and t < 30:
            expected.append(logs.put("s1", logs.now))
            expected.append(logs.put("s1", logs.now))  # a tie
        elif job.status == "RUNNING" and len(job.targets) == 1:
            job.targets += (target(2, "s2"),)  # attempt 1 failed; a retry started
        elif job.status == "RUNNING" and t < 50:
            expected.append(logs.put("s2", logs.now))
        elif job.status == "RUNNING":
            job.status = "SUCCEEDED"
            # The last line is stored after the job is reported finished, a second late.
            expected.append(logs.put("s2", logs.now - 1_000))

    time.on_sleep.append(script)
    batches = run_loop(job, time)
    emitted = [e.event_id for b in batches for e in b.events]
    assert emitted == expected
    assert batches[-1].done and "SUCCEEDED" in batches[-1].notices[0]
    assert all(not b.done for b in batches[:-1])
    notices = [n for b in batches for n in b.notices]
    assert notices[0] == "job is RUNNABLE: waiting for it to start"
    assert any("attempt 2" in n for n in notices)
    new_targets = [t.attempt for b in batches for t in b.new_targets]
    assert new_targets == [1, 2]


def test_a_finished_job_is_read_to_the_end_and_the_loop_stops_at_once() -> None:
    logs, time = FakeLogs(), FakeTime()
    ids = [logs.put("s1", T0 + i // 7) for i in range(25_000)]
    job = ScriptedJob(logs, time)
    job.status, job.targets = "FAILED", (target(1, "s1"),)
    batches = run_loop(job, time)
    assert [e.event_id for b in batches for e in b.events] == ids
    assert batches[-1].done
    assert job.refreshes == 1
    assert logs.requests == 3  # 10,000 a page


def test_throttling_backs_off_and_loses_nothing() -> None:
    logs, time = FakeLogs(), FakeTime()
    job = ScriptedJob(logs, time)
    job.status, job.targets = "RUNNING", (target(1, "s1"),)
    first = logs.put("s1", T0)
    job.throttle_next = 2

    def finish(t: float) -> None:
        if t > 20 and job.status == "RUNNING":
            job.status = "SUCCEEDED"

    time.on_sleep.append(finish)
    batches = run_loop(job, time)
    assert [e.event_id for b in batches for e in b.events] == [first]
    assert any("throttled" in n for b in batches for n in b.notices)
    assert max(time.sleeps) >= ScheduleSettings().throttle_interval_s


def test_polls_fast_while_lines_flow_and_backs_off_when_idle() -> None:
    logs, time = FakeLogs(), FakeTime()
    job = ScriptedJob(logs, time)
    job.status, job.targets = "RUNNING", (target(1, "s1"),)

    def produce(t: float) -> None:
        logs.now = T0 + int(t * 1000)
        if t < 5:
            logs.put("s1", logs.now)
        elif t > 60 and job.status == "RUNNING":
            job.status = "SUCCEEDED"

    time.on_sleep.append(produce)
    run_loop(job, time)
    s = ScheduleSettings()
    # The first poll finds nothing yet; then one line a poll, then silence from t=5 s on.
    assert time.sleeps[1:9] == [s.min_interval_s] * 8
    idle = time.sleeps[10:22]
    assert idle == sorted(idle)
    assert idle[0] == s.min_interval_s * s.backoff
    assert idle[-4:] == [s.max_interval_s] * 4
    # Never more requests than the budget lets through.
    assert logs.requests <= s.burst + s.requests_per_s * time.t


def test_a_many_page_poll_is_spaced_by_the_request_budget() -> None:
    logs, time = FakeLogs(), FakeTime()
    for i in range(40):
        logs.put("s1", T0 + i)
    logs.page_sizes = [1] * 40
    job = ScriptedJob(logs, time)
    job.status, job.targets = "SUCCEEDED", (target(1, "s1"),)
    batches = run_loop(job, time, schedule=ScheduleSettings(requests_per_s=4, burst=8))
    assert sum(len(b.events) for b in batches) == 40
    assert logs.requests == 40  # the last page of one event carries no token
    assert time.t == pytest.approx((40 - 8) / 4)  # 8 at once, then 4 a second


def test_stop_ends_the_loop_between_requests() -> None:
    logs, time = FakeLogs(), FakeTime()
    logs.put("s1", T0)
    job = ScriptedJob(logs, time)
    job.status, job.targets = "RUNNING", (target(1, "s1"),)
    stopped = []
    gen = follow_loop(job, clock=time.clock, sleep=time.sleep, stop=lambda: bool(stopped))
    first = [b for b in itertools.islice(gen, 2)]
    assert first[1].events
    stopped.append(True)
    assert list(gen) == []


def test_schedule_and_budget_units() -> None:
    p = PollSchedule(ScheduleSettings(min_interval_s=1, max_interval_s=4, backoff=2))
    assert [p.after_poll(False) for _ in range(4)] == [2, 4, 4, 4]
    assert p.after_poll(True) == 1
    b = RequestBudget(2.0, 2, now=0.0)
    b.take(0.0)
    b.take(0.0)
    assert b.wait_for(0.0) == pytest.approx(0.5)
    assert b.wait_for(0.5) == 0.0
