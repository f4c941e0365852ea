"""AWS Batch over HTTP (REST-JSON): routing, and the job queue, job definition and tag operations.

Every ``POST /v1/<operation>`` lands here (the SigV4 signing name is ``batch``). Bad input gets
AWS's answer, HTTP 400 with ``{"__type": "ClientException", "message": ...}`` and the header
``x-amzn-ErrorType``, which boto3 raises as ``ClientError`` with Code ``ClientException``. Compute
environment operations are in :mod:`batch_compute_api`, job operations in :mod:`batch_jobs_api`;
records are rendered by :mod:`batch_views`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from batchtui.model import InstanceType
from batchtui.sandbox import batch_views as views
from batchtui.sandbox import eks, fargate, multinode
from batchtui.sandbox.batch_bulk_api import BulkJobOperations
from batchtui.sandbox.batch_compute_api import (
    ComputeEnvironmentOperations,
    compute_environment_named,
)
from batchtui.sandbox.batch_errors import (
    BatchApiError,
    check_name,
    check_state,
    error_response,
    job_definition_not_found,
    optional_int,
    queue_not_found,
    rejected,
    require,
)
from batchtui.sandbox.batch_jobs_api import JobOperations
from batchtui.sandbox.batch_operations import not_supported
from batchtui.sandbox.batch_records import JobDefinitionRecord, JobQueueRecord
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.batch_tags import check_tags, check_untag
from batchtui.sandbox.job_specs import (
    check_container,
    check_retry,
    check_timeout,
    resource_request,
)
from batchtui.sandbox.scheduler import Scheduler
from batchtui.sandbox.scheduling_policy_api import (
    SchedulingPolicyOperations,
    queue_policy,
    replace_queue_policy,
)
from batchtui.sandbox.server import ServiceRequest, ServiceResponse
from batchtui.sandbox.tokens import described

log = logging.getLogger(__name__)

#: The operations on ``/v1/tags/<arn>``, told apart by HTTP method rather than by path.
TAG_ROUTES = frozenset({"listtagsforresource", "tagresource", "untagresource"})


class BatchApi:
    """The handler the sandbox's HTTP front calls for ``batch`` requests."""

    def __init__(self, store: BatchStore, scheduler: Scheduler, catalog: dict[str, InstanceType]):
        self.store = store
        self.scheduler = scheduler
        self.catalog = catalog
        self.jobs = JobOperations(store, scheduler)
        bulk = BulkJobOperations(store, scheduler)
        self.compute_environments = ces = ComputeEnvironmentOperations(store, scheduler, catalog)
        self.routes: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "createcomputeenvironment": ces.create_compute_environment,
            "describecomputeenvironments": ces.describe_compute_environments,
            "updatecomputeenvironment": ces.update_compute_environment,
            "deletecomputeenvironment": ces.delete_compute_environment,
            "createjobqueue": self.create_job_queue,
            "describejobqueues": self.describe_job_queues,
            "updatejobqueue": self.update_job_queue,
            "deletejobqueue": self.delete_job_queue,
            "registerjobdefinition": self.register_job_definition,
            "describejobdefinitions": self.describe_job_definitions,
            "deregisterjobdefinition": self.deregister_job_definition,
            "submitjob": self.jobs.submit_job,
            "listjobs": self.jobs.list_jobs,
            "describejobs": self.jobs.describe_jobs,
            "canceljob": self.jobs.cancel_job,
            "terminatejob": self.jobs.terminate_job,
            "getjobqueuesnapshot": self.jobs.get_job_queue_snapshot,
            **SchedulingPolicyOperations(store).routes(),
            **scheduler.consumables.routes(),
            "canceljobs": bulk.cancel_jobs,
            "terminatejobs": bulk.terminate_jobs,
        }

    def served_routes(self) -> set[str]:
        """The lower-case names of the operations this handler serves."""
        return set(self.routes) | TAG_ROUTES

    def __call__(self, request: ServiceRequest) -> ServiceResponse:
        try:
            with self.scheduler.lock:
                self.scheduler.catch_up()
                return ServiceResponse.json(200, self._route(request))
        except BatchApiError as e:
            return error_response(e)
        except Exception as e:  # never a traceback on the wire: AWS's 500 shape instead
            log.exception("batch %s failed", request.path)
            return error_response(BatchApiError(f"{type(e).__name__}: {e}", "ServerException", 500))

    def _route(self, request: ServiceRequest) -> dict[str, Any]:
        path = request.path
        if path.startswith("/v1/tags/"):
            return self.tags(request.method, unquote(path[len("/v1/tags/") :]), request)
        op = path.rstrip("/").rsplit("/", 1)[-1].lower()
        handler = self.routes.get(op)
        if handler is None and request.method == "POST" and (error := not_supported(op)):
            raise error
        if handler is None or request.method != "POST":
            raise BatchApiError(
                f"Unknown operation {request.method} {path}", "ClientException", 404
            )
        try:
            body = request.json()
        except ValueError as e:
            raise BatchApiError("The request body is not valid JSON") from e
        if len(request.body) > 30 * 1024 and op == "submitjob":
            raise rejected(
                f"Job size must be less than 30 KiB, got {len(request.body) // 1024} KiB"
            )
        return handler(body)

    # -- job queues ------------------------------------------------------------------------
    def _queue(self, ref: Any) -> JobQueueRecord:
        q = self.store.find_job_queue(str(ref or ""))
        if q is None:
            raise queue_not_found(ref)
        return q

    def _ce_order(self, order: Any) -> list[tuple[int, str]]:
        if not isinstance(order, list) or not 1 <= len(order) <= 3:
            raise BatchApiError("computeEnvironmentOrder must list 1 to 3 compute environments")
        out: list[tuple[int, str]] = []
        for item in order:
            if not isinstance(item, dict):
                raise BatchApiError("computeEnvironmentOrder entries must be objects")
            ce = compute_environment_named(self.store, item.get("computeEnvironment"))
            n = optional_int(item, "order")
            if n is None:
                raise BatchApiError("computeEnvironmentOrder.order is required")
            out.append((n, ce.name))
        if len({n for n, _ in out}) != len(out):
            raise BatchApiError("computeEnvironmentOrder orders must be unique")
        kinds = {self.store.compute_environments[n].purchase.is_fargate for _, n in out}
        if len(kinds) > 1:  # AWS's documented rule; the wording of its error is a guess
            raise BatchApiError("Amazon EC2 and Fargate compute environments can't be mixed.")
        on_eks = {self.store.compute_environments[n].eks_configuration is not None for _, n in out}
        if len(on_eks) > 1:  # AWS's documented rule too; the wording is a guess
            raise BatchApiError("Amazon EKS and Amazon ECS compute environments can't be mixed.")
        return sorted(out)

    def _queue_type(self, order: list[tuple[int, str]]) -> str:
        first = self.store.compute_environments[order[0][1]]
        return "EKS" if first.eks_configuration is not None else "ECS"

    @staticmethod
    def _time_limit_actions(actions: Any) -> list[dict[str, Any]]:
        if not isinstance(actions, list) or len(actions) > 5:
            raise BatchApiError("jobStateTimeLimitActions must list at most 5 actions")
        for a in actions:
            if not isinstance(a, dict) or not a.get("reason"):
                raise BatchApiError("jobStateTimeLimitActions.reason is required")
            if a.get("state") != "RUNNABLE":
                raise BatchApiError("jobStateTimeLimitActions.state must be RUNNABLE")
            if a.get("action") != "CANCEL":
                raise BatchApiError("jobStateTimeLimitActions.action must be CANCEL")
            secs = a.get("maxTimeSeconds")
            if not isinstance(secs, int) or not 600 <= secs <= 86400:
                raise BatchApiError("jobStateTimeLimitActions.maxTimeSeconds must be 600 to 86400")
        return [dict(a) for a in actions]

    def create_job_queue(self, body: dict[str, Any]) -> dict[str, Any]:
        name = require(body, "jobQueueName")
        check_name("Job queue", name)
        if name in self.store.job_queues:
            raise BatchApiError(f"Object already exists: job queue {name}")
        priority = optional_int(body, "priority")
        if priority is None or not 0 <= priority <= 1000:
            raise BatchApiError("priority is required and must be 0 to 1000")
        q = JobQueueRecord(name, self.store.arn("job-queue", name))
        q.ce_order = self._ce_order(body.get("computeEnvironmentOrder"))
        q.job_queue_type = self._queue_type(q.ce_order)
        q.priority = priority
        q.state = check_state(body.get("state", "ENABLED"))
        q.time_limit_actions = self._time_limit_actions(body.get("jobStateTimeLimitActions") or [])
        q.scheduling_policy_arn = queue_policy(self.store, body.get("schedulingPolicyArn"))
        q.tags = check_tags(body.get("tags"))
        q.created_at = self.scheduler.now
        self.store.job_queues[name] = q
        self.scheduler.set_valid_later("queue", name)
        return {"jobQueueName": name, "jobQueueArn": q.arn}

    def describe_job_queues(self, body: dict[str, Any]) -> dict[str, Any]:
        refs = body.get("jobQueues")
        if refs:
            qs = [q for r in refs if (q := self.store.find_job_queue(str(r)))]
        else:
            qs = list(self.store.job_queues.values())
        return described("jobQueues", qs, body, views.job_queue)

    def update_job_queue(self, body: dict[str, Any]) -> dict[str, Any]:
        q = self._queue(require(body, "jobQueue"))
        if "schedulingPolicyArn" in body:
            replace_queue_policy(self.store, q, body["schedulingPolicyArn"])
        if "state" in body:
            q.state = check_state(body["state"])
        if "priority" in body:
            p = optional_int(body, "priority")
            if p is None or not 0 <= p <= 1000:
                raise BatchApiError("priority must be 0 to 1000")
            q.priority = p
        if "computeEnvironmentOrder" in body:
            order = self._ce_order(body["computeEnvironmentOrder"])
            if self._queue_type(order) != q.job_queue_type:
                raise BatchApiError(
                    f"Job queue {q.name} is an {q.job_queue_type} job queue: its compute "
                    "environments cannot change orchestration type"
                )
            q.ce_order = order
        if "jobStateTimeLimitActions" in body:
            q.time_limit_actions = self._time_limit_actions(body["jobStateTimeLimitActions"])
        self.scheduler.queue_changed()
        return {"jobQueueName": q.name, "jobQueueArn": q.arn}

    def delete_job_queue(self, body: dict[str, Any]) -> dict[str, Any]:
        q = self._queue(require(body, "jobQueue"))
        if q.state != "DISABLED":
            raise BatchApiError(f"Cannot delete job queue {q.name}: it is ENABLED")
        for job in list(self.store.queue_jobs.get(q.name, ())):
            self.scheduler.lifecycle.terminate(job, "Job queue deleted")
        q.status, q.status_reason = "DELETING", "JobQueue is being deleted"
        self.scheduler.delete_later("queue", q.name)
        self.scheduler.queue_changed()
        return {}

    # -- job definitions -------------------------------------------------------------------
    def register_job_definition(self, body: dict[str, Any]) -> dict[str, Any]:
        name = require(body, "jobDefinitionName")
        check_name("Job definition", name)
        jd_type = require(body, "type")
        if jd_type not in ("container", "multinode"):
            raise BatchApiError(
                f"The sandbox supports container and multinode job definitions, not {jd_type}"
            )
        platform = fargate.check_platform_capabilities(body.get("platformCapabilities"))
        container = body.get("containerProperties")
        nodes = None
        pod = None
        if body.get("eksProperties") is not None:
            if jd_type != "container" or container is not None or platform != ["EC2"]:
                raise BatchApiError(
                    "eksProperties need type container, platformCapabilities EC2 and no "
                    "containerProperties"
                )
            pod = eks.check_eks_properties(body["eksProperties"])
            container = eks.stand_in_container(pod)
        elif jd_type == "multinode":
            if container is not None:
                raise BatchApiError("A multinode job definition takes nodeProperties only")
            nodes = multinode.check_node_properties(body.get("nodeProperties"), platform)
            container = {}
        elif not isinstance(container, dict):
            raise BatchApiError("containerProperties is required for a container job definition")
        else:
            check_container(container, need_resources=True)
            fargate.check_job_definition(container, platform, resource_request(container))
        revisions = self.store.job_definitions.setdefault(name, [])
        rev = len(revisions) + 1
        d = JobDefinitionRecord(name, rev, self.store.arn("job-definition", f"{name}:{rev}"))
        d.container_properties = container
        d.type = jd_type
        d.node_properties = nodes
        d.eks_properties = pod
        d.retry_strategy = check_retry(body.get("retryStrategy"))
        d.timeout = check_timeout(body.get("timeout"))
        d.parameters = dict(body.get("parameters") or {})
        d.tags = check_tags(body.get("tags"))
        d.propagate_tags = bool(body.get("propagateTags", False))
        d.platform_capabilities = platform
        d.scheduling_priority = optional_int(body, "schedulingPriority")
        d.consumables = self.scheduler.consumables.check_properties(
            body.get("consumableResourceProperties"), "consumableResourceProperties"
        )
        revisions.append(d)
        return {"jobDefinitionName": name, "jobDefinitionArn": d.arn, "revision": rev}

    def describe_job_definitions(self, body: dict[str, Any]) -> dict[str, Any]:
        refs = body.get("jobDefinitions")
        name = body.get("jobDefinitionName")
        status = body.get("status")
        defs: list[JobDefinitionRecord]
        if refs:
            defs = [d for r in refs if (d := self.store.find_job_definition(str(r)))]
        elif name:
            defs = list(self.store.job_definitions.get(name, ()))
        else:
            defs = [d for revs in self.store.job_definitions.values() for d in revs]
        if status:
            defs = [d for d in defs if d.status == status]
        return described("jobDefinitions", defs, body, views.job_definition)

    def deregister_job_definition(self, body: dict[str, Any]) -> dict[str, Any]:
        ref = require(body, "jobDefinition")
        d = self.store.find_job_definition(ref)
        if d is None:
            arn = ref if ref.startswith("arn:") else self.store.arn("job-definition", ref)
            raise job_definition_not_found(arn)
        d.status = "INACTIVE"
        return {}

    # -- tags ------------------------------------------------------------------------------
    def tags(self, method: str, arn: str, request: ServiceRequest) -> dict[str, Any]:
        target = self._tagged(arn)
        if method == "GET":
            return {"tags": dict(target)}
        if method == "POST":
            target.update(check_tags(require(request.json(), "tags", dict), target))
            return {}
        if method == "DELETE":
            check_untag(request.query.get("tagKeys", []))
            for key in request.query.get("tagKeys", []):
                target.pop(key, None)
            return {}
        raise BatchApiError(f"Unknown operation {method} tags")

    def _tagged(self, arn: str) -> dict[str, str]:
        kind, _, name = arn.rsplit(":", 1)[-1].partition("/") if "/" in arn else ("", "", "")
        if kind == "compute-environment" and (ce := self.store.compute_environments.get(name)):
            return ce.tags
        if kind == "job-queue" and (q := self.store.job_queues.get(name)):
            return q.tags
        if kind == "scheduling-policy" and (p := self.store.scheduling_policies.get(arn)):
            return p.tags
        if arn.split(":")[-2:-1] and "job-definition/" in arn:
            d = self.store.find_job_definition(arn)
            if d is not None:
                return d.tags
        if "/" in arn and ":job/" in arn:
            job = self.store.jobs.get(arn.split(":job/", 1)[1])
            if job is not None and job.parent is not None:
                raise BatchApiError(  # AWS documents this; the wording is the sandbox's
                    f"Resource {arn} is a child job of an array or multi-node parallel job: "
                    "tags are not supported on child jobs"
                )
            if job is not None:
                if job.tags is None:
                    job.tags = {}
                return job.tags
        raise BatchApiError(f"Resource {arn} does not exist")


def handler(sandbox: Any) -> BatchApi:
    """The services.py factory: Batch served from the sandbox's own store and scheduler."""
    return BatchApi(sandbox.store, sandbox.scheduler, sandbox.catalog)
