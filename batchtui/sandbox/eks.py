"""Batch on Amazon EKS: EKS compute environments, ``eksProperties`` job definitions,
``eksPropertiesOverride`` on SubmitJob, and the EKS fields DescribeJobs returns.

An EKS job is scheduled on the same capacity model as an ECS one: its pod's containers ask for
the sum of their ``cpu`` and ``memory`` (limits, else requests; memory in ``Mi`` or ``Gi``), and
it runs on the CE's EC2 instances (the cluster's nodes). For the rest of the sandbox the pod's
first container stands in as the job's container (its command and args make the workload, as
``sleep N`` does for an ECS job). DescribeJobs shows ``eksProperties`` with the pod's and node's
names, and ``eksAttempts`` instead of ``attempts``, as AWS does.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from batchtui.model import ResourceRequest
from batchtui.sandbox.batch_errors import BatchApiError
from batchtui.sandbox.batch_records import Attempt, Job

#: AWS's rules for kubernetesNamespace (EksConfiguration in the Batch API reference).
NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
CLUSTER_ARN = re.compile(r"^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster/[A-Za-z0-9][\w-]*$")
MAX_CONTAINERS = 10
_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)(Mi|Gi)?$")


def check_eks_configuration(config: Any) -> dict[str, Any]:
    """A CE's eksConfiguration: an EKS cluster ARN and a namespace Batch may manage pods in."""
    if not isinstance(config, dict):
        raise BatchApiError("eksConfiguration must be an object")
    cluster = config.get("eksClusterArn")
    if not isinstance(cluster, str) or not CLUSTER_ARN.match(cluster):
        raise BatchApiError(f"eksConfiguration.eksClusterArn {cluster!r} is not an EKS cluster ARN")
    namespace = config.get("kubernetesNamespace")
    if (
        not isinstance(namespace, str)
        or not NAMESPACE.match(namespace)
        or len(namespace) >= 64
        or namespace == "default"
        or namespace.startswith("kube-")
    ):
        raise BatchApiError(
            f"eksConfiguration.kubernetesNamespace {namespace!r} is not valid: fewer than 64 "
            "lowercase letters, digits and hyphens, not 'default', not starting with 'kube-'"
        )
    return {"eksClusterArn": cluster, "kubernetesNamespace": namespace}


def check_eks_properties(props: Any) -> dict[str, Any]:
    """A job definition's eksProperties: a pod of 1 to 10 containers, each with an image and
    the cpu and memory the job needs (checked as the job's resource request)."""
    if not isinstance(props, dict) or not isinstance(props.get("podProperties"), dict):
        raise BatchApiError("eksProperties.podProperties is required")
    containers = props["podProperties"].get("containers")
    if not isinstance(containers, list) or not 1 <= len(containers) <= MAX_CONTAINERS:
        raise BatchApiError(
            f"eksProperties.podProperties.containers must list 1 to {MAX_CONTAINERS} containers"
        )
    for c in containers:
        if not isinstance(c, dict) or not c.get("image"):
            raise BatchApiError("eksProperties.podProperties.containers[].image is required")
        for key in ("command", "args"):
            value = c.get(key)
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                raise BatchApiError(f"containers[].{key} must be a list of strings")
    request = resource_request(props)
    if request.vcpus <= 0:
        raise BatchApiError("The pod's containers must ask for cpu (resources limits or requests)")
    if request.memory_mib < 4:
        raise BatchApiError("The pod's containers must ask for at least 4 MiB of memory")
    return props


def _resource(container: dict[str, Any], name: str) -> str | None:
    resources = container.get("resources") or {}
    for kind in ("limits", "requests"):
        value = (resources.get(kind) or {}).get(name)
        if value is not None:
            return str(value)
    return None


def resource_request(props: dict[str, Any]) -> ResourceRequest:
    """What the pod asks a node for: the sum over its containers."""
    vcpus, memory, gpus = 0.0, 0, 0
    for c in props["podProperties"]["containers"]:
        cpu, mem, gpu = _resource(c, "cpu"), _resource(c, "memory"), _resource(c, "nvidia.com/gpu")
        try:
            vcpus += float(cpu) if cpu is not None else 0.0
            gpus += int(gpu) if gpu is not None else 0
        except ValueError as e:
            raise BatchApiError(f"Invalid cpu or nvidia.com/gpu value: {e}") from e
        if mem is not None:
            m = _MEMORY.match(mem)
            if m is None:
                raise BatchApiError(f"Invalid memory value {mem!r}: use whole MiB with 'Mi'")
            memory += int(float(m.group(1)) * (1024 if m.group(2) == "Gi" else 1))
    return ResourceRequest(vcpus=vcpus, memory_mib=memory, gpus=gpus)


def with_override(props: dict[str, Any], override: Any) -> dict[str, Any]:
    """SubmitJob's eksPropertiesOverride applied: containers matched by name, else by position;
    image, command, args, env and resources replaced; metadata labels merged."""
    if not override:
        return props
    if not isinstance(override, dict) or not isinstance(override.get("podProperties"), dict):
        raise BatchApiError("eksPropertiesOverride.podProperties must be an object")
    pod_override = override["podProperties"]
    pod = dict(props["podProperties"])
    containers = [dict(c) for c in pod["containers"]]
    for i, o in enumerate(pod_override.get("containers") or ()):
        if not isinstance(o, dict):
            raise BatchApiError("eksPropertiesOverride containers must be objects")
        named = [c for c in containers if o.get("name") and c.get("name") == o["name"]]
        if named:
            target = named[0]
        elif i < len(containers):
            target = containers[i]
        else:
            raise BatchApiError(f"eksPropertiesOverride names container {i}, which the pod lacks")
        for key in ("image", "command", "args", "env", "resources"):
            if o.get(key) is not None:
                target[key] = o[key]
    pod["containers"] = containers
    if pod_override.get("metadata"):
        metadata = dict(pod.get("metadata") or {})
        labels = {
            **(metadata.get("labels") or {}),
            **(pod_override["metadata"].get("labels") or {}),
        }
        pod["metadata"] = {**metadata, **pod_override["metadata"], "labels": labels}
    return check_eks_properties({**props, "podProperties": pod})


def stand_in_container(props: dict[str, Any]) -> dict[str, Any]:
    """The pod's first container in containerProperties' terms, for the scheduler and workload."""
    first = props["podProperties"]["containers"][0]
    request = resource_request(props)
    return {
        "image": first["image"],
        "command": list(first.get("command") or ()) + list(first.get("args") or ()),
        "environment": list(first.get("env") or ()),
        "resourceRequirements": [
            {"type": "VCPU", "value": f"{request.vcpus:g}"},
            {"type": "MEMORY", "value": str(request.memory_mib)},
        ],
    }


def pod_name(job_id: str, attempt: int) -> str:
    """The pod Batch made for an attempt (AWS names them ``aws-batch.<uuid>``)."""
    digest = hashlib.sha256(f"{job_id}/{attempt}".encode()).digest()
    return f"aws-batch.{uuid.UUID(bytes=digest[:16], version=4)}"


def node_name(container_instance_arn: str, region: str) -> str:
    """The Kubernetes node (an instance of the CE) an attempt's pod ran on."""
    if not container_instance_arn:
        return ""
    digest = hashlib.sha256(container_instance_arn.encode()).digest()
    suffix = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    return f"ip-10-42-{digest[0] % 64}-{1 + digest[1] % 254}.{suffix}"


def job_fields(job: Job, region: str, cluster_arn: str, namespace: str) -> dict[str, Any]:
    """DescribeJobs' eksProperties (with the current or last pod and node) and eksAttempts."""
    assert job.eks_properties is not None
    pod = dict(job.eks_properties["podProperties"])
    attempts: list[dict[str, Any]] = [
        _attempt(job, i, a, region, cluster_arn, namespace) for i, a in enumerate(job.attempts)
    ]
    running = job.status in ("STARTING", "RUNNING")
    if running:
        pod["podName"] = pod_name(job.job_id, len(job.attempts))
        pod["nodeName"] = node_name(job.container_instance_arn, region)
    elif attempts:
        pod["podName"], pod["nodeName"] = attempts[-1]["podName"], attempts[-1]["nodeName"]
    if job.is_final and job.attempts:
        last = job.attempts[-1]
        pod["containers"] = [
            {**c, **({"exitCode": last.exit_code} if last.exit_code is not None else {})}
            for c in pod["containers"]
        ]
    return {"eksProperties": {"podProperties": pod}, "eksAttempts": attempts}


def _attempt(
    job: Job, i: int, a: Attempt, region: str, cluster_arn: str, namespace: str
) -> dict[str, Any]:
    containers = [
        {
            k: v
            for k, v in {
                "name": c.get("name"),
                "exitCode": a.exit_code,
                "reason": a.reason,
            }.items()
            if v is not None
        }
        for c in (job.eks_properties or {})["podProperties"]["containers"]
    ]
    out: dict[str, Any] = {
        "containers": containers,
        "eksClusterArn": cluster_arn,
        "podName": pod_name(job.job_id, i),
        "podNamespace": namespace,
        "nodeName": node_name(a.container_instance_arn, region),
        "startedAt": None if a.started_at is None else int(a.started_at * 1000),
        "stoppedAt": None if a.stopped_at is None else int(a.stopped_at * 1000),
        "statusReason": a.status_reason or None,
    }
    return {k: v for k, v in out.items() if v is not None}
