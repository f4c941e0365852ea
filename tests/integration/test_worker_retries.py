"""The sandbox's scheduler retries the image tagger as its job definition's rules say.

The job definition is registered with the image-tagging profile's retryStrategy, as batchtui
builds it; its jobs run for real as processes. A misconfigured tagger (exit 2) gets one attempt;
a transient failure (exit 1) and an interruption (exit 143) get every attempt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from batchtui.profiles import load_profile

REPO = Path(__file__).parents[2]


def run_to_the_end(sandbox: Any, batch: Any, job_ids: list[str]) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = {}
    for _ in range(60):  # simulated half-minutes: scale-up, starts, real runs, retries
        sandbox.advance(30)
        assert sandbox.wait_for_workers(timeout=120)
        jobs = {j["jobId"]: j for j in batch.describe_jobs(jobs=job_ids)["jobs"]}
        if all(j["status"] in ("SUCCEEDED", "FAILED") for j in jobs.values()):
            break
    return jobs


def test_exit_2_is_not_retried_exit_1_and_143_are(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any
) -> None:
    batch = aws_client("batch")
    names = batch_queue(ces=[{"maxvCpus": 8}])
    retry = load_profile("image-tagging", cwd=REPO).job_definition.retry_strategy.to_api()
    tagger = job_definition(["python", "-m", "batchtui_worker.tagger"], retryStrategy=retry)
    echo = job_definition(["python", "-m", "batchtui.sandbox.echo_worker", "Ref::code"],
                          retryStrategy=retry, parameters={"code": "0"})  # fmt: skip

    def submit(name: str, definition: str, **extra: Any) -> str:
        return str(batch.submit_job(jobName=name, jobQueue=names["queue"],
                                    jobDefinition=definition, **extra)["jobId"])  # fmt: skip

    # The real tagger with no table named: misconfigured, exit 2.
    misconfigured = submit("tag-misconfigured", tagger, containerOverrides={
        "environment": [{"name": "IMAGE_BUCKET", "value": "some-bucket"}]})  # fmt: skip
    transient = submit("exit-1", echo, parameters={"code": "1"})
    interrupted = submit("exit-143", echo, parameters={"code": "143"})
    jobs = run_to_the_end(sandbox, batch, [misconfigured, transient, interrupted])

    def attempts(job_id: str) -> list[int]:
        return [a["container"].get("exitCode") for a in jobs[job_id]["attempts"]]

    assert jobs[misconfigured]["status"] == "FAILED"
    assert attempts(misconfigured) == [2]
    assert jobs[transient]["status"] == "FAILED"
    assert attempts(transient) == [1, 1, 1]
    assert jobs[interrupted]["status"] == "FAILED"
    assert attempts(interrupted) == [143, 143, 143]
