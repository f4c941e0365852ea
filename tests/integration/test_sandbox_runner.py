"""A job whose command is a local Python entry point runs for real, as a subprocess."""

from __future__ import annotations

from typing import Any


def test_entry_point_job_runs_as_a_subprocess(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any
) -> None:
    batch, logs = aws_client("batch"), aws_client("logs")
    names = batch_queue()
    jd = job_definition(["python", "-m", "batchtui.sandbox.echo_worker", "Ref::code"],
                        parameters={"code": "0"})  # fmt: skip
    ok = batch.submit_job(jobName="real", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    bad = batch.submit_job(jobName="real-bad", jobQueue=names["queue"], jobDefinition=jd,
                           parameters={"code": "5"}, arrayProperties={"size": 2})["jobId"]  # fmt: skip
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 5)
    assert sandbox.wait_for_workers(timeout=120)
    sandbox.advance(1)
    job = batch.describe_jobs(jobs=[ok])["jobs"][0]
    assert job["status"] == "SUCCEEDED", job
    events = logs.get_log_events(logGroupName="/aws/batch/job",
                                 logStreamName=job["container"]["logStreamName"])["events"]  # fmt: skip
    text = [e["message"] for e in events]
    assert f"AWS_BATCH_JOB_ID={ok}" in text
    assert f"AWS_BATCH_JQ_NAME={names['queue']}" in text
    assert f"AWS_BATCH_CE_NAME={names['ce0']}" in text
    assert "my status is RUNNING" in text  # it called the sandbox from inside the job
    child = batch.describe_jobs(jobs=[f"{bad}:1"])["jobs"][0]
    assert (child["status"], child["container"]["exitCode"]) == ("FAILED", 5)
    events = logs.get_log_events(logGroupName="/aws/batch/job",
                                 logStreamName=child["container"]["logStreamName"])["events"]  # fmt: skip
    assert "AWS_BATCH_JOB_ARRAY_INDEX=1" in [e["message"] for e in events]
    assert batch.describe_jobs(jobs=[bad])["jobs"][0]["status"] == "FAILED"
