"""A job's log lines, held outside the log view (no textual import).

Lines go through the logs engine's sanitizer as they arrive (one event, one row: control
characters and escape sequences become visible escapes), so nothing a container writes can act
on the terminal; the view puts them in Segments, which are never parsed as markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from batchtui.follow import LogEvent
from batchtui.render.sanitize import sanitize_line


@dataclass(frozen=True)
class LogLine:
    timestamp: int  # epoch ms
    label: str  # "attempt 2", "child 7 attempt 1" when several streams are merged
    text: str  # sanitized, one row


def stamp(ms: int) -> str:
    t = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


class LogBuffer:
    def __init__(self) -> None:
        self.lines: list[LogLine] = []

    def __len__(self) -> int:
        return len(self.lines)

    def extend(self, events: Iterable[LogEvent]) -> int:
        before = len(self.lines)
        self.lines.extend(
            LogLine(
                e.timestamp,
                sanitize_line(e.target.label, single_line=True)
                if e.target and e.target.label
                else "",
                sanitize_line(e.message, single_line=True),
            )
            for e in events
        )
        return len(self.lines) - before

    def clear(self) -> None:
        self.lines.clear()

    def format(self, line: LogLine, *, timestamps: bool, labels: bool) -> str:
        prefix = f"{stamp(line.timestamp)} " if timestamps else ""
        if labels and line.label:
            prefix += f"[{line.label}] "
        return prefix + line.text

    def find(self, needle: str, start: int, step: int) -> int | None:
        """The next line (from ``start``, going ``step`` = 1 or -1, wrapping) containing it."""
        if not needle or not self.lines:
            return None
        needle = needle.lower()
        n = len(self.lines)
        for k in range(1, n + 1):
            i = (start + step * k) % n
            if needle in self.lines[i].text.lower():
                return i
        return None

    def save(self, path: Path, *, timestamps: bool = True, labels: bool = True) -> int:
        with path.open("w", encoding="utf-8") as f:
            for line in self.lines:
                f.write(self.format(line, timestamps=timestamps, labels=labels) + "\n")
        return len(self.lines)
