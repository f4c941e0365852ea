"""Removing what a profile made and no longer names: its job queues and compute environments
(tagged ``batchtui:profile`` when they were created, :data:`~.state.PROFILE_TAG`).

As Terraform does for the resources it manages, a resource dropped from the profile is removed:
disabled first (nothing new starts on it, what runs finishes), then deleted once it holds no
active job. The steps are the same with or without ``--allow-delete``; without it they are
shown as skipped and never sent.
"""

from __future__ import annotations

from batchtui.changes.steps import FieldChange, Step, StepKind, Wait
from batchtui.model import ComputeEnvironment, JobQueue

CE = "computeEnvironment"
QUEUE = "jobQueue"


def dropped_by(profile: str) -> str:
    """Why a removal step exists."""
    return f"made by profile {profile}, which no longer names it"


def skipped_note(resource: str, name: str, profile: str) -> str:
    """What a change set without ``--allow-delete`` says of a removal it skips."""
    return f"{resource} {name}: would delete (needs --allow-delete): {dropped_by(profile)}"


def remove_queue(q: JobQueue, profile: str) -> list[Step]:
    """A queue the profile made and no longer names: disabled (no new job enters it), then
    deleted once it holds no SUBMITTED..RUNNING job."""
    why = dropped_by(profile)
    steps: list[Step] = []
    if q.state != "DISABLED":
        steps.append(
            Step(
                StepKind.RETIRE,
                QUEUE,
                q.name,
                f"{why}; disabled first: no new job is submitted to it, its jobs carry on",
                "UpdateJobQueue",
                {"jobQueue": q.name, "state": "DISABLED"},
                (FieldChange("state", q.state, "DISABLED"),),
                Wait.VALID,
            )
        )
    steps.append(
        Step(
            StepKind.DELETE,
            QUEUE,
            q.name,
            f"{why}; deleted once DISABLED and without SUBMITTED..RUNNING jobs (deleting a "
            "queue terminates its jobs): the delete waits for its running jobs to finish, and "
            "stops, naming them, at jobs a DISABLED queue never places",
            "DeleteJobQueue",
            {"jobQueue": q.name},
            (FieldChange("status", q.status, None),),
            Wait.GONE,
        )
    )
    return steps


def disable_compute_environment(ce: ComputeEnvironment, why: str) -> list[Step]:
    """DISABLED, with minvCpus 0 (drained means scaled in to 0: with minvCpus above 0 it never
    would be); nothing when it is both already."""
    params: dict[str, object] = {"computeEnvironment": ce.name}
    fields: list[FieldChange] = []
    if ce.state != "DISABLED":
        params["state"] = "DISABLED"
        fields.append(FieldChange("state", ce.state, "DISABLED"))
    if not ce.purchase_model.is_fargate and ce.min_vcpus:
        params["computeResources"] = {"minvCpus": 0}
        fields.append(FieldChange("minvCpus", ce.min_vcpus, 0))
    if not fields:
        return []
    return [
        Step(
            StepKind.RETIRE,
            CE,
            ce.name,
            why,
            "UpdateComputeEnvironment",
            params,
            tuple(fields),
            Wait.VALID,
        )
    ]


def delete_compute_environment(ce: ComputeEnvironment, why: str) -> Step:
    """DeleteComputeEnvironment; the executor waits for it to drain first, then for it to go."""
    return Step(
        StepKind.DELETE,
        CE,
        ce.name,
        why,
        "DeleteComputeEnvironment",
        {"computeEnvironment": ce.name},
        (FieldChange("status", ce.status, None),),
        Wait.GONE,
    )


def remove_compute_environment(ce: ComputeEnvironment, profile: str) -> list[Step]:
    """A compute environment the profile made and no longer names (already out of the
    profile's queues, whose updates come first): disabled, then deleted once drained."""
    why = dropped_by(profile)
    return [
        *disable_compute_environment(
            ce,
            f"{why}; out of every queue, disabled first: it launches nothing more, its running "
            "jobs finish (nothing is terminated)",
        ),
        delete_compute_environment(
            ce, f"{why}; deleted once DISABLED, out of every queue and drained"
        ),
    ]
