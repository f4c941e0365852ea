"""Simulated time. Tests move a manual clock by hand; `--sandbox` runs one at --speed."""

from __future__ import annotations

import time


class Clock:
    """Simulated epoch seconds."""

    def now(self) -> float:
        raise NotImplementedError


class ManualClock(Clock):
    """Moves only when told to (Sandbox.advance); what tests use."""

    def __init__(self, start: float) -> None:
        self._t = start

    def now(self) -> float:
        return self._t

    def set(self, t: float) -> None:
        self._t = max(self._t, t)


class RealtimeClock(Clock):
    """Runs ``speed`` simulated seconds per real second from ``start``."""

    def __init__(self, start: float, speed: float) -> None:
        self.start = start
        self.speed = speed
        self._real0 = time.monotonic()

    def now(self) -> float:
        return self.start + (time.monotonic() - self._real0) * self.speed

    def set(self, t: float) -> None:
        """Jump ahead (seeding runs the scheduler forward before the clock starts)."""
        if t > self.now():
            self.start = t
            self._real0 = time.monotonic()
