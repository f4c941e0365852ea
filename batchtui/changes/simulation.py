"""What the account looks like after a change set, as Batch would make it: each step's request
applied to a :class:`LiveState` value.

Pure. It shows a change set's outcome without an account, and it is what the tests hold the
diff to: the change set computed for a live state, applied to it, leaves nothing to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from batchtui.changes.state import LiveState
from batchtui.changes.steps import Step
from batchtui.model import ComputeEnvironment, JobDefinition, JobQueue

_ACCOUNT_ARN = "arn:aws:batch:us-east-1:123456789012"


def simulate(live: LiveState, steps: Iterable[Step]) -> LiveState:
    """``live`` after every step's request, each succeeding and reaching VALID."""
    for step in steps:
        live = _apply(live, step)
    return live


def _apply(live: LiveState, step: Step) -> LiveState:
    p = step.params
    op = step.operation
    if op == "CreateComputeEnvironment":
        d = dict(p) | {
            "computeEnvironmentArn": f"{_ACCOUNT_ARN}:compute-environment/{p['computeEnvironmentName']}",
            "status": "VALID",
        }
        ce = ComputeEnvironment.from_api(d)
        return replace(live, compute_environments=(*live.compute_environments, ce))
    if op == "UpdateComputeEnvironment":
        return replace(
            live,
            compute_environments=tuple(
                _update_ce(ce, p) if ce.name == p["computeEnvironment"] else ce
                for ce in live.compute_environments
            ),
        )
    if op == "DeleteComputeEnvironment":
        return replace(
            live,
            compute_environments=tuple(
                ce for ce in live.compute_environments if ce.name != p["computeEnvironment"]
            ),
        )
    if op == "CreateJobQueue":
        q = JobQueue.from_api(dict(p) | {"status": "VALID"})
        return replace(live, job_queues=(*live.job_queues, q))
    if op == "UpdateJobQueue":
        return replace(
            live,
            job_queues=tuple(
                _update_queue(q, p) if q.name == p["jobQueue"] else q for q in live.job_queues
            ),
        )
    if op == "DeleteJobQueue":
        return replace(
            live, job_queues=tuple(q for q in live.job_queues if q.name != p["jobQueue"])
        )
    if op == "TagResource":
        arn, tags = p["resourceArn"], dict(p["tags"])
        return replace(
            live,
            compute_environments=tuple(
                replace(ce, tags=tuple(sorted((dict(ce.tags) | tags).items())))
                if ce.arn == arn
                else ce
                for ce in live.compute_environments
            ),
            job_queues=tuple(
                replace(q, tags=tuple(sorted((dict(q.tags) | tags).items()))) if q.arn == arn else q
                for q in live.job_queues
            ),
        )
    if op == "RegisterJobDefinition":
        old = live.job_definition(str(p["jobDefinitionName"]))
        revision = (old.revision if old else 0) + 1
        jd = JobDefinition.from_api(dict(p) | {"revision": revision, "status": "ACTIVE"})
        others = tuple(d for d in live.job_definitions if d.name != jd.name)
        return replace(live, job_definitions=(*others, jd))
    raise ValueError(f"cannot simulate {op}")


def _update_ce(ce: ComputeEnvironment, p: Mapping[str, Any]) -> ComputeEnvironment:
    cr = dict(p.get("computeResources") or {})
    changes: dict[str, Any] = {}
    names = {
        "minvCpus": "min_vcpus",
        "maxvCpus": "max_vcpus",
        "desiredvCpus": "desired_vcpus",
        "allocationStrategy": "allocation_strategy",
        "bidPercentage": "bid_percentage",
        "instanceRole": "instance_role",
    }
    for key, attr in names.items():
        if key in cr:
            changes[attr] = cr[key]
    for key, attr in (
        ("instanceTypes", "instance_types"),
        ("subnets", "subnets"),
        ("securityGroupIds", "security_group_ids"),
    ):
        if key in cr:
            changes[attr] = tuple(cr[key])
    if "type" in cr:
        changes["purchase_model"] = ComputeEnvironment.from_api(
            {"computeEnvironmentName": "", "computeResources": {"type": cr["type"]}}
        ).purchase_model
    if "launchTemplate" in cr:
        lt = cr["launchTemplate"]
        changes["launch_template"] = lt.get("launchTemplateName") or lt.get("launchTemplateId")
    if "state" in p:
        changes["state"] = p["state"]
    policy = p.get("updatePolicy")
    if policy:
        changes["terminate_jobs_on_update"] = bool(policy["terminateJobsOnUpdate"])
        changes["job_execution_timeout_minutes"] = int(policy["jobExecutionTimeoutMinutes"])
    updated = replace(ce, **changes)
    # Batch keeps desiredvCpus within the new bounds (it is never sent lower).
    floor = max(updated.desired_vcpus, updated.min_vcpus)
    return replace(updated, desired_vcpus=floor)


def _update_queue(q: JobQueue, p: Mapping[str, Any]) -> JobQueue:
    d: dict[str, Any] = {
        "jobQueueName": q.name,
        "jobQueueArn": q.arn,
        "state": p.get("state", q.state),
        "status": "VALID",
        "priority": p.get("priority", q.priority),
        "computeEnvironmentOrder": p.get(
            "computeEnvironmentOrder",
            [
                {"order": o.order, "computeEnvironment": o.compute_environment}
                for o in q.compute_environment_order
            ],
        ),
        "jobStateTimeLimitActions": p.get(
            "jobStateTimeLimitActions", list(q.job_state_time_limit_actions)
        ),
        "schedulingPolicyArn": p.get("schedulingPolicyArn", q.scheduling_policy_arn),
        "tags": dict(q.tags),
    }
    return JobQueue.from_api(d)
