"""Fargate and Fargate Spot compute environments over HTTP: tasks without instances, maxvCpus and
the Fargate vCPU quota, task sizes, Fargate Spot interruptions and retries, AWS's refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchtui.sandbox.fargate import FARGATE_ON_DEMAND_QUOTA

SPOT_INTERRUPTED = "Your Spot Task was interrupted."
WRAPPED = "Error executing request, Exception : "


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


def submit(batch: Any, queue: str, jd: str, name: str = "task", **extra: Any) -> str:
    return str(batch.submit_job(jobName=name, jobQueue=queue, jobDefinition=jd, **extra)["jobId"])


def describe(batch: Any, *job_ids: str) -> list[dict[str, Any]]:
    by_id = {j["jobId"]: j for j in batch.describe_jobs(jobs=list(job_ids))["jobs"]}
    return [by_id[i] for i in job_ids]


def error_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["Error"]["Code"] == "ClientException"
    return str(info.value.response["Error"]["Message"])


def test_fargate_tasks_start_without_instances_under_max_vcpus(
    sandbox: Any, batch: Any, aws_client: Any, batch_queue: Any, fargate_definition: Any
) -> None:
    names = batch_queue(ces=[{"type": "FARGATE", "maxvCpus": 4}])
    jd = fargate_definition("sleep 120")
    ids = [submit(batch, names["queue"], jd, f"resize-{i}") for i in range(5)]
    sandbox.advance(2)
    jobs = describe(batch, *ids)
    assert [j["status"] for j in jobs] == ["STARTING"] * 4 + ["RUNNABLE"]  # no scale-up wait
    assert "statusReason" not in jobs[4]  # waiting for room under maxvCpus is not blocked
    sandbox.advance(60)  # Fargate provisions each task in 30-60 s
    jobs = describe(batch, *ids)
    assert [j["status"] for j in jobs] == ["RUNNING"] * 4 + ["RUNNABLE"]
    for job in jobs[:4]:
        assert 30_000 <= job["startedAt"] - job["createdAt"] - 1000 <= 61_000
        container = job["container"]
        assert "containerInstanceArn" not in container  # no instance of yours runs it
        task_id = container["taskArn"].rsplit("/", 1)[1]
        assert container["logStreamName"] == f"{jd}/default/{task_id}"
        assert container["networkInterfaces"][0]["privateIpv4Address"].startswith("10.")
        assert container["networkConfiguration"] == {"assignPublicIp": "ENABLED"}
        assert job["platformCapabilities"] == ["FARGATE"]
    ce = batch.describe_compute_environments(computeEnvironments=[names["ce0"]])
    ce = ce["computeEnvironments"][0]
    assert jobs[0]["container"]["taskArn"].split("/")[-2] == ce["ecsClusterArn"].rsplit("/", 1)[1]
    assert ce["computeResources"]["type"] == "FARGATE" and ce["computeResources"]["maxvCpus"] == 4
    assert "minvCpus" not in ce["computeResources"] and "desiredvCpus" not in ce["computeResources"]
    assert "instanceTypes" not in ce["computeResources"]
    logs = aws_client("logs").get_log_events(
        logGroupName="/aws/batch/job", logStreamName=jobs[0]["container"]["logStreamName"]
    )
    assert logs["events"][0]["message"].startswith("[batch] job resize-0")
    sandbox.advance(200)  # the first four finish; the fifth gets their room
    jobs = describe(batch, *ids)
    assert [j["status"] for j in jobs] == ["SUCCEEDED"] * 4 + ["RUNNING"]


def test_fargate_spot_interruption_is_retried_by_its_status_reason(
    sandbox: Any, batch: Any, batch_queue: Any, fargate_definition: Any
) -> None:
    names = batch_queue(ces=[{"type": "FARGATE_SPOT", "maxvCpus": 8}])
    retry = {
        "attempts": 3,
        "evaluateOnExit": [
            {"onStatusReason": "Your Spot Task was interrupted*", "action": "RETRY"},
            {"onReason": "*", "action": "EXIT"},
        ],
    }
    jd = fargate_definition("sleep 300", retryStrategy=retry)
    job_id = submit(batch, names["queue"], jd, "spot-task")
    sandbox.advance(120)
    [job] = describe(batch, job_id)
    assert job["status"] == "RUNNING"
    assert sandbox.scheduler.interrupt_task(job_id)
    [job] = describe(batch, job_id)
    assert job["status"] in ("RUNNABLE", "STARTING")  # retried at once: no instance to wait for
    [first] = job["attempts"]
    assert first["statusReason"] == SPOT_INTERRUPTED
    assert "exitCode" not in first["container"] and first["container"]["logStreamName"]
    sandbox.advance(500)
    [job] = describe(batch, job_id)
    assert job["status"] == "SUCCEEDED" and len(job["attempts"]) == 2
    assert job["attempts"][1]["container"]["exitCode"] == 0


def test_fargate_spot_tasks_are_interrupted_at_the_configured_rate() -> None:
    import boto3

    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        seed="empty", manual_clock=True, spot_interruption_rate_per_hour=30.0, random_seed=9
    )
    with Sandbox(config) as sb:
        batch = boto3.client("batch", endpoint_url=sb.url, region_name=sb.region,
                             aws_access_key_id="t", aws_secret_access_key="t")  # fmt: skip
        batch.create_compute_environment(
            computeEnvironmentName="fs", type="MANAGED",
            computeResources={"type": "FARGATE_SPOT", "maxvCpus": 4, "subnets": ["s"]})  # fmt: skip
        sb.advance(10)
        batch.create_job_queue(jobQueueName="q", priority=1,
                               computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "fs"}])  # fmt: skip
        batch.register_job_definition(
            jobDefinitionName="hour", type="container", platformCapabilities=["FARGATE"],
            containerProperties={"image": "x", "command": ["sleep", "3600"], "resourceRequirements": [
                {"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}]},
            retryStrategy={"attempts": 10})  # fmt: skip
        sb.advance(10)
        job_id = batch.submit_job(jobName="hour", jobQueue="q", jobDefinition="hour")["jobId"]
        sb.advance(3 * 3600)
        attempts = batch.describe_jobs(jobs=[job_id])["jobs"][0]["attempts"]
        assert any(a["statusReason"] == SPOT_INTERRUPTED for a in attempts)


@pytest.fixture
def fargate_quota_left(sandbox: Any) -> Iterator[Callable[[float], None]]:
    """Set how many Fargate on-demand vCPUs the account's quota has left (restored after)."""
    saved = sandbox.quotas[FARGATE_ON_DEMAND_QUOTA]

    def set_left(vcpus: float) -> None:
        used = sandbox.scheduler.fargate.pool_used[False]
        sandbox.quotas[FARGATE_ON_DEMAND_QUOTA] = used + vcpus

    yield set_left
    sandbox.quotas[FARGATE_ON_DEMAND_QUOTA] = saved


def test_the_fargate_vcpu_quota_holds_tasks_back_without_blocking(
    sandbox: Any, batch: Any, batch_queue: Any, fargate_definition: Any, fargate_quota_left: Any
) -> None:
    fargate_quota_left(2)
    q = batch_queue(ces=[{"type": "FARGATE", "maxvCpus": 16}])["queue"]
    jd = fargate_definition("sleep 60")
    ids = [submit(batch, q, jd, f"quota-{i}") for i in range(4)]
    sandbox.advance(2)
    jobs = describe(batch, *ids)
    assert [j["status"] for j in jobs] == ["STARTING"] * 2 + ["RUNNABLE"] * 2
    assert not any("statusReason" in j for j in jobs)
    fargate_quota_left(2)  # a quota increase: two more vCPUs
    sandbox.advance(2)
    assert [j["status"] for j in describe(batch, *ids)] == ["STARTING"] * 4


def test_a_fargate_head_above_max_vcpus_blocks_its_queue(
    sandbox: Any, batch: Any, batch_queue: Any, fargate_definition: Any
) -> None:
    q = batch_queue(ces=[{"type": "FARGATE", "maxvCpus": 2}])["queue"]
    big = submit(batch, q, fargate_definition(vcpus="4", memory="8192"), "too-big")
    small = submit(batch, q, fargate_definition(), "small")
    sandbox.advance(120)
    head, behind = describe(batch, big, small)
    assert head["statusReason"].startswith("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")
    assert behind["status"] == "RUNNABLE" and "statusReason" not in behind


def test_fargate_refusals_in_aws_words(
    batch: Any, batch_queue: Any, job_definition: Any, fargate_definition: Any,
    unique_name: Any,
) -> None:  # fmt: skip
    def register(**container: Any) -> str:
        props = {"image": "x", **container}
        return error_of(batch.register_job_definition, jobDefinitionName=unique_name("bad"),
                        type="container", platformCapabilities=["FARGATE"],
                        containerProperties=props)  # fmt: skip

    def rr(vcpus: str, memory: str) -> list[dict[str, str]]:
        return [{"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}]

    message = register(resourceRequirements=rr("1", "1024"))
    assert message.startswith(
        WRAPPED + "Fargate resource requirements (1.00 vCPU, 1024 MiB) not valid., RequestId: "
    )
    assert register(resourceRequirements=rr("0.5", "5120")).startswith(
        WRAPPED + "Fargate resource requirements (0.50 vCPU, 5120 MiB) not valid."
    )
    assert register(vcpus=1, memory=2048).startswith(
        WRAPPED + "vcpus is not applicable for Fargate. Use resource requirements instead."
    )
    ec2_with_network = error_of(
        batch.register_job_definition, jobDefinitionName=unique_name("bad"), type="container",
        containerProperties={"image": "x", "resourceRequirements": rr("1", "2048"),
                             "networkConfiguration": {"assignPublicIp": "ENABLED"}})  # fmt: skip
    assert ec2_with_network.startswith(WRAPPED + "networkConfiguration not applicable for EC2.")

    def create_ce(**resources: Any) -> str:
        return error_of(batch.create_compute_environment, computeEnvironmentName=unique_name("f"),
                        type="MANAGED", computeResources={"type": "FARGATE", "maxvCpus": 4,
                                                          "subnets": ["s"], **resources})  # fmt: skip

    assert create_ce(minvCpus=0).startswith(WRAPPED + "minvCpus is not applicable for Fargate.")
    assert create_ce(instanceTypes=["m5"]).startswith(
        WRAPPED + "instanceTypes is not applicable for Fargate."
    )
    fargate_q = batch_queue(ces=[{"type": "FARGATE", "maxvCpus": 4}])
    message = error_of(batch.update_compute_environment, computeEnvironment=fargate_q["ce0"],
                       computeResources={"desiredvCpus": 2})  # fmt: skip
    assert message.startswith(WRAPPED + "desiredvCpus is not applicable for Fargate.")
    ec2_q = batch_queue()
    mixed = error_of(batch.create_job_queue, jobQueueName=unique_name("mixed"), priority=1,
                     computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ec2_q["ce0"]},
                                              {"order": 2, "computeEnvironment": fargate_q["ce0"]}])  # fmt: skip
    assert mixed == "Amazon EC2 and Fargate compute environments can't be mixed."

    on_fargate = fargate_definition()
    assert error_of(batch.submit_job, jobName="x", jobQueue=fargate_q["queue"],
                    jobDefinition=job_definition()) == (
        "Job Queue is attached to Compute Environment that can not run Jobs with capability EC2."
    )  # fmt: skip
    assert error_of(batch.submit_job, jobName="x", jobQueue=ec2_q["queue"],
                    jobDefinition=on_fargate) == (
        "Job Queue is attached to Compute Environment that can not run Jobs with capability "
        "FARGATE."
    )  # fmt: skip
    assert error_of(batch.submit_job, jobName="x", jobQueue=fargate_q["queue"],
                    jobDefinition=on_fargate, containerOverrides={"resourceRequirements": [
                        {"type": "MEMORY", "value": "4000"}]}) == (
        "Fargate resource requirements (1.00 vCPU, 4000 MiB) not valid."
    )  # fmt: skip
    assert error_of(batch.submit_job, jobName="x", jobQueue=fargate_q["queue"],
                    jobDefinition=on_fargate, containerOverrides={"vcpus": 2}) == (
        "vcpus is not applicable for Fargate. Use resource requirements instead."
    )  # fmt: skip
