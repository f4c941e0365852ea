"""AWS Batch reads with the fewest calls: per-status ListJobs at 1,000 a page, DescribeJobs by 100."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from batchtui.aws.session import Aws
from batchtui.errors import NotFound
from batchtui.model import (
    JOB_STATUSES,
    ComputeEnvironment,
    Job,
    JobDefinition,
    JobQueue,
    JobSummary,
)

LIST_PAGE = 1000  # ListJobs maxResults with a jobStatus (AWS's upper bound)
DESCRIBE_BATCH = 100  # DescribeJobs' limit of job ids per call


def _describe_all(
    aws: Aws, operation: str, names_param: str, result_key: str, names: Sequence[str]
) -> list[dict[str, Any]]:
    """Every page of a Describe* call that pages with nextToken at up to 100 a page."""
    out: list[dict[str, Any]] = []
    params: dict[str, Any] = {"maxResults": 100}
    if names:
        params[names_param] = list(names)
    while True:
        page = aws.call("batch", operation, **params)
        out.extend(page.get(result_key, []))
        if not page.get("nextToken"):
            return out
        params["nextToken"] = page["nextToken"]


def describe_compute_environments(aws: Aws, names: Sequence[str] = ()) -> list[ComputeEnvironment]:
    pages = _describe_all(
        aws, "DescribeComputeEnvironments", "computeEnvironments", "computeEnvironments", names
    )
    return [ComputeEnvironment.from_api(d) for d in pages]


def describe_job_queues(aws: Aws, names: Sequence[str] = ()) -> list[JobQueue]:
    pages = _describe_all(aws, "DescribeJobQueues", "jobQueues", "jobQueues", names)
    return [JobQueue.from_api(d) for d in pages]


def require_job_queue(aws: Aws, name: str) -> JobQueue:
    """The queue named (name or ARN), or NotFound naming it and the queues that exist."""
    queues = describe_job_queues(aws, [name])
    if queues:
        return queues[0]
    known = ", ".join(q.name for q in describe_job_queues(aws)) or "none"
    raise NotFound(f"job queue {name!r} not found", hint=f"queues in this region: {known}")


def iter_job_pages(
    aws: Aws,
    queue: str,
    status: str,
    *,
    array_job_id: str | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Pages of raw ListJobs summaries for one status, 1,000 a page."""
    where = {"arrayJobId": array_job_id} if array_job_id else {"jobQueue": queue}
    return _list_job_pages(aws, {"jobStatus": status, **where})


def iter_jobs_created_after(aws: Aws, queue: str, after_ms: int) -> Iterator[list[dict[str, Any]]]:
    """Pages of raw ListJobs summaries of every job of ``queue`` created after ``after_ms``
    (epoch milliseconds), whatever its status: with a filter, ListJobs ignores jobStatus."""
    after = {"name": "AFTER_CREATED_AT", "values": [str(after_ms)]}
    return _list_job_pages(aws, {"jobQueue": queue, "filters": [after]})


def _list_job_pages(aws: Aws, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Every page of ListJobs with ``params``, 1,000 a page."""
    token: str | None = None
    while True:
        page = aws.call(
            "batch",
            "ListJobs",
            **params,
            maxResults=LIST_PAGE,
            **({"nextToken": token} if token else {}),
        )
        yield page.get("jobSummaryList", [])
        token = page.get("nextToken")
        if not token:
            return


def list_jobs(
    aws: Aws,
    queue: str,
    statuses: Iterable[str] = JOB_STATUSES,
    *,
    array_job_id: str | None = None,
    limit: int | None = None,
) -> list[JobSummary]:
    """Every job of a queue (or of an array parent) in the given statuses, newest first."""
    out: list[JobSummary] = []
    for status in statuses:
        for page in iter_job_pages(aws, queue, status, array_job_id=array_job_id):
            out.extend(JobSummary.from_api(d) for d in page)
            if limit is not None and len(out) >= limit:
                break
    out.sort(key=lambda j: j.created_at, reverse=True)
    return out[:limit] if limit is not None else out


def describe_jobs(aws: Aws, job_ids: Sequence[str]) -> list[Job]:
    """DescribeJobs for any number of ids, in batches of 100; order follows ``job_ids``."""
    found: dict[str, Job] = {}
    for i in range(0, len(job_ids), DESCRIBE_BATCH):
        batch = list(job_ids[i : i + DESCRIBE_BATCH])
        for d in aws.call("batch", "DescribeJobs", jobs=batch).get("jobs", []):
            found[d["jobId"]] = Job.from_api(d)
    return [found[j] for j in job_ids if j in found]


def describe_job(aws: Aws, job_id: str) -> Job:
    jobs = describe_jobs(aws, [job_id])
    if not jobs:
        raise NotFound(f"job {job_id!r} not found", hint="jobs are kept by AWS for about 7 days")
    return jobs[0]


def describe_job_definition(aws: Aws, name_or_arn: str) -> JobDefinition | None:
    """One job definition (``name:revision`` or its ARN); None when Batch does not know it."""
    found = aws.call("batch", "DescribeJobDefinitions", jobDefinitions=[name_or_arn])
    defs = found.get("jobDefinitions") or []
    return JobDefinition.from_api(defs[0]) if defs else None
