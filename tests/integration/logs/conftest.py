"""A sandbox of the logs tests' own, and helpers to run jobs in it to the end.

Its simulated clock starts three hours behind the real one, so the tests can add lines to a
job's stream with PutLogEvents over HTTP in the job's own time (CloudWatch refuses events more
than two hours ahead of its clock) and every producer in a stream shares one clock, as the
containers of one job do.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
PROFILE = "logs-tests-instance-profile"
ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


@pytest.fixture(scope="module")
def logs_sandbox() -> Iterator[Any]:
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        seed="empty",
        manual_clock=True,
        random_seed=11,
        start_time=time.time() - 3 * 3600,
        spot_interruption_rate_per_hour=0.0,
        resource_transition_seconds=0.0,
    )
    with Sandbox(config) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(logs_sandbox: Any) -> Callable[[str], Any]:
    import boto3

    def make(service: str) -> Any:
        return boto3.client(
            service, endpoint_url=logs_sandbox.url, region_name=logs_sandbox.region, **CREDENTIALS
        )

    return make


@pytest.fixture(scope="module")
def queue(logs_sandbox: Any, client: Callable[[str], Any]) -> str:
    iam = client("iam")
    try:
        profile = iam.get_instance_profile(InstanceProfileName=PROFILE)["InstanceProfile"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {"Version": "2012-10-17", "Statement": []}
        iam.create_role(RoleName=PROFILE, AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName=PROFILE, PolicyArn=ECS_INSTANCE_POLICY)
        profile = iam.create_instance_profile(InstanceProfileName=PROFILE)["InstanceProfile"]["Arn"]
        iam.add_role_to_instance_profile(InstanceProfileName=PROFILE, RoleName=PROFILE)
    batch = client("batch")
    ce = unique("logs-ce")
    batch.create_compute_environment(
        computeEnvironmentName=ce,
        type="MANAGED",
        state="ENABLED",
        computeResources={
            "type": "EC2",
            "minvCpus": 0,
            "maxvCpus": 64,
            "instanceTypes": ["m5"],
            "subnets": ["subnet-12345678"],
            "instanceRole": profile,
        },
    )
    name = unique("logs-queue")
    batch.create_job_queue(
        jobQueueName=name,
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}],
    )
    return name


@pytest.fixture(scope="module")
def jobdef(client: Callable[[str], Any]) -> Callable[..., str]:
    def make(command: str, log_configuration: dict[str, Any] | None = None, **extra: Any) -> str:
        name = unique("logs-jd")
        props: dict[str, Any] = {
            "image": "busybox",
            "command": ["sh", "-c", command],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "1024"},
            ],
        }
        if log_configuration:
            props["logConfiguration"] = log_configuration
        client("batch").register_job_definition(
            jobDefinitionName=name, type="container", containerProperties=props, **extra
        )
        return name

    return make


@pytest.fixture(scope="module")
def submit(client: Callable[[str], Any], queue: str) -> Callable[..., str]:
    def make(jd: str, **kw: Any) -> str:
        out = client("batch").submit_job(
            jobName=unique("logs-job"), jobQueue=queue, jobDefinition=jd, **kw
        )
        return str(out["jobId"])

    return make


@pytest.fixture(scope="module")
def run_to_end(logs_sandbox: Any, client: Callable[[str], Any]) -> Callable[[str], dict[str, Any]]:
    """Advance the sandbox until the job has finished; its final DescribeJobs entry."""

    def wait(job_id: str) -> dict[str, Any]:
        batch = client("batch")
        for _ in range(400):
            job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
            if job["status"] in ("SUCCEEDED", "FAILED"):
                return dict(job)
            logs_sandbox.advance(15)
        raise AssertionError(f"job {job_id} did not finish: {job['status']}")

    return wait


@pytest.fixture
def cli(logs_sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run `batchtui logs ...` against the sandbox: (exit code, stdout, stderr)."""
    from batchtui.cli import main

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(
            ["logs", *argv, "--endpoint-url", logs_sandbox.url, "--region", logs_sandbox.region]
        )
        out, err = capsys.readouterr()
        return code, out, err

    return run
