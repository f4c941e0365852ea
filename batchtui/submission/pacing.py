"""How fast SubmitJob calls go out: a token bucket under AWS's 50 calls a second per account.

Pure: the caller gives the time and sleeps for what :meth:`TokenBucket.delay` answers (one wait
per call, never a polling loop). Throttling that still happens (other clients of the account
share the limit) is botocore's and :mod:`batchtui.aws.retries`' to ride out.
"""

from __future__ import annotations

from dataclasses import dataclass

#: AWS Batch's SubmitJob limit, per account and region.
SUBMIT_JOB_TPS = 50.0


@dataclass
class TokenBucket:
    """``rate`` calls a second on average, at most ``burst`` at once after a pause."""

    rate: float = SUBMIT_JOB_TPS * 0.8  # a fifth of the account's limit left to other clients
    burst: float = 10.0
    _tokens: float | None = None
    _last: float = 0.0

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")

    def delay(self, now: float) -> float:
        """Take a token for a call about to go out at ``now``: the seconds to wait first.

        A call that finds the bucket empty borrows its token from the future, so calls made
        back to back are spaced ``1 / rate`` apart however the caller's sleeps overshoot."""
        if self._tokens is None:
            self._tokens = self.burst
        else:
            self._tokens = min(self.burst, self._tokens + max(0.0, now - self._last) * self.rate)
        self._last = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
