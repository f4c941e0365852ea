"""The sandbox's Batch state: every record of the account and the indexes ListJobs pages over.

Nothing here knows about HTTP or time passing: :mod:`batch_api` reads and writes records
(:mod:`batch_records`), the scheduler's job lifecycle moves jobs between statuses through
:meth:`BatchStore.set_status`, which keeps the per-(queue, status) index right.
"""

from __future__ import annotations

import bisect
import random
import re
import uuid
from collections.abc import Callable, Iterator

from batchtui.sandbox import moto_glue
from batchtui.sandbox.batch_records import (
    ComputeEnvironmentRecord,
    Instance,
    Job,
    JobDefinitionRecord,
    JobQueueRecord,
    SchedulingPolicyRecord,
)

#: A job definition named as SubmitJob accepts it besides an ARN: ``name`` or ``name:revision``.
JOB_DEFINITION_REF = re.compile(r"^[A-Za-z0-9_-]{1,128}(:[0-9]+)?$")


class StatusIndex:
    """The jobs of one (queue, status), newest entry last, pageable from a cursor in O(page).

    Jobs leave an index by changing status; their entries go stale (the job's ``seq`` or
    ``status`` no longer matches) and are skipped, and the list is compacted once stale entries
    outnumber live ones, so a status's index costs O(jobs in that status) amortized.
    """

    __slots__ = ("jobs", "live", "seqs", "status")

    def __init__(self, status: str) -> None:
        self.status = status
        self.seqs: list[int] = []
        self.jobs: list[Job] = []
        self.live = 0

    def add(self, job: Job) -> None:
        self.seqs.append(job.seq)
        self.jobs.append(job)
        self.live += 1

    def remove(self, job: Job) -> None:
        del job  # its entry goes stale; counted only
        self.live -= 1
        if len(self.jobs) > 1024 and len(self.jobs) > 2 * self.live:
            keep = [
                (s, j) for s, j in zip(self.seqs, self.jobs, strict=True) if self._is_live(s, j)
            ]
            self.seqs = [s for s, _ in keep]
            self.jobs = [j for _, j in keep]

    def _is_live(self, seq: int, job: Job) -> bool:
        return job.seq == seq and job.status == self.status

    def newest_first(self, start_seq: int | None = None) -> Iterator[Job]:
        """Live jobs, newest entry first; from ``start_seq`` down (inclusive) when given."""
        end = len(self.seqs) if start_seq is None else bisect.bisect_right(self.seqs, start_seq)
        seqs, jobs = self.seqs, self.jobs
        for i in range(end - 1, -1, -1):
            job = jobs[i]
            if job.seq == seqs[i] and job.status == self.status:
                yield job


class BatchStore:
    """Every Batch resource of the sandbox's one account and region."""

    def __init__(self, region: str, rng: random.Random) -> None:
        self.region = region
        self.account = moto_glue.ACCOUNT_ID
        self.rng = rng
        self.compute_environments: dict[str, ComputeEnvironmentRecord] = {}
        self.job_queues: dict[str, JobQueueRecord] = {}
        self.job_definitions: dict[str, list[JobDefinitionRecord]] = {}  # name -> by revision
        self.jobs: dict[str, Job] = {}
        self.queue_jobs: dict[str, list[Job]] = {}  # top-level jobs by queue, creation order
        self.index: dict[tuple[str, str], StatusIndex] = {}
        self.instances: dict[str, Instance] = {}  # every live instance, by id
        self.scheduling_policies: dict[str, SchedulingPolicyRecord] = {}  # by ARN
        #: Told of every job's change of status (EventBridge's job state changes), once serving;
        #: not of a job's creation (AWS: "Events aren't created for the initial job submission").
        self.status_listener: Callable[[Job], None] | None = None
        self._seq = 0

    # -- identifiers ---------------------------------------------------------------------
    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:batch:{self.region}:{self.account}:{kind}/{name}"

    def job_arn(self, job_id: str) -> str:
        return self.arn("job", job_id)

    # -- lookups (name or ARN, as AWS accepts) -------------------------------------------
    def find_compute_environment(self, ref: str) -> ComputeEnvironmentRecord | None:
        return self.compute_environments.get(ref.rsplit("/", 1)[-1]) if ref else None

    def find_job_queue(self, ref: str) -> JobQueueRecord | None:
        return self.job_queues.get(ref.rsplit("/", 1)[-1]) if ref else None

    def find_job_definition(self, ref: str) -> JobDefinitionRecord | None:
        """``name`` (latest ACTIVE revision), ``name:revision`` or the ARN of either."""
        tail = ref.rsplit("/", 1)[-1] if ref.startswith("arn:") else ref
        name, _, rev = tail.partition(":")
        revisions = self.job_definitions.get(name)
        if not revisions:
            return None
        if rev:
            if not rev.isdigit():
                return None
            r = int(rev)
            return revisions[r - 1] if 0 < r <= len(revisions) else None
        active = [d for d in revisions if d.status == "ACTIVE"]
        return active[-1] if active else None

    def policy_of(self, queue: JobQueueRecord) -> SchedulingPolicyRecord | None:
        """The queue's fair-share policy, or None for a FIFO queue."""
        if not queue.scheduling_policy_arn:
            return None
        return self.scheduling_policies.get(queue.scheduling_policy_arn)

    def ce_of_queue(self, queue: JobQueueRecord) -> list[ComputeEnvironmentRecord]:
        out = []
        for _, name in queue.ce_order:
            ce = self.compute_environments.get(name)
            if ce is not None:
                out.append(ce)
        return out

    # -- jobs ------------------------------------------------------------------------------
    def add_job(self, job: Job) -> None:
        """Record a new job in its current status (SUBMITTED, or any status when seeding)."""
        self.jobs[job.job_id] = job
        if job.parent is None:
            self.queue_jobs.setdefault(job.queue, []).append(job)
            self._enter(job)
        else:
            counts = job.parent.status_counts
            assert counts is not None
            counts[job.status] = counts.get(job.status, 0) + 1

    def set_status(self, job: Job, status: str) -> None:
        if job.status == status:
            return
        if job.parent is None:
            self.index[(job.queue, job.status)].remove(job)
        else:
            counts = job.parent.status_counts
            assert counts is not None
            counts[job.status] -= 1
            counts[status] = counts.get(status, 0) + 1
        job.status = status
        if self.status_listener is not None:
            self.status_listener(job)
        if job.parent is None:
            self._enter(job)
        elif job.node_index == job.main_node and status not in ("SUCCEEDED", "FAILED"):
            self.set_status(job.parent, status)  # an MNP job shows its main node's status

    def _enter(self, job: Job) -> None:
        self._seq += 1
        job.seq = self._seq
        key = (job.queue, job.status)
        idx = self.index.get(key)
        if idx is None:
            idx = self.index[key] = StatusIndex(job.status)
        idx.add(job)

    def count(self, queue: str, status: str) -> int:
        idx = self.index.get((queue, status))
        return idx.live if idx else 0
