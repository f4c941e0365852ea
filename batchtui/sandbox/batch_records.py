"""The sandbox's Batch records: compute environments, their instances, job queues, job
definitions, jobs and their attempts, as plain objects with __slots__.

The store (:mod:`batch_store`) holds 100,000+ jobs in a few hundred bytes each: a job shares its
job definition's container properties and copies only its overrides.
"""

from __future__ import annotations

from typing import Any

from batchtui.capacity import schedulable_memory_mib
from batchtui.model import InstanceType, PurchaseModel


class ComputeEnvironmentRecord:
    __slots__ = (
        "allocation_strategy",
        "arn",
        "compute_resources",
        "created_at",
        "ecs_cluster_arn",
        "eks_configuration",
        "instance_types",
        "instances",
        "max_vcpus",
        "min_vcpus",
        "name",
        "purchase",
        "service_role",
        "state",
        "status",
        "status_reason",
        "tags",
        "task_vcpus",
        "tasks",
        "type",
        "update_policy",
        "uuid",
    )

    def __init__(self, name: str, arn: str, ce_type: str) -> None:
        self.name = name
        self.arn = arn
        self.type = ce_type  # MANAGED | UNMANAGED
        self.state = "ENABLED"
        self.status = "CREATING"
        self.status_reason = "Compute environment is being created"
        self.purchase = PurchaseModel.EC2
        self.allocation_strategy = "BEST_FIT"
        self.min_vcpus = 0
        self.max_vcpus = 0
        self.compute_resources: dict[str, Any] = {}  # echoed by Describe, as given
        self.instance_types: list[InstanceType] = []  # expanded from computeResources
        self.instances: dict[str, Instance] = {}  # live (launching or running) only
        self.tasks: set[str] = set()  # Fargate: jobs whose task holds vCPUs of this CE
        self.task_vcpus = 0.0
        self.service_role = ""
        self.tags: dict[str, str] = {}
        self.ecs_cluster_arn = ""  # an EKS CE keeps one inside, for its nodes; never shown
        self.eks_configuration: dict[str, Any] | None = None  # an EKS CE's cluster, namespace
        self.uuid = ""
        self.created_at = 0.0
        #: UpdateComputeEnvironment's updatePolicy (AWS's defaults until one is given).
        self.update_policy: dict[str, Any] = {
            "terminateJobsOnUpdate": False,
            "jobExecutionTimeoutMinutes": 30,
        }

    @property
    def schedulable(self) -> bool:
        return self.state == "ENABLED" and self.status == "VALID"

    @property
    def autoscaling_group(self) -> str:
        """The name of the Auto Scaling group Batch launches the CE's instances from."""
        return f"{self.name}-asg-{self.uuid}"

    @property
    def desired_vcpus(self) -> int:
        """What the CE runs or is launching: AWS's desiredvCpus follows its instances."""
        return sum(i.itype.vcpus for i in self.instances.values())


class Instance:
    """One EC2 instance of a CE and the ECS container instance it registers as."""

    __slots__ = (
        "ce_name",
        "container_instance_arn",
        "exclusive",
        "free_gpus",
        "free_memory",
        "free_vcpus",
        "id",
        "idle_since",
        "interrupt_at",
        "itype",
        "jobs",
        "launched_at",
        "ready",
        "ready_at",
        "spot",
        "subnet",
        "zone",
    )

    def __init__(
        self, instance_id: str, ce_name: str, itype: InstanceType, spot: bool, now: float
    ) -> None:
        self.subnet = ""  # where it landed ("" when none of the CE's subnets is known to EC2)
        self.zone = ""
        self.id = instance_id
        self.ce_name = ce_name
        self.itype = itype
        self.spot = spot
        self.launched_at = now
        self.ready_at = 0.0
        self.ready = False
        self.container_instance_arn = ""
        self.free_vcpus = float(itype.vcpus)
        self.free_memory = schedulable_memory_mib(itype)
        self.free_gpus = itype.gpus
        self.jobs: set[str] = set()
        self.idle_since: float | None = now
        self.interrupt_at: float | None = None
        self.exclusive = False  # holds a node of a multi-node job: no other job joins it


class JobQueueRecord:
    __slots__ = (
        "arn",
        "ce_order",
        "created_at",
        "job_queue_type",
        "name",
        "priority",
        "scheduling_policy_arn",
        "state",
        "status",
        "status_reason",
        "tags",
        "time_limit_actions",
    )

    def __init__(self, name: str, arn: str) -> None:
        self.name = name
        self.arn = arn
        self.state = "ENABLED"
        self.status = "CREATING"
        self.status_reason = ""
        self.priority = 1
        self.ce_order: list[tuple[int, str]] = []  # (order, CE name), sorted by order
        self.time_limit_actions: list[dict[str, Any]] = []
        self.scheduling_policy_arn = ""
        self.tags: dict[str, str] = {}
        self.created_at = 0.0
        self.job_queue_type = "ECS"  # EKS when its compute environments are EKS ones

    @property
    def schedulable(self) -> bool:
        return self.state == "ENABLED" and self.status == "VALID"


class JobDefinitionRecord:
    __slots__ = (
        "arn",
        "consumables",
        "container_properties",
        "eks_properties",
        "name",
        "node_properties",
        "parameters",
        "platform_capabilities",
        "propagate_tags",
        "retry_strategy",
        "revision",
        "scheduling_priority",
        "status",
        "tags",
        "timeout",
        "type",
    )

    def __init__(self, name: str, revision: int, arn: str) -> None:
        self.name = name
        self.revision = revision
        self.arn = arn
        self.status = "ACTIVE"
        self.type = "container"
        self.container_properties: dict[str, Any] = {}
        self.node_properties: dict[str, Any] | None = None  # type "multinode"
        self.eks_properties: dict[str, Any] | None = None  # an EKS job's pod
        self.retry_strategy: dict[str, Any] | None = None
        self.timeout: dict[str, Any] | None = None
        self.parameters: dict[str, str] = {}
        self.tags: dict[str, str] = {}
        self.propagate_tags = False
        self.platform_capabilities: list[str] = ["EC2"]
        self.scheduling_priority: int | None = None
        #: consumableResourceProperties: (resource name, quantity) pairs.
        self.consumables: tuple[tuple[str, int], ...] = ()


class SchedulingPolicyRecord:
    """A fair-share scheduling policy; a queue names it by ARN (``schedulingPolicyArn``)."""

    __slots__ = ("arn", "fairshare_policy", "name", "tags")

    def __init__(self, name: str, arn: str) -> None:
        self.name = name
        self.arn = arn
        #: As AWS returns it: shareDecaySeconds, computeReservation, shareDistribution.
        self.fairshare_policy: dict[str, Any] = {}
        self.tags: dict[str, str] = {}

    @property
    def share_decay_seconds(self) -> float:
        """The usage window; 0 means AWS's minimum, 600 seconds."""
        return float(self.fairshare_policy.get("shareDecaySeconds") or 600)

    @property
    def compute_reservation(self) -> int:
        return int(self.fairshare_policy.get("computeReservation") or 0)

    def weight_of(self, share: str) -> float:
        """A share's weightFactor: its own entry, else the entry whose ``prefix*`` it starts
        with, else 1.0 (entries cannot overlap, so at most one matches)."""
        for entry in self.fairshare_policy.get("shareDistribution") or ():
            ident = str(entry.get("shareIdentifier", ""))
            if ident == share or (ident.endswith("*") and share.startswith(ident[:-1])):
                return float(entry.get("weightFactor", 1.0))
        return 1.0


class Attempt:
    """One finished attempt, as DescribeJobs' attempts[] shows it."""

    __slots__ = (
        "container_instance_arn",
        "exit_code",
        "log_stream",
        "reason",
        "started_at",
        "status_reason",
        "stopped_at",
        "task_arn",
        "task_created_at",
    )

    def __init__(self) -> None:
        self.container_instance_arn = ""
        self.task_arn = ""
        self.task_created_at: float | None = None  # when its ECS task was created (STARTING)
        self.log_stream = ""
        self.exit_code: int | None = None
        self.reason: str | None = None
        self.started_at: float | None = None
        self.stopped_at: float | None = None
        self.status_reason = ""


class Job:
    __slots__ = (
        "array_index",
        "array_size",
        "attempts",
        "children",
        "consumables",
        "container",
        "container_instance_arn",
        "created_at",
        "depends_on",
        "eks_properties",
        "exit_code",
        "fargate_ce",
        "instance_id",
        "is_cancelled",
        "is_terminated",
        "job_def",
        "job_id",
        "log_stream",
        "main_node",
        "name",
        "node_index",
        "node_properties",
        "nodes",
        "num_nodes",
        "parameters",
        "parent",
        "propagate_tags",
        "queue",
        "reason",
        "reason_since",
        "request",
        "retry_strategy",
        "run_token",
        "runnable_seq",
        "runnable_since",
        "scheduling_priority",
        "seq",
        "share_identifier",
        "started_at",
        "status",
        "status_counts",
        "status_reason",
        "stopped_at",
        "tags",
        "task_arn",
        "task_created_at",
        "timeout",
        "waiting_on",
    )

    def __init__(self, job_id: str, name: str, queue: str, job_def: JobDefinitionRecord) -> None:
        self.job_id = job_id
        self.name = name
        self.queue = queue
        self.job_def = job_def
        self.consumables = job_def.consumables  # or SubmitJob's override
        self.status = "SUBMITTED"
        self.status_reason: str | None = None
        self.reason_since: float | None = None  # when the current blocked reason was set
        self.created_at = 0.0  # simulated epoch seconds
        self.started_at: float | None = None
        self.stopped_at: float | None = None
        self.runnable_since: float | None = None
        self.runnable_seq = 0  # its ticket in the RUNNABLE queue (see queue_positions)
        #: The container as run: the job definition's properties, overridden (shared when equal).
        self.container: dict[str, Any] = job_def.container_properties
        self.request: Any = None  # model.ResourceRequest
        self.parameters: dict[str, str] = job_def.parameters
        self.retry_strategy: dict[str, Any] | None = job_def.retry_strategy
        self.timeout: dict[str, Any] | None = job_def.timeout
        self.tags: dict[str, str] | None = None  # its own; its definition's join on its task
        self.propagate_tags = job_def.propagate_tags
        self.depends_on: list[dict[str, str]] = []
        self.waiting_on = 0  # unfinished dependencies
        self.array_size: int | None = None
        self.array_index: int | None = None
        self.parent: Job | None = None
        self.children: list[Job] | None = None
        self.status_counts: dict[str, int] | None = None  # array parents: children by status
        #: Multi-node parallel jobs: the parent's nodeProperties and nodes (``<id>#<i>``); each
        #: node knows its index, and both know the node count and the main node.
        self.node_properties: dict[str, Any] | None = None
        self.nodes: list[Job] | None = None
        self.num_nodes: int | None = None
        self.main_node = 0
        self.node_index: int | None = None
        self.attempts: list[Attempt] = []
        self.exit_code: int | None = None
        self.reason: str | None = None  # the container's reason (e.g. OutOfMemoryError)
        self.instance_id: str | None = None  # where the current attempt is placed (EC2)
        self.fargate_ce: str | None = None  # or the Fargate CE whose capacity its task holds
        self.task_arn = ""
        #: When the current attempt's ECS task was created: the job entered STARTING.
        self.task_created_at: float | None = None
        self.container_instance_arn = ""
        self.log_stream = ""
        self.is_cancelled = False
        self.is_terminated = False
        self.run_token = 0  # bumps with every attempt, so stale events are ignored
        self.seq = 0  # position in its (queue, status) index
        #: Fair-share queues only: the job's share and its priority within that share.
        self.share_identifier: str | None = None
        #: EKS jobs: the pod as run (the definition's eksProperties with SubmitJob's override).
        self.eks_properties: dict[str, Any] | None = job_def.eks_properties
        self.scheduling_priority: int | None = None

    @property
    def is_final(self) -> bool:
        return self.status in ("SUCCEEDED", "FAILED")
