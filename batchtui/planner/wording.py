"""How the planner words numbers in its reasons and warnings: counts with the right noun form,
durations as the plan's tables show them."""

from __future__ import annotations

from batchtui.render.text import duration  # the one formatter of durations

__all__ = ["count", "duration", "short_duration"]


def count(n: float, noun: str, plural: str | None = None) -> str:
    """``count(1, "vCPU")`` -> ``"1 vCPU"``; ``count(1000, "job")`` -> ``"1,000 jobs"``.

    Singular only for exactly one (``0.5 vCPUs``, ``0 jobs``), as English counts.
    """
    text = f"{int(n):,}" if float(n).is_integer() else f"{n:g}"
    return f"{text} {noun if n == 1 else (plural or noun + 's')}"


def short_duration(seconds: float) -> str:
    """:func:`duration`, with ``"<1s"`` for what takes less than a second."""
    return "<1s" if seconds < 1.0 else duration(seconds)
