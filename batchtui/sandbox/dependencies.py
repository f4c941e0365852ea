"""Which jobs wait on which: dependsOn, an array child's N_TO_N and SEQUENTIAL dependencies.

A job waits on job ids, some of which may not exist yet (the children of an array job that has
not spawned them). The lifecycle releases or fails the waiting jobs when the one they wait on
finishes.
"""

from __future__ import annotations

from collections.abc import Iterator

from batchtui.sandbox.batch_records import Job
from batchtui.sandbox.batch_store import BatchStore


class Dependencies:
    def __init__(self, store: BatchStore) -> None:
        self.store = store
        self._waiting: dict[str, list[Job]] = {}  # job id -> the jobs waiting on it

    def wait_for(self, job: Job, dep_id: str) -> bool:
        """Register ``job`` as waiting on ``dep_id``; False when that one already failed."""
        dep = self.store.jobs.get(dep_id)
        if dep is not None and dep.status == "SUCCEEDED":
            return True
        if dep is not None and dep.status == "FAILED":
            return False
        job.waiting_on += 1
        self._waiting.setdefault(dep_id, []).append(job)
        return True

    def waiting_on(self, job: Job) -> Iterator[Job]:
        """The jobs that waited on ``job`` (which just finished), each handed out once.

        An array job that never spawned its children also answers for them. The jobs of each id
        are taken as the iteration reaches it, so releasing one job may still register others.
        """
        ids = [job.job_id]
        if job.children is None and job.array_size is not None and job.parent is None:
            ids += [f"{job.job_id}:{i}" for i in range(job.array_size)]  # never spawned
        for dep_id in ids:
            yield from self._waiting.pop(dep_id, ())
