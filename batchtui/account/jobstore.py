"""The jobs of one queue (or one array parent), held outside any widget.

Filled from ListJobs pages as they arrive, read by the virtual table through :meth:`JobIndex.select`.
Lives on the UI thread only: workers post pages, the screen's handler applies them here. No
textual import, so it is tested and benchmarked on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from batchtui.account.textfilter import TextFilter
from batchtui.model import ACTIVE_STATUSES, JOB_STATUSES, JobSummary

#: Sortable columns: name -> key function.
SORT_KEYS = {
    # Array children share their parent's creation time: then by index.
    "created": lambda j: (j.created_at, j.array_index or 0),
    "name": lambda j: j.job_name.lower(),
    "status": lambda j: JOB_STATUSES.index(j.status) if j.status in JOB_STATUSES else 99,
    "started": lambda j: j.started_at or 0,
    "stopped": lambda j: j.stopped_at or 0,
    "id": lambda j: j.job_id,
}
SORT_ORDER = tuple(SORT_KEYS)


@dataclass(frozen=True)
class JobQuery:
    """What the user asked to see: statuses (empty = all), a filter text, a sort."""

    statuses: tuple[str, ...] = ()
    text: str = ""
    sort: str = "created"
    descending: bool = True

    @property
    def inverted(self) -> bool:
        return TextFilter(self.text).inverted

    @property
    def needle(self) -> str:
        return TextFilter(self.text).needle

    def matches(self, job: JobSummary, haystack: str | None = None) -> bool:
        if self.statuses and job.status not in self.statuses:
            return False
        needle = self.needle
        if not needle:
            return True
        found = needle in (haystack if haystack is not None else _haystack(job))
        return found != self.inverted


def _haystack(job: JobSummary) -> str:
    """What ``/`` searches: name, id and statusReason, lower-cased once per job version."""
    return f"{job.job_name}\0{job.job_id}\0{job.status_reason}".lower()


class JobIndex:
    """Every job known for one listing, keyed by job id, with counts per status."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobSummary] = {}
        self._counts: Counter[str] = Counter()
        self._seen: dict[str, set[str]] = {}
        self.loaded: set[str] = set()  # statuses listed completely at least once
        self.version = 0  # bumps on every change; views cache on it
        self._haystacks: dict[str, str] = {}
        self._sorted: tuple[tuple[int, str, bool], list[JobSummary]] | None = None

    def __len__(self) -> int:
        return len(self._jobs)

    def get(self, job_id: str) -> JobSummary | None:
        return self._jobs.get(job_id)

    def counts(self) -> Counter[str]:
        return Counter(self._counts)

    def newest_created_ms(self) -> int:
        """The newest createdAt listed (epoch ms); 0 when no job is."""
        return max((j.created_at for j in self._jobs.values()), default=0)

    def active_ids(self) -> set[str]:
        return {j.job_id for j in self._jobs.values() if j.status in ACTIVE_STATUSES}

    def put(self, jobs: Iterable[JobSummary]) -> None:
        for job in jobs:
            old = self._jobs.get(job.job_id)
            if old is not None:
                if old == job:
                    continue
                self._counts[old.status] -= 1
            self._jobs[job.job_id] = job
            self._haystacks[job.job_id] = _haystack(job)
            self._counts[job.status] += 1
            self.version += 1

    def begin(self, status: str) -> None:
        """A complete listing of ``status`` starts: jobs not seen by :meth:`end` are dropped."""
        self._seen[status] = set()

    def add(self, status: str, jobs: Sequence[JobSummary]) -> None:
        self._seen.setdefault(status, set()).update(j.job_id for j in jobs)
        self.put(jobs)

    def end(self, status: str) -> list[str]:
        """Finish a listing of ``status``; returns the ids that left it (dropped from the index)."""
        seen = self._seen.pop(status, set())
        gone = [i for i, j in self._jobs.items() if j.status == status and i not in seen]
        for job_id in gone:
            self._counts[status] -= 1
            del self._jobs[job_id]
            self._haystacks.pop(job_id, None)
        if gone:
            self.version += 1
        self.loaded.add(status)
        return gone

    def replace(self, status: str, jobs: Sequence[JobSummary]) -> list[str]:
        self.begin(status)
        self.add(status, jobs)
        return self.end(status)

    def select(self, query: JobQuery) -> list[JobSummary]:
        """The rows to show, filtered and sorted.

        The sorted list is kept until the index or the sort changes, so typing a filter or
        switching a status tab is one O(n) pass with no sort."""
        key = (self.version, query.sort, query.descending)
        if self._sorted is None or self._sorted[0] != key:
            ordered = list(self._jobs.values())
            ordered.sort(
                key=SORT_KEYS.get(query.sort, SORT_KEYS["created"]), reverse=query.descending
            )
            self._sorted = (key, ordered)
        ordered = self._sorted[1]
        if not query.statuses and not query.needle:
            return ordered
        # One pass with everything hoisted: ~10 ms per 100,000 jobs, so filtering keeps up
        # with typing.
        hay, needle, inverted = self._haystacks, query.needle, query.inverted
        statuses = frozenset(query.statuses)
        if statuses:
            ordered = [j for j in ordered if j.status in statuses]
        if not needle:
            return ordered
        return [j for j in ordered if (needle in hay[j.job_id]) != inverted]
