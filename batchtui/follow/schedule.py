"""When to poll next: fast while lines flow, backing off when idle, within CloudWatch's quotas.

CloudWatch Logs allows FilterLogEvents about 5 requests per second per account and region
(GetLogEvents 25), shared by everyone reading that account. The schedule polls every
``min_interval_s`` while polls bring lines, grows the interval by ``backoff`` per empty poll up
to ``max_interval_s``, and doubles it after a throttle. The :class:`RequestBudget` (a token
bucket) spaces the requests of multi-page polls and of many cursors so the loop itself never
exceeds ``requests_per_s``; botocore's adaptive retry mode handles the rest.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduleSettings:
    min_interval_s: float = 0.5
    max_interval_s: float = 4.0
    backoff: float = 1.5
    throttle_interval_s: float = 8.0  #: the interval after CloudWatch throttled us
    requests_per_s: float = 4.0  #: below FilterLogEvents' 5 TPS account quota
    burst: int = 8


class PollSchedule:
    """The interval before the next poll, from what the last poll brought."""

    def __init__(self, settings: ScheduleSettings | None = None) -> None:
        self.settings = settings or ScheduleSettings()
        self.interval = self.settings.min_interval_s

    def after_poll(self, had_events: bool) -> float:
        s = self.settings
        if had_events:
            self.interval = s.min_interval_s
        else:
            self.interval = min(s.max_interval_s, self.interval * s.backoff)
        return self.interval

    def after_throttle(self) -> float:
        s = self.settings
        self.interval = max(s.throttle_interval_s, min(60.0, self.interval * 2))
        return self.interval


class RequestBudget:
    """A token bucket over an injected clock: how long to wait before the next request."""

    def __init__(self, rate_per_s: float, burst: int, now: float) -> None:
        self.rate = rate_per_s
        self.burst = float(burst)
        self.tokens = float(burst)
        self.updated = now

    def wait_for(self, now: float) -> float:
        """Seconds to wait before a request may be sent at ``now`` (0 when it may go now)."""
        self._refill(now)
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
