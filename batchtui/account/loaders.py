"""What the TUI's workers read from AWS, as plain values (no textual import).

Each function runs in a thread worker and returns a value the screen applies on the UI thread.
They use the aws layer's listers, so every call is counted and the fewest calls are made:
ListJobs per status at 1,000 a page, DescribeJobs by 100 and only for what the user opens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any

from batchtui.account.pacing import RESOURCES, Part
from batchtui.account.snapshots import (
    LISTING_ORDER,
    AccountSnapshot,
    ActiveRefresh,
    FirstPage,
    JobDetail,
    QueueCount,
    QueueFront,
)
from batchtui.aws import batch
from batchtui.aws.session import Aws
from batchtui.errors import AwsError, BatchtuiError
from batchtui.model import (
    ACTIVE_STATUSES,
    JOB_STATUSES,
    PLACED_STATUSES,
    ComputeEnvironment,
    Job,
    JobQueue,
    JobSummary,
)

__all__ = ["LISTING_ORDER", "AccountSnapshot", "ActiveRefresh", "JobDetail", "QueueCount"]

#: Dependents are looked for among this many PENDING jobs of the queue (DescribeJobs by 100).
DEPENDENTS_SCAN_LIMIT = 1000


def whoami(aws: Aws) -> str:
    """The account id, or "" when STS does not answer (not worth failing the TUI for)."""
    try:
        return str(aws.call("sts", "GetCallerIdentity").get("Account", ""))
    except AwsError:
        return ""


def load_account(
    aws: Aws,
    *,
    parts: Collection[Part] | None = None,
    previous: AccountSnapshot | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> AccountSnapshot:
    """The ``parts`` of the account asked for (all when None): :data:`RESOURCES` is the CEs,
    queues and vCPUs in use; a (queue, status) part is one ListJobs first page, hence a count.

    What is not read comes from ``previous`` (the CEs and queues, the vCPUs in use); the counts
    and first pages returned are only those read: :func:`~batchtui.account.refresh.merge_read`
    puts them over the ones shown. The first pages are kept (``pages``): opening a queue right
    after reuses them."""
    if parts is None or previous is None or RESOURCES in parts:
        ces = tuple(batch.describe_compute_environments(aws))
        queues = tuple(batch.describe_job_queues(aws))
        read_at: float | None = clock()
    else:
        ces, queues, read_at = previous.ces, previous.queues, previous.read_at
    counts: dict[str, dict[str, QueueCount]] = {}
    pages: dict[str, dict[str, FirstPage]] = {}
    for q in queues:
        per: dict[str, QueueCount] = {}
        firsts: dict[str, FirstPage] = {}
        for status in JOB_STATUSES:
            if parts is not None and Part(q.name, status) not in parts:
                continue
            page = aws.call(
                "batch",
                "ListJobs",
                jobQueue=q.arn or q.name,
                jobStatus=status,
                maxResults=batch.LIST_PAGE,
            )
            jobs = page.get("jobSummaryList", [])
            per[status] = QueueCount(len(jobs), bool(page.get("nextToken")))
            firsts[status] = FirstPage(tuple(jobs), page.get("nextToken"), q.arn or q.name, clock())
        counts[q.name] = per
        pages[q.name] = firsts
    if previous is not None and read_at == previous.read_at:
        vcpus = previous.vcpus_in_use
    else:
        # STARTING / RUNNING jobs hold vCPUs: their ids from the pages just read, else the last.
        placed = [
            (
                q,
                [
                    job["jobId"]
                    for status in PLACED_STATUSES
                    if (first := _page(q.name, status, pages, previous)) is not None
                    for job in first.jobs
                ],
            )
            for q in queues
        ]
        vcpus = vcpus_in_use(aws, ces, placed)
    return AccountSnapshot(
        ces,
        queues,
        counts,
        vcpus,
        pages,
        read_at=read_at,
        server_time=aws.server_time,
        server_read_at=clock(),
    )


def _page(
    queue: str,
    status: str,
    pages: Mapping[str, Mapping[str, FirstPage]],
    previous: AccountSnapshot | None,
) -> FirstPage | None:
    found = pages.get(queue, {}).get(status)
    if found is None and previous is not None:
        found = previous.pages.get(queue, {}).get(status)
    return found


#: Above this many placed jobs the job-based estimate of vCPUs in use is not worth its calls.
PLACED_JOBS_LIMIT = 1000


def vcpus_in_use(
    aws: Aws,
    ces: Sequence[ComputeEnvironment],
    placed: Sequence[tuple[JobQueue, Sequence[str]]],
) -> dict[str, float | None]:
    """vCPUs taken on each CE: from its ECS cluster (registered - remaining CPU) when ECS knows
    it; else from the STARTING / RUNNING jobs placed on it (DescribeJobs by 100); else None.
    Fargate CEs register no container instances, so they are always counted from their jobs."""
    out: dict[str, float | None] = {ce.name: None for ce in ces}
    by_cluster = {ce.ecs_cluster_arn: ce for ce in ces if ce.ecs_cluster_arn}
    if not by_cluster:
        return out
    try:
        found = aws.call("ecs", "DescribeClusters", clusters=list(by_cluster)).get("clusters", [])
    except AwsError:
        found = []
    for cluster in found:
        ce = by_cluster.get(cluster.get("clusterArn", ""))
        if ce is not None and not ce.purchase_model.is_fargate:
            out[ce.name] = _ecs_vcpus_in_use(aws, cluster)
    missing = {arn.rsplit("/", 1)[-1]: ce for arn, ce in by_cluster.items() if out[ce.name] is None}
    # Only the jobs of queues that can place on such a CE are worth describing.
    refs = {ref for ce in missing.values() for ref in (ce.name, ce.arn)}
    jobs = [
        job_id
        for q, ids in placed
        if any(o.compute_environment in refs for o in q.compute_environment_order)
        for job_id in ids
    ]
    if missing and len(jobs) <= PLACED_JOBS_LIMIT:
        used = dict.fromkeys((ce.name for ce in missing.values()), 0.0)
        for job in batch.describe_jobs(aws, jobs) if jobs else []:
            if job.container is None:
                continue
            # container-instance/<cluster name>/<id> on EC2, task/<cluster name>/<id> on
            # Fargate: the cluster says which CE runs it.
            where = job.container.container_instance_arn or job.container.task_arn
            parts = where.split("/")
            ce = missing.get(parts[1]) if len(parts) == 3 else None
            if ce is not None:
                used[ce.name] += job.container.vcpus or 0.0
        out.update(used)
    return out


def _ecs_vcpus_in_use(aws: Aws, cluster: dict[str, Any]) -> float | None:
    if not cluster.get("registeredContainerInstancesCount"):
        return 0.0
    arn = cluster["clusterArn"]
    try:
        arns = aws.call("ecs", "ListContainerInstances", cluster=arn).get(
            "containerInstanceArns", []
        )
        used = 0
        for i in range(0, len(arns), 100):
            described = aws.call(
                "ecs",
                "DescribeContainerInstances",
                cluster=arn,
                containerInstances=arns[i : i + 100],
            )
            for ci in described.get("containerInstances", []):
                used += _cpu(ci.get("registeredResources", [])) - _cpu(
                    ci.get("remainingResources", [])
                )
        return used / 1024
    except AwsError:
        return None


def _cpu(resources: list[dict[str, Any]]) -> int:
    for r in resources:
        if r.get("name") == "CPU":
            return int(r.get("integerValue", 0))
    return 0


def job_pages(
    aws: Aws,
    queue: str,
    statuses: Sequence[str],
    *,
    array_job_id: str | None = None,
    known: Mapping[str, FirstPage] | None = None,
) -> Iterator[tuple[str, list[JobSummary], bool, bool]]:
    """(status, page, first, last) for each ListJobs page of each status, 1,000 a page.

    A status in ``known`` starts from that first page (already read) and lists only the pages
    after it: a status that fit in one page costs no call at all."""
    known = known or {}
    for status in statuses:
        first = True
        reused = known.get(status)
        if reused is None:
            pages = batch.iter_job_pages(aws, queue, status, array_job_id=array_job_id)
        else:
            pages = _pages_after(aws, status, reused)
        page = next(pages, [])
        while True:
            nxt = next(pages, None)
            yield status, [JobSummary.from_api(d) for d in page], first, nxt is None
            if nxt is None:
                break
            first, page = False, nxt


def _pages_after(aws: Aws, status: str, first: FirstPage) -> Iterator[list[dict[str, Any]]]:
    """The known first page, then the pages after its nextToken."""
    yield list(first.jobs)
    token = first.next_token
    while token:
        page = aws.call(
            "batch",
            "ListJobs",
            jobQueue=first.job_queue,
            jobStatus=status,
            maxResults=batch.LIST_PAGE,
            nextToken=token,
        )
        yield page.get("jobSummaryList", [])
        token = page.get("nextToken")


def queue_front(aws: Aws, queue: str) -> QueueFront | None:
    """The front of the queue (GetJobQueueSnapshot), None when AWS does not say (an older API
    or no permission: not worth an error, the list is there without it)."""
    try:
        front = aws.call("batch", "GetJobQueueSnapshot", jobQueue=queue).get("frontOfQueue") or {}
    except BatchtuiError:
        return None
    jobs = front.get("jobs") or []
    ids = tuple(str(j.get("jobArn", "")).rsplit("/", 1)[-1] for j in jobs)
    head_for = None
    if jobs and jobs[0].get("earliestTimeAtPosition") and front.get("lastUpdatedAt"):
        head_for = max(0.0, (front["lastUpdatedAt"] - jobs[0]["earliestTimeAtPosition"]) / 1000)
    return QueueFront(ids, head_for)


def refresh_active(
    aws: Aws,
    queue: str,
    previously_active: set[str],
    *,
    array_job_id: str | None = None,
    newest_created_ms: int | None = None,
) -> ActiveRefresh:
    """Re-list the active statuses; DescribeJobs (by 100) only the jobs that left them.

    With ``newest_created_ms`` (the newest createdAt listed so far), also list the jobs created
    since, whatever their status (one ListJobs with an AFTER_CREATED_AT filter): a job made and
    finished between two refreshes was never active in a listing, and would otherwise show only
    when the finished statuses are listed again."""
    created: list[JobSummary] = []
    if newest_created_ms is not None and not array_job_id:
        # From the millisecond before: a job created in the same millisecond is not missed.
        after = max(0, newest_created_ms - 1)
        for page in batch.iter_jobs_created_after(aws, queue, after):
            created += [JobSummary.from_api(d) for d in page]
    by_status: dict[str, list[JobSummary]] = {}
    for status in ACTIVE_STATUSES:
        by_status[status] = [
            JobSummary.from_api(d)
            for page in batch.iter_job_pages(aws, queue, status, array_job_id=array_job_id)
            for d in page
        ]
    still = {j.job_id for jobs in by_status.values() for j in jobs}
    left = sorted(previously_active - still)
    described = batch.describe_jobs(aws, left) if left else []
    # The ones still active are in by_status; the ones that left are described (newer).
    finished = [j for j in created if j.status not in ACTIVE_STATUSES and j.job_id not in left]
    return ActiveRefresh(
        by_status, [job.summary() for job in described], tuple(described), tuple(finished)
    )


def describe_attempts(aws: Aws, job_ids: Sequence[str]) -> list[Job]:
    """DescribeJobs of the jobs whose attempts the list shows (one call per 100 ids)."""
    return batch.describe_jobs(aws, job_ids)


def load_job_detail(aws: Aws, job_id: str) -> JobDetail:
    """DescribeJobs for the job, the jobs it waits on and the PENDING jobs that may wait on it."""
    job = batch.describe_job(aws, job_id)
    dep_ids = [dep_id for dep_id, _ in job.depends_on]
    depends_on = batch.describe_jobs(aws, dep_ids) if dep_ids else []
    known = {d.job_id for d in depends_on}
    depends_on += [Job(i, "(not found)", "?") for i in dep_ids if i not in known]
    pending: list[str] = []
    complete = True
    if job.job_queue:
        for page in batch.iter_job_pages(aws, job.job_queue, "PENDING"):
            pending.extend(d["jobId"] for d in page if d["jobId"] != job_id)
            if len(pending) >= DEPENDENTS_SCAN_LIMIT:
                complete = False
                break
    pending = pending[:DEPENDENTS_SCAN_LIMIT]
    dependents = [
        d
        for d in (batch.describe_jobs(aws, pending) if pending else [])
        if any(dep_id == job_id for dep_id, _ in d.depends_on)
    ]
    return JobDetail(
        job, depends_on, dependents, len(pending), complete, server_time=aws.server_time
    )
