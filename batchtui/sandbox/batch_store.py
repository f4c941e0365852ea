"""The sandbox's Batch state: plain records with __slots__ and the indexes ListJobs pages over.

Nothing here knows about HTTP or time passing: :mod:`batch_api` reads and writes records,
:mod:`scheduler` moves jobs between statuses through :meth:`BatchStore.set_status`, which keeps
the per-(queue, status) index right. The store holds 100,000+ jobs in a few hundred bytes each:
a job shares its job definition's container properties and copies only its overrides.
"""

from __future__ import annotations

import bisect
import random
import re
import uuid
from collections.abc import Iterator
from typing import Any

from batchtui.capacity import schedulable_memory_mib
from batchtui.model import InstanceType, PurchaseModel
from batchtui.sandbox import moto_glue

#: A job definition named as SubmitJob accepts it besides an ARN: ``name`` or ``name:revision``.
JOB_DEFINITION_REF = re.compile(r"^[A-Za-z0-9_-]{1,128}(:[0-9]+)?$")


class ComputeEnvironmentRecord:
    __slots__ = (
        "allocation_strategy",
        "arn",
        "compute_resources",
        "created_at",
        "ecs_cluster_arn",
        "instance_types",
        "instances",
        "max_vcpus",
        "min_vcpus",
        "name",
        "purchase",
        "service_role",
        "state",
        "status",
        "status_reason",
        "tags",
        "task_vcpus",
        "tasks",
        "type",
        "uuid",
    )

    def __init__(self, name: str, arn: str, ce_type: str) -> None:
        self.name = name
        self.arn = arn
        self.type = ce_type  # MANAGED | UNMANAGED
        self.state = "ENABLED"
        self.status = "CREATING"
        self.status_reason = "Compute environment is being created"
        self.purchase = PurchaseModel.EC2
        self.allocation_strategy = "BEST_FIT"
        self.min_vcpus = 0
        self.max_vcpus = 0
        self.compute_resources: dict[str, Any] = {}  # echoed by Describe, as given
        self.instance_types: list[InstanceType] = []  # expanded from computeResources
        self.instances: dict[str, Instance] = {}  # live (launching or running) only
        self.tasks: set[str] = set()  # Fargate: jobs whose task holds vCPUs of this CE
        self.task_vcpus = 0.0
        self.service_role = ""
        self.tags: dict[str, str] = {}
        self.ecs_cluster_arn = ""
        self.uuid = ""
        self.created_at = 0.0

    @property
    def schedulable(self) -> bool:
        return self.state == "ENABLED" and self.status == "VALID"

    @property
    def desired_vcpus(self) -> int:
        """What the CE runs or is launching: AWS's desiredvCpus follows its instances."""
        return sum(i.itype.vcpus for i in self.instances.values())


class Instance:
    """One EC2 instance of a CE and the ECS container instance it registers as."""

    __slots__ = (
        "ce_name",
        "container_instance_arn",
        "exclusive",
        "free_gpus",
        "free_memory",
        "free_vcpus",
        "id",
        "idle_since",
        "interrupt_at",
        "itype",
        "jobs",
        "launched_at",
        "ready",
        "ready_at",
        "spot",
    )

    def __init__(
        self, instance_id: str, ce_name: str, itype: InstanceType, spot: bool, now: float
    ) -> None:
        self.id = instance_id
        self.ce_name = ce_name
        self.itype = itype
        self.spot = spot
        self.launched_at = now
        self.ready_at = 0.0
        self.ready = False
        self.container_instance_arn = ""
        self.free_vcpus = float(itype.vcpus)
        self.free_memory = schedulable_memory_mib(itype)
        self.free_gpus = itype.gpus
        self.jobs: set[str] = set()
        self.idle_since: float | None = now
        self.interrupt_at: float | None = None
        self.exclusive = False  # holds a node of a multi-node job: no other job joins it


class JobQueueRecord:
    __slots__ = (
        "arn",
        "ce_order",
        "created_at",
        "name",
        "priority",
        "scheduling_policy_arn",
        "state",
        "status",
        "status_reason",
        "tags",
        "time_limit_actions",
    )

    def __init__(self, name: str, arn: str) -> None:
        self.name = name
        self.arn = arn
        self.state = "ENABLED"
        self.status = "CREATING"
        self.status_reason = ""
        self.priority = 1
        self.ce_order: list[tuple[int, str]] = []  # (order, CE name), sorted by order
        self.time_limit_actions: list[dict[str, Any]] = []
        self.scheduling_policy_arn = ""
        self.tags: dict[str, str] = {}
        self.created_at = 0.0

    @property
    def schedulable(self) -> bool:
        return self.state == "ENABLED" and self.status == "VALID"


class JobDefinitionRecord:
    __slots__ = (
        "arn",
        "container_properties",
        "name",
        "node_properties",
        "parameters",
        "platform_capabilities",
        "propagate_tags",
        "retry_strategy",
        "revision",
        "scheduling_priority",
        "status",
        "tags",
        "timeout",
        "type",
    )

    def __init__(self, name: str, revision: int, arn: str) -> None:
        self.name = name
        self.revision = revision
        self.arn = arn
        self.status = "ACTIVE"
        self.type = "container"
        self.container_properties: dict[str, Any] = {}
        self.node_properties: dict[str, Any] | None = None  # type "multinode"
        self.retry_strategy: dict[str, Any] | None = None
        self.timeout: dict[str, Any] | None = None
        self.parameters: dict[str, str] = {}
        self.tags: dict[str, str] = {}
        self.propagate_tags = False
        self.platform_capabilities: list[str] = ["EC2"]
        self.scheduling_priority: int | None = None


class Attempt:
    """One finished attempt, as DescribeJobs' attempts[] shows it."""

    __slots__ = (
        "container_instance_arn",
        "exit_code",
        "log_stream",
        "reason",
        "started_at",
        "status_reason",
        "stopped_at",
        "task_arn",
    )

    def __init__(self) -> None:
        self.container_instance_arn = ""
        self.task_arn = ""
        self.log_stream = ""
        self.exit_code: int | None = None
        self.reason: str | None = None
        self.started_at: float | None = None
        self.stopped_at: float | None = None
        self.status_reason = ""


class Job:
    __slots__ = (
        "array_index",
        "array_size",
        "attempts",
        "children",
        "container",
        "container_instance_arn",
        "created_at",
        "depends_on",
        "exit_code",
        "fargate_ce",
        "instance_id",
        "is_cancelled",
        "is_terminated",
        "job_def",
        "job_id",
        "log_stream",
        "main_node",
        "name",
        "node_index",
        "node_properties",
        "nodes",
        "num_nodes",
        "parameters",
        "parent",
        "queue",
        "reason",
        "reason_since",
        "request",
        "retry_strategy",
        "run_token",
        "runnable_seq",
        "runnable_since",
        "seq",
        "started_at",
        "status",
        "status_counts",
        "status_reason",
        "stopped_at",
        "tags",
        "task_arn",
        "timeout",
        "waiting_on",
    )

    def __init__(self, job_id: str, name: str, queue: str, job_def: JobDefinitionRecord) -> None:
        self.job_id = job_id
        self.name = name
        self.queue = queue
        self.job_def = job_def
        self.status = "SUBMITTED"
        self.status_reason: str | None = None
        self.reason_since: float | None = None  # when the current blocked reason was set
        self.created_at = 0.0  # simulated epoch seconds
        self.started_at: float | None = None
        self.stopped_at: float | None = None
        self.runnable_since: float | None = None
        self.runnable_seq = 0  # its ticket in the RUNNABLE queue (see queue_positions)
        #: The container as run: the job definition's properties, overridden (shared when equal).
        self.container: dict[str, Any] = job_def.container_properties
        self.request: Any = None  # model.ResourceRequest
        self.parameters: dict[str, str] = job_def.parameters
        self.retry_strategy: dict[str, Any] | None = job_def.retry_strategy
        self.timeout: dict[str, Any] | None = job_def.timeout
        self.tags: dict[str, str] | None = None
        self.depends_on: list[dict[str, str]] = []
        self.waiting_on = 0  # unfinished dependencies
        self.array_size: int | None = None
        self.array_index: int | None = None
        self.parent: Job | None = None
        self.children: list[Job] | None = None
        self.status_counts: dict[str, int] | None = None  # array parents: children by status
        #: Multi-node parallel jobs: the parent's nodeProperties and nodes (``<id>#<i>``); each
        #: node knows its index, and both know the node count and the main node.
        self.node_properties: dict[str, Any] | None = None
        self.nodes: list[Job] | None = None
        self.num_nodes: int | None = None
        self.main_node = 0
        self.node_index: int | None = None
        self.attempts: list[Attempt] = []
        self.exit_code: int | None = None
        self.reason: str | None = None  # the container's reason (e.g. OutOfMemoryError)
        self.instance_id: str | None = None  # where the current attempt is placed (EC2)
        self.fargate_ce: str | None = None  # or the Fargate CE whose capacity its task holds
        self.task_arn = ""
        self.container_instance_arn = ""
        self.log_stream = ""
        self.is_cancelled = False
        self.is_terminated = False
        self.run_token = 0  # bumps with every attempt, so stale events are ignored
        self.seq = 0  # position in its (queue, status) index

    @property
    def is_final(self) -> bool:
        return self.status in ("SUCCEEDED", "FAILED")


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
