"""Batch's mutating operations the TUI offers: cancel / terminate, enable / disable, scale.

Every call goes through :meth:`Aws.call`, so ``--read-only`` refuses it before anything is sent,
and the call is counted. Scaling is checked against Batch's rules (batchtui.changes.scaling)
before the request is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from batchtui.aws.batch import describe_compute_environments, describe_job
from batchtui.aws.session import Aws
from batchtui.changes.scaling import ScalingRequest, check_scaling
from batchtui.errors import NotFound, UsageError
from batchtui.model import ComputeEnvironment

#: Statuses CancelJob acts on; a job STARTING or RUNNING needs TerminateJob.
CANCELLABLE = ("SUBMITTED", "PENDING", "RUNNABLE")
TERMINABLE = ("STARTING", "RUNNING")
DEFAULT_REASON = "stopped by the operator with batchtui"


@dataclass(frozen=True)
class StopJob:
    """How a job of a given status is stopped: the operation and what the user is told."""

    operation: str  # CancelJob | TerminateJob
    verb: str  # cancel | terminate


def stop_for_status(status: str) -> StopJob | None:
    """CancelJob before STARTING, TerminateJob from STARTING on; None for a finished job."""
    if status in CANCELLABLE:
        return StopJob("CancelJob", "cancel")
    if status in TERMINABLE:
        return StopJob("TerminateJob", "terminate")
    return None


def stop_job(aws: Aws, job_id: str, status: str, reason: str = DEFAULT_REASON) -> StopJob:
    """Cancel or terminate a job according to the status it has now.

    ``status`` is what the user saw when they confirmed; the job is read again first, since it
    may have started meanwhile (CancelJob would then succeed and stop nothing)."""
    aws.ensure_allowed("batch", "TerminateJob")
    now = describe_job(aws, job_id).status or status
    how = stop_for_status(now)
    if how is None:
        raise UsageError(f"job {job_id} is {now} now: it has already finished")
    aws.call("batch", how.operation, jobId=job_id, reason=reason)
    return how


def set_compute_environment_state(aws: Aws, name: str, enabled: bool) -> None:
    aws.call(
        "batch",
        "UpdateComputeEnvironment",
        computeEnvironment=name,
        state="ENABLED" if enabled else "DISABLED",
    )


def set_job_queue_state(aws: Aws, name: str, enabled: bool) -> None:
    aws.call("batch", "UpdateJobQueue", jobQueue=name, state="ENABLED" if enabled else "DISABLED")


def scale_compute_environment(
    aws: Aws,
    ce: ComputeEnvironment,
    *,
    min_vcpus: int | None = None,
    max_vcpus: int | None = None,
    desired_vcpus: int | None = None,
) -> ScalingRequest:
    """UpdateComputeEnvironment with new vCPU bounds, after checking Batch's scaling rules.

    ``ce`` is what the user saw; the rules are checked against the compute environment as it is
    now (Batch moves desiredvCpus by itself, and a lower one is refused)."""
    aws.ensure_allowed("batch", "UpdateComputeEnvironment")
    fresh = describe_compute_environments(aws, [ce.name])
    if not fresh:
        raise NotFound(
            f"compute environment {ce.name!r} not found: deleted meanwhile?",
            hint="refresh the view (r) to see what exists now",
        )
    now = fresh[0]
    request = check_scaling(
        now, min_vcpus=min_vcpus, max_vcpus=max_vcpus, desired_vcpus=desired_vcpus
    )
    if not request.ok:
        moved = [
            f"{label} {old} -> {new}"
            for label, old, new in (
                ("min", ce.min_vcpus, now.min_vcpus),
                ("desired", ce.desired_vcpus, now.desired_vcpus),
                ("max", ce.max_vcpus, now.max_vcpus),
            )
            if old != new
        ]
        since = f" (changed since it was read: {', '.join(moved)})" if moved else ""
        raise UsageError(f"cannot scale {ce.name}: " + "; ".join(request.problems) + since)
    if request.changes_anything:
        aws.call(
            "batch",
            "UpdateComputeEnvironment",
            computeEnvironment=ce.name,
            computeResources=request.compute_resources(),
        )
    return request
