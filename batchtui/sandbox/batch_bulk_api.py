"""Batch's bulk job operations: CancelJobs and TerminateJobs, up to 50 jobs a call.

As AWS documents them: each job is handled as CancelJob / TerminateJob would, the answer is 200
with the jobs in ``successful`` (a job id Batch does not know counts as done), and ``errors`` for
those it could not handle; the sandbox has no such job, so ``errors`` stays empty.
"""

from __future__ import annotations

from typing import Any

from batchtui.sandbox.batch_errors import BatchApiError, require
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.scheduler import Scheduler

MAX_JOBS = 50


class BulkJobOperations:
    def __init__(self, store: BatchStore, scheduler: Scheduler) -> None:
        self.store = store
        self.scheduler = scheduler

    def _jobs(self, body: dict[str, Any]) -> tuple[list[str], str]:
        ids = require(body, "jobs", list)
        reason = require(body, "reason")
        if not 1 <= len(ids) <= MAX_JOBS or not all(isinstance(i, str) for i in ids):
            raise BatchApiError(f"jobs must list 1 to {MAX_JOBS} job ids")
        return ids, reason

    def cancel_jobs(self, body: dict[str, Any]) -> dict[str, Any]:
        ids, reason = self._jobs(body)
        for job_id in ids:
            job = self.store.jobs.get(job_id.rsplit("/", 1)[-1])
            if job is not None:
                self.scheduler.lifecycle.cancel(job, reason)
        return {"successful": ids, "errors": []}

    def terminate_jobs(self, body: dict[str, Any]) -> dict[str, Any]:
        ids, reason = self._jobs(body)
        for job_id in ids:
            job = self.store.jobs.get(job_id.rsplit("/", 1)[-1])
            if job is not None:
                self.scheduler.lifecycle.terminate(job, reason)
        return {"successful": ids, "errors": []}
