"""What AWS Batch's statusReason codes mean and what to do about them, in plain words.

The one source of these words: the diagnose rules, the CLI, the TUI's job detail and its
overview all read them here. A fix names where batchtui can act with a placeholder
(``{scale}``, ``{enable}``, ``{cancel}``) that the caller fills with its own hint: the TUI with
the user's key, the CLI with the key's name, read-only mode with nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from batchtui.model import ComputeEnvironment, JobQueue


@dataclass(frozen=True)
class Meaning:
    """A statusReason code's meaning and its fix (with hint placeholders)."""

    code: str
    meaning: str
    fix: str
    #: A job at the head of a FIFO queue with this reason holds back every job behind it.
    blocks_queue: bool = True

    def todo(self, hints: Mapping[str, str]) -> str:
        """The fix with its hints filled, and the head-of-queue note where it applies."""
        text = self.fix.format_map(_Hints(hints))
        if self.blocks_queue:
            text += HEAD_BLOCKS.format_map(_Hints(hints))
        return text


class _Hints(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


HEAD_BLOCKS = (
    " A job at the front of its queue with this reason holds back every job behind it: "
    "cancelling it{cancel} lets them run."
)

MEANINGS: tuple[Meaning, ...] = (
    Meaning(
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
        "the job needs more vCPUs than the maxvCpus of the queue's compute environments "
        "let them launch (an instance big enough would exceed maxvCpus).",
        "raise maxvCpus of a compute environment of the queue{scale}, or submit the job with "
        "fewer vCPUs.",
    ),
    Meaning(
        "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
        "no instance type the queue's compute environments may launch has the vCPUs, "
        "memory or GPUs the job asks for.",
        "add a larger instance type (or family) to a compute environment of the queue, "
        "or submit the job asking for less.",
    ),
    Meaning(
        "MISCONFIGURATION:EC2_INSTANCE_CONFIGURATION_UNSUPPORTED",
        "the compute environment's launch configuration (AMI, launch template, instance type "
        "and architecture) cannot run on the instances it launches.",
        "check the compute environment's AMI and launch template against its instance types.",
    ),
    Meaning(
        "MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS",
        "AWS Batch's service role lacks permissions it needs to launch or watch instances.",
        "use the service-linked role AWSServiceRoleForBatch, or attach AWSBatchServiceRole "
        "to the compute environment's service role.",
    ),
    Meaning(
        "CAPACITY:",
        "EC2 could not give the compute environments the instances they asked for: no "
        "capacity for the types in the subnets' zones, or the account's vCPU quota for "
        "that purchase option (spot / on-demand) is used up.",
        "wait for capacity; or allow more instance types or subnets, use another "
        "purchase option, or raise the vCPU quota (Service Quotas).",
    ),
    Meaning(
        "ACTION_REQUIRED",
        "the compute environments of the job's queue cannot run it: they are INVALID.",
        "open the queue's compute environment (:ce) and read its status reason.",
        blocks_queue=False,
    ),
    Meaning(
        "UNDETERMINED",
        "AWS Batch could not tell why the job is not placed.",
        "check the compute environments' scaling activity and the instances' ECS registration.",
    ),
)


def meaning_of(status_reason: str) -> Meaning | None:
    """The meaning of a statusReason, by its code prefix; None for other reasons."""
    for m in MEANINGS:
        if status_reason.startswith(m.code):
            return m
    return None


def is_blocking_reason(status_reason: str) -> bool:
    """AWS's codes for a blocked queue head: MISCONFIGURATION, CAPACITY, ACTION_REQUIRED."""
    return status_reason.startswith(("MISCONFIGURATION:", "CAPACITY:", "ACTION_REQUIRED"))


def reason_code(status_reason: str) -> str:
    """The code part of a statusReason ("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - ..." ->
    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY")."""
    return status_reason.split(" - ", 1)[0].strip()


@dataclass(frozen=True)
class PlacesNothing:
    """A queue none of whose compute environments places jobs though AWS says nothing:
    ``disabled`` are DISABLED, ``invalid`` are ENABLED but INVALID."""

    queue: str
    disabled: tuple[str, ...]
    invalid: tuple[str, ...]

    @property
    def meaning(self) -> str:
        verb = " is" if len(self.disabled) == 1 else " are"
        invalid = f", {', '.join(self.invalid)} INVALID" if self.invalid else ""
        return (
            f"no compute environment of queue {self.queue} places jobs: "
            f"{', '.join(self.disabled)}{verb} DISABLED{invalid}. Its RUNNABLE jobs wait "
            "without a status reason of their own."
        )

    fix = "enable a compute environment of the queue{enable}; or move the jobs to another queue."

    def todo(self, hints: Mapping[str, str]) -> str:
        return self.fix.format_map(_Hints(hints))


def places_nothing(queue: JobQueue, ces: Sequence[ComputeEnvironment]) -> PlacesNothing | None:
    """Why no job of ``queue`` can be placed when AWS gives its jobs no statusReason for it:
    every compute environment of the queue is DISABLED (or DISABLED and INVALID; all INVALID
    is AWS's ACTION_REQUIRED). None when one of them can place jobs, or one is not known."""
    by_ref = {ref: ce for ce in ces for ref in (ce.name, ce.arn) if ref}
    mine = [by_ref.get(o.compute_environment) for o in queue.compute_environment_order]
    known = [ce for ce in mine if ce is not None]
    if not mine or len(known) != len(mine):
        return None  # a CE the snapshot does not know: no claim
    usable = [ce for ce in known if ce.state == "ENABLED" and ce.status != "INVALID"]
    disabled = tuple(ce.name for ce in known if ce.state != "ENABLED")
    if usable or not disabled:
        return None
    invalid = tuple(ce.name for ce in known if ce.state == "ENABLED")
    return PlacesNothing(queue.name, disabled, invalid)
