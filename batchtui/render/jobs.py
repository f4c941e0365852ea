"""``batchtui jobs --output json``: a job listing in AWS's own shape (batchtui/data/jobs.schema.json).

Each job is a ListJobs ``JobSummary`` with AWS's field names and value formats (times in epoch
milliseconds, ``arrayProperties`` and ``container.exitCode`` nested as AWS nests them), and a
field AWS leaves out of a job is left out here too, so a filter written for
``aws batch list-jobs`` (``.jobSummaryList[] | .jobId``) reads this output unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from batchtui.model import JobSummary

#: Version of the JSON document; bump on any incompatible change (batchtui/data/jobs.schema.json).
JOBS_SCHEMA_VERSION = 1


def job_summary_json(job: JobSummary) -> dict[str, Any]:
    """One job as AWS's ``JobSummary``: the fields it has, in AWS's names and formats."""
    out: dict[str, Any] = {"jobArn": job.job_arn} if job.job_arn else {}
    out |= {"jobId": job.job_id, "jobName": job.job_name}
    if job.created_at:
        out["createdAt"] = job.created_at
    out["status"] = job.status
    if job.status_reason:
        out["statusReason"] = job.status_reason
    if job.started_at is not None:
        out["startedAt"] = job.started_at
    if job.stopped_at is not None:
        out["stoppedAt"] = job.stopped_at
    if job.exit_code is not None:
        out["container"] = {"exitCode": job.exit_code}
    array: dict[str, int] = {}
    if job.array_size is not None:
        array["size"] = job.array_size
    if job.array_index is not None:
        array["index"] = job.array_index
    if array:
        out["arrayProperties"] = array
    if job.job_definition:
        out["jobDefinition"] = job.job_definition
    return out


def jobs_to_json(
    queue: str, jobs: Sequence[JobSummary], *, statuses: Sequence[str], array_job_id: str | None
) -> dict[str, Any]:
    """The whole listing: what was asked (queue, statuses, array job) and the jobs found."""
    return {
        "schemaVersion": JOBS_SCHEMA_VERSION,
        "jobQueue": queue,
        "jobStatuses": list(statuses),
        "arrayJobId": array_job_id,
        "jobSummaryList": [job_summary_json(j) for j in jobs],
    }
