"""Shared fixtures: one sandbox AWS per test session, reached over HTTP with boto3.

The session's sandboxes run on a manual clock: tests never sleep, they call
``sandbox.advance(seconds)``. Because one sandbox serves the whole session, tests create their own
uniquely named resources (``unique_name``, ``batch_queue``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
INSTANCE_PROFILE = "sandbox-tests-instance-profile"
ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    """An empty account (seed="empty") on a manual clock, on a free port."""
    from batchtui.sandbox import Sandbox, SandboxConfig
    from batchtui.sandbox.config import WORKER_MODULES

    config = SandboxConfig(
        seed="empty",
        manual_clock=True,
        random_seed=7,
        spot_interruption_rate_per_hour=0.0,
        resource_transition_seconds=0.0,
        # The tests' own entry point runs for real beside the worker's.
        real_modules=(*WORKER_MODULES, "batchtui.sandbox.echo_worker"),
    )
    with Sandbox(config) as sb:
        yield sb


@pytest.fixture(autouse=True)
def _real_runs_end_with_their_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """A job of the session's sandbox that runs a real subprocess ends before the next test.

    Its output becomes log lines in real time: left running, it would write into the session's
    logs while another test reads them.
    """
    yield
    if "sandbox" in request.fixturenames:
        sb = request.getfixturevalue("sandbox")
        assert sb.wait_for_workers(timeout=120), "a real run of the session's sandbox never ended"


@pytest.fixture(scope="session")
def demo_sandbox() -> Iterator[Any]:
    """The demo account (seed="demo") on a manual clock."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(seed="demo", manual_clock=True, random_seed=3)) as sb:
        yield sb


def _client(sb: Any, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=sb.url, region_name=sb.region, **CREDENTIALS)


@pytest.fixture(scope="session")
def aws_client(sandbox: Any) -> Callable[..., Any]:
    """``aws_client(sandbox, "batch")`` or ``aws_client("batch")`` (the session sandbox)."""

    def make(sb_or_service: Any, service: str | None = None) -> Any:
        if isinstance(sb_or_service, str):
            return _client(sandbox, sb_or_service)
        assert service is not None
        return _client(sb_or_service, service)

    return make


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Names no other test of the session uses (resources outlive tests in the shared sandbox)."""
    return lambda prefix: f"{prefix}-{next(_names)}"


@pytest.fixture(scope="session")
def instance_profile(sandbox: Any) -> str:
    """An instance profile in IAM: a CE whose instanceRole does not exist is INVALID, as on AWS.
    Its role has the ECS container-instance policy, without which instances never join ECS."""
    iam = _client(sandbox, "iam")
    trust = {"Version": "2012-10-17", "Statement": []}
    iam.create_role(RoleName=INSTANCE_PROFILE, AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName=INSTANCE_PROFILE, PolicyArn=ECS_INSTANCE_POLICY)
    profile = iam.create_instance_profile(InstanceProfileName=INSTANCE_PROFILE)
    iam.add_role_to_instance_profile(
        InstanceProfileName=INSTANCE_PROFILE, RoleName=INSTANCE_PROFILE
    )
    return str(profile["InstanceProfile"]["Arn"])


@pytest.fixture
def batch_queue(
    sandbox: Any, instance_profile: str, unique_name: Callable[[str], str]
) -> Callable[..., dict[str, str]]:
    """Make a CE (or several) and a queue over them; returns their names.

    ``batch_queue(ces=[{"type": "SPOT", "maxvCpus": 16, "instanceTypes": ["m5"]}], priority=1)``;
    a ``FARGATE`` or ``FARGATE_SPOT`` spec gets only maxvCpus and subnets by default.
    """
    batch = _client(sandbox, "batch")

    def make(ces: list[dict[str, Any]] | None = None, **queue: Any) -> dict[str, str]:
        names: dict[str, str] = {}
        order = []
        for i, spec in enumerate(ces or [{}]):
            spec = dict(spec)
            state = spec.pop("state", "ENABLED")
            role = spec.pop("instanceRole", instance_profile)
            name = unique_name("ce")
            resources: dict[str, Any] = {"type": "EC2", "maxvCpus": 16, "subnets": ["subnet-1234"]}
            if not str(spec.get("type", "EC2")).startswith("FARGATE"):  # Fargate CEs have none
                resources |= {"minvCpus": 0, "instanceTypes": ["m5"], "instanceRole": role}
            resources |= spec
            batch.create_compute_environment(
                computeEnvironmentName=name,
                type="MANAGED",
                state=state,
                computeResources=resources,
            )
            names[f"ce{i}"] = name
            order.append({"order": i + 1, "computeEnvironment": name})
        queue_name = unique_name("queue")
        batch.create_job_queue(
            jobQueueName=queue_name,
            priority=queue.pop("priority", 1),
            computeEnvironmentOrder=order,
            **queue,
        )
        names["queue"] = queue_name
        return names

    return make


@pytest.fixture
def job_definition(sandbox: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """Register a job definition (1 vCPU, 1 GiB by default); returns its name."""
    batch = _client(sandbox, "batch")

    def make(command: list[str] | None = None, vcpus: str = "1", memory: str = "1024",
             **extra: Any) -> str:  # fmt: skip
        name = unique_name("jobdef")
        props = {
            "image": "busybox",
            "command": command or ["sh", "-c", "sleep 100"],
            "resourceRequirements": [
                {"type": "VCPU", "value": vcpus},
                {"type": "MEMORY", "value": memory},
            ],
            **extra.pop("container", {}),
        }
        batch.register_job_definition(
            jobDefinitionName=name, type="container", containerProperties=props, **extra
        )
        return name

    return make


@pytest.fixture
def fargate_definition(sandbox: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """Register a FARGATE job definition of a task size: ``fargate_definition("sleep 60", "0.5",
    "1024")``; returns its name."""
    batch = _client(sandbox, "batch")

    def make(command: str = "sleep 120", vcpus: str = "1", memory: str = "2048",
             **extra: Any) -> str:  # fmt: skip
        name = unique_name("fargate-jd")
        batch.register_job_definition(
            jobDefinitionName=name,
            type="container",
            platformCapabilities=["FARGATE"],
            containerProperties={
                "image": "public.ecr.aws/docker/library/python:3.12-slim",
                "command": ["sh", "-c", command],
                "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
                "resourceRequirements": [
                    {"type": "VCPU", "value": vcpus},
                    {"type": "MEMORY", "value": memory},
                ],
                "networkConfiguration": {"assignPublicIp": "ENABLED"},
            },
            **extra,
        )
        return name

    return make


@pytest.fixture
def sandbox_faults(sandbox: Any) -> Iterator[Any]:
    """The session sandbox's fault injector, over its control API, cleared before and after:
    ``sandbox_faults.inject_fault("batch", "CreateComputeEnvironment", nth=2,
    code="ServerException", status=500)``."""
    from batchtui.sandbox.control_client import SandboxControl

    control = SandboxControl.of(sandbox)
    control.clear_faults()
    yield control
    control.clear_faults()
