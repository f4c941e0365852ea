"""Fargate and Fargate Spot compute environments: no instances, a vCPU budget and task sizes.

A Fargate CE launches nothing: a job placed on it becomes an ECS task at once (STARTING while
Fargate provisions it, 30-60 s), as long as the CE's running tasks stay within its maxvCpus and
the account's Fargate vCPU quota of its pool (Service Quotas L-3032A538 "Fargate On-Demand vCPU
resource count", L-36FBB829 "Fargate Spot vCPU resource count"), shared by every CE of that pool.
A job definition for Fargate says ``platformCapabilities: ["FARGATE"]`` and asks for one of
Fargate's task sizes exactly (:data:`batchtui.capacity.FARGATE_SIZES`).
"""

from __future__ import annotations

from typing import Any

from batchtui.capacity import fits_fargate
from batchtui.model import ResourceRequest
from batchtui.sandbox import placement
from batchtui.sandbox.batch_errors import BatchApiError, rejected
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord, Job
from batchtui.sandbox.batch_store import BatchStore

FARGATE_ON_DEMAND_QUOTA = "L-3032A538"  # Fargate On-Demand vCPU resource count
FARGATE_SPOT_QUOTA = "L-36FBB829"  # Fargate Spot vCPU resource count
#: ECS's stoppedReason for a Fargate Spot task whose capacity AWS took back, which Batch
#: reports as the attempt's statusReason (match it with evaluateOnExit's onStatusReason).
SPOT_INTERRUPTED = "Your Spot Task was interrupted."
#: computeResources keys AWS refuses for a Fargate CE ("<key> is not applicable for Fargate.").
NOT_FOR_FARGATE = (
    "minvCpus",
    "desiredvCpus",
    "instanceTypes",
    "instanceRole",
    "allocationStrategy",
    "bidPercentage",
    "spotIamFleetRole",
    "ec2KeyPair",
    "imageId",
    "launchTemplate",
    "placementGroup",
    "ec2Configuration",
    "tags",
)
LEGACY_RESOURCES = "{key} is not applicable for Fargate. Use resource requirements instead."


def is_fargate_definition(platform_capabilities: list[str]) -> bool:
    return "FARGATE" in platform_capabilities


def check_platform_capabilities(value: Any) -> list[str]:
    if value is None:
        return ["EC2"]
    if not isinstance(value, list) or value not in (["EC2"], ["FARGATE"]):
        raise BatchApiError('platformCapabilities must be ["EC2"] or ["FARGATE"]')
    return list(value)


def check_compute_resources(cr: dict[str, Any]) -> None:
    """CreateComputeEnvironment's refusals for a Fargate CE's computeResources."""
    for key in NOT_FOR_FARGATE:
        if cr.get(key) is not None:
            raise rejected(f"{key} is not applicable for Fargate.")


def size_error(request: ResourceRequest) -> str:
    return f"Fargate resource requirements ({request.vcpus:.2f} vCPU, {request.memory_mib} MiB) not valid."


def check_task_size(container: dict[str, Any], request: ResourceRequest) -> str | None:
    """Why a Fargate container cannot run as asked, in AWS's words; None when it can."""
    for key in ("vcpus", "memory"):
        if container.get(key) is not None:
            return LEGACY_RESOURCES.format(key=key)
    if request.gpus:
        return "GPU is not applicable for Fargate."  # a guess: AWS's wording was not found
    if fits_fargate(request) != (request.vcpus, request.memory_mib):
        return size_error(request)  # not one of Fargate's sizes exactly
    return None


def check_job_definition(
    container: dict[str, Any], platform: list[str], request: ResourceRequest
) -> None:
    """RegisterJobDefinition's refusals that depend on the platform."""
    if is_fargate_definition(platform):
        reason = check_task_size(container, request)
        if reason is not None:
            raise rejected(reason)
    elif container.get("networkConfiguration") is not None:
        raise rejected("networkConfiguration not applicable for EC2.")


def misconfiguration(request: ResourceRequest, ces: list[ComputeEnvironmentRecord]) -> str | None:
    """Why a job can never run on these Fargate CEs (its vCPUs above every maxvCpus), or None."""
    usable = [ce for ce in ces if ce.status != "INVALID"]
    if not usable:
        return placement.INVALID_CE
    if all(request.vcpus > ce.max_vcpus for ce in usable):
        return placement.COMPUTE_ENVIRONMENT_MAX_RESOURCE
    return None


class FargateCapacity:
    """vCPUs that Fargate tasks hold, per CE and per pool, under maxvCpus and the pool's quota."""

    def __init__(self, store: BatchStore, quotas: dict[str, float]) -> None:
        self.store = store
        self.quotas = quotas  # shared with the Sandbox: changes apply at once
        self.pool_used: dict[bool, float] = {False: 0.0, True: 0.0}  # spot? -> vCPUs

    def quota(self, spot: bool) -> float:
        return self.quotas.get(FARGATE_SPOT_QUOTA if spot else FARGATE_ON_DEMAND_QUOTA, 0.0)

    def place(
        self, job: Job, ces: list[ComputeEnvironmentRecord]
    ) -> ComputeEnvironmentRecord | None:
        """The first CE (in queue order) with room for the job's task, which now holds it."""
        vcpus = job.request.vcpus
        for ce in ces:
            spot = ce.purchase.is_spot
            if not ce.schedulable or ce.task_vcpus + vcpus > ce.max_vcpus + 1e-9:
                continue
            if self.pool_used[spot] + vcpus > self.quota(spot) + 1e-9:
                continue
            ce.tasks.add(job.job_id)
            ce.task_vcpus += vcpus
            self.pool_used[spot] += vcpus
            job.fargate_ce = ce.name
            return ce
        return None

    def release(self, job: Job) -> None:
        ce = self.store.compute_environments.get(job.fargate_ce or "")
        job.fargate_ce = None
        if ce is None or job.job_id not in ce.tasks:
            return
        ce.tasks.discard(job.job_id)
        ce.task_vcpus = max(0.0, ce.task_vcpus - job.request.vcpus)
        self.pool_used[ce.purchase.is_spot] = max(
            0.0, self.pool_used[ce.purchase.is_spot] - job.request.vcpus
        )
