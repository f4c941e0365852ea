"""Why a RUNNABLE job is not placed, in AWS Batch's own statusReason words.

AWS sets these on the job at the head of a blocked queue ("Jobs stuck in a RUNNABLE status" in the
AWS Batch user guide); jobStateTimeLimitActions match on the code before `` - ``. A job merely
waiting for instances to launch, or for running jobs to free room, has no reason: it is waiting
its turn, not blocking the queue.
"""

from __future__ import annotations

from collections.abc import Sequence

from batchtui.capacity import fits, smallest_fitting
from batchtui.model import ResourceRequest
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord

JOB_RESOURCE_REQUIREMENT = (
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) "
    "is higher than that can be met by the CE(s) attached to the job queue."
)
COMPUTE_ENVIRONMENT_MAX_RESOURCE = (
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue "
    "cannot meet the CPU requirement of the job."
)
#: AWS's words for "all connected compute environments have insufficient capacity errors"
#: ("Jobs stuck in RUNNABLE due to capacity"). The sandbox's causes of it: the purchase pool's
#: vCPU quota used up, or EC2 out of the instance type (:attr:`launches.Launches.shortage`).
INSUFFICIENT_CAPACITY = (
    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested for "
    "instance type {instance_type}"
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


#: The statusReason codes that mean "blocked": a FIFO queue's head blocked for one of these
#: holds back every job behind it until it leaves RUNNABLE or its cause is fixed.
BLOCKING_CODES = ("MISCONFIGURATION:", "CAPACITY:", "ACTION_REQUIRED")


def is_blocking(reason: str | None) -> bool:
    return reason is not None and reason.startswith(BLOCKING_CODES)


def capacity_reason(ce: ComputeEnvironmentRecord, request: ResourceRequest) -> str:
    """The reason for a job whose instance the CE cannot launch (its pool's quota is used up,
    or EC2 has none of the type)."""
    itype = smallest_fitting(request, ce.instance_types)
    return INSUFFICIENT_CAPACITY.format(instance_type=itype.name if itype else "unknown")
