"""How batchtui words numbers for people: counts with the right noun form, durations as the
tables show them.

The lowest layer, beside :mod:`batchtui.model`: the planner words its reasons and warnings with
these, render and the TUI their tables, so every layer says "1h02m" and "1,000 jobs" alike.
"""

from __future__ import annotations


def count(n: float, noun: str, plural: str | None = None) -> str:
    """``count(1, "vCPU")`` -> ``"1 vCPU"``; ``count(1000, "job")`` -> ``"1,000 jobs"``.

    Singular only for exactly one (``0.5 vCPUs``, ``0 jobs``), as English counts.
    """
    text = f"{int(n):,}" if float(n).is_integer() else f"{n:g}"
    return f"{text} {noun if n == 1 else (plural or noun + 's')}"


def duration(seconds: float | None) -> str:
    """3725 -> '1h02m'; 59 -> '59s'; None -> '-'."""
    if seconds is None:
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"


def short_duration(seconds: float) -> str:
    """:func:`duration`, with ``"<1s"`` for what takes less than a second."""
    return "<1s" if seconds < 1.0 else duration(seconds)
