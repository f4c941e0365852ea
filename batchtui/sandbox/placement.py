"""Why a RUNNABLE job is not placed, in AWS Batch's own statusReason words.

AWS sets these on the job at the head of a blocked queue ("Jobs stuck in a RUNNABLE status" in the
AWS Batch user guide); jobStateTimeLimitActions match on the code before `` - ``.
"""

from __future__ import annotations

from collections.abc import Sequence

from batchtui.capacity import fits, smallest_fitting
from batchtui.model import ResourceRequest
from batchtui.sandbox.batch_store import ComputeEnvironmentRecord

JOB_RESOURCE_REQUIREMENT = (
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) "
    "is higher than that can be met by the CE(s) attached to the job queue."
)
COMPUTE_ENVIRONMENT_MAX_RESOURCE = (
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue "
    "cannot meet the CPU requirement of the job."
)
SPOT_CAPACITY = (
    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - There is no Spot capacity available that meets "
    "the job requirements."
)
ON_DEMAND_CAPACITY = (
    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - There is no On-Demand capacity available that "
    "meets the job requirements."
)
INVALID_CE = "ACTION_REQUIRED - CE(s) associated with the job queue are invalid."


def misconfiguration(
    request: ResourceRequest, ces: Sequence[ComputeEnvironmentRecord]
) -> str | None:
    """The reason a job can never run on this queue's CEs as configured, or None.

    Disabled CEs count (enabling them is not a fix for these); INVALID ones do not.
    """
    if not ces:
        return None
    usable = [ce for ce in ces if ce.status != "INVALID"]
    if not usable:
        return INVALID_CE
    fitting = [ce for ce in usable if any(fits(request, it) for it in ce.instance_types)]
    if not fitting:
        return JOB_RESOURCE_REQUIREMENT
    for ce in fitting:
        smallest = smallest_fitting(request, ce.instance_types)
        if smallest is not None and smallest.vcpus <= ce.max_vcpus:
            return None
    return COMPUTE_ENVIRONMENT_MAX_RESOURCE


def capacity_reason(ce: ComputeEnvironmentRecord) -> str:
    return SPOT_CAPACITY if ce.purchase.is_spot else ON_DEMAND_CAPACITY
