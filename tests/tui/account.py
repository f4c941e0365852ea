"""What the sandbox says about its account, read over HTTP as any other client would.

Tests assert on these after the TUI acted (the sandbox's answer, not what the TUI sent), and
use them to derive what the screen should show instead of repeating the demo seed's numbers.
"""

from __future__ import annotations

from typing import Any

from conftest import batch_client

STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")


def compute_environment(sb: Any, name: str) -> dict[str, Any]:
    ces = batch_client(sb).describe_compute_environments(computeEnvironments=[name])
    return dict(ces["computeEnvironments"][0])


def job_queue(sb: Any, name: str) -> dict[str, Any]:
    return dict(batch_client(sb).describe_job_queues(jobQueues=[name])["jobQueues"][0])


def job(sb: Any, job_id: str) -> dict[str, Any]:
    return dict(batch_client(sb).describe_jobs(jobs=[job_id])["jobs"][0])


def job_ids(sb: Any, queue: str, status: str) -> list[str]:
    """Every job of ``queue`` in ``status`` (ListJobs, all pages)."""
    pages = (
        batch_client(sb)
        .get_paginator("list_jobs")
        .paginate(jobQueue=queue, jobStatus=status, PaginationConfig={"PageSize": 1000})
    )
    return [j["jobId"] for page in pages for j in page["jobSummaryList"]]


def summaries(sb: Any, queue: str) -> list[dict[str, Any]]:
    """ListJobs' summaries of every job of ``queue``, in every status."""
    batch = batch_client(sb)
    out: list[dict[str, Any]] = []
    for status in STATUSES:
        pages = batch.get_paginator("list_jobs").paginate(
            jobQueue=queue, jobStatus=status, PaginationConfig={"PageSize": 1000}
        )
        out += [j for page in pages for j in page["jobSummaryList"]]
    return out


def counts(sb: Any, queue: str) -> dict[str, int]:
    return {status: len(job_ids(sb, queue, status)) for status in STATUSES}


def submit(sb: Any, name: str, queue: str = "demo-main", **body: Any) -> str:
    """Submit a demo-etl job (1 vCPU) as another user of the account would."""
    batch = batch_client(sb)
    body.setdefault("jobDefinition", "demo-etl")
    return str(batch.submit_job(jobName=name, jobQueue=queue, **body)["jobId"])


def sleeping(seconds: int) -> dict[str, Any]:
    """containerOverrides of a job that works for ``seconds`` simulated seconds."""
    return {"command": ["sh", "-c", f"work && sleep {seconds}"]}
