"""What every rule shares: the settings, and facts worked out once per diagnosis.

A queue of 10,000 RUNNABLE jobs asks the same questions of the same compute environments for
every job; :class:`Context` answers each once (per resource request, per compute environment).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import cast

from batchtui.capacity import expand_instance_types, fits, fits_fargate, smallest_fitting
from batchtui.diagnose.facts import BatchFacts, JobFacts
from batchtui.diagnose.findings import Evidence
from batchtui.model import ComputeEnvironment, InstanceType, PurchaseModel, ResourceRequest

DESCRIBE_JOBS = "batch:DescribeJobs"
DESCRIBE_CES = "batch:DescribeComputeEnvironments"
DESCRIBE_QUEUES = "batch:DescribeJobQueues"
QUEUE_SNAPSHOT = "batch:GetJobQueueSnapshot"
INSTANCE_TYPES = "ec2:DescribeInstanceTypes"
SERVICE_QUOTA = "servicequotas:GetServiceQuota"  # the IAM action's prefix, not the SDK's


@dataclass(frozen=True)
class Settings:
    """How long a state may last before it is a finding (seconds; all configurable)."""

    #: A CAPACITY/UNDETERMINED reason younger than this while instances launch is transient.
    dwell_seconds: float = 300.0
    #: STARTING longer than this is worth a look (the image pull, usually).
    starting_seconds: float = 600.0
    #: An instance running longer than this without joining the ECS cluster never will.
    join_grace_seconds: float = 600.0
    #: A jobStateTimeLimitAction that cancels the job sooner than this is the first thing to say.
    time_limit_soon_seconds: float = 3600.0
    #: How long a new instance takes to boot and register, for start estimates.
    boot_seconds: float = 180.0


def ev(call: str, field: str, value: object) -> Evidence:
    return Evidence(call, field, str(value))


def job_evidence(job: JobFacts) -> Evidence:
    r = job.request
    gpus = f", {r.gpus} GPUs" if r.gpus else ""
    nodes = f", {job.num_nodes} nodes" if job.num_nodes else ""
    return ev(
        DESCRIBE_JOBS,
        "jobs[].container.resourceRequirements",
        f"{job.job_name or job.job_id}: {r.vcpus:g} vCPUs, {r.memory_mib} MiB{gpus}{nodes}",
    )


def room_needed(ce: ComputeEnvironment, it: InstanceType) -> tuple[int, str]:
    """The smallest maxvCpus with which ``ce`` can launch one more ``it`` now, and how it is
    counted: Batch launches an instance only while desiredvCpus plus its vCPUs stays within
    maxvCpus, and the vCPUs the CE holds (desiredvCpus: instances running other jobs, or kept
    by minvCpus) are not given back to make room."""
    held = max(ce.desired_vcpus, ce.min_vcpus)
    instance = f"a {it.vcpus}-vCPU {it.name}"
    if not held:
        return it.vcpus, instance
    return held + it.vcpus, f"the {held} vCPUs it holds now + {instance}"


class Context:
    """One diagnosis's facts, settings and memoised answers."""

    def __init__(self, facts: BatchFacts, settings: Settings) -> None:
        self.facts = facts
        self.settings = settings
        self.now_ms = int(facts.now * 1000)
        self.ces = facts.queue_compute_environments()
        self._types: dict[str, list[InstanceType]] = {}
        self.memo: dict[object, object] = {}

    # -- compute environments ---------------------------------------------------------
    def types_of(self, ce: ComputeEnvironment) -> list[InstanceType]:
        """The instance types a compute environment may launch (empty for Fargate)."""
        if ce.name not in self._types:
            catalog = self.facts.catalog or {}
            self._types[ce.name] = (
                []
                if ce.purchase_model.is_fargate
                else expand_instance_types(ce.instance_types, catalog)
            )
        return self._types[ce.name]

    @functools.cached_property
    def sizing_ces(self) -> list[ComputeEnvironment]:
        """The queue's compute environments that size a job: all but INVALID ones (a DISABLED
        one would run it once enabled, as AWS counts them)."""
        return [ce for ce in self.ces or () if ce.status != "INVALID"]

    def ce_fits(self, ce: ComputeEnvironment, request: ResourceRequest) -> bool:
        if ce.purchase_model.is_fargate:
            return fits_fargate(request) is not None
        return any(fits(request, it) for it in self.types_of(ce))

    def fitting_ces(self, request: ResourceRequest) -> list[ComputeEnvironment]:
        key = ("fitting", request)
        if key not in self.memo:
            self.memo[key] = [ce for ce in self.sizing_ces if self.ce_fits(ce, request)]
        return cast("list[ComputeEnvironment]", self.memo[key])

    def usable_fitting_ces(self, request: ResourceRequest) -> list[ComputeEnvironment]:
        """ENABLED, not INVALID, and an instance type (or Fargate size) holds the job."""
        return [ce for ce in self.fitting_ces(request) if ce.state == "ENABLED"]

    def smallest(self, ce: ComputeEnvironment, request: ResourceRequest) -> InstanceType | None:
        return smallest_fitting(request, self.types_of(ce))

    @functools.cached_property
    def pool_in_use(self) -> dict[PurchaseModel, int]:
        """vCPUs Batch's compute environments hold per purchase pool (their desiredvCpus)."""
        used: dict[PurchaseModel, int] = {}
        for ce in self.facts.compute_environments:
            used[ce.purchase_model] = used.get(ce.purchase_model, 0) + ce.desired_vcpus
        return used

    def launching(self, ce: ComputeEnvironment) -> bool:
        """Instances of the CE are on their way: it wants more vCPUs than have registered."""
        registered = self.facts.container_instances.get(ce.name)
        if registered is None:
            return False
        return ce.desired_vcpus > registered[1]

    @functools.cached_property
    def any_launching(self) -> bool:
        return any(self.launching(ce) for ce in self.ces or () if ce.state == "ENABLED")

    # -- time ------------------------------------------------------------------------
    def since_ms(self, job: JobFacts) -> int:
        """When the job's current statusReason most likely began: when it reached its place in
        the queue (the head's reason is set as it becomes the head), else when it was created."""
        pos = self.facts.position_of(job.job_id)
        if pos is not None and pos.earliest_time_ms:
            return pos.earliest_time_ms
        return job.created_at_ms

    def age_s(self, job: JobFacts) -> float:
        return max(0.0, (self.now_ms - self.since_ms(job)) / 1000)
