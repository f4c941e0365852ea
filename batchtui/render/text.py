"""Plain-text tables and the small formatters every table uses."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

# The one formatter of durations lives in the lowest layer (the planner words its reasons with
# it too); tables and the TUI keep importing it from here.
from batchtui.wording import duration

__all__ = ["duration", "epoch_ms", "table", "to_json"]


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, max_width: int = 60) -> str:
    """Left-aligned columns separated by two spaces; cells longer than ``max_width`` are cut."""
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def _cell(value: Any, max_width: int) -> str:
    text = "-" if value is None or value == "" else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= max_width else text[: max_width - 1] + "…"


def epoch_ms(value: int | None) -> str:
    """AWS's epoch milliseconds as an ISO-8601 UTC time to the second."""
    if not value:
        return "-"
    t = dt.datetime.fromtimestamp(value / 1000, tz=dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False, default=str)
