"""Finished jobs from before the sandbox started, written straight into the store.

No HTTP, no scheduler: each job is built in its final state (attempts, exit codes, log stream
names, array children and their parent's summary), which is what makes 100,000 of them take
seconds. The newest few thousand get their log lines; older ones' streams have expired, as they
do under a log group's retention (DescribeJobs still names them, as AWS does).
"""

from __future__ import annotations

import random
from typing import Protocol

from batchtui.model import InstanceType
from batchtui.sandbox.batch_api import BatchApi
from batchtui.sandbox.batch_records import (
    Attempt,
    ComputeEnvironmentRecord,
    Job,
    JobDefinitionRecord,
)
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.config import SandboxConfig
from batchtui.sandbox.fargate import SPOT_INTERRUPTED
from batchtui.sandbox.job_logs import log_target
from batchtui.sandbox.job_specs import resource_request
from batchtui.sandbox.scheduler import Scheduler
from batchtui.sandbox.status_reasons import ESSENTIAL_EXIT

#: Jobs (newest first) whose log lines are written; the rest are past retention.
LOGGED_JOBS = 5000
DAY = 86400.0
NAMES = ("ingest", "transform", "report", "resize", "score", "nightly-etl", "render", "tag-images")


class SeedTarget(Protocol):
    """The running sandbox that seeding writes into (the Sandbox, which imports the seeders)."""

    @property
    def store(self) -> BatchStore: ...

    @property
    def scheduler(self) -> Scheduler: ...

    @property
    def config(self) -> SandboxConfig: ...

    @property
    def catalog(self) -> dict[str, InstanceType]: ...

    @property
    def region(self) -> str: ...


def _ensure_resources(sb: SeedTarget) -> None:
    """An empty account gets one queue and one job definition to hold its history."""
    if sb.store.job_queues and sb.store.job_definitions:
        return
    api = BatchApi(sb.store, sb.scheduler, sb.catalog)
    if "history-ce" not in sb.store.compute_environments:
        api.compute_environments.create_compute_environment(
            {"computeEnvironmentName": "history-ce", "type": "UNMANAGED", "state": "ENABLED"}
        )
        sb.scheduler.advance(sb.config.resource_transition_seconds)
    if not sb.store.job_queues:
        api.create_job_queue(
            {
                "jobQueueName": "history",
                "priority": 1,
                "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "history-ce"}],
            }
        )
    if not sb.store.job_definitions:
        api.register_job_definition(
            {
                "jobDefinitionName": "history",
                "type": "container",
                "containerProperties": {"image": "busybox", "vcpus": 1, "memory": 1024},
            }
        )
    sb.scheduler.advance(sb.config.resource_transition_seconds)


class _Builder:
    def __init__(self, sb: SeedTarget, rng: random.Random) -> None:
        self.sb = sb
        self.store = sb.store
        self.rng = rng
        self.cluster = {
            ce.name: ce.ecs_cluster_arn.rsplit("/", 1)[-1]
            for ce in sb.store.compute_environments.values()
        }
        self.queue_ce = {
            q.name: (q.ce_order[0][1] if q.ce_order else "") for q in sb.store.job_queues.values()
        }
        self.fargate_queues = {
            q for q, ce in self.queue_ce.items()
            if ce in sb.store.compute_environments
            and sb.store.compute_environments[ce].purchase.is_fargate
        }  # fmt: skip
        self.logs: list[tuple[str, str, list[tuple[float, str]]]] = []

    def attempt(self, job: Job, started: float, stopped: float, exit_code: int | None,
                reason: str, log: bool) -> None:  # fmt: skip
        store = self.store
        cluster = self.cluster.get(self.queue_ce.get(job.queue, ""), "AWSBatch-history")
        task_id = store.new_hex(32)
        a = Attempt()
        a.task_arn = f"arn:aws:ecs:{store.region}:{store.account}:task/{cluster}/{task_id}"
        if job.queue not in self.fargate_queues:  # Fargate tasks run on no container instance
            a.container_instance_arn = (
                f"arn:aws:ecs:{store.region}:{store.account}:container-instance/{cluster}/"
                f"{store.new_hex(32)}"
            )
        target = log_target(job.container, job.job_def.name, task_id)
        a.log_stream = target[1] if target else ""
        a.started_at, a.stopped_at = started, stopped
        a.exit_code = exit_code
        a.status_reason = reason
        job.attempts.append(a)
        job.task_arn, job.container_instance_arn = a.task_arn, a.container_instance_arn
        job.log_stream, job.exit_code = a.log_stream, exit_code
        if log and target is not None:
            lines = [
                (started, f"[batch] job {job.name} ({job.job_id}) starting"),
                (started + (stopped - started) / 2, "progress 50%"),
                (stopped, f"exiting with status {exit_code if exit_code is not None else '?'}"),
            ]
            self.logs.append((target[0], target[1], lines))

    def job(self, created: float, queue: str, job_def: JobDefinitionRecord, log: bool,
            parent: Job | None = None, index: int | None = None) -> Job:  # fmt: skip
        rng = self.rng
        if parent is None:
            name = f"{rng.choice(NAMES)}-{rng.randrange(100_000):05d}"
            job = Job(self.store.new_uuid(), name, queue, job_def)
            job.request = resource_request(job_def.container_properties)
        else:
            job = Job(f"{parent.job_id}:{index}", parent.name, queue, job_def)
            job.request, job.parent, job.array_index = parent.request, parent, index
        job.created_at = created
        started = created + rng.uniform(5, 600)
        duration = rng.uniform(30, 1800)
        roll = rng.random()
        if roll < 0.86:
            self.attempt(job, started, started + duration, 0, ESSENTIAL_EXIT, log)
            job.status, job.status_reason = "SUCCEEDED", ESSENTIAL_EXIT
        elif roll < 0.93:
            code = rng.choice((1, 1, 1, 2, 137))
            self.attempt(job, started, started + duration, code, ESSENTIAL_EXIT, log)
            job.status, job.status_reason = "FAILED", ESSENTIAL_EXIT
        elif roll < 0.97:  # a spot interruption, then a successful retry
            lost = f"Host EC2 (instance i-{self.store.new_hex(17)}) terminated."
            if queue in self.fargate_queues:
                lost = SPOT_INTERRUPTED
            self.attempt(job, started, started + duration / 3, None, lost, False)
            started += duration / 3 + rng.uniform(60, 400)
            self.attempt(job, started, started + duration, 0, ESSENTIAL_EXIT, log)
            job.status, job.status_reason = "SUCCEEDED", ESSENTIAL_EXIT
        elif roll < 0.99:
            self.attempt(
                job, started, started + 3600, None, "Job attempt duration exceeded timeout", log
            )
            job.status, job.status_reason = "FAILED", "Job attempt duration exceeded timeout"
        else:
            job.status, job.status_reason, job.is_cancelled = "FAILED", "Cancelled by user", True
            started = duration = 0.0
        job.started_at = started or None
        job.stopped_at = (started + duration) if started else created + rng.uniform(60, 900)
        return job


def _runs_on(job_def: JobDefinitionRecord, ces: list[ComputeEnvironmentRecord]) -> bool:
    on_fargate = "FARGATE" in job_def.platform_capabilities
    return not ces or ces[0].purchase.is_fargate == on_fargate


def seed_history(sb: SeedTarget, n: int, *, end: float, seed: int | None = None) -> int:
    """Add ``n`` finished jobs (array children count) created over the days before ``end``."""
    _ensure_resources(sb)
    rng = random.Random(sb.config.random_seed if seed is None else seed)
    store = sb.store
    defs = [revs[-1] for revs in store.job_definitions.values() if revs]  # all deregistered: none
    by_queue = {  # each queue's history runs the job definitions its CEs can run
        name: [d for d in defs if _runs_on(d, store.ce_of_queue(q))]
        for name, q in sorted(store.job_queues.items())
        if q.state == "ENABLED"
    }
    queues = [name for name, runnable in by_queue.items() if runnable]
    b = _Builder(sb, rng)
    span = min(30.0, max(3.0, 3.0 * n / 3000)) * DAY
    made = 0
    step = span / max(1, n)
    t = end - span
    while made < n:
        t += rng.uniform(0.2, 1.8) * step
        created = min(t, end - 600)
        queue = rng.choice(queues)
        job_def = rng.choice(by_queue[queue])
        log = made >= n - LOGGED_JOBS
        if n - made > 60 and rng.random() < 0.01:
            size = rng.randint(2, 50)
            parent = Job(store.new_uuid(), f"{rng.choice(NAMES)}-array", queue, job_def)
            parent.request = resource_request(job_def.container_properties)
            parent.array_size, parent.status_counts, parent.children = size, {}, []
            parent.created_at, parent.status = created, "PENDING"
            store.add_job(parent)
            for i in range(size):
                child = b.job(created, queue, job_def, log and i < 3, parent, i)
                store.add_job(child)
                parent.children.append(child)
            ok = parent.status_counts.get("SUCCEEDED", 0) == size
            parent.started_at = min((c.started_at or created) for c in parent.children)
            parent.stopped_at = max((c.stopped_at or created) for c in parent.children)
            store.set_status(parent, "SUCCEEDED" if ok else "FAILED")
            parent.status_reason = None if ok else "Array Child Job failed"
            made += size + 1
        else:
            store.add_job(b.job(created, queue, job_def, log))
            made += 1
    for group, stream, lines in b.logs:
        sb.scheduler.logs.write(group, stream, lines)
    return made
