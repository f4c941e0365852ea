"""The automatic refresh's pace: exponential back-off with jitter while reads fail, the normal
pace again after one succeeds; and how a partial (active statuses only) snapshot is merged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batchtui.account.refresh import (
    FULL_COUNT_EVERY_S,
    MAX_BACKOFF_S,
    RefreshSchedule,
    merge_snapshot,
    wants_full_count,
)
from batchtui.account.snapshots import AccountSnapshot, QueueCount


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


def test_finished_jobs_are_counted_again_every_half_minute() -> None:
    assert wants_full_count(None, 0.0)
    assert not wants_full_count(1000.0, 1000.0 + FULL_COUNT_EVERY_S - 1)
    assert wants_full_count(1000.0, 1000.0 + FULL_COUNT_EVERY_S)


def test_a_partial_snapshot_keeps_the_finished_counts_it_did_not_read() -> None:
    old = AccountSnapshot(
        (), (), {"q": {"RUNNING": QueueCount(1), "SUCCEEDED": QueueCount(1000, more=True)}}
    )
    new = AccountSnapshot((), (), {"q": {"RUNNING": QueueCount(3)}, "new-q": {}})
    merged = merge_snapshot(old, new, full=False)
    assert merged.counts == {
        "q": {"RUNNING": QueueCount(3), "SUCCEEDED": QueueCount(1000, more=True)},
        "new-q": {},
    }
    assert merge_snapshot(old, new, full=True) is new
    assert merge_snapshot(None, new, full=False) is new


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
