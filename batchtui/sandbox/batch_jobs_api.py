"""Batch's job operations: SubmitJob, ListJobs, DescribeJobs, Cancel/TerminateJob, and
GetJobQueueSnapshot, with AWS's limits and paging rules.

ListJobs pages as AWS does: up to 1,000 a page by status (RUNNING when no status and no filter),
up to 100 with a filter (which ignores jobStatus and never reaches array children), children only
through arrayJobId. Its nextToken is an opaque cursor into the store's per-(queue, status) index,
so a page costs O(page), and a listing of n jobs takes exactly ceil(n / page size) requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from batchtui.sandbox import batch_views as views
from batchtui.sandbox import eks, fargate, multinode
from batchtui.sandbox.batch_errors import (
    BatchApiError,
    job_definition_not_found,
    optional_int,
    queue_not_found,
    rejected,
    require,
)
from batchtui.sandbox.batch_records import Job, JobDefinitionRecord, JobQueueRecord
from batchtui.sandbox.batch_store import JOB_DEFINITION_REF, BatchStore
from batchtui.sandbox.batch_tags import check_tags, propagation_refused
from batchtui.sandbox.job_specs import check_retry, check_timeout, override_container
from batchtui.sandbox.job_specs import resource_request as request_of
from batchtui.sandbox.scheduler import Scheduler
from batchtui.sandbox.scheduling_policy_api import job_share
from batchtui.sandbox.tokens import decode_token, encode_token

JOB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
SHARE = "SHARE_IDENTIFIER"
FILTERS = (
    "JOB_NAME",
    "JOB_DEFINITION",
    "BEFORE_CREATED_AT",
    "AFTER_CREATED_AT",
    SHARE,
)
STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
MAX_DEPENDENCIES = 20
MAX_DESCRIBE = 100


class JobOperations:
    def __init__(self, store: BatchStore, scheduler: Scheduler) -> None:
        self.store = store
        self.scheduler = scheduler

    def _queue(self, ref: Any) -> JobQueueRecord:
        q = self.store.find_job_queue(str(ref or ""))
        if q is None:
            raise queue_not_found(ref)
        return q

    # -- SubmitJob -------------------------------------------------------------------------
    def submit_job(self, body: dict[str, Any]) -> dict[str, Any]:
        name = require(body, "jobName")
        if not JOB_NAME.match(name):
            raise rejected("Job name should match valid pattern")
        queue = self._queue(require(body, "jobQueue"))
        if queue.state != "ENABLED":
            raise BatchApiError(f"Job queue {queue.arn} is DISABLED and accepts no new jobs")
        job_def = self._job_definition(require(body, "jobDefinition"))
        share, priority = job_share(queue, body, job_def.scheduling_priority)
        array_size = None
        if body.get("arrayProperties"):
            array_size = optional_int(body["arrayProperties"], "size")
            if array_size is None or not 2 <= array_size <= 10_000:
                raise BatchApiError(f"Array size must be between 2 and 10000, got {array_size}")
        depends_on = self._dependencies(body.get("dependsOn") or [], array_size)

        on_fargate = fargate.is_fargate_definition(job_def.platform_capabilities)
        ces = self.store.ce_of_queue(queue)
        if ces and ces[0].purchase.is_fargate != on_fargate:
            raise BatchApiError(
                "Job Queue is attached to Compute Environment that can not run Jobs with "
                f"capability {job_def.platform_capabilities[0]}."
            )
        if (job_def.eks_properties is not None) != (queue.job_queue_type == "EKS"):
            kind = "EKS" if job_def.eks_properties is not None else "ECS"
            # AWS refuses this; its wording was not found.
            raise BatchApiError(
                f"Job queue {queue.name} is an {queue.job_queue_type} job queue and can not run "
                f"a job definition for {kind}"
            )
        job = Job(self.store.new_uuid(), name, queue.name, job_def)
        overrides = body.get("containerOverrides")
        if body.get("eksPropertiesOverride") and job_def.eks_properties is None:
            raise BatchApiError("eksPropertiesOverride applies to jobs of EKS job definitions")
        if job_def.node_properties is not None:
            self._multinode(job, body, ces)
        elif job_def.eks_properties is not None:
            if overrides:
                raise BatchApiError(
                    "An EKS job takes eksPropertiesOverride, not containerOverrides"
                )
            job.eks_properties = eks.with_override(
                job_def.eks_properties, body.get("eksPropertiesOverride")
            )
            job.container = eks.stand_in_container(job.eks_properties)
            job.request = eks.resource_request(job.eks_properties)
        else:
            if body.get("nodeOverrides"):
                raise BatchApiError("nodeOverrides apply to multi-node parallel jobs only")
            job.container = override_container(job_def.container_properties, overrides)
            job.request = request_of(job.container)
            if on_fargate and overrides:
                reason = fargate.check_task_size(overrides, job.request)
                if reason is not None:  # SubmitJob says these bare, not wrapped
                    raise BatchApiError(reason)
            if job.request.vcpus <= 0 or job.request.memory_mib <= 0:
                raise BatchApiError("Container vCPUs and memory must be greater than 0")
        if body.get("consumableResourcePropertiesOverride") is not None:
            job.consumables = self.scheduler.consumables.check_properties(
                body["consumableResourcePropertiesOverride"], "consumableResourcePropertiesOverride"
            )
        if body.get("retryStrategy") is not None:
            job.retry_strategy = check_retry(body["retryStrategy"])
        if body.get("timeout") is not None:
            job.timeout = check_timeout(body["timeout"])
        if body.get("parameters"):
            job.parameters = {**job_def.parameters, **body["parameters"]}
        job.tags = check_tags(body.get("tags")) or None
        job.propagate_tags = bool(body.get("propagateTags", job_def.propagate_tags))
        job.array_size = array_size
        if array_size is not None:
            job.status_counts = {}
        job.depends_on = depends_on
        job.share_identifier, job.scheduling_priority = share, priority
        self.scheduler.lifecycle.submit(job)
        if (too_many := propagation_refused(job)) is not None:
            self.scheduler.lifecycle.finish(job, "FAILED", too_many)
        return {"jobArn": self.store.job_arn(job.job_id), "jobName": name, "jobId": job.job_id}

    @staticmethod
    def _multinode(job: Job, body: dict[str, Any], ces: list[Any]) -> None:
        """An MNP job: its nodeProperties (with nodeOverrides); nodes come when it is released."""
        assert job.job_def.node_properties is not None
        if body.get("containerOverrides"):
            raise BatchApiError(
                "A multi-node parallel job takes nodeOverrides, not containerOverrides"
            )
        if body.get("arrayProperties"):
            raise BatchApiError("Array jobs can not be multi-node parallel jobs")
        multinode.check_queue(ces)
        props = multinode.with_overrides(job.job_def.node_properties, body.get("nodeOverrides"))
        job.node_properties = props
        job.num_nodes = int(props["numNodes"])
        job.main_node = int(props["mainNode"])
        job.container = {}

    def _job_definition(self, ref: str) -> JobDefinitionRecord:
        """SubmitJob's job definition: ``name`` (latest ACTIVE), ``name:revision`` or an ARN."""
        if not ref.startswith("arn:") and not JOB_DEFINITION_REF.match(ref):
            raise BatchApiError(
                f"Provided name {ref} is not supported pattern[a-zA-Z_0-9-]{{1,128}}"
            )
        job_def = self.store.find_job_definition(ref)
        if job_def is None or job_def.status != "ACTIVE":
            arn = ref if ref.startswith("arn:") else self.store.arn("job-definition", ref)
            raise job_definition_not_found(arn)
        return job_def

    def _dependencies(self, deps: Any, array_size: int | None) -> list[dict[str, str]]:
        if not isinstance(deps, list):
            raise BatchApiError("dependsOn must be a list")
        if len(deps) > MAX_DEPENDENCIES:
            raise BatchApiError(f"Job cannot have more than {MAX_DEPENDENCIES} dependencies")
        out: list[dict[str, str]] = []
        for d in deps:
            if not isinstance(d, dict):
                raise BatchApiError("dependsOn entries must be objects")
            kind = d.get("type")
            if kind == "SEQUENTIAL":
                if array_size is None:
                    raise BatchApiError("A SEQUENTIAL dependency is only valid for an array job")
                out.append({"type": "SEQUENTIAL"})
                continue
            dep_id = str(d.get("jobId") or "")
            dep = self.store.jobs.get(dep_id)
            if dep is None:
                raise BatchApiError(f"Dependent job ID {dep_id or '(none)'} does not exist")
            if kind == "N_TO_N":
                if array_size is None or dep.array_size != array_size:
                    raise BatchApiError(
                        "An N_TO_N dependency needs two array jobs of the same size"
                    )
                out.append({"jobId": dep_id, "type": "N_TO_N"})
            elif kind in (None, ""):
                out.append({"jobId": dep_id})
            else:
                raise BatchApiError(f"dependsOn.type must be N_TO_N or SEQUENTIAL, not {kind}")
        return out

    # -- ListJobs --------------------------------------------------------------------------
    def list_jobs(self, body: dict[str, Any]) -> dict[str, Any]:
        filters = body.get("filters") or []
        status = body.get("jobStatus")
        if status is not None and status not in STATUSES:
            raise BatchApiError(f"jobStatus must be one of {', '.join(STATUSES)}")
        match = self._filter(filters)
        # The one filter that jobStatus narrows further (AWS: "SHARE_IDENTIFIER and jobStatus
        # can be used together"); the others ignore jobStatus.
        by_status = match is not None and status is not None and filters[0]["name"] == SHARE
        limit = 100 if match else 1000
        size = optional_int(body, "maxResults")
        if size is not None and size < 1:
            raise BatchApiError("maxResults must be at least 1")
        size = min(size or limit, limit)
        cursor = decode_token(body.get("nextToken"))
        now = self.scheduler.now

        if body.get("arrayJobId") or body.get("multiNodeJobId"):
            parent = self.store.jobs.get(str(body.get("arrayJobId") or body["multiNodeJobId"]))
            children = (
                (parent.children if body.get("arrayJobId") else parent.nodes) or []
                if parent
                else []
            )
            wanted = None if match else (status or "RUNNING")
            source: Iterator[tuple[Any, Job]] = (
                (i, c)
                for i, c in enumerate(children)
                if i >= (cursor or 0) and (wanted is None or c.status == wanted)
            )
        elif body.get("jobQueue"):
            queue = self._queue(body["jobQueue"])
            if match and not by_status:
                jobs = self.store.queue_jobs.get(queue.name, [])
                start = len(jobs) - 1 if cursor is None else int(cursor)
                source = ((i, jobs[i]) for i in range(start, -1, -1))
            else:
                idx = self.store.index.get((queue.name, status or "RUNNING"))
                source = ((j.seq, j) for j in idx.newest_first(cursor)) if idx else iter(())
        else:
            raise BatchApiError("Either a jobQueue, an arrayJobId or a multiNodeJobId is required")

        summaries: list[dict[str, Any]] = []
        next_token = None
        for pos, job in source:
            if match is not None and not match(job):
                continue
            if len(summaries) == size:
                next_token = encode_token(pos)
                break
            summaries.append(views.job_summary(self.store, job, now))
        out: dict[str, Any] = {"jobSummaryList": summaries}
        if next_token:
            out["nextToken"] = next_token
        return out

    def _filter(self, filters: Any) -> Any:
        if not filters:
            return None
        if not isinstance(filters, list) or len(filters) != 1:
            raise BatchApiError("ListJobs accepts one filter at a time")
        f = filters[0]
        name = f.get("name") if isinstance(f, dict) else None
        values = f.get("values") if isinstance(f, dict) else None
        if name not in FILTERS:
            raise BatchApiError(f"filters.name must be one of {', '.join(FILTERS)}")
        if not isinstance(values, list) or len(values) != 1 or not isinstance(values[0], str):
            raise BatchApiError("filters.values must hold exactly one value")
        value = values[0]
        if name in ("BEFORE_CREATED_AT", "AFTER_CREATED_AT"):
            if not value.isdigit():
                raise BatchApiError(f"{name} takes epoch milliseconds, not {value!r}")
            t = int(value) / 1000
            if name == "BEFORE_CREATED_AT":
                return lambda job: job.created_at < t
            return lambda job: job.created_at > t
        if name == "JOB_NAME":
            return _glob(value, lambda job: job.name)
        if name == SHARE:
            return lambda job: job.share_identifier == value

        def definition(job: Job) -> str:
            d = job.job_def
            return f"{d.name}:{d.revision}" if ":" in value.rsplit("/", 1)[-1] else d.name

        if value.startswith("arn:"):
            return lambda job: job.job_def.arn == value or job.job_def.arn.startswith(value + ":")
        return _glob(value, definition)

    # -- DescribeJobs, Cancel, Terminate, Snapshot ------------------------------------------
    def describe_jobs(self, body: dict[str, Any]) -> dict[str, Any]:
        ids = require(body, "jobs", list)
        if len(ids) > MAX_DESCRIBE:
            raise rejected(f"Maximum number of jobs supported is  {MAX_DESCRIBE} .")
        now = self.scheduler.now
        found = (self.store.jobs.get(str(i).rsplit("/", 1)[-1]) for i in ids)
        return {"jobs": [views.job_detail(self.store, j, now) for j in found if j is not None]}

    def cancel_job(self, body: dict[str, Any]) -> dict[str, Any]:
        """AWS answers 200 ``{}`` for a job id it does not know, and so does the sandbox."""
        job_id, reason = require(body, "jobId"), require(body, "reason")
        job = self.store.jobs.get(job_id)
        if job is not None:
            self.scheduler.lifecycle.cancel(job, reason)
        return {}

    def terminate_job(self, body: dict[str, Any]) -> dict[str, Any]:
        """As :meth:`cancel_job`: an unknown job id is no error."""
        job_id, reason = require(body, "jobId"), require(body, "reason")
        job = self.store.jobs.get(job_id)
        if job is not None:
            self.scheduler.lifecycle.terminate(job, reason)
        return {}

    def get_job_queue_snapshot(self, body: dict[str, Any]) -> dict[str, Any]:
        """The first 100 RUNNABLE jobs in dispatch order, and the capacity the queue uses.

        ``frontOfQuotaShares`` is left out: it describes quota-share queues (SageMaker
        Training), which the sandbox does not model.
        """
        queue = self._queue(require(body, "jobQueue"))
        lifecycle = self.scheduler.lifecycle
        usage = self.scheduler.dispatcher.usage
        now = self.scheduler.now
        runnable: Iterable[Job] = (lifecycle.runnable.get(queue.name) or {}).values()
        policy = self.store.policy_of(queue)
        if policy is not None:
            runnable = usage.dispatch_order(queue.name, policy, list(runnable), now)
        front = []
        for job in runnable:
            front.append(
                {
                    "jobArn": self.store.job_arn(job.job_id),
                    "earliestTimeAtPosition": views.ms(lifecycle.positions.since(queue.name, job)),
                }
            )
            if len(front) == 100:
                break
        utilization: dict[str, Any] = {
            "totalCapacityUsage": [_vcpus(usage.in_use(queue.name))],
            "lastUpdatedAt": views.ms(now),
        }
        if policy is not None:
            utilization["fairshareUtilization"] = {
                "activeShareCount": len(usage.held_by_share(queue.name)),
                "topCapacityUtilization": [
                    {"shareIdentifier": share, "capacityUsage": [_vcpus(held)]}
                    for share, held in usage.top_shares(queue.name)
                ],
            }
        return {
            "frontOfQueue": {"jobs": front, "lastUpdatedAt": views.ms(now)},
            "queueUtilization": utilization,
        }


def _vcpus(quantity: float) -> dict[str, Any]:
    return {"capacityUnit": "VCPU", "quantity": float(quantity)}


def _glob(pattern: str, field: Any) -> Any:
    """AWS's filter match: case-insensitive, a trailing * matches any rest."""
    p = pattern.lower()
    if p.endswith("*"):
        prefix = p[:-1]
        return lambda job: field(job).lower().startswith(prefix)
    return lambda job: field(job).lower() == p
