"""A job's log lines, held outside the log view (no textual import), in bounded memory.

Lines go through the logs engine's sanitizer as they arrive (one event, one row: control
characters and escape sequences become visible escapes), so nothing a container writes can act
on the terminal; the view puts them in Segments, which are never parsed as markup.

A chatty job writes millions of lines a day, so the buffer holds at most ``capacity`` of them:
the newest while following (older ones are let go and counted), or the first ones when the log
is read from its start (later ones are refused and counted). Lines keep their absolute number
in the log as read (``first`` is the number of the first held one), so the view, the search and
a saved file all say which part of the log they show.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from batchtui.follow import LogEvent
from batchtui.render.sanitize import sanitize_line

#: Lines held by default: a few tens of MB for typical lines, far more than a screen of
#: scroll-back, and independent of how long the job has run.
HELD_LINES = 100_000

Keep = Literal["newest", "oldest"]


@dataclass(frozen=True, slots=True)
class LogLine:
    timestamp: int  # epoch ms
    label: str  # "attempt 2", "child 7 attempt 1" when several streams are merged
    text: str  # sanitized, one row


def stamp(ms: int) -> str:
    t = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def format_line(line: LogLine, *, timestamps: bool, labels: bool) -> str:
    """One line as shown and saved: ``[timestamp ][[label] ]text``."""
    prefix = f"{stamp(line.timestamp)} " if timestamps else ""
    if labels and line.label:
        prefix += f"[{line.label}] "
    return prefix + line.text


class LogBuffer:
    """At most ``capacity`` lines of a log: the newest (``keep="newest"``, following) or the
    first (``keep="oldest"``, reading from the start)."""

    def __init__(self, capacity: int = HELD_LINES, *, keep: Keep = "newest") -> None:
        if capacity < 1:
            raise ValueError(f"a log buffer holds at least one line, not {capacity}")
        self.capacity = capacity
        self.keep: Keep = keep
        self.lines: list[LogLine] = []  # the held lines, oldest first
        self.dropped = 0  #: older lines let go to stay within capacity (keep="newest")
        self.refused = 0  #: later lines not taken because the buffer was full (keep="oldest")
        self._labels: dict[str, str] = {}  # one sanitized string per stream label, shared

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def first(self) -> int:
        """The absolute number (0-based) of the first held line."""
        return self.dropped

    @property
    def end(self) -> int:
        """One past the absolute number of the last held line."""
        return self.dropped + len(self.lines)

    @property
    def read(self) -> int:
        """Every line read so far, held or not."""
        return self.end + self.refused

    @property
    def full(self) -> bool:
        return len(self.lines) >= self.capacity

    def line(self, number: int) -> LogLine:
        """The held line of absolute ``number`` (IndexError when it is not held)."""
        if not self.first <= number < self.end:
            raise IndexError(f"line {number} is not held ({self.first}..{self.end - 1} are)")
        return self.lines[number - self.dropped]

    def extend(self, events: Iterable[LogEvent]) -> int:
        """Take ``events`` as lines; how many were appended (some may be dropped at once)."""
        if self.keep == "oldest":
            batch = list(events)
            room = max(0, self.capacity - len(self.lines))
            self.lines.extend(self._line(e) for e in batch[:room])
            self.refused += max(0, len(batch) - room)
            return min(room, len(batch))
        before = len(self.lines)
        self.lines.extend(self._line(e) for e in events)
        added = len(self.lines) - before
        excess = len(self.lines) - self.capacity
        if excess > 0:
            # One move of the held references per batch (batches hold up to 10,000 events).
            del self.lines[:excess]
            self.dropped += excess
        return added

    def prepend(self, events: Sequence[LogEvent]) -> int:
        """Take ``events``, the lines just before the first held one, back in front: the view
        pages back. Past ``capacity`` the newest held lines go (counted as refused), and the
        buffer takes no new line after them, since the lines between would be missing. How
        many were put back (at most as many as were dropped)."""
        events = events[len(events) - min(len(events), self.dropped) :]
        if not events:
            return 0
        self.lines[:0] = [self._line(e) for e in events]
        self.dropped -= len(events)
        excess = len(self.lines) - self.capacity
        if excess > 0:
            del self.lines[self.capacity :]
            self.refused += excess
            self.keep = "oldest"
        return len(events)

    def head_run(self) -> tuple[int, int]:
        """The first held line's timestamp and how many held lines from the first share it."""
        if not self.lines:
            return (0, 0)
        stamp_ = self.lines[0].timestamp
        n = 0
        for line in self.lines:
            if line.timestamp != stamp_:
                break
            n += 1
        return (stamp_, n)

    def _line(self, e: LogEvent) -> LogLine:
        raw = e.target.label if e.target and e.target.label else ""
        label = self._labels.get(raw)
        if label is None:
            label = self._labels[raw] = sanitize_line(raw, single_line=True)
        return LogLine(e.timestamp, label, sanitize_line(e.message, single_line=True))

    def clear(self, *, keep: Keep | None = None) -> None:
        """Forget every line (and the counts); ``keep`` switches newest / oldest."""
        self.lines.clear()
        self.dropped = self.refused = 0
        if keep is not None:
            self.keep = keep

    def format(self, line: LogLine, *, timestamps: bool, labels: bool) -> str:
        return format_line(line, timestamps=timestamps, labels=labels)

    def find(self, needle: str, start: int, step: int) -> int | None:
        """The next held line (absolute number, from ``start`` going ``step`` = 1 or -1,
        wrapping round the held lines) that contains ``needle``."""
        if not needle or not self.lines:
            return None
        needle = needle.lower()
        n = len(self.lines)
        at = start - self.dropped
        for k in range(1, n + 1):
            i = (at + step * k) % n
            if needle in self.lines[i].text.lower():
                return i + self.dropped
        return None

    def snapshot(self) -> list[LogLine]:
        """The held lines as they are now, for a thread to write while new ones arrive."""
        return list(self.lines)

    def save(self, path: Path, *, timestamps: bool = True, labels: bool = True) -> int:
        return write_lines(path, self.snapshot(), timestamps=timestamps, labels=labels)


def write_lines(
    path: Path, lines: Sequence[LogLine], *, timestamps: bool = True, labels: bool = True
) -> int:
    """Write ``lines`` to ``path``, one a row; how many. Raises OSError.

    The lines go to a hidden file beside ``path`` that replaces it once complete, so a full
    disk or a failed write never leaves a truncated log under the name asked for.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(format_line(line, timestamps=timestamps, labels=labels) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(lines)
