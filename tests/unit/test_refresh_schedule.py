"""The automatic refresh's pace: exponential back-off with jitter while reads fail, the normal
pace again after one succeeds; and how a partial (active statuses only) snapshot is merged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batchtui.account.pacing import RESOURCES, Part
from batchtui.account.refresh import MAX_BACKOFF_S, RefreshSchedule, changed_parts, merge_read
from batchtui.account.snapshots import AccountSnapshot, FirstPage, QueueCount
from batchtui.model import JobQueue


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_schedule_that_never_failed_is_always_due() -> None:
    schedule = RefreshSchedule(5.0, Clock())
    assert schedule.due() and not schedule.failing and schedule.next_in() is None


def test_failures_double_the_wait_and_a_success_resets_it() -> None:
    clock = Clock()
    schedule = RefreshSchedule(5.0, clock, random=lambda: 1.0)  # no jitter taken off
    waits = [schedule.failed() for _ in range(8)]
    assert waits == [10.0, 20.0, 40.0, 80.0, 160.0, MAX_BACKOFF_S, MAX_BACKOFF_S, MAX_BACKOFF_S]
    assert not schedule.due() and schedule.next_in() == MAX_BACKOFF_S
    clock.now += MAX_BACKOFF_S - 1
    assert not schedule.due() and schedule.next_in() == 1.0
    clock.now += 1
    assert schedule.due()
    schedule.succeeded()
    assert not schedule.failing and schedule.next_in() is None
    assert schedule.failed() == 10.0  # starts again from the first step


def test_jitter_takes_up_to_half_of_the_wait_off() -> None:
    schedule = RefreshSchedule(5.0, Clock(), random=lambda: 0.0)
    assert [schedule.failed() for _ in range(3)] == [5.0, 10.0, 20.0]


def test_throttling_is_told_apart_from_failing() -> None:
    schedule = RefreshSchedule(5.0, Clock())
    schedule.failed(throttled=True)
    assert schedule.throttled
    schedule.failed()
    assert not schedule.throttled


def test_no_timer_means_no_wait_and_nothing_to_tell() -> None:
    """An interval of 0 turns the timer off: a manual refresh is never held back."""
    schedule = RefreshSchedule(0.0, Clock())
    assert schedule.failed() == 0.0
    assert schedule.due() and schedule.next_in() is None


@given(
    interval=st.floats(min_value=1, max_value=120),
    failures=st.integers(min_value=1, max_value=30),
    jitter=st.floats(min_value=0, max_value=1),
)
def test_the_wait_stays_between_the_interval_and_the_cap(
    interval: float, failures: int, jitter: float
) -> None:
    schedule = RefreshSchedule(interval, Clock(), random=lambda: jitter)
    for _ in range(failures):
        wait = schedule.failed()
    ceiling = min(MAX_BACKOFF_S, interval * 2**failures)
    assert interval <= wait <= max(interval, ceiling)
    assert wait >= ceiling / 2 or wait == interval


def _queue(name: str) -> JobQueue:
    return JobQueue(name=name, arn=f"arn:{name}", state="ENABLED", status="VALID", priority=1)


def _page(*ids: str, more: bool = False, at: float = 0.0) -> FirstPage:
    return FirstPage(tuple({"jobId": i} for i in ids), "t" if more else None, "q", at)


def test_a_partial_read_keeps_the_counts_it_did_not_read_with_their_age() -> None:
    q = _queue("q")
    old = AccountSnapshot(
        (),
        (q,),
        {"q": {"RUNNING": QueueCount(1), "SUCCEEDED": QueueCount(1000, more=True)}},
        pages={"q": {"RUNNING": _page("a", at=10), "SUCCEEDED": _page("b", more=True, at=10)}},
    )
    new = AccountSnapshot(
        (),
        (q, _queue("new-q")),
        {"q": {"RUNNING": QueueCount(3)}},
        pages={"q": {"RUNNING": _page("a", "c", "d", at=40)}},
    )
    merged = merge_read(old, new)
    assert merged.counts == {
        "q": {"RUNNING": QueueCount(3), "SUCCEEDED": QueueCount(1000, more=True)},
        "new-q": {},
    }
    # The age shown is the oldest part's: the SUCCEEDED count kept from the older read.
    assert merged.counts_read_at(("RUNNING",)) == 40
    assert merged.counts_read_at(("RUNNING", "SUCCEEDED")) == 10
    assert merge_read(None, new) is new


def test_gone_queues_are_dropped() -> None:
    old = AccountSnapshot((), (_queue("gone"),), {"gone": {"RUNNING": QueueCount(1)}})
    assert merge_read(old, AccountSnapshot((), ())).counts == {}


def test_a_status_changed_when_its_jobs_did_not_only_their_number() -> None:
    q = _queue("q")
    old = AccountSnapshot((), (q,), pages={"q": {"RUNNING": _page("a"), "FAILED": _page("f")}})
    same_count = AccountSnapshot((), (q,), pages={"q": {"RUNNING": _page("b")}})
    same = AccountSnapshot((), (q,), pages={"q": {"FAILED": _page("f", at=99)}})
    running, failed = Part("q", "RUNNING"), Part("q", "FAILED")
    assert changed_parts(old, same_count, [running]) == {running: True}
    assert changed_parts(old, same, [failed]) == {failed: False}
    assert changed_parts(old, old, [RESOURCES]) == {RESOURCES: False}
    assert changed_parts(old, AccountSnapshot((), ()), [RESOURCES]) == {RESOURCES: True}
    assert changed_parts(None, old, [running]) == {running: True}


def test_a_failed_read_marks_the_data_stale_once_per_refresh() -> None:
    clock = Clock()
    schedule = RefreshSchedule(5.0, clock, random=lambda: 1.0)
    schedule.read_failed()
    schedule.read_failed()  # a second read of the same refresh: no second back-off step
    assert schedule.stale and schedule.failures == 1 and schedule.next_in() == 10.0
    clock.now += 10
    schedule.read_failed(throttled=True)
    assert schedule.failures == 2 and schedule.throttled
    assert schedule.read_succeeded()  # it was stale
    assert not schedule.stale and schedule.last_read == clock.now and not schedule.failing
    assert not schedule.read_succeeded()
