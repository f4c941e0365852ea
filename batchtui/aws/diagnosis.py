"""Gather the facts a diagnosis reads (read calls only, through :class:`Aws`).

The calls do not grow with the jobs: a queue of N stuck jobs costs its ListJobs pages (1,000 a
page per status), DescribeJobs batches of 100, and a fixed number of account reads (the queue,
the compute environments, GetJobQueueSnapshot, instance types and offerings, quotas, subnets and
routes, roles, scaling activity and the Spot Fleet requests' history, spot prices, per consumable resource the jobs need its
DescribeConsumableResource and one page of the jobs holding it, and per compute environment of
the queue its ECS container instances, and DescribeTasks of the STARTING jobs' tasks, 100 a call). A read that is denied or that the endpoint does not support becomes an
:class:`~batchtui.diagnose.Unknown` ("cannot tell ..."), never a failure of the diagnosis;
only the reads without which there is nothing to diagnose (the job, the queue) fail it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from batchtui.aws import batch
from batchtui.aws.account_reads import (
    consumable_holders,
    consumables,
    container_instances,
    ec2_instances,
    instance_roles,
    instance_types,
    offerings,
    on_demand_prices,
    scaling_activities,
    service_roles,
    share_weights,
    spot_fleet_history,
    spot_fleet_requests,
    spot_prices,
    subnets,
    task_times,
)
from batchtui.aws.quotas import vcpu_quotas
from batchtui.aws.session import Aws
from batchtui.diagnose import DIAGNOSED_STATUSES, BatchFacts, JobFacts, QueuePosition, Unknown
from batchtui.errors import AwsError, CredentialsError, EndpointUnreachable, NotFound, UsageError
from batchtui.model import ComputeEnvironment, JobQueue

T = TypeVar("T")

#: Called with (jobs described so far, jobs to describe) while a large queue is gathered.
Progress = Callable[[int, int], None]


class Reads:
    """Runs optional reads: a denied or unsupported one is recorded, not raised."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self.unknowns: list[Unknown] = []

    def __call__(self, what: str, call: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except (EndpointUnreachable, CredentialsError):
            raise  # the account is out of reach: the diagnosis fails (exit 1)
        except (AwsError, UsageError) as e:  # UsageError: a parameter the endpoint refused
            self.unknowns.append(Unknown(what, call, _error_code(e)))
            return None


def _error_code(e: AwsError | UsageError) -> str:
    text = str(e)
    if "access denied" in text.lower():
        return "AccessDenied"
    if "failed: " in text:
        return text.split("failed: ", 1)[1].split(":", 1)[0] or text
    return text


def _job_summary_ids(aws: Aws, queue: str, progress: Progress | None) -> list[str]:
    ids: list[str] = []
    for status in DIAGNOSED_STATUSES:
        for page in batch.iter_job_pages(aws, queue, status):
            ids.extend(str(d["jobId"]) for d in page)
            if progress is not None:
                progress(0, len(ids))
    return ids


#: DescribeJobs batches in flight at once: the calls are latency-bound, and AWS's DescribeJobs
#: rate limit leaves room for a few at a time (adaptive retries slow down if it does not).
DESCRIBE_WORKERS = 4


def _describe(aws: Aws, ids: list[str], progress: Progress | None) -> list[dict[str, Any]]:
    """DescribeJobs of every id in batches of 100, a few batches at a time, in ``ids`` order."""
    from concurrent.futures import ThreadPoolExecutor

    batches = [ids[i : i + batch.DESCRIBE_BATCH] for i in range(0, len(ids), batch.DESCRIBE_BATCH)]
    out: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max_workers=DESCRIBE_WORKERS) as pool:
        for part in pool.map(lambda b: batch.describe_jobs(aws, b), batches):
            out += [dict(job.api) for job in part]  # the rules read AWS's record as sent
            if progress is not None:
                progress(min(len(out), len(ids)) or len(ids), len(ids))
    return out


def gather_for_job(aws: Aws, job_id: str, now: float) -> BatchFacts:
    """The facts to diagnose one job (NotFound when it does not exist). ``now`` is the
    caller's clock, used when the account does not say its own time."""
    if not job_id.strip():
        raise UsageError("no job id given")
    raw = dict(batch.describe_job(aws, job_id).api)
    job = JobFacts.from_api(raw)
    queue = batch.require_job_queue(aws, str(raw.get("jobQueue", "")))
    return _gather(aws, queue, [job], now)


def gather_for_queue(
    aws: Aws, queue_name: str, now: float, progress: Progress | None = None
) -> BatchFacts:
    """The facts to diagnose every PENDING, RUNNABLE and STARTING job of a queue."""
    queue = batch.require_job_queue(aws, queue_name)
    ids = _job_summary_ids(aws, queue.arn or queue.name, progress)
    jobs = [JobFacts.from_api(d) for d in _describe(aws, ids, progress)]
    return _gather(aws, queue, jobs, now)


def _gather(aws: Aws, queue: JobQueue, jobs: list[JobFacts], now: float) -> BatchFacts:
    read = Reads(aws)
    jobs = _with_task_times(aws, read, jobs)
    ces = tuple(batch.describe_compute_environments(aws))
    mine = _queue_ces(queue, ces)
    clock, usage = [now], dict[str, float]()
    front = read("the job's place in the queue", "batch:GetJobQueueSnapshot",
                 lambda: _front(aws, queue, clock, usage))  # fmt: skip
    related = _related(aws, read, jobs, front)
    specs = [ce.instance_types for ce in mine]
    catalog = read("which instance types fit the job", "ec2:DescribeInstanceTypes",
                   lambda: instance_types(aws, specs))  # fmt: skip
    types = sorted(catalog or {})
    zones = None
    if types:
        zones = read("which zones offer the instance types", "ec2:DescribeInstanceTypeOfferings",
                     lambda: offerings(aws, types))  # fmt: skip
    subnet_ids = sorted({s for ce in mine for s in ce.subnets})
    net = None
    if subnet_ids:
        net = read("whether the subnets reach ECS", "ec2:DescribeRouteTables",
                   lambda: subnets(aws, subnet_ids))  # fmt: skip
    spot_types = sorted({t for ce in mine if ce.bid_percentage and ce.purchase_model.is_spot
                         for t in (catalog or {})})  # fmt: skip
    spot = None
    if spot_types:
        spot = read("spot prices against bidPercentage", "ec2:DescribeSpotPriceHistory",
                    lambda: spot_prices(aws, spot_types))  # fmt: skip
    weights = None
    if queue.scheduling_policy_arn:
        weights = read("the fair-share weights", "batch:DescribeSchedulingPolicies",
                       lambda: share_weights(aws, queue.scheduling_policy_arn))  # fmt: skip
    needed = {name for j in jobs for name, _ in j.consumable_resources}
    held = None
    if needed:
        held = read("the consumable resources", "batch:DescribeConsumableResource",
                    lambda: consumables(aws, needed))  # fmt: skip
        holders = read("which jobs hold the consumable resources",
                       "batch:ListJobsByConsumableResource",
                       lambda: consumable_holders(aws, needed))  # fmt: skip
        if held and holders:
            held = {n: replace(c, holders=holders.get(n)) for n, c in held.items()}
    quotas = read(
        "the account's vCPU quotas", "servicequotas:GetServiceQuota", lambda: vcpu_quotas(aws)
    )
    joined = read("which instances joined ECS", "ecs:ListContainerInstances",
                  lambda: container_instances(aws, mine))  # fmt: skip
    running = read("which instances run for the compute environments", "ec2:DescribeInstances",
                   lambda: ec2_instances(aws, mine))  # fmt: skip
    profiles = read("the instance roles' policies", "iam:GetInstanceProfile",
                    lambda: instance_roles(aws, mine))  # fmt: skip
    service = read("the service roles", "iam:GetRole", lambda: service_roles(aws, mine))
    launches = read("recent instance launches", "autoscaling:DescribeScalingActivities",
                    lambda: scaling_activities(aws, mine))  # fmt: skip
    fleets = read("which Spot Fleet requests launch the spot instances",
                  "ec2:DescribeSpotFleetRequests", lambda: spot_fleet_requests(aws, mine))  # fmt: skip
    if fleets:
        events = read("recent spot launches", "ec2:DescribeSpotFleetRequestHistory",
                      lambda: spot_fleet_history(aws, fleets, clock[0]))  # fmt: skip
        launches = (*(launches or ()), *(events or ()))
    return BatchFacts(
        now=clock[0],
        queue=queue,
        jobs=tuple(jobs),
        compute_environments=ces,
        related_jobs=related,
        front_of_queue=front,
        catalog=catalog,
        offerings=zones,
        subnets=net or {},
        quotas=quotas,
        container_instances=joined or {},
        ec2_instances=running or {},
        instance_roles=profiles or {},
        service_roles=service or {},
        scaling_activities=launches or (),
        spot_prices=spot or {},
        on_demand_prices=on_demand_prices(aws.target.region, spot_types),
        share_weights=weights or {},
        share_usage=usage,
        consumables=held or {},
        unknowns=tuple(read.unknowns),
    )


def _with_task_times(aws: Aws, read: Reads, jobs: list[JobFacts]) -> list[JobFacts]:
    """The STARTING jobs with their ECS tasks' creation and image pull times: DescribeJobs has
    no time for entering STARTING, the task's createdAt is it."""
    arns = [j.task_arn for j in jobs if j.status == "STARTING" and j.task_arn]
    if not arns:
        return jobs
    times = read("how long the STARTING jobs have been starting", "ecs:DescribeTasks",
                 lambda: task_times(aws, arns))  # fmt: skip
    if not times:
        return jobs
    return [times[j.task_arn].on(j) if j.task_arn in times else j for j in jobs]


def _queue_ces(queue: JobQueue, ces: Iterable[ComputeEnvironment]) -> list[ComputeEnvironment]:
    by_ref = {ref: ce for ce in ces for ref in (ce.name, ce.arn) if ref}
    return [by_ref[o.compute_environment] for o in queue.compute_environment_order
            if o.compute_environment in by_ref]  # fmt: skip


def _front(
    aws: Aws, queue: JobQueue, clock: list[float], usage: dict[str, float]
) -> tuple[QueuePosition, ...]:
    """The first 100 RUNNABLE jobs in dispatch order. The snapshot's ``lastUpdatedAt`` is the
    account's own "now" (the caller's clock may differ: a sandbox runs on simulated time); its
    ``queueUtilization`` gives the busiest fair shares' usage (into ``usage``)."""
    page = aws.call("batch", "GetJobQueueSnapshot", jobQueue=queue.arn or queue.name)
    shares = (page.get("queueUtilization") or {}).get("fairshareUtilization") or {}
    for top in shares.get("topCapacityUtilization") or ():
        amount = sum(float(c.get("quantity", 0)) for c in top.get("capacityUsage") or ())
        usage[str(top.get("shareIdentifier", ""))] = amount
    front = page.get("frontOfQueue") or {}
    if front.get("lastUpdatedAt"):
        clock[0] = int(front["lastUpdatedAt"]) / 1000
    jobs = front.get("jobs") or []
    return tuple(
        QueuePosition(str(j["jobArn"]).rpartition("/")[2], i, int(j.get("earliestTimeAtPosition", 0) or 0))
        for i, j in enumerate(jobs, 1)
    )  # fmt: skip


def _related(
    aws: Aws, read: Reads, jobs: list[JobFacts], front: tuple[QueuePosition, ...] | None
) -> dict[str, JobFacts]:
    """The jobs' dependencies and the queue's head, in DescribeJobs batches of 100."""
    have = {j.job_id: j for j in jobs}
    wanted = {d for j in jobs if j.status == "PENDING" for d in j.depends_on if d}
    if front:
        wanted.add(front[0].job_id)
    missing = sorted(wanted - set(have))
    described: list[dict[str, Any]] = []
    if missing:
        described = read("the jobs it depends on", "batch:DescribeJobs",
                         lambda: [dict(j.api) for j in batch.describe_jobs(aws, missing)]
                         ) or []  # fmt: skip
    out = {j: have[j] for j in wanted if j in have}
    out.update({str(d["jobId"]): JobFacts.from_api(d) for d in described})
    return out


__all__ = ["NotFound", "Progress", "gather_for_job", "gather_for_queue"]
