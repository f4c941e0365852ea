"""The ECS side of the sandbox's compute environments: their clusters and container instances.

Every managed CE has an ECS cluster (its ``ecsClusterArn``); each of its EC2 instances registers
there as a container instance once it is up, offering its vCPUs (1,024 CPU units each) and the
memory the ECS agent leaves to tasks, less what the tasks placed on it hold. Fargate CEs' clusters
have tasks but no container instances.

ListContainerInstances and DescribeContainerInstances of a CE's cluster are answered here, from
the scheduler's instances, and DescribeTasks from its jobs: a job's task is created as the job
enters STARTING (``createdAt``), its image pull starts then and stops as it turns RUNNING
(``pullStartedAt`` / ``pullStoppedAt``; the sandbox's STARTING is all image pull), and it stops
with the attempt. The clusters themselves are kept in moto's ECS backend (counts brought
up to date before each ListClusters / DescribeClusters), so moto answers those, for CE clusters
and clusters made through moto alike. Every other ECS action goes to moto (the handler returns
None).
"""

from __future__ import annotations

from typing import Any

from batchtui.capacity import schedulable_memory_mib
from batchtui.sandbox import moto_glue
from batchtui.sandbox.batch_errors import BatchApiError
from batchtui.sandbox.batch_records import Attempt, ComputeEnvironmentRecord, Instance, Job
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.scheduler import Scheduler
from batchtui.sandbox.server import ServiceRequest, ServiceResponse
from batchtui.sandbox.tokens import decode_token, encode_token

_JSON = "application/x-amz-json-1.1"
CPU_UNITS_PER_VCPU = 1024
#: Ports the ECS agent reserves on every container instance (its default ``reservedPorts``).
RESERVED_PORTS = ["22", "2375", "2376", "51678", "51679"]
AGENT = {
    "agentVersion": "1.88.0",
    "agentHash": "0a4d3d46",
    "dockerVersion": "DockerVersion: 25.0.6",
}


def _error(code: str, message: str) -> ServiceResponse:
    return ServiceResponse.json(400, {"__type": code, "message": message}, _JSON)


def _resources(cpu: int, memory: int) -> list[dict[str, Any]]:
    def integer(name: str, value: int) -> dict[str, Any]:
        return {"name": name, "type": "INTEGER", "doubleValue": 0.0, "longValue": 0,
                "integerValue": value}  # fmt: skip

    return [
        integer("CPU", cpu),
        integer("MEMORY", memory),
        {"name": "PORTS", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0,
         "integerValue": 0, "stringSetValue": list(RESERVED_PORTS)},
        {"name": "PORTS_UDP", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0,
         "integerValue": 0, "stringSetValue": []},
    ]  # fmt: skip


class EcsApi:
    def __init__(self, store: BatchStore, scheduler: Scheduler, region: str) -> None:
        self.store = store
        self.scheduler = scheduler
        self.region = region
        self._clusters_in_moto: set[str] = set()

    # -- which cluster -----------------------------------------------------------------
    def _clusters(self) -> dict[str, ComputeEnvironmentRecord]:
        return {
            ce.ecs_cluster_arn.rsplit("/", 1)[-1]: ce
            for ce in self.store.compute_environments.values()
            if ce.ecs_cluster_arn
            and ce.eks_configuration is None
            and ce.status != "DELETING"  # its cluster goes first
        }

    def _cluster_of(self, body: dict[str, Any]) -> ComputeEnvironmentRecord | None:
        ref = body.get("cluster") or "default"
        return self._clusters().get(str(ref).rsplit("/", 1)[-1])

    @staticmethod
    def _registered(ce: ComputeEnvironmentRecord) -> list[Instance]:
        """The CE's container instances: its instances that are up, oldest first."""
        ready = [i for i in ce.instances.values() if i.ready]
        return sorted(ready, key=lambda i: (i.ready_at, i.container_instance_arn))

    def _task_counts(self, job_ids: set[str]) -> tuple[int, int]:
        """(running, pending) ECS tasks of these jobs: RUNNING jobs, and STARTING ones."""
        statuses = [self.store.jobs[j].status for j in job_ids if j in self.store.jobs]
        return statuses.count("RUNNING"), statuses.count("STARTING")

    # -- the handler -------------------------------------------------------------------
    def __call__(self, request: ServiceRequest) -> ServiceResponse | None:
        op = request.target
        if request.region != self.region or op not in ("ListClusters", "DescribeClusters", "ListContainerInstances",
                      "DescribeContainerInstances", "DescribeTasks"):  # fmt: skip
            return None
        try:
            body = request.json()
        except ValueError:
            return _error("InvalidParameterException", "The request body is not valid JSON.")
        with self.scheduler.lock:
            self.scheduler.catch_up()
            if op in ("ListClusters", "DescribeClusters"):
                self._sync_clusters()
                return None  # moto answers, with the counts just written
            ce = self._cluster_of(body)
            if ce is None:
                if moto_glue.ecs_cluster_exists(self.region, str(body.get("cluster") or "default")):
                    return None  # a cluster made through moto: moto answers
                return _error("ClusterNotFoundException", "Cluster not found.")
            try:
                if op == "ListContainerInstances":
                    out = self.list_container_instances(ce, body)
                elif op == "DescribeTasks":
                    out = self.describe_tasks(ce, body)
                else:
                    out = self.describe_container_instances(ce, body)
            except BatchApiError as e:
                return _error("InvalidParameterException", e.message)
        return ServiceResponse.json(200, out, _JSON)

    def _sync_clusters(self) -> None:
        clusters = self._clusters()
        for name, ce in clusters.items():
            if ce.purchase.is_fargate:
                instances, jobs = 0, set(ce.tasks)
            else:
                registered = self._registered(ce)
                instances = len(registered)
                jobs = {j for inst in registered for j in inst.jobs}
            running, pending = self._task_counts(jobs)
            moto_glue.put_ecs_cluster(
                self.region, name, instances=instances, running=running, pending=pending
            )
        for gone in self._clusters_in_moto - set(clusters):  # its CE was deleted
            moto_glue.delete_ecs_cluster(self.region, gone)
        self._clusters_in_moto = set(clusters)

    def list_container_instances(
        self, ce: ComputeEnvironmentRecord, body: dict[str, Any]
    ) -> dict[str, Any]:
        if body.get("filter"):
            raise BatchApiError("The sandbox does not evaluate cluster query language filters.")
        size = body.get("maxResults", 100)
        if not isinstance(size, int) or not 1 <= size <= 100:
            raise BatchApiError("maxResults must be between 1 and 100.")
        status = body.get("status")
        if status not in (None, "ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING",
                          "REGISTRATION_FAILED"):  # fmt: skip
            raise BatchApiError(f"Invalid status: {status}")
        arns = [i.container_instance_arn for i in self._registered(ce)]
        if status not in (None, "ACTIVE"):
            arns = []  # every container instance of a CE is ACTIVE while it lives
        try:
            start = decode_token(body.get("nextToken")) or 0
        except BatchApiError as e:
            raise BatchApiError("Invalid nextToken.") from e
        if not isinstance(start, int) or start < 0:
            raise BatchApiError("Invalid nextToken.")
        out: dict[str, Any] = {"containerInstanceArns": arns[start : start + size]}
        if start + size < len(arns):
            out["nextToken"] = encode_token(start + size)
        return out

    def describe_container_instances(
        self, ce: ComputeEnvironmentRecord, body: dict[str, Any]
    ) -> dict[str, Any]:
        refs = body.get("containerInstances")
        if not isinstance(refs, list) or not refs or len(refs) > 100:
            raise BatchApiError("containerInstances must list 1 to 100 container instances.")
        by_id = {i.container_instance_arn.rsplit("/", 1)[-1]: i for i in self._registered(ce)}
        found: list[dict[str, Any]] = []
        failures: list[dict[str, str]] = []
        for ref in refs:
            inst = by_id.get(str(ref).rsplit("/", 1)[-1])
            if inst is None:
                failures.append({"arn": str(ref), "reason": "MISSING"})
            else:
                found.append(self._container_instance(inst))
        return {"containerInstances": found, "failures": failures}

    def _container_instance(self, inst: Instance) -> dict[str, Any]:
        itype = inst.itype
        running, pending = self._task_counts(inst.jobs)
        return {
            "containerInstanceArn": inst.container_instance_arn,
            "ec2InstanceId": inst.id,
            "version": 1 + running + pending,
            "versionInfo": dict(AGENT),
            "registeredResources": _resources(
                itype.vcpus * CPU_UNITS_PER_VCPU, schedulable_memory_mib(itype)
            ),
            "remainingResources": _resources(
                round(inst.free_vcpus * CPU_UNITS_PER_VCPU), int(inst.free_memory)
            ),
            "status": "ACTIVE",
            "agentConnected": True,
            "runningTasksCount": running,
            "pendingTasksCount": pending,
            "attributes": [
                {"name": "ecs.instance-type", "value": itype.name},
                {"name": "ecs.os-type", "value": "linux"},
                {"name": "ecs.cpu-architecture", "value": itype.arch},
                {"name": "ecs.capability.execution-role-awslogs"},
            ],
            "registeredAt": inst.ready_at,
            "attachments": [],
            "tags": [],
        }

    def describe_tasks(self, ce: ComputeEnvironmentRecord, body: dict[str, Any]) -> dict[str, Any]:
        """The tasks of the CE's jobs: each job's current attempt, and its finished ones."""
        refs = body.get("tasks")
        if not isinstance(refs, list) or not refs or len(refs) > 100:
            raise BatchApiError("tasks must list 1 to 100 tasks.")
        wanted = {str(r).rsplit("/", 1)[-1] for r in refs}
        found: dict[str, dict[str, Any]] = {}
        for job in self.store.jobs.values():
            if job.task_arn and job.task_arn.rsplit("/", 1)[-1] in wanted:
                found.setdefault(job.task_arn.rsplit("/", 1)[-1], self._task(ce, job, None))
            for att in job.attempts:
                if att.task_arn and att.task_arn.rsplit("/", 1)[-1] in wanted:
                    found[att.task_arn.rsplit("/", 1)[-1]] = self._task(ce, job, att)
        tasks = [
            found[r] for r in dict.fromkeys(str(r).rsplit("/", 1)[-1] for r in refs) if r in found
        ]
        failures = [{"arn": str(r), "reason": "MISSING"} for r in refs
                    if str(r).rsplit("/", 1)[-1] not in found]  # fmt: skip
        return {"tasks": tasks, "failures": failures}

    def _task(self, ce: ComputeEnvironmentRecord, job: Job, att: Attempt | None) -> dict[str, Any]:
        """One task as ECS describes it; ``att`` is a finished attempt (None: the current one,
        which may have finished too)."""
        live = att is None and job.status in ("STARTING", "RUNNING")
        arn = att.task_arn if att is not None else job.task_arn
        created = att.task_created_at if att is not None else job.task_created_at
        started = att.started_at if att is not None else job.started_at
        stopped = att.stopped_at if att is not None else job.stopped_at
        instance = att.container_instance_arn if att is not None else job.container_instance_arn
        if live and job.status == "STARTING":
            started = None  # a started_at left from an earlier attempt is not this task's
        created = created if created is not None else started
        out: dict[str, Any] = {
            "taskArn": arn,
            "clusterArn": ce.ecs_cluster_arn,
            "launchType": "FARGATE" if ce.purchase.is_fargate else "EC2",
            "lastStatus": ("PENDING" if job.status == "STARTING" else "RUNNING") if live else "STOPPED",
            "desiredStatus": "RUNNING" if live else "STOPPED",
            "startedBy": "AWS Batch",
            "containers": [{"name": "default", "image": str(job.container.get("image", "")),
                            "lastStatus": "PENDING" if live and started is None else
                            ("RUNNING" if live else "STOPPED")}],
        }  # fmt: skip
        if instance:
            out["containerInstanceArn"] = instance
        if created is not None:
            out["createdAt"] = created
            out["pullStartedAt"] = created
        if started is not None:
            out["pullStoppedAt"] = started
            out["startedAt"] = started
        if not live and stopped is not None:
            out["stoppedAt"] = stopped
        return out


def handler(sandbox: Any) -> EcsApi:
    """The services.py factory: ECS for the sandbox's compute environments."""
    return EcsApi(sandbox.store, sandbox.scheduler, sandbox.region)
