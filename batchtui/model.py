"""Frozen values shared by every layer.

The pure layers (capacity, planner, diagnose, changes) get their facts as these values; the aws
layer builds them from API responses (``from_api`` constructors), the sandbox builds them from its
own store. Field names follow AWS Batch's API words, in snake_case.

One module on purpose, longer than most: every layer imports its values from this one place
(the import-linter layers put it at the bottom), and it is a list of small dataclasses read one
type at a time, not a flow to follow in one sitting.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JOB_STATUSES: tuple[str, ...] = (
    "SUBMITTED",
    "PENDING",
    "RUNNABLE",
    "STARTING",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
)
ACTIVE_STATUSES: tuple[str, ...] = JOB_STATUSES[:5]
FINAL_STATUSES: tuple[str, ...] = ("SUCCEEDED", "FAILED")
#: A job in these holds capacity (an instance or a Fargate task) and has an attempt under way.
PLACED_STATUSES: tuple[str, ...] = ("STARTING", "RUNNING")


class PurchaseModel(str, enum.Enum):
    """A compute environment's purchase pool. AWS's API calls on-demand EC2 ``EC2``."""

    EC2 = "EC2"
    SPOT = "SPOT"
    FARGATE = "FARGATE"
    FARGATE_SPOT = "FARGATE_SPOT"

    @classmethod
    def parse(cls, text: str) -> PurchaseModel:
        """Accept the API's words and the common synonym ON_DEMAND for EC2."""
        norm = text.strip().upper().replace("-", "_")
        if norm in ("ON_DEMAND", "ONDEMAND"):
            return cls.EC2
        return cls(norm)

    @property
    def label(self) -> str:
        return "ON_DEMAND" if self is PurchaseModel.EC2 else self.value

    @property
    def is_spot(self) -> bool:
        return self in (PurchaseModel.SPOT, PurchaseModel.FARGATE_SPOT)

    @property
    def is_fargate(self) -> bool:
        return self in (PurchaseModel.FARGATE, PurchaseModel.FARGATE_SPOT)


@dataclass(frozen=True)
class InstanceType:
    """An EC2 instance type as Batch sees it."""

    name: str
    vcpus: int
    memory_mib: int
    gpus: int = 0
    arch: str = "x86_64"

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def size(self) -> str:
        return self.name.split(".", 1)[1] if "." in self.name else ""


@dataclass(frozen=True)
class ResourceRequest:
    """What one job (or one array child) asks for."""

    vcpus: float
    memory_mib: int
    gpus: int = 0


@dataclass(frozen=True)
class Quota:
    """An account vCPU quota for one purchase pool (Service Quotas L-1216C47A / L-34B43A08)."""

    code: str
    name: str
    value: float
    pool: PurchaseModel


# Service Quotas codes for the EC2 vCPU quotas Batch draws on.
ON_DEMAND_STANDARD_QUOTA = "L-1216C47A"  # Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)
SPOT_STANDARD_QUOTA = (
    "L-34B43A08"  # All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests
)


#: Allocation strategies under which AWS performs a compute environment's infrastructure
#: updates (BEST_FIT is not one).
UPDATABLE_STRATEGIES: tuple[str, ...] = (
    "BEST_FIT_PROGRESSIVE",
    "SPOT_CAPACITY_OPTIMIZED",
    "SPOT_PRICE_CAPACITY_OPTIMIZED",
)


def is_service_linked(service_role: str) -> bool:
    """Batch's service-linked role: no serviceRole given, or AWSServiceRoleForBatch itself."""
    return not service_role or service_role.rsplit("/", 1)[-1] == "AWSServiceRoleForBatch"


@dataclass(frozen=True)
class ComputeEnvironment:
    name: str
    arn: str
    state: str  # ENABLED | DISABLED
    status: str  # CREATING | UPDATING | DELETING | DELETED | VALID | INVALID
    status_reason: str = ""
    type: str = "MANAGED"  # MANAGED | UNMANAGED
    purchase_model: PurchaseModel = PurchaseModel.EC2
    allocation_strategy: str = ""
    min_vcpus: int = 0
    desired_vcpus: int = 0
    max_vcpus: int = 0
    instance_types: tuple[str, ...] = ()
    bid_percentage: int | None = None
    #: SPOT with BEST_FIT: the role Batch's Spot Fleet request launches the instances with.
    spot_iam_fleet_role: str = ""
    subnets: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    instance_role: str = ""
    service_role: str = ""
    launch_template: str = ""
    ecs_cluster_arn: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    #: updatePolicy: what an infrastructure update does to running jobs (AWS's defaults).
    terminate_jobs_on_update: bool = False
    job_execution_timeout_minutes: int = 30

    def tag(self, key: str) -> str:
        """The value of tag ``key`` ("" when the compute environment has no such tag)."""
        return next((v for k, v in self.tags if k == key), "")

    @property
    def updatable_in_place(self) -> bool:
        """AWS performs infrastructure updates of it (instanceRole, instance types, subnets...):
        it uses the service-linked role and an updatable allocation strategy. Otherwise only
        its vCPUs, state and a few fields change in place; the rest needs a new one."""
        strategy = self.allocation_strategy or "BEST_FIT"
        return is_service_linked(self.service_role) and strategy in UPDATABLE_STRATEGIES

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> ComputeEnvironment:
        cr = d.get("computeResources") or {}
        lt = cr.get("launchTemplate") or {}
        policy = d.get("updatePolicy") or {}
        return cls(
            name=d["computeEnvironmentName"],
            arn=d.get("computeEnvironmentArn", ""),
            state=d.get("state", ""),
            status=d.get("status", ""),
            status_reason=d.get("statusReason", "") or "",
            type=d.get("type", "MANAGED"),
            purchase_model=PurchaseModel.parse(cr.get("type", "EC2")) if cr else PurchaseModel.EC2,
            allocation_strategy=cr.get("allocationStrategy", "") or "",
            min_vcpus=int(cr.get("minvCpus", 0) or 0),
            desired_vcpus=int(cr.get("desiredvCpus", 0) or 0),
            max_vcpus=int(cr.get("maxvCpus", 0) or 0),
            instance_types=tuple(cr.get("instanceTypes", ()) or ()),
            bid_percentage=cr.get("bidPercentage"),
            spot_iam_fleet_role=cr.get("spotIamFleetRole", "") or "",
            subnets=tuple(cr.get("subnets", ()) or ()),
            security_group_ids=tuple(cr.get("securityGroupIds", ()) or ()),
            instance_role=cr.get("instanceRole", "") or "",
            service_role=d.get("serviceRole", "") or "",
            launch_template=lt.get("launchTemplateName") or lt.get("launchTemplateId") or "",
            ecs_cluster_arn=d.get("ecsClusterArn", "") or "",
            tags=tuple(sorted((d.get("tags") or {}).items())),
            terminate_jobs_on_update=bool(policy.get("terminateJobsOnUpdate", False)),
            job_execution_timeout_minutes=int(policy.get("jobExecutionTimeoutMinutes", 30) or 30),
        )


@dataclass(frozen=True)
class ComputeEnvironmentOrder:
    order: int
    compute_environment: str  # ARN or name


@dataclass(frozen=True)
class JobQueue:
    name: str
    arn: str
    state: str
    status: str
    status_reason: str = ""
    priority: int = 1
    compute_environment_order: tuple[ComputeEnvironmentOrder, ...] = ()
    job_state_time_limit_actions: tuple[dict[str, Any], ...] = ()
    scheduling_policy_arn: str = ""
    #: (key, value) pairs, sorted (a tuple keeps the queue hashable).
    tags: tuple[tuple[str, str], ...] = ()

    def tag(self, key: str) -> str:
        """The value of tag ``key`` ("" when the queue has no such tag)."""
        return next((v for k, v in self.tags if k == key), "")

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> JobQueue:
        return cls(
            name=d["jobQueueName"],
            arn=d.get("jobQueueArn", ""),
            state=d.get("state", ""),
            status=d.get("status", ""),
            status_reason=d.get("statusReason", "") or "",
            priority=int(d.get("priority", 1)),
            compute_environment_order=tuple(
                sorted(
                    (
                        ComputeEnvironmentOrder(int(o["order"]), o["computeEnvironment"])
                        for o in d.get("computeEnvironmentOrder", ())
                    ),
                    key=lambda o: o.order,
                )
            ),
            job_state_time_limit_actions=tuple(d.get("jobStateTimeLimitActions", ()) or ()),
            scheduling_policy_arn=d.get("schedulingPolicyArn", "") or "",
            tags=tuple(sorted((str(k), str(v)) for k, v in (d.get("tags") or {}).items())),
        )


@dataclass(frozen=True, slots=True)
class JobSummary:
    """One row of ListJobs: what a listing shows without DescribeJobs."""

    job_id: str
    job_name: str
    status: str
    created_at: int = 0  # epoch milliseconds, as AWS reports
    started_at: int | None = None
    stopped_at: int | None = None
    status_reason: str = ""
    exit_code: int | None = None
    array_size: int | None = None
    array_index: int | None = None
    job_arn: str = ""
    job_definition: str = ""

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> JobSummary:
        ap = d.get("arrayProperties") or {}
        container = d.get("container") or {}
        return cls(
            job_id=d["jobId"],
            job_name=d.get("jobName", ""),
            status=d.get("status", ""),
            created_at=int(d.get("createdAt", 0) or 0),
            started_at=d.get("startedAt"),
            stopped_at=d.get("stoppedAt"),
            status_reason=d.get("statusReason", "") or "",
            exit_code=container.get("exitCode"),
            array_size=ap.get("size"),
            array_index=ap.get("index"),
            job_arn=d.get("jobArn", ""),
            job_definition=d.get("jobDefinition", "") or "",
        )


def _resources(d: Mapping[str, Any]) -> tuple[float | None, int | None, int]:
    """(vCPUs, memory MiB, GPUs) from resourceRequirements, else the legacy vcpus / memory."""
    req = {r.get("type"): r.get("value") for r in d.get("resourceRequirements") or ()}
    vcpus = req.get("VCPU", d.get("vcpus"))
    memory = req.get("MEMORY", d.get("memory"))
    return (
        float(vcpus) if vcpus is not None else None,
        int(memory) if memory is not None else None,
        int(req.get("GPU", 0) or 0),
    )


@dataclass(frozen=True)
class LogConfiguration:
    """A container's logConfiguration: its log driver and the driver's options."""

    log_driver: str = "awslogs"
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_api(cls, d: Mapping[str, Any] | None) -> LogConfiguration | None:
        if not d:
            return None
        return cls(
            str(d.get("logDriver") or "awslogs"),
            tuple(sorted((str(k), str(v)) for k, v in (d.get("options") or {}).items())),
        )

    def option(self, name: str) -> str:
        return dict(self.options).get(name, "")


@dataclass(frozen=True)
class Container:
    """A job's (or an attempt's, or a job definition's) container, as DescribeJobs reports it."""

    image: str = ""
    command: tuple[str, ...] = ()
    vcpus: float | None = None
    memory_mib: int | None = None
    gpus: int = 0
    job_role_arn: str = ""
    execution_role_arn: str = ""
    exit_code: int | None = None
    reason: str = ""
    log_stream_name: str = ""
    task_arn: str = ""
    container_instance_arn: str = ""
    environment: tuple[tuple[str, str], ...] = ()
    log_configuration: LogConfiguration | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Container:
        vcpus, memory, gpus = _resources(d)
        return cls(
            image=d.get("image", "") or "",
            command=tuple(str(c) for c in d.get("command") or ()),
            vcpus=vcpus,
            memory_mib=memory,
            gpus=gpus,
            job_role_arn=d.get("jobRoleArn", "") or "",
            execution_role_arn=d.get("executionRoleArn", "") or "",
            exit_code=d.get("exitCode"),
            reason=d.get("reason", "") or "",
            log_stream_name=d.get("logStreamName", "") or "",
            task_arn=d.get("taskArn", "") or "",
            container_instance_arn=d.get("containerInstanceArn", "") or "",
            environment=tuple(
                (str(e.get("name", "")), str(e.get("value", "")))
                for e in d.get("environment") or ()
            ),
            log_configuration=LogConfiguration.from_api(d.get("logConfiguration")),
        )


@dataclass(frozen=True)
class JobAttempt:
    """One finished attempt of a job (AWS lists an attempt only when it ends)."""

    container: Container
    started_at: int | None = None
    stopped_at: int | None = None
    status_reason: str = ""

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> JobAttempt:
        return cls(
            Container.from_api(d.get("container") or {}),
            d.get("startedAt"),
            d.get("stoppedAt"),
            d.get("statusReason", "") or "",
        )


@dataclass(frozen=True)
class RetryRule:
    """One evaluateOnExit rule of a retry strategy: ``action`` when the conditions match."""

    action: str
    conditions: tuple[tuple[str, str], ...] = ()  # (onStatusReason | onReason | onExitCode, glob)


def _retry(d: Mapping[str, Any] | None) -> tuple[int, tuple[RetryRule, ...]]:
    retry = d or {}
    rules = tuple(
        RetryRule(
            str(r.get("action", "?")),
            tuple((k, str(r[k])) for k in ("onStatusReason", "onReason", "onExitCode") if k in r),
        )
        for r in retry.get("evaluateOnExit") or ()
    )
    return int(retry.get("attempts") or 1), rules


@dataclass(frozen=True)
class Job:
    """One DescribeJobs record, typed once where it is read (the aws layer).

    ``api`` keeps the record as AWS sent it, for output that must use AWS's own (camelCase)
    field names; code reads the typed fields."""

    job_id: str
    job_name: str = ""
    status: str = ""
    status_reason: str = ""
    job_arn: str = ""
    job_queue: str = ""
    job_definition: str = ""
    created_at: int = 0
    started_at: int | None = None
    stopped_at: int | None = None
    #: (job id, type) of the jobs it waits on; type is N_TO_N / SEQUENTIAL for array children.
    depends_on: tuple[tuple[str, str], ...] = ()
    container: Container | None = None
    attempts: tuple[JobAttempt, ...] = ()
    array_size: int | None = None
    array_index: int | None = None
    #: Children per status of an array parent.
    array_status_summary: tuple[tuple[str, int], ...] = ()
    #: A multi-node parallel parent's node count (a node itself has ``is_node``).
    num_nodes: int | None = None
    is_node: bool = False
    #: The job runs on EKS (its logs are the cluster's), or on ECS properties / nodes without a
    #: container of its own.
    on_eks: bool = False
    has_other_properties: bool = False
    platform_capabilities: tuple[str, ...] = ()
    scheduling_priority: int | None = None
    share_identifier: str = ""
    attempt_duration_s: int | None = None
    retry_attempts: int = 1
    retry_rules: tuple[RetryRule, ...] = ()
    api: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Job:
        array = d.get("arrayProperties") or {}
        nodes = d.get("nodeProperties") or {}
        container = d.get("container")
        attempts, rules = _retry(d.get("retryStrategy"))
        return cls(
            job_id=d["jobId"],
            job_name=d.get("jobName", "") or "",
            status=d.get("status", "") or "",
            status_reason=d.get("statusReason", "") or "",
            job_arn=d.get("jobArn", "") or "",
            job_queue=d.get("jobQueue", "") or "",
            job_definition=d.get("jobDefinition", "") or "",
            created_at=int(d.get("createdAt", 0) or 0),
            started_at=d.get("startedAt"),
            stopped_at=d.get("stoppedAt"),
            depends_on=tuple(
                (str(x["jobId"]), str(x.get("type", "") or ""))
                for x in d.get("dependsOn") or ()
                if x.get("jobId")
            ),
            container=Container.from_api(container) if container else None,
            attempts=tuple(JobAttempt.from_api(a) for a in d.get("attempts") or ()),
            array_size=array.get("size"),
            array_index=array.get("index"),
            array_status_summary=tuple(
                (str(k), int(v)) for k, v in (array.get("statusSummary") or {}).items()
            ),
            num_nodes=nodes.get("numNodes"),
            is_node="nodeDetails" in d,
            on_eks=bool(d.get("eksProperties") or d.get("eksAttempts")),
            has_other_properties=bool(
                d.get("ecsProperties") or d.get("eksProperties") or d.get("nodeProperties")
            ),
            platform_capabilities=tuple(d.get("platformCapabilities") or ()),
            scheduling_priority=d.get("schedulingPriority"),
            share_identifier=d.get("shareIdentifier", "") or "",
            attempt_duration_s=(d.get("timeout") or {}).get("attemptDurationSeconds"),
            retry_attempts=attempts,
            retry_rules=rules,
            api=d,
        )

    @property
    def queue_name(self) -> str:
        return self.job_queue.rsplit("/", 1)[-1]

    @property
    def definition_name(self) -> str:
        """``name:revision`` of its job definition (the ARN's last part)."""
        return self.job_definition.rsplit("/", 1)[-1]

    @property
    def attempts_made(self) -> int:
        """Attempts started: the finished ones, and the one under way (AWS lists an attempt in
        ``attempts`` only when it ends)."""
        return len(self.attempts) + (1 if self.status in PLACED_STATUSES else 0)

    def summary(self) -> JobSummary:
        """The listing's row of this job."""
        return JobSummary(
            job_id=self.job_id,
            job_name=self.job_name,
            status=self.status,
            created_at=self.created_at,
            started_at=self.started_at,
            stopped_at=self.stopped_at,
            status_reason=self.status_reason,
            exit_code=self.container.exit_code if self.container else None,
            array_size=self.array_size,
            array_index=self.array_index,
            job_arn=self.job_arn,
            job_definition=self.job_definition,
        )


@dataclass(frozen=True)
class NodeRange:
    """One nodeRangeProperties entry of a multi-node job definition."""

    target_nodes: str  # "0", "1:", ":3", "0:7"
    container: Container

    def covers(self, node: int) -> bool:
        lo, colon, hi = self.target_nodes.partition(":")
        if not colon:
            return self.target_nodes.strip() == str(node)
        return (int(lo) if lo else 0) <= node <= (int(hi) if hi else 1 << 30)


@dataclass(frozen=True)
class JobDefinition:
    """One DescribeJobDefinitions record (immutable per revision)."""

    name: str
    arn: str = ""
    revision: int = 0
    status: str = ""
    type: str = "container"
    container: Container | None = None
    node_ranges: tuple[NodeRange, ...] = ()
    platform_capabilities: tuple[str, ...] = ()
    api: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> JobDefinition:
        props = d.get("containerProperties")
        ranges = (d.get("nodeProperties") or {}).get("nodeRangeProperties") or ()
        return cls(
            name=d.get("jobDefinitionName", "") or "",
            arn=d.get("jobDefinitionArn", "") or "",
            revision=int(d.get("revision", 0) or 0),
            status=d.get("status", "") or "",
            type=d.get("type", "container") or "container",
            container=Container.from_api(props) if props else None,
            node_ranges=tuple(
                NodeRange(
                    str(r.get("targetNodes", "")), Container.from_api(r.get("container") or {})
                )
                for r in ranges
            ),
            platform_capabilities=tuple(d.get("platformCapabilities") or ()),
            api=d,
        )

    def log_configuration(self, node: int | None = None) -> LogConfiguration | None:
        """The log configuration its containers get (a node's: its node range's)."""
        if node is not None:
            for r in self.node_ranges:
                if r.covers(node):
                    return r.container.log_configuration
        return self.container.log_configuration if self.container else None


@dataclass(frozen=True)
class Price:
    """An hourly price of one instance type in one region and purchase pool."""

    region: str
    instance_type: str
    pool: PurchaseModel
    usd_per_hour: float
    source: str  # "snapshot 2026-11-01" | "live Pricing API" | ...
    interruption_bucket: str = ""  # Spot Advisor style: "<5%", "5-10%", ... (spot only)


@dataclass(frozen=True)
class ApiCallStats:
    """Counts of AWS API calls, per (service, operation)."""

    by_operation: tuple[tuple[str, str, int], ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.by_operation)


#: Where `batchtui submit` keeps a submission in the image bucket (its manifests, journal and
#: report, under the submission's id); fixed, so any machine finds a submission by its id. The
#: job role apply generates reaches it, so it lives below both.
SUBMISSIONS_PREFIX = "batchtui/submissions/"
