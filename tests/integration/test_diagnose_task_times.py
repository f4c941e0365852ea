"""How long a job has been STARTING is read from its ECS task (DescribeTasks' createdAt,
pullStartedAt, pullStoppedAt), never from the job's createdAt: a job that waited long in
RUNNABLE and just left it is not "STARTING for long". The sandbox's ECS serves those fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from diagnose_seen import Run, evidence, submit

#: The sandbox's image pull: its jobs stay STARTING this long.
PULL_S = 1200.0


@pytest.fixture(scope="module")
def slow_pull() -> Iterator[Any]:
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        seed="empty",
        manual_clock=True,
        random_seed=5,
        spot_interruption_rate_per_hour=0.0,
        resource_transition_seconds=0.0,
        starting_seconds=PULL_S,
    )
    with Sandbox(config) as sb:
        yield sb


def _queue(batch: Any, name: str, profile: str, *, state: str = "ENABLED") -> str:
    batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED", state=state,
        computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 256,
                          "instanceTypes": ["m5"], "subnets": ["subnet-1234"],
                          "instanceRole": profile},
    )  # fmt: skip
    batch.create_job_queue(
        jobQueueName=name, priority=1, computeEnvironmentOrder=[{"order": 1, "computeEnvironment": name}]
    )  # fmt: skip
    batch.register_job_definition(
        jobDefinitionName=name,
        type="container",
        containerProperties={"image": "busybox:1.36", "command": ["sh", "-c", "sleep 60"],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "1024"}]},
    )  # fmt: skip
    return name


def _statuses(batch: Any, ids: list[str]) -> set[str]:
    return {
        j["status"]
        for i in range(0, len(ids), 100)
        for j in batch.describe_jobs(jobs=ids[i : i + 100])["jobs"]
    }


def test_the_sandbox_serves_a_tasks_creation_and_image_pull_times(
    slow_pull: Any, instance_profile: str, aws_client: Any
) -> None:
    batch, ecs = aws_client(slow_pull, "batch"), aws_client(slow_pull, "ecs")
    q = _queue(batch, "ce-task-times", instance_profile)
    job = submit(batch, q, q)
    slow_pull.advance(slow_pull.config.scale_up_seconds + 60)
    described = batch.describe_jobs(jobs=[job])["jobs"][0]
    assert described["status"] == "STARTING"
    arn = described["container"]["taskArn"]
    cluster = arn.split("/")[1]
    (task,) = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"]
    assert task["taskArn"] == arn and task["lastStatus"] == "PENDING"
    created = task["createdAt"].timestamp()
    # Made when the job went STARTING, about a minute ago (the scheduler's steps are a second
    # apart, and where a step falls depends on what the module's sandbox did before).
    assert slow_pull.now() - created == pytest.approx(60, abs=2)
    assert task["pullStartedAt"] == task["createdAt"] and "pullStoppedAt" not in task
    slow_pull.advance(PULL_S)
    (task,) = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"]
    assert task["lastStatus"] == "RUNNING"
    assert task["pullStoppedAt"].timestamp() - created == pytest.approx(PULL_S)
    assert task["startedAt"] == task["pullStoppedAt"]
    missing = arn.rpartition("/")[0] + "/" + "0" * 32
    answer = ecs.describe_tasks(cluster=cluster, tasks=[missing])
    assert answer["tasks"] == [] and answer["failures"] == [{"arn": missing, "reason": "MISSING"}]


def test_a_job_that_waited_runnable_is_not_starting_for_long_until_its_task_is(
    slow_pull: Any, instance_profile: str, aws_client: Any, diagnose_on: Callable[[Any], Run]
) -> None:
    """101 jobs wait 50 minutes behind a DISABLED compute environment, then start: diagnose
    makes no STARTING claim; 15 minutes on it says how long each has been pulling its image,
    from its task, in two DescribeTasks calls (100 tasks a call, whatever the job count)."""
    from batchtui.sandbox.control_client import SandboxControl

    batch = aws_client(slow_pull, "batch")
    q = _queue(batch, "ce-waited", instance_profile, state="DISABLED")
    jobs = [submit(batch, q, q, f"waited-{i}") for i in range(101)]
    slow_pull.advance(3000)
    assert _statuses(batch, jobs) == {"RUNNABLE"}
    batch.update_compute_environment(computeEnvironment=q, state="ENABLED")
    slow_pull.advance(slow_pull.config.scale_up_seconds + 60)
    assert _statuses(batch, jobs) == {"STARTING"}
    run = diagnose_on(slow_pull)
    rc, doc = run("--queue", q)
    assert rc == 0 and not [f for f in doc["findings"] if f["code"] == "STARTING_TOO_LONG"], doc
    slow_pull.advance(900)
    faults = SandboxControl.of(slow_pull)
    faults.clear_faults()
    # Count the calls: a fault on the 1,000th call never fires, but the sandbox counts them all.
    faults.inject_fault("ecs", "DescribeTasks", nth=1000, code="ThrottlingException")
    try:
        rc, doc = run("--queue", q)
        (counted,) = faults.faults()
    finally:
        faults.clear_faults()
    assert counted["calls"] == 2
    long = [f for f in doc["findings"] if f["code"] == "STARTING_TOO_LONG"]
    assert long and {j for f in long for j in f["jobIds"]} == set(jobs), doc["findings"]
    f = long[0]
    assert f["severity"] == "warning" and rc == 0
    assert f["title"].startswith("STARTING for 16m")
    assert (
        "pulling image busybox:1.36 for 16m" in f["title"]
        and "since it was created" not in f["title"]
    )
    assert "ecs:DescribeTasks tasks[].createdAt" in evidence(f)
    assert "ecs:DescribeTasks tasks[].pullStartedAt" in evidence(f)


def test_a_denied_task_read_is_a_cannot_tell_and_no_starting_claim(
    slow_pull: Any, instance_profile: str, aws_client: Any, diagnose_on: Callable[[Any], Run]
) -> None:
    from batchtui.sandbox.control_client import SandboxControl

    batch = aws_client(slow_pull, "batch")
    q = _queue(batch, "ce-denied-tasks", instance_profile)
    job = submit(batch, q, q)
    slow_pull.advance(slow_pull.config.scale_up_seconds + 900)
    assert _statuses(batch, [job]) == {"STARTING"}
    faults = SandboxControl.of(slow_pull)
    faults.clear_faults()
    faults.inject_fault("ecs", "DescribeTasks", times=10, code="AccessDeniedException",
                        message="not allowed", status=400)  # fmt: skip
    try:
        rc, doc = diagnose_on(slow_pull)(job)
    finally:
        faults.clear_faults()
    codes = [f["code"] for f in doc["findings"]]
    assert rc == 0 and "STARTING_TOO_LONG" not in codes, doc
    (cannot,) = [f for f in doc["findings"] if f["code"] == "CANNOT_TELL"]
    assert cannot["title"].startswith("cannot tell how long the STARTING jobs have been starting")
    assert "ecs:DescribeTasks" in cannot["title"]
