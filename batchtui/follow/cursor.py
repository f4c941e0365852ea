"""A de-duplicating cursor over one FilterLogEvents query: every event exactly once.

Why not just follow ``nextToken`` or restart at the newest timestamp seen (aws-cli's ``logs
tail``)? Because CloudWatch Logs orders events by their *timestamp*, not by when they were
ingested: an event stamped at 10:00:01 that arrives after one stamped 10:00:05 sorts before it,
and a reader that restarts at 10:00:05 never sees it (aws-cli #6788). So each poll re-reads a
look-back window behind the newest point reached and drops the events it has already emitted,
by ``eventId``.

The window is anchored on the server's clock: every event carries ``ingestionTime``. An event
that a poll misses was stored after that poll began, so its ``ingestionTime`` is later than any
``ingestionTime`` seen before the poll began, and its timestamp is later than that
``max_ingestion_seen - delay``, where ``delay`` is how long after its timestamp it was
stored. The cursor learns the largest delay from the events
themselves and keeps the window at twice that (at least ``min_lookback_ms``, at most
``max_lookback_ms``). A container whose clock runs behind therefore widens the window instead
of losing lines. The second bound, ``frontier - max_lookback_ms``, keeps the re-read cost
bounded when producers stamp events *ahead* of the server's clock.

Guarantee: an event is emitted exactly once if it was stored no more than the window after its
timestamp and its timestamp is no more than ``max_lookback_ms`` behind the newest one emitted.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from batchtui.follow.model import LogEvent, Page, Query


@dataclass(frozen=True)
class LookbackSettings:
    min_lookback_ms: int = 10_000
    max_lookback_ms: int = 15 * 60_000


class StreamCursor:
    """Reads a set of streams of one log group with FilterLogEvents, emitting each event once.

    Use: ``q = cursor.query()``; make the request; ``new = cursor.accept(page)``; while
    ``cursor.in_poll`` more pages of the same poll are due (the request carries CloudWatch's
    ``nextToken``). When a poll ends, the next ``query()`` starts a new poll at the horizon.
    """

    def __init__(
        self,
        log_group: str,
        log_streams: Iterable[str],
        *,
        start_time: int | None = None,
        end_time: int | None = None,
        filter_pattern: str | None = None,
        settings: LookbackSettings | None = None,
    ) -> None:
        self.log_group = log_group
        self.log_streams = tuple(log_streams)
        self.start_time = start_time
        self.end_time = end_time
        self.filter_pattern = filter_pattern
        self.settings = settings or LookbackSettings()
        self.horizon: int | None = start_time  #: startTime of the next poll
        self._poll_start: int | None = start_time  #: startTime of the poll under way
        self._token: str | None = None
        self._anchor: tuple[int | None, int | None] = (None, None)
        self._seen: set[str] = set()
        self._seen_heap: list[tuple[int, str]] = []  # (timestamp, eventId), to forget old ids
        self.frontier: int | None = None  #: newest timestamp emitted
        self.max_ingestion: int | None = None  #: newest ingestionTime seen (server clock)
        self.max_delay = 0  #: largest ingestionTime - timestamp seen
        self.polls = 0
        self.emitted = 0

    @property
    def in_poll(self) -> bool:
        """A poll is under way: the last page carried a nextToken."""
        return self._token is not None

    @property
    def lookback_ms(self) -> int:
        s = self.settings
        return max(s.min_lookback_ms, min(s.max_lookback_ms, 2 * self.max_delay))

    def query(self) -> Query:
        if self._token is None:
            self._poll_start = self.horizon
            # What the server's clock had reached, at least, when this poll began: an event
            # this poll misses (stored behind a page already read) was stored after that.
            self._anchor = (self.max_ingestion, self.frontier)
        return Query(
            log_group=self.log_group,
            log_streams=self.log_streams,
            start_time=self._poll_start,
            end_time=self.end_time,
            filter_pattern=self.filter_pattern,
            next_token=self._token,
        )

    def accept(self, page: Page) -> list[LogEvent]:
        """The events of ``page`` not emitted before, in CloudWatch's order."""
        new: list[LogEvent] = []
        for e in page.events:
            key = e.event_id or _content_key(e)
            if key in self._seen:
                continue
            if self._poll_start is not None and e.timestamp < self._poll_start:
                continue  # not ours to judge: a server that ignored startTime
            self._seen.add(key)
            heapq.heappush(self._seen_heap, (e.timestamp, key))
            new.append(e)
            if self.frontier is None or e.timestamp > self.frontier:
                self.frontier = e.timestamp
            if e.ingestion_time:
                if self.max_ingestion is None or e.ingestion_time > self.max_ingestion:
                    self.max_ingestion = e.ingestion_time
                self.max_delay = max(self.max_delay, e.ingestion_time - e.timestamp)
        self.emitted += len(new)
        self._token = page.next_token or None
        if self._token is None:
            self.polls += 1
            self._advance_horizon()
        return new

    def restart_poll(self) -> None:
        """Drop the nextToken of a poll that failed; the next query restarts the poll."""
        self._token = None

    def _advance_horizon(self) -> None:
        max_ingestion, frontier = self._anchor
        if frontier is None:
            return
        candidates = [frontier - self.settings.max_lookback_ms]
        if max_ingestion is not None:
            candidates.append(max_ingestion - self.lookback_ms)
        h = min(max(candidates), frontier)  # never start past a line emitted before this poll
        if self.start_time is not None:
            h = max(h, self.start_time)
        if self.horizon is None or h > self.horizon:
            self.horizon = h
            # Ids older than the horizon cannot come back: startTime excludes them.
            while self._seen_heap and self._seen_heap[0][0] < h:
                _, event_id = heapq.heappop(self._seen_heap)
                self._seen.discard(event_id)

    @property
    def remembered(self) -> int:
        """How many event ids the cursor holds (bounded by the events inside the window)."""
        return len(self._seen)


def _content_key(e: LogEvent) -> str:
    # FilterLogEvents always reports eventId; this only serves a source that does not.
    return f"\0{e.log_stream}\0{e.timestamp}\0{e.ingestion_time}\0{e.message}"
