"""What AWS Batch's statusReason codes mean and what to do about them, in plain words.

A new on-call reads ``MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE`` and needs the next
step; the job detail shows these lines under the reason. Only the codes AWS documents for jobs
stuck in RUNNABLE (the diagnose command, when it lands, goes further with the account's facts).
No textual import.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Explanation:
    meaning: str
    todo: str


_BLOCKS = (
    " A job at the front of its queue with this reason holds back every job behind it: "
    "cancelling it (ctrl+d) lets them run."
)

_CODES: tuple[tuple[str, Explanation], ...] = (
    (
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
        Explanation(
            "the job needs more vCPUs than the maxvCpus of the queue's compute environments "
            "let them launch (an instance big enough would exceed maxvCpus).",
            "raise maxvCpus of a compute environment of the queue (s on it in the overview), "
            "or submit the job with fewer vCPUs." + _BLOCKS,
        ),
    ),
    (
        "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
        Explanation(
            "no instance type the queue's compute environments may launch has the vCPUs, "
            "memory or GPUs the job asks for.",
            "add a larger instance type (or family) to a compute environment of the queue, or "
            "submit the job asking for less." + _BLOCKS,
        ),
    ),
    (
        "CAPACITY:",
        Explanation(
            "EC2 could not give the compute environments the instances they asked for: no "
            "capacity for the types in the subnets' zones, or the account's vCPU quota for that "
            "purchase option (spot / on-demand) is used up.",
            "wait for capacity; or allow more instance types or subnets, use another purchase "
            "option, or raise the vCPU quota (Service Quotas)." + _BLOCKS,
        ),
    ),
    (
        "ACTION_REQUIRED",
        Explanation(
            "the compute environments of the job's queue cannot run it: they are INVALID.",
            "open the queue's compute environment (:ce) and read its status reason.",
        ),
    ),
)


def explain(status_reason: str) -> Explanation | None:
    """The explanation of a statusReason, by its code prefix; None for other reasons."""
    for code, explanation in _CODES:
        if status_reason.startswith(code):
            return explanation
    return None
