"""Frozen values shared by every layer.

The pure layers (capacity, planner, diagnose, changes) get their facts as these values; the aws
layer builds them from API responses (``from_api`` constructors), the sandbox builds them from its
own store. Field names follow AWS Batch's API words, in snake_case.
"""

from __future__ import annotations

import enum
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
    subnets: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    instance_role: str = ""
    service_role: str = ""
    launch_template: str = ""
    ecs_cluster_arn: str = ""
    tags: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> ComputeEnvironment:
        cr = d.get("computeResources") or {}
        lt = cr.get("launchTemplate") or {}
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
            subnets=tuple(cr.get("subnets", ()) or ()),
            security_group_ids=tuple(cr.get("securityGroupIds", ()) or ()),
            instance_role=cr.get("instanceRole", "") or "",
            service_role=d.get("serviceRole", "") or "",
            launch_template=lt.get("launchTemplateName") or lt.get("launchTemplateId") or "",
            ecs_cluster_arn=d.get("ecsClusterArn", "") or "",
            tags=tuple(sorted((d.get("tags") or {}).items())),
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
