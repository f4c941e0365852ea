"""A de-duplicating cursor over one FilterLogEvents query: every event exactly once.

Why not just follow ``nextToken`` or restart at the newest timestamp seen (aws-cli's ``logs
tail``)? Because CloudWatch Logs orders events by their *timestamp*, not by when they were
ingested: an event stamped at 10:00:01 that arrives after one stamped 10:00:05 sorts before it,
and a reader that restarts at 10:00:05 never sees it (aws-cli #6788). So each poll re-reads a
look-back window behind the newest point reached and drops the events it has already emitted,
by ``eventId``.

The window is anchored on the server's clock: every event carries ``ingestionTime``. An event
that a poll misses was stored after the poll's first page was served (it was not on the page
that covered its place), so its ``ingestionTime`` is later than every ``ingestionTime`` seen up
to that first page, ``I``. Its timestamp is its ``ingestionTime`` minus its delay, so it is
later than ``I - delay``. The cursor learns the largest delay from the events themselves (a
container clock that runs behind gives a large one, a simulated clock that runs ahead a
negative one) and starts the next poll at ``I - (largest delay + margin_ms)``. ``margin_ms``
covers delays larger than any seen so far and CloudWatch's own lag between storing an event
and FilterLogEvents finding it.

Guarantee: every event whose delay is at most the largest delay seen plus ``margin_ms`` is
emitted exactly once. The ids remembered are those of the events inside the window, so memory
stays bounded however long the follow runs. What it costs: each poll re-reads the events of the
last ``margin_ms`` or so (plus the producers' delay jitter).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from batchtui.follow.model import LogEvent, Page, Query


@dataclass(frozen=True)
class LookbackSettings:
    margin_ms: int = 10_000  #: how much later than the largest delay seen an event may arrive


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
        self._first_page = True
        self._anchor: tuple[int | None, int | None] = (None, None)
        self._seen: set[str] = set()
        self._seen_heap: list[tuple[int, str]] = []  # (timestamp, eventId), to forget old ids
        self.frontier: int | None = None  #: newest timestamp emitted
        self.max_ingestion: int | None = None  #: newest ingestionTime seen (server clock)
        self.max_delay: int | None = None  #: largest ingestionTime - timestamp seen
        self.polls = 0
        self.emitted = 0

    @property
    def in_poll(self) -> bool:
        """A poll is under way: the last page carried a nextToken."""
        return self._token is not None

    @property
    def lookback_ms(self) -> int:
        """How far behind the server clock reached the next poll starts."""
        return (self.max_delay or 0) + self.settings.margin_ms

    def query(self) -> Query:
        if self._token is None:
            self._poll_start = self.horizon
            self._first_page = True
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
                delay = e.ingestion_time - e.timestamp
                if self.max_delay is None or delay > self.max_delay:
                    self.max_delay = delay
        self.emitted += len(new)
        if self._first_page:
            # The server's clock had reached at least this when it served the first page: an
            # event this poll misses (stored behind a page already read) was stored after it.
            self._anchor = (self.max_ingestion, self.frontier)
            self._first_page = False
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
        if frontier is None or max_ingestion is None:
            return  # nothing seen yet, or a source without ingestionTime: keep the start
        h = min(max_ingestion - self.lookback_ms, frontier)  # never past a line already shown
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
