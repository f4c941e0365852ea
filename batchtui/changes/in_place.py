"""In-place updates of a compute environment: scaling updates (minvCpus, maxvCpus, and
desiredvCpus only upwards) and infrastructure updates, with the reasons AWS would refuse one
(which make the diff choose a blue/green replacement instead).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from batchtui.changes import requests as rq
from batchtui.changes.scaling import check_scaling
from batchtui.changes.steps import FieldChange, Step, StepKind, Wait
from batchtui.model import UPDATABLE_STRATEGIES, ComputeEnvironment, is_service_linked
from batchtui.profiles import ComputeEnvironmentSpec

CE = "computeEnvironment"


def why_not_in_place(
    spec: ComputeEnvironmentSpec, ce: ComputeEnvironment, changes: dict[str, tuple[Any, Any]]
) -> str | None:
    """Why AWS would refuse these changes as an in-place update, or None when it allows it."""
    if not rq.same_service_role(spec, ce):
        return "its service role cannot switch between the service-linked role and a regular role"
    if ce.purchase_model.is_fargate or spec.purchase_model.is_fargate:
        if "type" in changes:
            return "a compute environment's type changes only between EC2 and SPOT in place"
        other = [k for k in changes if k not in rq.FARGATE_UPDATABLE]
        return f"{', '.join(other)} of a Fargate compute environment" if other else None
    if not is_service_linked(ce.service_role):
        return (
            f"infrastructure updates ({', '.join(changes)}) need the AWSServiceRoleForBatch "
            "service-linked role, and it uses a regular service role"
        )
    strategy = ce.allocation_strategy or "BEST_FIT"
    if strategy not in UPDATABLE_STRATEGIES:
        return (
            f"infrastructure updates ({', '.join(changes)}) need allocationStrategy "
            f"{', '.join(UPDATABLE_STRATEGIES[:-1])} or {UPDATABLE_STRATEGIES[-1]}, and "
            f"it uses {strategy}"
        )
    if spec.allocation_strategy not in UPDATABLE_STRATEGIES:
        return f"allocationStrategy cannot be updated to {spec.allocation_strategy}"
    return None


def infrastructure_update(
    spec: ComputeEnvironmentSpec, ce: ComputeEnvironment, changes: dict[str, tuple[Any, Any]]
) -> list[Step]:
    wanted = rq.compute_resources(spec)
    cr = {k: wanted[k] for k in changes if k in wanted}
    scaling = scaling_fields(spec, ce)
    cr |= {k: new for k, (_, new) in scaling.items()}
    fields = tuple(FieldChange(k, old, new) for k, (old, new) in changes.items())
    fields += tuple(FieldChange(k, old, new) for k, (old, new) in scaling.items())
    params: dict[str, object] = {"computeEnvironment": ce.name, "computeResources": cr}
    if not spec.purchase_model.is_fargate:
        policy = spec.update_policy.to_api()
        params["updatePolicy"] = policy
        fields += (
            FieldChange(
                "updatePolicy",
                {
                    "terminateJobsOnUpdate": ce.terminate_jobs_on_update,
                    "jobExecutionTimeoutMinutes": ce.job_execution_timeout_minutes,
                },
                policy,
            ),
        )
    if ce.state != spec.state:
        params["state"] = spec.state
        fields += (FieldChange("state", ce.state, spec.state),)
    running = (
        "running jobs are terminated"
        if spec.update_policy.terminate_jobs_on_update
        else f"running jobs may finish (up to {spec.update_policy.job_execution_timeout_minutes}"
        " minutes)"
    )
    why = (
        f"{', '.join(changes)} changed; AWS updates it in place (service-linked role, "
        f"{ce.allocation_strategy}) by replacing its instances; {running}"
        if not spec.purchase_model.is_fargate
        else f"{', '.join(changes)} of a Fargate compute environment change in place"
    )
    step = Step(
        StepKind.INFRASTRUCTURE_UPDATE,
        CE,
        ce.name,
        why,
        "UpdateComputeEnvironment",
        params,
        fields,
        Wait.VALID,
    )
    return [step]


def scaling_fields(
    spec: ComputeEnvironmentSpec, ce: ComputeEnvironment
) -> dict[str, tuple[int, int]]:
    """minvCpus / maxvCpus / desiredvCpus to send: (old, new).

    desiredvCpus is Batch's to move with demand once the compute environment exists (the
    profile's value is what it is created with): an update sends it only to keep it at or above
    a raised minvCpus, so it only ever goes up, and a re-run after Batch scaled in changes
    nothing."""
    out: dict[str, tuple[int, int]] = {}
    if ce.max_vcpus != spec.max_vcpus:
        out["maxvCpus"] = (ce.max_vcpus, spec.max_vcpus)
    if spec.purchase_model.is_fargate:
        return out
    if ce.min_vcpus != spec.min_vcpus:
        out["minvCpus"] = (ce.min_vcpus, spec.min_vcpus)
    if spec.min_vcpus > ce.desired_vcpus:
        out["desiredvCpus"] = (ce.desired_vcpus, spec.min_vcpus)
    return out


def scaling_update(
    spec: ComputeEnvironmentSpec, ce: ComputeEnvironment
) -> tuple[list[Step], list[str], list[str]]:
    """The scaling step, notes, and the scaling changes AWS would refuse as the compute
    environment is now (e.g. maxvCpus below the desiredvCpus Batch holds while jobs run)."""
    notes = []
    refused: list[str] = []
    if not spec.purchase_model.is_fargate and spec.desired_vcpus < ce.desired_vcpus:
        notes.append(
            f"{ce.name}: desiredvCpus {ce.desired_vcpus} is above the profile's "
            f"{spec.desired_vcpus}; not sent (AWS refuses a lower desiredvCpus and lowers it by "
            "itself as jobs finish)"
        )
    elif not spec.purchase_model.is_fargate and spec.desired_vcpus > max(
        ce.desired_vcpus, spec.min_vcpus
    ):
        notes.append(
            f"{ce.name}: desiredvCpus {ce.desired_vcpus}, the profile's {spec.desired_vcpus}: "
            "Batch moves it with demand once created, so it is not sent (raise min_vcpus to "
            "keep capacity up)"
        )
    fields = scaling_fields(spec, ce)
    changes = tuple(FieldChange(k, old, new) for k, (old, new) in fields.items())
    params: dict[str, object] = {"computeEnvironment": ce.name}
    if fields:
        # The same rules the scale dialog checks: a request AWS would refuse is never built.
        check = check_scaling(
            replace(ce, status="VALID"),
            min_vcpus=fields.get("minvCpus", (0, None))[1],
            max_vcpus=fields.get("maxvCpus", (0, None))[1],
            desired_vcpus=fields.get("desiredvCpus", (0, None))[1],
        )
        if check.ok:
            params["computeResources"] = {k: new for k, (_, new) in fields.items()}
        else:
            new_max = fields.get("maxvCpus", (0, None))[1]
            if new_max is not None and new_max < ce.desired_vcpus:
                refused.append(
                    f"{ce.name}: maxvCpus {new_max} is below the {ce.desired_vcpus} "
                    "desiredvCpus Batch holds for its work, and AWS refuses it until "
                    f"desiredvCpus falls: disable {ce.name} (its jobs finish, none start), "
                    "then apply again"
                )
            else:
                refused.extend(f"{ce.name}: {p}" for p in check.problems)
            changes = ()
    if ce.state != spec.state:
        params["state"] = spec.state
        changes += (FieldChange("state", ce.state, spec.state),)
    if not changes:
        return [], notes, refused
    what = ", ".join(c.field for c in changes)
    step = Step(
        StepKind.SCALING_UPDATE,
        CE,
        ce.name,
        f"{what} changed: an in-place scaling update, no instance is replaced",
        "UpdateComputeEnvironment",
        params,
        changes,
        Wait.VALID,
    )
    return [step], notes, refused
