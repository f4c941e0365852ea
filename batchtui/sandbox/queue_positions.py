"""When each RUNNABLE job reached its place in its queue: GetJobQueueSnapshot's
``earliestTimeAtPosition`` ("when the job transitioned to its current position").

A job's position changes when it joins the queue and whenever a job ahead of it leaves. Jobs join
at the end (a ticket number, ``runnable_seq``), so a job's position last changed at the latest
departure of a job with a lower ticket, or when it joined. Departures are kept per queue as a
stack of (ticket, time) with tickets increasing: a departure makes every earlier entry with a
higher ticket redundant (it is later and ahead of at least the same jobs), so in a queue that
drains from its front the stack stays a few entries long.
"""

from __future__ import annotations

import bisect
import itertools
from typing import Protocol


class _Queued(Protocol):
    runnable_seq: int
    runnable_since: float | None


class QueuePositions:
    def __init__(self) -> None:
        self._tickets = itertools.count()
        self._departures: dict[str, tuple[list[int], list[float]]] = {}

    def joined(self, job: _Queued) -> None:
        job.runnable_seq = next(self._tickets)

    def left(self, queue: str, job: _Queued, now: float) -> None:
        tickets, times = self._departures.setdefault(queue, ([], []))
        cut = bisect.bisect_left(tickets, job.runnable_seq)
        del tickets[cut:], times[cut:]
        tickets.append(job.runnable_seq)
        times.append(now)

    def since(self, queue: str, job: _Queued) -> float:
        """When ``job`` reached its current position in ``queue``."""
        joined = job.runnable_since or 0.0
        tickets, times = self._departures.get(queue, ([], []))
        i = bisect.bisect_left(tickets, job.runnable_seq)  # departures ahead of it: [0, i)
        return max(joined, times[i - 1]) if i else joined
