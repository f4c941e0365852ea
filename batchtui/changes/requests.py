"""A profile's resources as Batch requests: CreateComputeEnvironment, CreateJobQueue and
RegisterJobDefinition parameters, and the fields a diff compares on each side.

Field names are AWS's (camelCase), so a change set shows and sends the API's own words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batchtui.changes.state import PROFILE_TAG, short_name
from batchtui.model import ComputeEnvironment, JobDefinition, is_service_linked
from batchtui.profiles import ComputeEnvironmentSpec, JobDefinitionSpec, JobQueueSpec

#: computeResources fields an infrastructure update changes (AWS: "Perform infrastructure
#: updates"); any other computeResources field is a scaling field.
INFRASTRUCTURE_FIELDS = (
    "type",
    "allocationStrategy",
    "instanceTypes",
    "bidPercentage",
    "subnets",
    "securityGroupIds",
    "instanceRole",
    "launchTemplate",
)
SCALING_FIELDS = ("minvCpus", "maxvCpus", "desiredvCpus")
#: What a Fargate compute environment may change in place besides maxvCpus.
FARGATE_UPDATABLE = ("subnets", "securityGroupIds")


def desired_infrastructure(spec: ComputeEnvironmentSpec) -> dict[str, Any]:
    """The infrastructure fields the profile sets (an unset optional field is not compared:
    the profile leaves it to the account)."""
    out: dict[str, Any] = {"type": spec.purchase_model.value, "subnets": sorted(spec.subnets)}
    if spec.security_group_ids:
        out["securityGroupIds"] = sorted(spec.security_group_ids)
    if spec.purchase_model.is_fargate:
        return out
    out["allocationStrategy"] = spec.allocation_strategy
    out["instanceTypes"] = sorted(spec.instance_types)
    out["instanceRole"] = spec.instance_role
    if spec.bid_percentage is not None:
        out["bidPercentage"] = spec.bid_percentage
    if spec.launch_template:
        out["launchTemplate"] = spec.launch_template
    return out


def live_infrastructure(ce: ComputeEnvironment) -> dict[str, Any]:
    """The same fields, as the account has them."""
    out: dict[str, Any] = {
        "type": ce.purchase_model.value,
        "subnets": sorted(ce.subnets),
        "securityGroupIds": sorted(ce.security_group_ids),
    }
    if ce.purchase_model.is_fargate:
        return out
    out["allocationStrategy"] = ce.allocation_strategy or "BEST_FIT"
    out["instanceTypes"] = sorted(ce.instance_types)
    out["instanceRole"] = ce.instance_role
    out["bidPercentage"] = ce.bid_percentage
    out["launchTemplate"] = ce.launch_template
    return out


def infrastructure_changes(
    spec: ComputeEnvironmentSpec, ce: ComputeEnvironment
) -> dict[str, tuple[Any, Any]]:
    """Fields whose desired value differs from the live one: field -> (old, new)."""
    live = live_infrastructure(ce)
    out: dict[str, tuple[Any, Any]] = {}
    for key, new in desired_infrastructure(spec).items():
        old = live.get(key)
        same = short_name(str(old)) == short_name(str(new)) if key == "instanceRole" else old == new
        if not same:
            out[key] = (old, new)
    return out


def same_service_role(spec: ComputeEnvironmentSpec, ce: ComputeEnvironment) -> bool:
    if is_service_linked(spec.service_role) or is_service_linked(ce.service_role):
        return is_service_linked(spec.service_role) == is_service_linked(ce.service_role)
    return short_name(spec.service_role) == short_name(ce.service_role)


def compute_resources(spec: ComputeEnvironmentSpec) -> dict[str, Any]:
    """CreateComputeEnvironment's computeResources for the profile's compute environment."""
    cr: dict[str, Any] = {
        "type": spec.purchase_model.value,
        "maxvCpus": spec.max_vcpus,
        "subnets": list(spec.subnets),
    }
    if spec.security_group_ids:
        cr["securityGroupIds"] = list(spec.security_group_ids)
    if spec.purchase_model.is_fargate:
        return cr
    cr |= {
        "allocationStrategy": spec.allocation_strategy,
        "minvCpus": spec.min_vcpus,
        "desiredvCpus": spec.desired_vcpus,
        "instanceTypes": list(spec.instance_types),
        "instanceRole": spec.instance_role,
    }
    if spec.bid_percentage is not None:
        cr["bidPercentage"] = spec.bid_percentage
    if spec.launch_template:
        cr["launchTemplate"] = launch_template(spec.launch_template)
    return cr


def launch_template(ref: str) -> dict[str, str]:
    """A launch template by id (``lt-...``) or by name."""
    return {"launchTemplateId": ref} if ref.startswith("lt-") else {"launchTemplateName": ref}


def create_compute_environment(
    spec: ComputeEnvironmentSpec, name: str, profile: str = ""
) -> dict[str, Any]:
    """CreateComputeEnvironment, tagged with the ``profile`` that makes it (how a later apply
    knows it is the profile's when the profile no longer names it)."""
    params: dict[str, Any] = {
        "computeEnvironmentName": name,
        "type": "MANAGED",
        "state": spec.state,
        "computeResources": compute_resources(spec),
    }
    if spec.service_role:
        params["serviceRole"] = spec.service_role
    if profile:
        params["tags"] = {PROFILE_TAG: profile}
    return params


def time_limit_actions(spec: JobQueueSpec) -> list[dict[str, Any]]:
    """jobStateTimeLimitActions in AWS's words."""
    return [
        {
            "reason": a["reason"],
            "state": a["state"],
            "maxTimeSeconds": a["max_time_seconds"],
            "action": a["action"],
        }
        for a in spec.job_state_time_limit_actions
    ]


def compute_environment_order(names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"order": i + 1, "computeEnvironment": n} for i, n in enumerate(names)]


def create_job_queue(
    spec: JobQueueSpec, order: tuple[str, ...], profile: str = ""
) -> dict[str, Any]:
    """CreateJobQueue, tagged with the ``profile`` that makes it (how a later apply knows the
    queue is the profile's when the profile no longer names it)."""
    params: dict[str, Any] = {
        "jobQueueName": spec.name,
        "state": spec.state,
        "priority": spec.priority,
        "computeEnvironmentOrder": compute_environment_order(order),
    }
    if spec.job_state_time_limit_actions:
        params["jobStateTimeLimitActions"] = time_limit_actions(spec)
    if spec.scheduling_policy_arn:
        params["schedulingPolicyArn"] = spec.scheduling_policy_arn
    if profile:
        params["tags"] = {PROFILE_TAG: profile}
    return params


def job_definition_fields(spec: JobDefinitionSpec) -> dict[str, Any]:
    """The fields of a job definition the profile sets, in AWS's words."""
    resources = [
        {"type": "VCPU", "value": f"{spec.vcpus:g}"},
        {"type": "MEMORY", "value": str(spec.memory_mib)},
    ]
    if spec.gpus:
        resources.append({"type": "GPU", "value": str(spec.gpus)})
    retry: dict[str, Any] = {"attempts": spec.retry_strategy.attempts}
    rules = [
        {
            k: v
            for k, v in (
                ("onStatusReason", r.on_status_reason),
                ("onReason", r.on_reason),
                ("onExitCode", r.on_exit_code),
                ("action", r.action),
            )
            if v
        }
        for r in spec.retry_strategy.evaluate_on_exit
    ]
    if rules:
        retry["evaluateOnExit"] = rules
    out: dict[str, Any] = {
        "image": spec.image,
        "resourceRequirements": resources,
        "environment": sorted(
            ({"name": k, "value": v} for k, v in spec.environment.items()),
            key=lambda e: e["name"],
        ),
        "retryStrategy": retry,
    }
    if spec.timeout_seconds:
        out["timeout"] = {"attemptDurationSeconds": spec.timeout_seconds}
    return out


def live_job_definition_fields(jd: JobDefinition) -> dict[str, Any]:
    """The same fields from the live revision (resources read either way AWS accepts them)."""
    c = jd.container
    resources = []
    if c is not None and c.vcpus is not None:
        resources.append({"type": "VCPU", "value": f"{c.vcpus:g}"})
    if c is not None and c.memory_mib is not None:
        resources.append({"type": "MEMORY", "value": str(c.memory_mib)})
    if c is not None and c.gpus:
        resources.append({"type": "GPU", "value": str(c.gpus)})
    retry = dict(jd.api.get("retryStrategy") or {"attempts": 1})
    retry.setdefault("attempts", 1)
    out: dict[str, Any] = {
        "image": c.image if c else "",
        "resourceRequirements": resources,
        "environment": sorted(
            ({"name": k, "value": v} for k, v in (c.environment if c else ())),
            key=lambda e: e["name"],
        ),
        "retryStrategy": {k: retry[k] for k in ("attempts", "evaluateOnExit") if k in retry},
    }
    timeout = (jd.api.get("timeout") or {}).get("attemptDurationSeconds")
    if timeout:
        out["timeout"] = {"attemptDurationSeconds": timeout}
    return out


def register_job_definition(
    spec: JobDefinitionSpec, live: JobDefinition | None, fargate: bool
) -> dict[str, Any]:
    """RegisterJobDefinition for a new revision: the live revision's container properties
    (command, roles, log configuration...) with the profile's fields set over them."""
    wanted = job_definition_fields(spec)
    base: Mapping[str, Any] = live.api if live is not None else {}
    container = {
        k: v
        for k, v in dict(base.get("containerProperties") or {}).items()
        if k not in ("vcpus", "memory", "image", "environment", "resourceRequirements")
    }
    container |= {
        "image": wanted["image"],
        "resourceRequirements": wanted["resourceRequirements"],
        "environment": wanted["environment"],
    }
    params: dict[str, Any] = {
        "jobDefinitionName": spec.name,
        "type": "container",
        "containerProperties": container,
        "retryStrategy": wanted["retryStrategy"],
    }
    if "timeout" in wanted:
        params["timeout"] = wanted["timeout"]
    if fargate:
        params["platformCapabilities"] = ["FARGATE"]
    elif base.get("platformCapabilities"):
        params["platformCapabilities"] = list(base["platformCapabilities"])
    return params
