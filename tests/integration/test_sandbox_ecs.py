"""A compute environment's ECS cluster over HTTP: container instances registered for its running
EC2 instances (CPU units, memory, tasks), none for Fargate; moto answers for everything else."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchtui.capacity import schedulable_memory_mib


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


@pytest.fixture
def ecs(aws_client: Any) -> Any:
    return aws_client("ecs")


def resource(resources: list[dict[str, Any]], name: str) -> int:
    return int(next(r["integerValue"] for r in resources if r["name"] == name))


def cluster_of(batch: Any, ce: str) -> str:
    described = batch.describe_compute_environments(computeEnvironments=[ce])
    return str(described["computeEnvironments"][0]["ecsClusterArn"])


def test_running_instances_are_container_instances_of_the_ce_cluster(
    sandbox: Any, batch: Any, ecs: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 4, "instanceTypes": ["m5.large"]}])
    cluster = cluster_of(batch, names["ce0"])
    jd = job_definition(["sh", "-c", "sleep 200"], vcpus="1", memory="1024")
    jobs = [
        batch.submit_job(jobName=f"j{i}", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
        for i in range(3)
    ]
    sandbox.advance(5)  # two m5.large launching: not registered yet
    assert ecs.list_container_instances(cluster=cluster)["containerInstanceArns"] == []
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds)

    [described_cluster] = ecs.describe_clusters(clusters=[cluster])["clusters"]
    assert described_cluster["status"] == "ACTIVE"
    assert described_cluster["registeredContainerInstancesCount"] == 2
    assert described_cluster["runningTasksCount"] == 3
    arns = ecs.list_container_instances(cluster=cluster)["containerInstanceArns"]
    assert len(arns) == 2
    page = ecs.list_container_instances(cluster=cluster.rsplit("/", 1)[1], maxResults=1)
    assert len(page["containerInstanceArns"]) == 1
    rest = ecs.list_container_instances(cluster=cluster, nextToken=page["nextToken"], maxResults=1)
    assert page["containerInstanceArns"] + rest["containerInstanceArns"] == arns
    assert "nextToken" not in rest

    described = ecs.describe_container_instances(cluster=cluster, containerInstances=arns)
    assert described["failures"] == []
    instances = {ci["ec2InstanceId"]: ci for ci in described["containerInstances"]}
    assert set(instances) == {
        i.id for i in sandbox.store.compute_environments[names["ce0"]].instances.values()
    }
    m5_large = sandbox.catalog["m5.large"]
    used_cpu = 0
    for ci in instances.values():
        assert ci["status"] == "ACTIVE" and ci["agentConnected"]
        assert resource(ci["registeredResources"], "CPU") == 2 * 1024
        assert resource(ci["registeredResources"], "MEMORY") == schedulable_memory_mib(m5_large)
        used_cpu += resource(ci["registeredResources"], "CPU")
        used_cpu -= resource(ci["remainingResources"], "CPU")
        tasks = ci["runningTasksCount"]
        assert resource(ci["remainingResources"], "MEMORY") == (
            schedulable_memory_mib(m5_large) - 1024 * tasks
        )
    assert used_cpu / 1024 == 3.0  # what the TUI's overview reads as "vCPUs in use"
    assert sorted(ci["runningTasksCount"] for ci in instances.values()) == [1, 2]
    # Each job names the container instance it runs on.
    placed = {
        j["container"]["containerInstanceArn"] for j in batch.describe_jobs(jobs=jobs)["jobs"]
    }
    assert placed == set(arns)

    sandbox.advance(200 + sandbox.config.scale_down_idle_seconds + 5)  # done, idle, scaled in
    assert ecs.list_container_instances(cluster=cluster)["containerInstanceArns"] == []
    gone = ecs.describe_container_instances(cluster=cluster, containerInstances=arns[:1])
    assert gone["failures"] == [{"arn": arns[0], "reason": "MISSING"}]
    assert (
        ecs.describe_clusters(clusters=[cluster])["clusters"][0][
            "registeredContainerInstancesCount"
        ]
        == 0
    )


def test_a_fargate_cluster_has_tasks_but_no_container_instances(
    sandbox: Any, batch: Any, ecs: Any, batch_queue: Any, unique_name: Any
) -> None:
    names = batch_queue(ces=[{"type": "FARGATE", "maxvCpus": 4}])
    jd = unique_name("fargate")
    batch.register_job_definition(
        jobDefinitionName=jd, type="container", platformCapabilities=["FARGATE"],
        containerProperties={"image": "x", "command": ["sleep", "600"], "resourceRequirements": [
            {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]})  # fmt: skip
    for i in range(2):
        batch.submit_job(jobName=f"t{i}", jobQueue=names["queue"], jobDefinition=jd)
    sandbox.advance(2)
    cluster = cluster_of(batch, names["ce0"])
    [c] = ecs.describe_clusters(clusters=[cluster])["clusters"]
    assert (c["registeredContainerInstancesCount"], c["pendingTasksCount"]) == (0, 2)
    sandbox.advance(61)
    [c] = ecs.describe_clusters(clusters=[cluster])["clusters"]
    assert (c["runningTasksCount"], c["pendingTasksCount"]) == (2, 0)
    assert ecs.list_container_instances(cluster=cluster)["containerInstanceArns"] == []


def test_moto_answers_for_other_clusters_and_bad_input_is_aws_shaped(
    batch: Any, ecs: Any, batch_queue: Any
) -> None:
    names = batch_queue()
    cluster = cluster_of(batch, names["ce0"])
    ecs.create_cluster(clusterName="ecs-own-cluster")
    found = ecs.describe_clusters(clusters=[cluster, "ecs-own-cluster"])["clusters"]
    assert {c["clusterArn"].rsplit("/", 1)[1] for c in found} == {
        cluster.rsplit("/", 1)[1],
        "ecs-own-cluster",
    }
    assert cluster in ecs.list_clusters()["clusterArns"]
    with pytest.raises(ClientError) as info:
        ecs.list_container_instances(cluster="no-such-cluster")
    assert info.value.response["Error"] == {
        "Code": "ClusterNotFoundException",
        "Message": "Cluster not found.",
    }
    assert ecs.list_container_instances(cluster="ecs-own-cluster")["containerInstanceArns"] == []
    with pytest.raises(ClientError) as info:
        ecs.list_container_instances(cluster=cluster, maxResults=1000)
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        ecs.list_container_instances(cluster=cluster, filter="attribute:ecs.instance-type == x")
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    # A deleted CE takes its cluster with it.
    batch.update_job_queue(jobQueue=names["queue"], state="DISABLED")
    batch.delete_job_queue(jobQueue=names["queue"])
    batch.update_compute_environment(computeEnvironment=names["ce0"], state="DISABLED")
    batch.delete_compute_environment(computeEnvironment=names["ce0"])
    assert ecs.describe_clusters(clusters=[cluster])["failures"][0]["reason"] == "MISSING"
