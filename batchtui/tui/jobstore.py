"""The jobs of one queue (or one array parent), held outside any widget.

Filled from ListJobs pages as they arrive, read by the virtual table through :meth:`JobIndex.select`.
Lives on the UI thread only: workers post pages, the screen's handler applies them here. No
textual import, so it is tested and benchmarked on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from batchtui.model import ACTIVE_STATUSES, JOB_STATUSES, JobSummary

#: Sortable columns: name -> key function.
SORT_KEYS = {
    "created": lambda j: j.created_at,
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
        return self.text.startswith("!")

    @property
    def needle(self) -> str:
        return (self.text[1:] if self.inverted else self.text).strip().lower()

    def matches(self, job: JobSummary) -> bool:
        if self.statuses and job.status not in self.statuses:
            return False
        needle = self.needle
        if not needle:
            return True
        found = (
            needle in job.job_name.lower()
            or needle in job.job_id.lower()
            or needle in job.status_reason.lower()
        )
        return found != self.inverted


class JobIndex:
    """Every job known for one listing, keyed by job id, with counts per status."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobSummary] = {}
        self._counts: Counter[str] = Counter()
        self._seen: dict[str, set[str]] = {}
        self.loaded: set[str] = set()  # statuses listed completely at least once
        self.version = 0  # bumps on every change; views cache on it

    def __len__(self) -> int:
        return len(self._jobs)

    def get(self, job_id: str) -> JobSummary | None:
        return self._jobs.get(job_id)

    def counts(self) -> Counter[str]:
        return Counter(self._counts)

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
        if gone:
            self.version += 1
        self.loaded.add(status)
        return gone

    def replace(self, status: str, jobs: Sequence[JobSummary]) -> list[str]:
        self.begin(status)
        self.add(status, jobs)
        return self.end(status)

    def select(self, query: JobQuery) -> list[JobSummary]:
        """The rows to show, filtered and sorted. O(n): called when the index or query changes."""
        rows = [j for j in self._jobs.values() if query.matches(j)]
        rows.sort(key=SORT_KEYS.get(query.sort, SORT_KEYS["created"]), reverse=query.descending)
        return rows
