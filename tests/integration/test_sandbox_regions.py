"""One account state per region: the same calls in two regions see two separate accounts."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import CREDENTIALS

OTHER = "eu-west-3"


def client(sb: Any, service: str, region: str) -> Any:
    return boto3.client(service, endpoint_url=sb.url, region_name=region, **CREDENTIALS)


def make_account(sb: Any, region: str, profile: str, name: str) -> dict[str, str]:
    """The same CE, queue and job definition, by the same names, in ``region``."""
    batch = client(sb, "batch", region)
    ce = batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED",
        computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 4, "instanceTypes": ["m5"],
                          "subnets": ["subnet-1"], "instanceRole": profile},
    )  # fmt: skip
    queue = batch.create_job_queue(jobQueueName=name, priority=1,
                                   computeEnvironmentOrder=[{"order": 1, "computeEnvironment": name}])  # fmt: skip
    jd = batch.register_job_definition(
        jobDefinitionName=name, type="container",
        containerProperties={"image": "busybox", "command": ["sleep", "60"],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "1024"}]},
    )  # fmt: skip
    return {"ce": ce["computeEnvironmentArn"], "queue": queue["jobQueueArn"],
            "jd": jd["jobDefinitionArn"]}  # fmt: skip


def test_two_regions_are_two_accounts(sandbox: Any, instance_profile: str) -> None:
    home = sandbox.region
    assert OTHER not in sandbox.regions  # nobody called it yet: it costs nothing
    other_batch = client(sandbox, "batch", OTHER)
    assert other_batch.describe_job_queues()["jobQueues"] == []
    assert other_batch.describe_compute_environments()["computeEnvironments"] == []
    assert OTHER in sandbox.regions

    here = make_account(sandbox, home, instance_profile, "regional")
    there = make_account(sandbox, OTHER, instance_profile, "regional")
    assert f":batch:{home}:" in here["queue"] and f":batch:{OTHER}:" in there["queue"]
    for arn in there.values():
        assert arn.split(":")[3] == OTHER
    assert there["jd"].endswith(":job-definition/regional:1")  # its own revision count
    (ce,) = other_batch.describe_compute_environments(computeEnvironments=["regional"])[
        "computeEnvironments"
    ]
    assert ce["ecsClusterArn"].startswith(f"arn:aws:ecs:{OTHER}:")
    assert [q["jobQueueName"] for q in other_batch.describe_job_queues()["jobQueues"]] == [
        "regional"
    ]

    job = other_batch.submit_job(jobName="far", jobQueue="regional", jobDefinition="regional")
    assert job["jobArn"].startswith(f"arn:aws:batch:{OTHER}:")
    sandbox.advance(400)
    (detail,) = other_batch.describe_jobs(jobs=[job["jobId"]])["jobs"]
    assert detail["status"] == "SUCCEEDED"
    assert detail["container"]["taskArn"].startswith(f"arn:aws:ecs:{OTHER}:")
    home_batch = client(sandbox, "batch", home)
    assert home_batch.describe_jobs(jobs=[job["jobId"]])["jobs"] == []
    for status in ("SUCCEEDED", "RUNNING"):
        assert home_batch.list_jobs(jobQueue="regional", jobStatus=status)["jobSummaryList"] == []

    # Its log group and ECS cluster are in its region, not in the home region.
    stream = detail["container"]["logStreamName"]
    logs_there = client(sandbox, "logs", OTHER)
    streams = logs_there.describe_log_streams(logGroupName="/aws/batch/job",
                                              logStreamNamePrefix=stream)["logStreams"]  # fmt: skip
    assert [s["logStreamName"] for s in streams] == [stream]
    logs_home = client(sandbox, "logs", home)
    with pytest.raises(ClientError):
        logs_home.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream)
    cluster = ce["ecsClusterArn"]
    ecs_there = client(sandbox, "ecs", OTHER).describe_clusters(clusters=[cluster])
    assert [c["clusterArn"] for c in ecs_there["clusters"]] == [cluster]
    ecs_home = client(sandbox, "ecs", home).describe_clusters(clusters=[cluster])
    assert ecs_home["clusters"] == []


def test_every_region_answers_quotas_of_its_own(sandbox: Any) -> None:
    quotas = client(sandbox, "service-quotas", "ap-northeast-1")
    quota = quotas.get_service_quota(ServiceCode="ec2", QuotaCode="L-1216C47A")["Quota"]
    assert quota["QuotaArn"].startswith("arn:aws:servicequotas:ap-northeast-1:")
    assert quota["Value"] == sandbox.config.on_demand_vcpu_quota


def test_a_signature_for_no_region_is_refused(sandbox: Any) -> None:
    batch = client(sandbox, "batch", "notaregion")
    with pytest.raises(ClientError) as info:
        batch.describe_job_queues()
    assert info.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert "notaregion" not in sandbox.regions


def test_the_demo_account_is_in_its_region_only(demo_sandbox: Any) -> None:
    home = client(demo_sandbox, "batch", demo_sandbox.region)
    assert home.describe_job_queues()["jobQueues"]
    away = client(demo_sandbox, "batch", "eu-west-1")
    assert away.describe_job_queues()["jobQueues"] == []
    assert away.describe_job_definitions()["jobDefinitions"] == []


def test_the_seed_goes_to_the_region_asked_for() -> None:
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(seed="demo", manual_clock=True, random_seed=3, region="eu-central-1")
    with Sandbox(config) as sb:
        queues = client(sb, "batch", "eu-central-1").describe_job_queues()["jobQueues"]
        assert queues and all(":eu-central-1:" in q["jobQueueArn"] for q in queues)
        assert client(sb, "batch", "us-east-1").describe_job_queues()["jobQueues"] == []


@pytest.mark.parametrize("region", ["nope", "US-EAST-1", "eu-west"])
def test_serve_refuses_a_region_that_is_no_region_name(
    region: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from batchtui.cli import main

    assert main(["sandbox", "serve", "--seed", "empty", f"--region={region}"]) == 2
    err = capsys.readouterr().err
    assert f"--region {region!r} is not an AWS region name" in err
