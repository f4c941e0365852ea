"""The follow loop: a generator over an injected source, clock and sleep (as aws-cli's tail is).

It owns no client and no time: the aws layer passes a :class:`FollowSource` that makes the
CloudWatch Logs and Batch requests, ``time.monotonic`` and an interruptible sleep; the unit tests
pass fakes and drive it without waiting. It yields :class:`FollowBatch` values: events (each
exactly once, see :mod:`batchtui.follow.cursor`), notices for the user, and a last batch with
``done=True`` when the job has finished and its streams are drained.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from batchtui.errors import Throttled
from batchtui.follow.cursor import LookbackSettings, StreamCursor
from batchtui.follow.model import FollowBatch, LogTarget, Page, Query, SourceState
from batchtui.follow.schedule import PollSchedule, RequestBudget, ScheduleSettings

#: FilterLogEvents accepts at most 100 stream names per request.
MAX_STREAMS_PER_QUERY = 100


class FollowSource(Protocol):
    """What the loop needs from the outside world."""

    def refresh(self) -> SourceState:
        """The job's status and every log target it has now (DescribeJobs)."""
        ...

    def fetch(self, query: Query) -> Page:
        """One FilterLogEvents request; events carry their :class:`LogTarget`.

        Raises :class:`batchtui.errors.Throttled` when CloudWatch throttled the request after
        the client's own retries.
        """
        ...


@dataclass(frozen=True)
class FollowSettings:
    start_time: int | None = None  #: epoch ms; None reads each stream from its beginning
    filter_pattern: str | None = None  #: a CloudWatch Logs filter pattern, passed through
    status_interval_s: float = 5.0  #: how often the job is re-read while it runs
    waiting_status_interval_s: float = 2.0  #: ... while it has no stream to read yet
    drain_grace_s: float = 5.0  #: after the job finished, how long late lines may still arrive
    lookback: LookbackSettings = field(default_factory=LookbackSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)


def follow_loop(
    source: FollowSource,
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], object],
    settings: FollowSettings | None = None,
    stop: Callable[[], bool] | None = None,
) -> Iterator[FollowBatch]:
    """Follow a job's log targets until the job has finished and every stream is drained."""
    cfg = settings or FollowSettings()
    should_stop = stop or (lambda: False)
    schedule = PollSchedule(cfg.schedule)
    budget = RequestBudget(cfg.schedule.requests_per_s, cfg.schedule.burst, clock())
    cursors: list[StreamCursor] = []
    known: set[tuple[str, str]] = set()

    state = source.refresh()
    refreshed_at = clock()
    finished_at: float | None = refreshed_at if state.finished else None
    grace = 0.0 if state.finished else cfg.drain_grace_s
    last_note = ""

    while True:
        if should_stop():
            return
        fresh = [t for t in state.targets if t.key not in known]
        notices: list[str] = []
        if state.note and state.note != last_note:
            notices.append(state.note)
        last_note = state.note
        if fresh:
            known.update(t.key for t in fresh)
            cursors.extend(_cursors_for(fresh, cfg))
            notices.extend(f"reading {_describe(t)}" for t in fresh)
        if notices or fresh:
            yield FollowBatch(notices=tuple(notices), new_targets=tuple(fresh), status=state.status)

        poll_started = clock()
        got = 0
        throttled = False
        for cursor in cursors:
            while True:
                if should_stop():
                    return
                wait = budget.wait_for(clock())
                if wait > 0:
                    sleep(wait)
                budget.take(clock())
                try:
                    page = source.fetch(cursor.query())
                except Throttled:
                    cursor.restart_poll()
                    throttled = True
                    break
                new = cursor.accept(page)
                if new:
                    got += len(new)
                    yield FollowBatch(events=tuple(new), status=state.status)
                if not cursor.in_poll:
                    break
            if throttled:
                break

        if finished_at is not None and not throttled and poll_started >= finished_at + grace:
            total = sum(c.emitted for c in cursors)
            why = state.note or f"job {state.status}"
            yield FollowBatch(
                notices=(f"{why}; {total} lines, every stream drained",),
                status=state.status,
                done=True,
            )
            return

        if throttled:
            interval = schedule.after_throttle()
            yield FollowBatch(
                notices=(f"CloudWatch Logs throttled the reads; next poll in {interval:.0f} s",),
                status=state.status,
            )
        else:
            interval = schedule.after_poll(got > 0)
        if finished_at is not None:
            # Sleep just long enough for the drain grace to pass, then poll one last time.
            interval = min(interval, max(0.0, finished_at + grace - clock()))
        elif not cursors:
            interval = cfg.waiting_status_interval_s
        if interval > 0:
            sleep(interval)
        if should_stop():
            return

        if finished_at is None:
            every = cfg.status_interval_s if cursors else cfg.waiting_status_interval_s
            if clock() - refreshed_at >= every:
                state = source.refresh()
                refreshed_at = clock()
                if state.finished:
                    finished_at = refreshed_at


def _cursors_for(targets: list[LogTarget], cfg: FollowSettings) -> list[StreamCursor]:
    by_group: dict[str, list[str]] = {}
    for t in targets:
        by_group.setdefault(t.log_group, []).append(t.log_stream)
    out: list[StreamCursor] = []
    for group, streams in by_group.items():
        for i in range(0, len(streams), MAX_STREAMS_PER_QUERY):
            out.append(
                StreamCursor(
                    group,
                    streams[i : i + MAX_STREAMS_PER_QUERY],
                    start_time=cfg.start_time,
                    filter_pattern=cfg.filter_pattern,
                    settings=cfg.lookback,
                )
            )
    return out


def _describe(t: LogTarget) -> str:
    label = f"{t.label}: " if t.label else ""
    return f"{label}{t.log_group} {t.log_stream}"
