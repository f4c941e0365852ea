"""A job's life in the sandbox over HTTP: states, timing, exit codes, logs, dependencies, arrays."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


@pytest.fixture
def logs(aws_client: Any) -> Any:
    return aws_client("logs")


def describe(batch: Any, job_id: str) -> dict[str, Any]:
    return dict(batch.describe_jobs(jobs=[job_id])["jobs"][0])


def test_job_moves_through_the_states_and_logs_grow(
    sandbox: Any, batch: Any, logs: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue()
    jd = job_definition(["sh", "-c", "sleep 300"])
    job_id = batch.submit_job(jobName="life", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    assert describe(batch, job_id)["status"] == "SUBMITTED"
    sandbox.advance(2)
    job = describe(batch, job_id)
    assert job["status"] == "RUNNABLE"
    ce = batch.describe_compute_environments(computeEnvironments=[names["ce0"]])
    assert ce["computeEnvironments"][0]["computeResources"]["desiredvCpus"] == 2  # m5.large
    sandbox.advance(sandbox.config.scale_up_seconds)
    assert describe(batch, job_id)["status"] == "STARTING"
    sandbox.advance(sandbox.config.starting_seconds)
    job = describe(batch, job_id)
    assert job["status"] == "RUNNING"
    assert job["container"]["containerInstanceArn"].startswith("arn:aws:ecs:")
    assert job["container"]["taskArn"].split("/")[-1] in job["container"]["logStreamName"]
    stream = job["container"]["logStreamName"]
    assert stream.startswith(f"{jd}/default/")
    summary = batch.list_jobs(jobQueue=names["queue"])["jobSummaryList"]  # RUNNING by default
    assert [s["jobId"] for s in summary] == [job_id]

    def lines() -> list[dict[str, Any]]:
        out = logs.get_log_events(
            logGroupName="/aws/batch/job", logStreamName=stream, startFromHead=True
        )
        return list(out["events"])

    early = lines()
    sandbox.advance(120)
    later = lines()
    assert len(later) > len(early) >= 2
    assert later[0]["timestamp"] == job["startedAt"]  # simulated time, not wall time
    sandbox.advance(200)
    job = describe(batch, job_id)
    assert job["status"] == "SUCCEEDED"
    assert job["stoppedAt"] - job["startedAt"] == 300_000
    assert job["attempts"][0]["container"]["exitCode"] == 0
    assert job["attempts"][0]["container"]["logStreamName"] == stream
    assert lines()[-1]["message"] == "exiting with status 0"


def test_exit_code_from_the_command_fails_the_job(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue()
    jd = job_definition(["sh", "-c", "sleep 60; exit 3"])
    job_id = batch.submit_job(jobName="fails", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(400)
    job = describe(batch, job_id)
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "Essential container in task exited"
    assert job["container"]["exitCode"] == 3
    failed = batch.list_jobs(jobQueue=names["queue"], jobStatus="FAILED")["jobSummaryList"]
    assert failed[0]["container"]["exitCode"] == 3
    assert failed[0]["statusReason"] == "Essential container in task exited"


def test_idle_instances_scale_in_to_min_vcpus(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue(ces=[{"minvCpus": 2, "maxvCpus": 32}])
    jd = job_definition(["sh", "-c", "sleep 60"], vcpus="4", memory="8192")
    ce_name = names["ce0"]

    def desired() -> int:
        ce = batch.describe_compute_environments(computeEnvironments=[ce_name])
        return int(ce["computeEnvironments"][0]["computeResources"]["desiredvCpus"])

    assert desired() == 2  # minvCpus is launched at once
    for i in range(3):
        batch.submit_job(jobName=f"scale-{i}", jobQueue=names["queue"], jobDefinition=jd)
    sandbox.advance(5)
    assert desired() == 2 + 3 * 4  # one m5.xlarge each
    sandbox.advance(600)
    assert desired() > 2  # finished, but idle for less than the scale-down delay
    sandbox.advance(sandbox.config.scale_down_idle_seconds)
    # Scaled in, but never below minvCpus: the instance that stays may be bigger than 2 vCPUs.
    assert desired() in (2, 4)


def test_dependency_waits_then_runs_or_fails(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue()
    ok = job_definition(["sh", "-c", "sleep 100"])
    bad = job_definition(["sh", "-c", "sleep 100; exit 1"])
    q = names["queue"]
    first = batch.submit_job(jobName="first", jobQueue=q, jobDefinition=ok)["jobId"]
    after_ok = batch.submit_job(
        jobName="after-ok", jobQueue=q, jobDefinition=ok, dependsOn=[{"jobId": first}]
    )["jobId"]
    failing = batch.submit_job(jobName="failing", jobQueue=q, jobDefinition=bad)["jobId"]
    after_bad = batch.submit_job(
        jobName="after-bad", jobQueue=q, jobDefinition=ok, dependsOn=[{"jobId": failing}]
    )["jobId"]
    sandbox.advance(5)
    assert describe(batch, after_ok)["status"] == "PENDING"
    assert describe(batch, after_ok)["dependsOn"] == [{"jobId": first}]
    sandbox.advance(400)
    assert describe(batch, first)["status"] == "SUCCEEDED"
    assert describe(batch, after_ok)["status"] in ("RUNNABLE", "STARTING", "RUNNING")
    assert describe(batch, after_bad)["status"] == "FAILED"
    assert describe(batch, after_bad)["statusReason"] == "Dependent Job failed"
    sandbox.advance(400)
    assert describe(batch, after_ok)["status"] == "SUCCEEDED"


def test_array_job_children_and_summary(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 64}])
    jd = job_definition(["sh", "-c", "sleep 120"])
    parent = batch.submit_job(
        jobName="array", jobQueue=names["queue"], jobDefinition=jd, arrayProperties={"size": 6}
    )["jobId"]
    sandbox.advance(5)
    job = describe(batch, parent)
    assert job["status"] == "PENDING"
    assert job["arrayProperties"]["size"] == 6
    assert job["arrayProperties"]["statusSummary"] == {"RUNNABLE": 6}
    children = batch.list_jobs(arrayJobId=parent, jobStatus="RUNNABLE")["jobSummaryList"]
    assert sorted(c["jobId"] for c in children) == [f"{parent}:{i}" for i in range(6)]
    child = describe(batch, f"{parent}:4")
    assert child["arrayProperties"] == {"index": 4}
    # The queue lists the parent, never its children.
    listed = batch.list_jobs(jobQueue=names["queue"], jobStatus="PENDING")["jobSummaryList"]
    assert [j["jobId"] for j in listed] == [parent]
    sandbox.advance(600)
    job = describe(batch, parent)
    assert job["status"] == "SUCCEEDED"
    assert job["arrayProperties"]["statusSummary"] == {"SUCCEEDED": 6}


def test_sequential_and_n_to_n_array_dependencies(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 64}])
    jd = job_definition(["sh", "-c", "sleep 100"])
    q = names["queue"]
    seq = batch.submit_job(
        jobName="seq", jobQueue=q, jobDefinition=jd, arrayProperties={"size": 3},
        dependsOn=[{"type": "SEQUENTIAL"}],
    )["jobId"]  # fmt: skip
    first = batch.submit_job(
        jobName="a", jobQueue=q, jobDefinition=jd, arrayProperties={"size": 3}
    )["jobId"]
    pairs = batch.submit_job(
        jobName="b", jobQueue=q, jobDefinition=jd, arrayProperties={"size": 3},
        dependsOn=[{"jobId": first, "type": "N_TO_N"}],
    )["jobId"]  # fmt: skip
    sandbox.advance(5)
    statuses = [describe(batch, f"{seq}:{i}")["status"] for i in range(3)]
    assert statuses == ["RUNNABLE", "PENDING", "PENDING"]
    assert all(describe(batch, f"{pairs}:{i}")["status"] == "PENDING" for i in range(3))
    sandbox.advance(400)  # child 0 of each ran; the next ones follow one by one
    seq_done = [describe(batch, f"{seq}:{i}") for i in range(3)]
    assert seq_done[0]["status"] == "SUCCEEDED"
    assert seq_done[1]["status"] != "PENDING"
    assert describe(batch, f"{pairs}:0")["status"] != "PENDING"
    sandbox.advance(1200)
    s = [describe(batch, f"{seq}:{i}") for i in range(3)]
    assert [c["status"] for c in s] == ["SUCCEEDED"] * 3
    assert s[0]["stoppedAt"] <= s[1]["startedAt"] and s[1]["stoppedAt"] <= s[2]["startedAt"]
    for i in range(3):
        a, b = describe(batch, f"{first}:{i}"), describe(batch, f"{pairs}:{i}")
        assert a["stoppedAt"] <= b["startedAt"]


def test_attempt_timeout(sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any) -> None:
    names = batch_queue()
    jd = job_definition(["sh", "-c", "sleep 600"], timeout={"attemptDurationSeconds": 60})
    job_id = batch.submit_job(jobName="slow", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(400)
    job = describe(batch, job_id)
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "Job attempt duration exceeded timeout"
    attempt = job["attempts"][0]
    assert attempt["stoppedAt"] - attempt["startedAt"] == 60_000


def test_cancel_and_terminate(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue()
    jd = job_definition(["sh", "-c", "sleep 600"])
    q = names["queue"]
    waiting = batch.submit_job(jobName="waiting", jobQueue=q, jobDefinition=jd)["jobId"]
    running = batch.submit_job(jobName="running", jobQueue=q, jobDefinition=jd)["jobId"]
    sandbox.advance(250)
    assert describe(batch, running)["status"] == "RUNNING"
    assert describe(batch, waiting)["status"] == "RUNNING"
    late = batch.submit_job(jobName="late", jobQueue=q, jobDefinition=jd)["jobId"]
    sandbox.advance(2)
    assert describe(batch, late)["status"] == "RUNNABLE"
    batch.cancel_job(jobId=late, reason="not needed")
    job = describe(batch, late)
    assert (job["status"], job["statusReason"], job["isCancelled"]) == (
        "FAILED",
        "not needed",
        True,
    )
    batch.cancel_job(jobId=running, reason="too late")  # RUNNING: AWS leaves it alone
    assert describe(batch, running)["status"] == "RUNNING"
    batch.terminate_job(jobId=running, reason="stop it")
    job = describe(batch, running)
    assert (job["status"], job["isTerminated"]) == ("RUNNING", True)  # its container stops...
    sandbox.advance(sandbox.config.stop_seconds)
    job = describe(batch, running)  # ... and then it fails, as on AWS
    assert (job["status"], job["statusReason"], job["isTerminated"]) == (
        "FAILED",
        "stop it",
        True,
    )
    assert job["attempts"][0]["container"]["exitCode"] == 143


def test_log_configuration_names_group_and_stream(
    sandbox: Any, batch: Any, logs: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue()
    conf = {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/custom/group", "awslogs-stream-prefix": "myapp"},
    }
    jd = job_definition(["sh", "-c", "sleep 60"], container={"logConfiguration": conf})
    job_id = batch.submit_job(jobName="custom", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(400)
    job = describe(batch, job_id)
    stream = job["attempts"][0]["container"]["logStreamName"]
    assert stream.startswith("myapp/default/")
    events = logs.get_log_events(logGroupName="/custom/group", logStreamName=stream)["events"]
    assert any("exiting with status 0" in e["message"] for e in events)


def test_parameters_substitute_into_the_command(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue()
    jd = job_definition(["sh", "-c", "Ref::script"], parameters={"script": "sleep 30"})
    job_id = batch.submit_job(
        jobName="params", jobQueue=names["queue"], jobDefinition=jd,
        parameters={"script": "sleep 90; exit 4"},
    )["jobId"]  # fmt: skip
    sandbox.advance(500)
    job = describe(batch, job_id)
    assert job["container"]["exitCode"] == 4
    assert job["attempts"][0]["stoppedAt"] - job["attempts"][0]["startedAt"] == 90_000
