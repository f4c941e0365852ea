"""How often each part of what the TUI shows is read again, and how many calls it may spend.

AWS Batch throttles per account, and an open TUI is one of many clients of it. So the automatic
refresh reads by what changes: each part (the compute environments and queues; the first
ListJobs page of one status of one queue) has its own :class:`Pace` that starts at a base
interval, slows down while the part comes back unchanged and returns to the base as soon as it
changes or the user acts. A :class:`CallBudget` (a token bucket charged with every call the
app's :class:`~batchtui.aws.session.Aws` counted, whoever made it) holds the automatic reads to a
rate; reads the user asks for are never held back, their calls are charged all the same.
:class:`CallRate` is what the status bar shows: calls in the last minute. Clocks are passed in:
tests and the benchmark step them by hand.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from batchtui.model import ACTIVE_STATUSES, JOB_STATUSES

#: Each unchanged read waits this many times longer for the next, up to the part's cap.
SLOW_DOWN = 2.0
#: The active statuses of a queue (RUNNING, RUNNABLE ...) are read every base interval while
#: they change; at most this long apart when they do not.
ACTIVE_CAP_S = 60.0
#: SUCCEEDED and FAILED only grow; their first pages are re-read this often at most ...
FINISHED_BASE_S = 60.0
#: ... and this rarely while unchanged.
FINISHED_CAP_S = 300.0
#: Compute environments and queues change when someone acts on them (the TUI re-reads them at
#: once after its own actions).
RESOURCES_BASE_S = 60.0
RESOURCES_CAP_S = 300.0
#: The automatic refresh's rate: under one call a second, so a TUI left open on an account
#: costs at most 3,600 calls an hour, whatever is on screen.
CALLS_PER_MINUTE = 45.0
#: Calls the automatic refresh may spend at once (a first read of the demo account is 57).
BURST_CALLS = 60.0
#: What one read of the compute environments and queues costs, until it has been measured:
#: DescribeComputeEnvironments, DescribeJobQueues and the vCPUs in use (ECS, DescribeJobs).
RESOURCES_COST = 7.0


@dataclass
class Pace:
    """The adaptive interval of one read: ``base`` while what it reads changes; each unchanged
    read multiplies it by :data:`SLOW_DOWN`, up to ``cap``; a change or the user acting brings
    it back to ``base``. It is never below ``base`` nor above ``cap``."""

    base: float
    cap: float
    interval: float = -1.0
    last_read: float | None = None

    def __post_init__(self) -> None:
        self.cap = max(self.cap, self.base)
        self.interval = min(self.cap, max(self.base, self.interval))

    def due(self, now: float) -> bool:
        """Never read, or read at least one interval ago."""
        return self.last_read is None or now - self.last_read >= self.interval

    def overdue(self, now: float) -> float:
        """Seconds since it became due (infinite when never read): the longest waiting is read
        first, so under a tight budget every part waits its turn, none starves."""
        if self.last_read is None:
            return math.inf
        return now - (self.last_read + self.interval)

    def late(self, now: float) -> bool:
        """Read more than twice its cap ago: whatever the reason (a budget spent, a read that
        never ends), what is shown is older than the refresh promises. Never with no cap (no
        timer: nothing is promised)."""
        return self.cap > 0 and self.last_read is not None and now - self.last_read > 2 * self.cap

    def read(self, now: float, *, changed: bool) -> None:
        """The part was read at ``now``; ``changed`` when it differs from the last read."""
        self.last_read = now
        self.interval = self.base if changed else min(self.cap, self.interval * SLOW_DOWN)

    def hurry(self) -> None:
        """The user acted: back to the base interval (what is due now is not made due)."""
        self.interval = self.base

    def expire(self) -> None:
        """Due at the next tick: the part is known to have changed (an action on it)."""
        self.hurry()
        self.last_read = None


@dataclass
class CallBudget:
    """A token bucket of API calls: ``per_minute`` tokens a minute, at most ``burst`` held.

    Every call counted (:meth:`charge`) takes a token, whoever made it: the user's own reads and
    actions leave less for the automatic refresh, which waits (:meth:`allows`) while the bucket is
    short. The bucket may go below zero while the automatic refresh's own reads overshoot, and
    the refresh waits for that debt to be paid back; a user's read is never refused, and
    :meth:`forgive` keeps what it cost from becoming a debt."""

    per_minute: float = CALLS_PER_MINUTE
    burst: float = BURST_CALLS
    tokens: float = BURST_CALLS
    at: float | None = None
    counted: int = 0  # the calls counted at the last charge

    def charge(self, now: float, calls_total: int) -> None:
        """Refill for the time since the last charge and take the calls counted since it."""
        if self.at is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.per_minute / 60)
        self.at = now
        self.tokens -= max(0, calls_total - self.counted)
        self.counted = calls_total

    def forgive(self, now: float, calls_total: int) -> None:
        """The calls counted so far were the user's (a read asked for): they empty the bucket
        and no more. A full read costs about a burst; held as a debt it would stop every
        automatic read for a minute or more, past the caps of the paces, with nothing on
        screen to say why."""
        self.charge(now, calls_total)
        self.tokens = max(0.0, self.tokens)

    def allows(self, cost: float) -> bool:
        return self.tokens >= cost

    def drain(self) -> None:
        """AWS throttled: nothing is left to spend until the bucket fills again."""
        self.tokens = min(self.tokens, 0.0)


@dataclass(frozen=True)
class Part:
    """One part of the account the overview shows: a queue's status (its first ListJobs page,
    hence its count), or :data:`RESOURCES` (compute environments, queues, vCPUs in use)."""

    queue: str = ""
    status: str = ""


RESOURCES = Part()


def every_part(queues: Iterable[str]) -> list[Part]:
    """All the parts of an account with these queues: what a full read (``r``) reads."""
    return [RESOURCES, *(Part(q, s) for q in queues for s in JOB_STATUSES)]


@dataclass
class AccountPacing:
    """The paces of every part of the account: which are due, within a budget, most overdue
    first; and how a read changes them."""

    base: float
    paces: dict[Part, Pace] = field(default_factory=dict)
    resources_cost: float = RESOURCES_COST

    def pace(self, part: Part) -> Pace:
        if part not in self.paces:
            if part == RESOURCES:
                base, cap = max(self.base, RESOURCES_BASE_S), RESOURCES_CAP_S
            elif part.status in ACTIVE_STATUSES:
                base, cap = self.base, ACTIVE_CAP_S
            else:
                base, cap = max(self.base, FINISHED_BASE_S), FINISHED_CAP_S
            if self.base <= 0:  # no timer: every read the user asks for reads everything
                base = cap = 0.0
            self.paces[part] = Pace(base, cap)
        return self.paces[part]

    def cost(self, part: Part) -> float:
        return self.resources_cost if part == RESOURCES else 1.0

    def due(self, now: float, queues: Iterable[str], tokens: float = math.inf) -> list[Part]:
        """The parts due at ``now``, most overdue first, as many as ``tokens`` calls pay for.

        A part that does not fit stops the choice: the tokens are saved up for it, or cheaper
        parts behind it would take every token as it comes and it would never be read."""
        due = [p for p in every_part(queues) if self.pace(p).due(now)]
        due.sort(key=lambda p: self.pace(p).overdue(now), reverse=True)
        chosen: list[Part] = []
        for part in due:
            if self.cost(part) > tokens:
                break
            chosen.append(part)
            tokens -= self.cost(part)
        return chosen

    def read(self, now: float, changed: Mapping[Part, bool]) -> None:
        """The parts read at ``now``, each with whether it changed."""
        for part, was_changed in changed.items():
            self.pace(part).read(now, changed=was_changed)

    def hurry(self) -> None:
        """The user acted: every part back to its base interval."""
        for pace in self.paces.values():
            pace.hurry()

    def slowest(self) -> float:
        """The longest interval any part is at now (0 before any read)."""
        return max((p.interval for p in self.paces.values()), default=0.0)


@dataclass
class CallRate:
    """Calls made in the last ``window`` seconds, from samples of a running total of calls.

    A sample holds the total when its instant was first and last seen: calls made at one
    instant of a clock that stands still (tests) are in its window, not lost between samples."""

    window: float = 60.0
    samples: deque[list[float]] = field(default_factory=deque)  # [time, first total, last total]

    def observe(self, now: float, total: int) -> None:
        if self.samples and self.samples[-1][0] >= now:
            self.samples[-1][2] = total
        else:
            self.samples.append([now, total, total])
        # Keep one sample at or before the window's start: the calls since then are its calls.
        while len(self.samples) > 1 and self.samples[1][0] <= now - self.window:
            self.samples.popleft()

    def per_minute(self, now: float, total: int) -> int:
        """Calls in the last window (those since the first sample while younger than one)."""
        self.observe(now, total)
        at, first, last = self.samples[0]
        return max(0, total - int(last if at <= now - self.window else first))
