"""What AWS Batch's statusReason codes mean and what to do about them, in plain words.

A new on-call reads ``MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE`` and needs the next
step; the job detail shows these lines under the reason. Only the codes AWS documents for jobs
stuck in RUNNABLE (the diagnose command, when it lands, goes further with the account's facts).
No textual import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from batchtui.model import ComputeEnvironment, JobQueue


@dataclass(frozen=True)
class Explanation:
    meaning: str
    todo: str


@dataclass(frozen=True)
class Keys:
    """The keys an explanation may point to, as the user's keymap has them; "" where the action
    is not offered (read-only), and the hint is then left out."""

    scale: str = "s"
    enable: str = "e"
    stop: str = "ctrl+d"


DEFAULT_KEYS = Keys()


def _hint(key: str, words: str) -> str:
    return f" ({key} {words})" if key else ""


def _blocks(keys: Keys) -> str:
    return (
        " A job at the front of its queue with this reason holds back every job behind it: "
        f"cancelling it{f' ({keys.stop})' if keys.stop else ''} lets them run."
    )


def _codes(keys: Keys) -> tuple[tuple[str, Explanation], ...]:
    blocks = _blocks(keys)
    return (
        (
            "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
            Explanation(
                "the job needs more vCPUs than the maxvCpus of the queue's compute environments "
                "let them launch (an instance big enough would exceed maxvCpus).",
                "raise maxvCpus of a compute environment of the queue"
                + _hint(keys.scale, "on it in the overview")
                + ", or submit the job with fewer vCPUs."
                + blocks,
            ),
        ),
        (
            "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
            Explanation(
                "no instance type the queue's compute environments may launch has the vCPUs, "
                "memory or GPUs the job asks for.",
                "add a larger instance type (or family) to a compute environment of the queue, "
                "or submit the job asking for less." + blocks,
            ),
        ),
        (
            "CAPACITY:",
            Explanation(
                "EC2 could not give the compute environments the instances they asked for: no "
                "capacity for the types in the subnets' zones, or the account's vCPU quota for "
                "that purchase option (spot / on-demand) is used up.",
                "wait for capacity; or allow more instance types or subnets, use another "
                "purchase option, or raise the vCPU quota (Service Quotas)." + blocks,
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


def explain(status_reason: str, keys: Keys = DEFAULT_KEYS) -> Explanation | None:
    """The explanation of a statusReason, by its code prefix; None for other reasons."""
    for code, explanation in _codes(keys):
        if status_reason.startswith(code):
            return explanation
    return None


def queue_blocker(
    queue: JobQueue, ces: Sequence[ComputeEnvironment], keys: Keys = DEFAULT_KEYS
) -> Explanation | None:
    """Why no job of ``queue`` can be placed, when AWS gives its jobs no statusReason for it:
    every compute environment of the queue is DISABLED (or DISABLED and INVALID; all INVALID
    is AWS's ACTION_REQUIRED). None when one of them can place jobs."""
    by_ref = {ref: ce for ce in ces for ref in (ce.name, ce.arn) if ref}
    mine = [by_ref.get(o.compute_environment) for o in queue.compute_environment_order]
    if not mine or any(ce is None for ce in mine):
        return None  # a CE the snapshot does not know: no claim
    usable = [
        ce for ce in mine if ce is not None and ce.state == "ENABLED" and ce.status != "INVALID"
    ]
    disabled = [ce.name for ce in mine if ce is not None and ce.state != "ENABLED"]
    if usable or not disabled:
        return None
    invalid = [ce.name for ce in mine if ce is not None and ce.state == "ENABLED"]
    meaning = (
        f"no compute environment of queue {queue.name} places jobs: "
        + ", ".join(disabled)
        + (" is" if len(disabled) == 1 else " are")
        + " DISABLED"
        + (f", {', '.join(invalid)} INVALID" if invalid else "")
        + ". Its RUNNABLE jobs wait without a status reason of their own."
    )
    todo = (
        "enable a compute environment of the queue"
        + _hint(keys.enable, "on it in the overview")
        + "; or move the jobs to another queue."
    )
    return Explanation(meaning, todo)
