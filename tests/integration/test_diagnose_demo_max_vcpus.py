"""The maxvCpus diagnose recommends for the demo's stuck head places the job: applied as it is,
with the demo's trickle of small jobs going on, the job leaves RUNNABLE."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from diagnose_seen import Run, first

MAX_RESOURCE = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"


@pytest.fixture
def demo() -> Iterator[Any]:
    """A demo account of this test's own (its clock moves an hour), trickle on as a user sees it."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(seed="demo", manual_clock=True, random_seed=3)) as sb:
        yield sb


def _job_id(batch: Any, queue: str, name: str) -> str:
    listed = batch.list_jobs(jobQueue=queue, jobStatus="RUNNABLE")["jobSummaryList"]
    return next(str(j["jobId"]) for j in listed if j["jobName"] == name)


def _ce(batch: Any, name: str) -> dict[str, Any]:
    found = batch.describe_compute_environments(computeEnvironments=[name])
    return dict(found["computeEnvironments"][0]["computeResources"])


def test_the_recommended_max_vcpus_places_the_demo_head(
    demo: Any, aws_client: Any, diagnose_on: Callable[[Any], Run]
) -> None:
    batch = aws_client(demo, "batch")
    job = _job_id(batch, "demo-batch-low", "simulate-72-cores")
    held = _ce(batch, "demo-ondemand")["desiredvCpus"]
    assert held > 0  # the count below is not the bare instance's
    rc, doc = diagnose_on(demo)(job)
    f = first(doc)
    assert (rc, f["code"]) == (3, MAX_RESOURCE)
    wanted = held + 96
    assert f["maxVcpus"] == wanted and f["action"] == "scale" and f["target"] == "demo-ondemand"
    assert f["fix"].startswith(
        f"raise maxvCpus of demo-ondemand to at least {wanted} (the {held} vCPUs it holds now "
        "+ a 96-vCPU m5.24xlarge)"
    )
    batch.update_compute_environment(
        computeEnvironment="demo-ondemand", computeResources={"maxvCpus": wanted}
    )
    demo.advance(900)
    status = batch.describe_jobs(jobs=[job])["jobs"][0]["status"]
    assert status != "RUNNABLE"


def test_a_max_that_leaves_no_room_beside_other_jobs_is_not_plain_waiting(
    demo: Any, aws_client: Any, diagnose_on: Callable[[Any], Run]
) -> None:
    """96 alone fits the instance, but not beside what the CE holds for other jobs: the job
    waits for room under maxvCpus (or is blocked while minvCpus keeps some), never "waiting
    for room on running instances", and the new figure again places it."""
    batch = aws_client(demo, "batch")
    job = _job_id(batch, "demo-batch-low", "simulate-72-cores")
    batch.update_compute_environment(
        computeEnvironment="demo-ondemand", computeResources={"maxvCpus": 96, "minvCpus": 0}
    )
    demo.advance(600)
    assert batch.describe_jobs(jobs=[job])["jobs"][0]["status"] == "RUNNABLE"
    rc, doc = diagnose_on(demo)(job)
    assert rc == 0, doc  # it waits: nothing blocks it
    f = first(doc)
    held = _ce(batch, "demo-ondemand")["desiredvCpus"]
    assert held + 96 > 96, doc
    assert "room on running instances" not in f["title"]
    assert f["title"].startswith("waiting for room under maxvCpus 96 of demo-ondemand"), f
    assert f"instances running other jobs hold {held}" in f["title"]
    assert f"raise maxvCpus of demo-ondemand to {held + 96}" in f["fix"]
    assert f["maxVcpus"] == held + 96
    batch.update_compute_environment(
        computeEnvironment="demo-ondemand", computeResources={"maxvCpus": held + 96}
    )
    demo.advance(900)
    assert batch.describe_jobs(jobs=[job])["jobs"][0]["status"] != "RUNNABLE"
