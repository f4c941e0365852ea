"""How the automatic refresh backs off while AWS fails, and how a read of some parts of the
account is merged into what is shown (which parts are due: :mod:`batchtui.account.pacing`).

k9s' model polls with backoff and tells its listener; here the app asks :class:`RefreshSchedule`
on every timer tick whether a refresh is due, tells it how each refresh ended, and the status bar
says what it knows ("refresh failing, next in 20s"). The clock and the random source are
injected, so tests step them by hand.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from batchtui.account.pacing import RESOURCES, Part
from batchtui.account.snapshots import AccountSnapshot, FirstPage

#: The longest wait between two refreshes while they fail.
MAX_BACKOFF_S = 300.0


def merge_read(old: AccountSnapshot | None, new: AccountSnapshot) -> AccountSnapshot:
    """``new`` (a read of some parts of the account) over ``old``: the counts and first pages
    ``new`` did not read are kept from ``old``, each with the time it was read, so the age shown
    can be the oldest part's. Queues that are gone are dropped."""
    if old is None:
        return new
    counts = {
        q.name: {**old.counts.get(q.name, {}), **new.counts.get(q.name, {})} for q in new.queues
    }
    pages = {q.name: {**old.pages.get(q.name, {}), **new.pages.get(q.name, {})} for q in new.queues}
    return replace(new, counts=counts, pages=pages)


def changed_parts(
    old: AccountSnapshot | None, new: AccountSnapshot, parts: Iterable[Part]
) -> dict[Part, bool]:
    """For each part read into ``new``: whether it differs from ``old``. A status changed when
    the jobs of its first page did (not only their number: one job finishing and another
    starting is a change); the resources when a CE, a queue or the vCPUs in use did."""
    out: dict[Part, bool] = {}
    for part in parts:
        if old is None:
            out[part] = True
        elif part == RESOURCES:
            out[part] = (old.ces, old.queues, old.vcpus_in_use) != (
                new.ces,
                new.queues,
                new.vcpus_in_use,
            )
        else:
            before = old.pages.get(part.queue, {}).get(part.status)
            after = new.pages.get(part.queue, {}).get(part.status)
            out[part] = (
                before is None
                or after is None
                or _ids(before) != _ids(after)
                or (before.next_token is None) != (after.next_token is None)
            )
    return out


def _ids(page: FirstPage) -> list[str]:
    return [str(job.get("jobId", "")) for job in page.jobs]


@dataclass
class RefreshSchedule:
    """How fresh the data is and the automatic refresh's pace: every tick while reads succeed;
    while they fail (or AWS throttles), the data is STALE and the refreshes come exponentially
    further apart with jitter, up to :data:`MAX_BACKOFF_S`."""

    interval: float
    clock: Callable[[], float]
    random: Callable[[], float] = _random.random
    max_delay: float = MAX_BACKOFF_S
    failures: int = 0
    throttled: bool = False
    next_at: float | None = None
    #: The last read failed: what is shown is older than it says.
    stale: bool = False
    #: When a read last succeeded (the clock's time); None before the first.
    last_read: float | None = None

    def read_failed(self, *, throttled: bool = False) -> None:
        """A read failed: the data is STALE, and the refresh backs off once per refresh (a
        refresh that made several reads that all failed counts once)."""
        self.stale = True
        if self.due():
            self.failed(throttled=throttled)

    def read_succeeded(self) -> bool:
        """A read succeeded: fresh data, the normal pace. True when the data was STALE."""
        was_stale = self.stale
        self.stale = False
        self.last_read = self.clock()
        self.succeeded()
        return was_stale

    @property
    def failing(self) -> bool:
        return self.failures > 0

    def due(self) -> bool:
        """Whether the timer's tick should refresh now."""
        return self.next_at is None or self.clock() >= self.next_at

    def failed(self, *, throttled: bool = False) -> float:
        """A refresh failed: the seconds until the next one (also kept in :attr:`next_at`).

        The n-th failure in a row waits ``interval * 2**n`` capped at ``max_delay``, of which a
        random half is taken off ("equal jitter"), so many clients of one throttled account do
        not retry in step; never less than the interval."""
        self.failures += 1
        self.throttled = throttled
        ceiling = min(self.max_delay, self.interval * 2**self.failures)
        delay = max(self.interval, ceiling / 2 + self.random() * ceiling / 2)
        self.next_at = self.clock() + delay
        return delay

    def succeeded(self) -> None:
        """A refresh read AWS: back to the normal pace."""
        self.failures = 0
        self.throttled = False
        self.next_at = None

    def next_in(self) -> float | None:
        """Seconds until the next refresh while failing; None at the normal pace (and when there
        is no timer: an interval of 0)."""
        if not self.failing or self.next_at is None or self.interval <= 0:
            return None
        return max(0.0, self.next_at - self.clock())
