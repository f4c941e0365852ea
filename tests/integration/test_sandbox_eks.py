"""Batch on Amazon EKS, through boto3 against the sandbox over HTTP: EKS compute environments,
eksProperties job definitions and overrides, scheduled on the same capacity as ECS jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

CLUSTER = "arn:aws:eks:us-east-1:123456789012:cluster/batch-tests"


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


@pytest.fixture
def eks_queue(
    batch: Any, instance_profile: str, unique_name: Callable[[str], str]
) -> Callable[..., dict[str, str]]:
    """An EKS compute environment (16 vCPUs of m5) and a queue over it; returns their names."""

    def make(max_vcpus: int = 16) -> dict[str, str]:
        ce = unique_name("eks-ce")
        batch.create_compute_environment(
            computeEnvironmentName=ce,
            type="MANAGED",
            eksConfiguration={"eksClusterArn": CLUSTER, "kubernetesNamespace": "batch-jobs"},
            computeResources={
                "type": "EC2",
                "minvCpus": 0,
                "maxvCpus": max_vcpus,
                "instanceTypes": ["m5"],
                "subnets": ["subnet-1234"],
                "instanceRole": instance_profile,
            },
        )
        queue = unique_name("eks-queue")
        batch.create_job_queue(
            jobQueueName=queue,
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}],
        )
        return {"ce": ce, "queue": queue}

    return make


def pod(command: list[str], cpu: str = "1", memory: str = "1024Mi") -> dict[str, Any]:
    return {
        "podProperties": {
            "containers": [
                {
                    "name": "main",
                    "image": "public.ecr.aws/amazonlinux/amazonlinux:2",
                    "command": command,
                    "resources": {"limits": {"cpu": cpu, "memory": memory}},
                }
            ]
        }
    }


def test_an_eks_job_runs_to_succeeded_on_an_eks_compute_environment(
    sandbox: Any, batch: Any, eks_queue: Any, unique_name: Callable[[str], str]
) -> None:
    names = eks_queue()
    [ce] = batch.describe_compute_environments(computeEnvironments=[names["ce"]])[
        "computeEnvironments"
    ]
    assert ce["containerOrchestrationType"] == "EKS"
    assert ce["eksConfiguration"] == {
        "eksClusterArn": CLUSTER,
        "kubernetesNamespace": "batch-jobs",
    }
    assert "ecsClusterArn" not in ce
    [q] = batch.describe_job_queues(jobQueues=[names["queue"]])["jobQueues"]
    assert q["jobQueueType"] == "EKS"

    jd = unique_name("eks-jd")
    batch.register_job_definition(
        jobDefinitionName=jd, type="container", eksProperties=pod(["sleep", "600"])
    )
    [definition] = batch.describe_job_definitions(jobDefinitionName=jd)["jobDefinitions"]
    assert definition["containerOrchestrationType"] == "EKS"
    assert "containerProperties" not in definition
    assert definition["eksProperties"] == pod(["sleep", "600"])

    job_id = batch.submit_job(
        jobName="eks-job",
        jobQueue=names["queue"],
        jobDefinition=jd,
        eksPropertiesOverride={"podProperties": {"containers": [{"command": ["sleep", "45"]}]}},
    )["jobId"]
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 5)
    [running] = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert running["status"] == "RUNNING"
    pod_detail = running["eksProperties"]["podProperties"]
    assert pod_detail["podName"].startswith("aws-batch.")
    assert pod_detail["nodeName"].endswith(".ec2.internal")
    assert pod_detail["containers"][0]["command"] == ["sleep", "45"]
    assert "container" not in running

    sandbox.advance(60)
    [done] = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert done["status"] == "SUCCEEDED"
    [attempt] = done["eksAttempts"]
    assert attempt["containers"] == [{"name": "main", "exitCode": 0}]
    assert attempt["eksClusterArn"] == CLUSTER and attempt["podNamespace"] == "batch-jobs"
    assert attempt["podName"] == pod_detail["podName"]
    assert attempt["nodeName"] == pod_detail["nodeName"]
    assert attempt["stoppedAt"] - attempt["startedAt"] == 45_000
    assert done["attempts"] == []


def test_eks_and_ecs_do_not_mix(
    batch: Any, eks_queue: Any, batch_queue: Any, job_definition: Any, unique_name: Any
) -> None:
    eks = eks_queue()
    ecs_queue = batch_queue()["queue"]
    jd = unique_name("eks-jd")
    batch.register_job_definition(jobDefinitionName=jd, type="container", eksProperties=pod([]))
    with pytest.raises(ClientError, match="ECS job queue"):
        batch.submit_job(jobName="x", jobQueue=ecs_queue, jobDefinition=jd)
    with pytest.raises(ClientError, match="EKS job queue"):
        batch.submit_job(jobName="x", jobQueue=eks["queue"], jobDefinition=job_definition())
    with pytest.raises(ClientError, match="can't be mixed"):
        batch.create_job_queue(
            jobQueueName=unique_name("mixed"),
            priority=1,
            computeEnvironmentOrder=[
                {"order": 1, "computeEnvironment": eks["ce"]},
                {"order": 2, "computeEnvironment": batch_queue()["ce0"]},
            ],
        )


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"eksClusterArn": CLUSTER, "kubernetesNamespace": "default"}, "kubernetesNamespace"),
        ({"eksClusterArn": CLUSTER, "kubernetesNamespace": "kube-system"}, "kubernetesNamespace"),
        ({"eksClusterArn": "my-cluster", "kubernetesNamespace": "jobs"}, "eksClusterArn"),
    ],
)
def test_invalid_eks_configurations_are_refused(
    batch: Any, instance_profile: str, unique_name: Any, config: dict[str, str], words: str
) -> None:
    with pytest.raises(ClientError, match=words):
        batch.create_compute_environment(
            computeEnvironmentName=unique_name("eks-ce"),
            type="MANAGED",
            eksConfiguration=config,
            computeResources={
                "type": "EC2",
                "minvCpus": 0,
                "maxvCpus": 16,
                "instanceTypes": ["m5"],
                "subnets": ["subnet-1234"],
                "instanceRole": instance_profile,
            },
        )


def test_an_eks_pod_asks_for_the_sum_of_its_containers(
    sandbox: Any, batch: Any, eks_queue: Any, unique_name: Any
) -> None:
    """Two containers of 2 vCPUs each do not fit a CE of maxvCpus 2: the job says why."""
    names = eks_queue(max_vcpus=2)
    two = pod(["sleep", "30"], cpu="2", memory="1Gi")
    two["podProperties"]["containers"].append(
        {**two["podProperties"]["containers"][0], "name": "sidecar"}
    )
    jd = unique_name("eks-jd")
    batch.register_job_definition(jobDefinitionName=jd, type="container", eksProperties=two)
    job_id = batch.submit_job(jobName="big-pod", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(60)
    [job] = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert job["status"] == "RUNNABLE"
    assert job["statusReason"].startswith("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")
    batch.terminate_job(jobId=job_id, reason="test over")
