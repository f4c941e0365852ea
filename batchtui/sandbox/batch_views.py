"""Store records as AWS Batch's API shows them (DescribeX details, ListJobs summaries)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from batchtui.sandbox import consumables, eks
from batchtui.sandbox.batch_records import (
    Attempt,
    ComputeEnvironmentRecord,
    Job,
    JobDefinitionRecord,
    JobQueueRecord,
)
from batchtui.sandbox.batch_store import BatchStore


def ms(t: float | None) -> int | None:
    return None if t is None else int(t * 1000)


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def compute_environment(ce: ComputeEnvironmentRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "computeEnvironmentName": ce.name,
        "computeEnvironmentArn": ce.arn,
        "ecsClusterArn": ce.ecs_cluster_arn,
        "tags": dict(ce.tags),
        "type": ce.type,
        "state": ce.state,
        "status": ce.status,
        "statusReason": ce.status_reason,
        "serviceRole": ce.service_role or None,
        "uuid": ce.uuid,
        "containerOrchestrationType": "ECS",
        "updatePolicy": dict(ce.update_policy),
    }
    if ce.eks_configuration is not None:
        del out["ecsClusterArn"]
        out["eksConfiguration"] = dict(ce.eks_configuration)
        out["containerOrchestrationType"] = "EKS"
    if ce.type == "MANAGED":
        cr = dict(ce.compute_resources)
        if not ce.purchase.is_fargate:  # Fargate CEs have only maxvCpus
            cr["minvCpus"] = ce.min_vcpus
            cr["desiredvCpus"] = ce.desired_vcpus
        cr["maxvCpus"] = ce.max_vcpus
        out["computeResources"] = cr
    return _clean(out)


def job_queue(q: JobQueueRecord) -> dict[str, Any]:
    return _clean(
        {
            "jobQueueName": q.name,
            "jobQueueArn": q.arn,
            "state": q.state,
            "status": q.status,
            "statusReason": q.status_reason or None,
            "priority": q.priority,
            "computeEnvironmentOrder": [
                {"order": order, "computeEnvironment": _ce_arn(q, name)}
                for order, name in q.ce_order
            ],
            "jobStateTimeLimitActions": list(q.time_limit_actions),
            "schedulingPolicyArn": q.scheduling_policy_arn or None,
            "tags": dict(q.tags),
            "jobQueueType": q.job_queue_type,
        }
    )


def _ce_arn(q: JobQueueRecord, name: str) -> str:
    # The queue's ARN shares the CE's region and account.
    return q.arn.rsplit(":", 1)[0] + f":compute-environment/{name}"


def job_definition(d: JobDefinitionRecord) -> dict[str, Any]:
    return _clean(
        {
            "jobDefinitionName": d.name,
            "jobDefinitionArn": d.arn,
            "revision": d.revision,
            "status": d.status,
            "type": d.type,
            "parameters": dict(d.parameters),
            "retryStrategy": d.retry_strategy,
            "containerProperties": (
                container_properties(d.container_properties, d.platform_capabilities)
                if d.type == "container" and d.eks_properties is None
                else None
            ),
            "eksProperties": d.eks_properties,
            "nodeProperties": d.node_properties,
            "timeout": d.timeout,
            "tags": dict(d.tags),
            "propagateTags": d.propagate_tags,
            "platformCapabilities": list(d.platform_capabilities),
            "schedulingPriority": d.scheduling_priority,
            "containerOrchestrationType": "ECS" if d.eks_properties is None else "EKS",
            "consumableResourceProperties": consumables.properties(d.consumables, d.arn),
        }
    )


#: The lists AWS fills in, empty, in a container job definition that does not set them.
CONTAINER_LISTS = ("command", "volumes", "environment", "mountPoints", "ulimits",
                   "resourceRequirements", "secrets")  # fmt: skip


def container_properties(props: dict[str, Any], platform: list[str]) -> dict[str, Any]:
    """containerProperties as AWS returns them: its defaults filled in around what was sent.

    Clients (Terraform's provider among them) compare what they sent with this shape.
    """
    out: dict[str, Any] = {key: [] for key in CONTAINER_LISTS}
    if "FARGATE" in platform:
        out["networkConfiguration"] = {"assignPublicIp": "DISABLED"}
        out["fargatePlatformConfiguration"] = {"platformVersion": "LATEST"}
    out.update(props)
    return out


def network_interfaces(
    task_arn: str, container_instance_arn: str, awsvpc: bool = False
) -> list[dict[str, str]]:
    """A task's own elastic network interface in awsvpc mode (Fargate tasks, and the nodes of
    multi-node jobs); other EC2 tasks show none."""
    if not task_arn or (container_instance_arn and not awsvpc):
        return []
    digest = hashlib.sha256(task_arn.encode()).digest()
    return [
        {
            "attachmentId": str(uuid.UUID(bytes=digest[:16], version=4)),
            "privateIpv4Address": private_ip(task_arn),
        }
    ]


def private_ip(task_arn: str) -> str:
    """The private IPv4 address of a task's network interface (stable per task)."""
    digest = hashlib.sha256(task_arn.encode()).digest()
    return f"10.42.{8 + digest[16] % 8}.{1 + digest[17] % 254}"


def _attempt(a: Attempt, awsvpc: bool = False) -> dict[str, Any]:
    container = _clean(
        {
            "containerInstanceArn": a.container_instance_arn or None,
            "taskArn": a.task_arn or None,
            "exitCode": a.exit_code,
            "reason": a.reason,
            "logStreamName": a.log_stream or None,
            "networkInterfaces": network_interfaces(a.task_arn, a.container_instance_arn, awsvpc),
        }
    )
    return _clean(
        {
            "container": container,
            "startedAt": ms(a.started_at),
            "stoppedAt": ms(a.stopped_at),
            "statusReason": a.status_reason or None,
        }
    )


def _array_properties(job: Job, now: float) -> dict[str, Any] | None:
    if job.array_index is not None:
        return {"index": job.array_index}
    if job.array_size is None:
        return None
    summary = {k: v for k, v in (job.status_counts or {}).items() if v}
    return {
        "size": job.array_size,
        "statusSummary": summary,
        "statusSummaryLastUpdatedAt": ms(now),
    }


def job_detail(store: BatchStore, job: Job, now: float) -> dict[str, Any]:
    c = job.container
    container = _clean(
        {
            "image": c.get("image"),
            "vcpus": c.get("vcpus"),
            "memory": c.get("memory"),
            "command": list(c.get("command") or ()),
            "jobRoleArn": c.get("jobRoleArn"),
            "executionRoleArn": c.get("executionRoleArn"),
            "environment": list(c.get("environment") or ()),
            "resourceRequirements": list(c.get("resourceRequirements") or ()) or None,
            "logConfiguration": c.get("logConfiguration"),
            "volumes": list(c.get("volumes") or ()),
            "mountPoints": list(c.get("mountPoints") or ()),
            "ulimits": list(c.get("ulimits") or ()),
            "secrets": list(c.get("secrets") or ()) or None,
            "exitCode": job.exit_code,
            "reason": job.reason,
            "containerInstanceArn": job.container_instance_arn or None,
            "taskArn": job.task_arn or None,
            "logStreamName": job.log_stream or None,
            "networkInterfaces": network_interfaces(
                job.task_arn, job.container_instance_arn, job.node_index is not None
            ),
            "networkConfiguration": c.get("networkConfiguration"),
            "fargatePlatformConfiguration": c.get("fargatePlatformConfiguration"),
        }
    )
    return _clean(
        {
            "jobArn": store.job_arn(job.job_id),
            "jobName": job.name,
            "jobId": job.job_id,
            "jobQueue": store.arn("job-queue", job.queue),
            "status": job.status,
            "shareIdentifier": job.share_identifier,
            "schedulingPriority": job.scheduling_priority,
            "attempts": [_attempt(a, job.num_nodes is not None) for a in job.attempts],
            "statusReason": _status_reason(job),
            "createdAt": ms(job.created_at),
            "retryStrategy": job.retry_strategy,
            "startedAt": ms(job.started_at),
            "stoppedAt": ms(job.stopped_at),
            "dependsOn": list(job.depends_on),
            "jobDefinition": job.job_def.arn,
            "parameters": dict(job.parameters or {}),
            "container": container if job.children is None and not _is_mnp_parent(job) else None,
            "arrayProperties": _array_properties(job, now),
            "nodeProperties": job.node_properties if job.node_index is None else None,
            "nodeDetails": _node_details(job),
            "timeout": job.timeout,
            "tags": dict(job.tags) if job.tags else None,
            "propagateTags": job.propagate_tags,
            "platformCapabilities": list(job.job_def.platform_capabilities),
            "isCancelled": job.is_cancelled,
            "isTerminated": job.is_terminated,
            "consumableResourceProperties": consumables.properties(
                job.consumables, job.job_def.arn
            ),
            **(_eks_fields(store, job) if job.eks_properties is not None else {}),
        }
    )


def _eks_fields(store: BatchStore, job: Job) -> dict[str, Any]:
    """An EKS job shows its pod and eksAttempts instead of a container and attempts."""
    queue = store.job_queues.get(job.queue)
    configs = [ce.eks_configuration for ce in (store.ce_of_queue(queue) if queue else ())]
    config = next((c for c in configs if c), {"eksClusterArn": "", "kubernetesNamespace": ""})
    fields = eks.job_fields(
        job, store.region, config["eksClusterArn"], config["kubernetesNamespace"]
    )
    return {**fields, "container": None, "attempts": []}


def _status_reason(job: Job) -> str | None:
    """An MNP job not finished says what its main node says (why it waits, mostly)."""
    if job.nodes is not None and not job.is_final:
        return job.nodes[job.main_node].status_reason
    return job.status_reason


def _is_mnp_parent(job: Job) -> bool:
    return job.num_nodes is not None and job.node_index is None


def _node_details(job: Job) -> dict[str, Any] | None:
    if job.node_index is None:
        return None
    return {"nodeIndex": job.node_index, "isMainNode": job.node_index == job.main_node}


def _node_summary(job: Job) -> dict[str, Any] | None:
    if job.num_nodes is None:
        return None
    if job.node_index is None:
        return {"numNodes": job.num_nodes}
    return {**(_node_details(job) or {}), "numNodes": job.num_nodes}


def job_summary(store: BatchStore, job: Job, now: float) -> dict[str, Any]:
    container = _clean({"exitCode": job.exit_code, "reason": job.reason})
    array: dict[str, Any] | None = None
    if job.array_index is not None:
        array = {"index": job.array_index}
    elif job.array_size is not None:
        array = _array_properties(job, now)
    return _clean(
        {
            "jobArn": store.job_arn(job.job_id),
            "jobId": job.job_id,
            "jobName": job.name,
            "createdAt": ms(job.created_at),
            "shareIdentifier": job.share_identifier,
            "status": job.status,
            "statusReason": _status_reason(job),
            "startedAt": ms(job.started_at),
            "stoppedAt": ms(job.stopped_at),
            "container": container or None,
            "arrayProperties": array,
            "nodeProperties": _node_summary(job),
            "jobDefinition": job.job_def.arn,
            "isCancelled": job.is_cancelled,
            "isTerminated": job.is_terminated,
        }
    )
