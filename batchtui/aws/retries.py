"""When to try an AWS request again, how long to wait, and when to stop calling an endpoint.

Pure: no boto3, no clock, no randomness of its own. :mod:`batchtui.aws.session` classifies what
went wrong into a :class:`Fault`, and asks an :class:`Attempts` (one request's tries) how long
each try may wait for an answer and whether to try again after a pause; a :class:`Circuit` (one
endpoint) says when batchtui stops calling an endpoint that keeps failing.

Why not botocore's own retries: they multiply a 30 s read timeout by the attempts (a dead
endpoint failed after 150 s), retry server errors and dropped connections tens of milliseconds
apart (a 20 s brown-out failed a command in under a second), and know no time budget. botocore
still paces throttled clients (adaptive mode); this module decides the retries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Fault(enum.Enum):
    """What went wrong with one try, as far as retrying is concerned."""

    THROTTLED = "throttled"
    SERVER_ERROR = "server error"
    UNREACHABLE = "unreachable"  #: no connection was made: the request was not sent
    DROPPED = "dropped"  #: the connection closed before the whole answer came
    TIMEOUT = "timeout"  #: no answer within the try's read timeout
    CUT_SHORT = "cut short"  #: an answer shorter than announced, or one that does not parse

    @property
    def request_may_have_run(self) -> bool:
        """True when AWS may have carried the request out although its answer was lost: a
        change must not be sent twice (SubmitJob has no idempotency token)."""
        return self in (Fault.DROPPED, Fault.TIMEOUT, Fault.CUT_SHORT)


#: Per-try read timeouts for interactive use, by operation; every other operation gets
#: DEFAULT_READ_TIMEOUT_S. A read timeout is the longest pause between bytes, not the
#: transfer's total, so a large page on a slow link is not cut by it; what differs by
#: operation is how long AWS may think before it answers.
READ_TIMEOUTS_S: dict[str, float] = {
    "FilterLogEvents": 15.0,  # scans a log group before its first byte
    "GetProducts": 10.0,  # Pricing API answers are slow
    "DescribeSpotPriceHistory": 10.0,
    "GetQueryResults": 10.0,
}
DEFAULT_READ_TIMEOUT_S = 5.0  #: ListJobs, GetLogEvents, Describe*: small, quick answers


@dataclass(frozen=True)
class RetryPolicy:
    """How long one request keeps trying (``budget_s``, retries included) and how it backs off.

    ``max_attempts`` counts tries the way botocore's ``total_max_attempts`` does: the first
    try included. The default budget answers on a dead endpoint within about 10 s; a slow link
    raises it (``BATCHTUI_AWS_TIMEOUT``), which stretches the read timeouts in proportion.
    """

    budget_s: float = 10.0
    max_attempts: int = 6
    #: First pause after a server error, a dropped connection or a cut-short answer: seconds,
    #: so that five tries span a brown-out of several seconds.
    base_s: float = 1.0
    throttle_base_s: float = 1.0
    max_backoff_s: float = 8.0
    #: No try waits less than this for an answer, even at the end of the budget.
    min_timeout_s: float = 1.0
    #: Requests in a row that gave up before the circuit opens ...
    circuit_failures: int = 2
    #: ... and how long it then stays open (no call goes out).
    circuit_cooldown_s: float = 30.0
    read_timeouts_s: dict[str, float] = field(default_factory=lambda: dict(READ_TIMEOUTS_S))
    default_read_timeout_s: float = DEFAULT_READ_TIMEOUT_S

    @classmethod
    def with_budget(cls, budget_s: float) -> RetryPolicy:
        """A policy for a slower (or faster) link: read timeouts scale with the budget."""
        scale = budget_s / cls.budget_s
        return cls(
            budget_s=budget_s,
            read_timeouts_s={op: t * scale for op, t in READ_TIMEOUTS_S.items()},
            default_read_timeout_s=DEFAULT_READ_TIMEOUT_S * scale,
            circuit_cooldown_s=max(cls.circuit_cooldown_s, budget_s * 3),
        )

    def read_timeout(self, operation: str) -> float:
        return self.read_timeouts_s.get(operation, self.default_read_timeout_s)

    def backoff(self, fault: Fault, retry: int, rand: float) -> float:
        """The pause before retry number ``retry`` (1 = the first retry).

        Exponential with "equal jitter": half the step is fixed, half random, so a pause is
        never near zero (the endpoint gets a real rest) and clients that failed together do
        not come back together. ``rand`` is a number in [0, 1).
        """
        base = self.throttle_base_s if fault is Fault.THROTTLED else self.base_s
        step = min(self.max_backoff_s, base * 2 ** (retry - 1))
        return step / 2 + rand * step / 2


@dataclass
class Attempts:
    """The tries of one request under a :class:`RetryPolicy`, from ``started`` on."""

    policy: RetryPolicy
    started: float
    tries: int = 0  #: tries that failed so far
    longest_timeout: float = 0.0  #: the longest any try was allowed to wait for an answer

    def timeout_for(self, operation: str, now: float) -> float:
        """How long the next try may wait for an answer: the operation's read timeout, cut to
        what is left of the budget (never below ``min_timeout_s``)."""
        left = self.policy.budget_s - (now - self.started)
        timeout = max(self.policy.min_timeout_s, min(self.policy.read_timeout(operation), left))
        self.longest_timeout = max(self.longest_timeout, timeout)
        return timeout

    def retry_after(self, fault: Fault, now: float, rand: float, *, changes: bool) -> float | None:
        """Record a failed try; the pause before the next one, or None to give up.

        ``changes``: the request changes the account, so a fault after which AWS may have
        carried it out is not retried (it would be done twice)."""
        self.tries += 1
        if changes and fault.request_may_have_run:
            return None
        if self.tries >= self.policy.max_attempts:
            return None
        delay = self.policy.backoff(fault, self.tries, rand)
        # The last pause is cut to leave the last try its shortest wait within the budget,
        # but never below the jitter's floor: that would be a retry in a hurry.
        room = self.policy.budget_s - (now - self.started) - self.policy.min_timeout_s
        if room < self.policy.backoff(fault, self.tries, 0.0):
            return None
        return min(delay, room)

    def waited(self, now: float) -> float:
        return now - self.started


@dataclass
class Circuit:
    """One endpoint's health: after ``circuit_failures`` requests in a row gave up, no call
    goes out for ``circuit_cooldown_s``; then one request may try (it closes the circuit if it
    succeeds, opens it again if it gives up)."""

    policy: RetryPolicy
    url: str = ""  #: the endpoint
    failures: int = 0
    open_until: float | None = None
    last_failure: str = ""

    def closed_in(self, now: float) -> float:
        """Seconds until calls may go out again; 0 when they may now."""
        if self.open_until is None or now >= self.open_until:
            return 0.0
        return self.open_until - now

    def succeeded(self) -> None:
        self.failures = 0
        self.open_until = None
        self.last_failure = ""

    def gave_up(self, now: float, why: str) -> bool:
        """Record a request that gave up; True when this opened the circuit."""
        self.failures += 1
        self.last_failure = why
        if self.failures >= self.policy.circuit_failures:
            self.open_until = now + self.policy.circuit_cooldown_s
            return True
        return False
