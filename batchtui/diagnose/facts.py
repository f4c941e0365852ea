"""The facts a diagnosis reads, as values (pure: the aws layer gathers them, tests build them).

:class:`BatchFacts` holds what one read of the account said about one job queue: the jobs under
diagnosis, the queue, its compute environments, the instance types, quotas, network, roles and
scaling history. A fact nobody could read is ``None`` (or absent from its mapping) and the read
that failed is an :class:`Unknown`; rules make no claim on a fact they do not have.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from batchtui.model import (
    ComputeEnvironment,
    InstanceType,
    JobQueue,
    PurchaseModel,
    ResourceRequest,
)


@dataclass(frozen=True)
class JobFacts:
    """One job as DescribeJobs shows it, in the words the rules need."""

    job_id: str
    job_name: str
    status: str
    job_queue: str = ""  # name (the ARN's last part)
    status_reason: str = ""
    created_at_ms: int = 0
    request: ResourceRequest = field(default_factory=lambda: ResourceRequest(1, 2048))
    fargate: bool = False
    num_nodes: int | None = None  # a multi-node parallel job's node count
    depends_on: tuple[str, ...] = ()
    image: str = ""
    share_identifier: str = ""
    consumable_resources: tuple[tuple[str, int], ...] = ()
    #: When the job entered STARTING, when a read says so (its ECS task's createdAt); None:
    #: unknown (DescribeJobs has no such time).
    starting_since_ms: int | None = None
    #: Its ECS task's image pull (pullStartedAt, pullStoppedAt), when DescribeTasks says.
    pull_started_ms: int | None = None
    pull_stopped_ms: int | None = None
    #: The ECS task of its current attempt (container.taskArn), "" before it has one.
    task_arn: str = ""
    #: An array job's children that are RUNNABLE (from its statusSummary); 0 for other jobs.
    runnable_children: int = 0
    #: The status AWS lists the job under, when it differs from ``status`` (an array parent
    #: PENDING while its children are RUNNABLE is diagnosed as RUNNABLE); "" when the same.
    listed_status: str = ""
    #: An array parent's size and its children's statuses (statusSummary), in AWS's order.
    array_size: int = 0
    array_summary: tuple[tuple[str, int], ...] = ()

    @property
    def status_listed(self) -> str:
        """The status ListJobs lists the job under (what the overview counts)."""
        return self.listed_status or self.status

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> JobFacts:
        """From one ``jobs[]`` item of DescribeJobs."""
        container = d.get("container") or {}
        nodes = d.get("nodeProperties") or {}
        if nodes and not container:
            ranges = nodes.get("nodeRangeProperties") or [{}]
            container = ranges[0].get("container") or {}
        vcpus, memory, gpus = _resources(container)
        consumable = (d.get("consumableResourceProperties") or {}).get("consumableResourceList")
        status = listed = str(d.get("status", ""))
        array = d.get("arrayProperties") or {}
        summary = array.get("statusSummary") or {}
        children = int(summary.get("RUNNABLE", 0) or 0)
        if "index" not in array and status == "PENDING" and children:
            # ListJobs by queue lists array parents, not their children: a parent PENDING while
            # children of its (one) shape sit in RUNNABLE is diagnosed as they would be.
            status = "RUNNABLE"
        return cls(
            job_id=str(d["jobId"]),
            job_name=str(d.get("jobName", "")),
            status=status,
            job_queue=str(d.get("jobQueue", "")).rpartition("/")[2],
            status_reason=str(d.get("statusReason", "") or ""),
            created_at_ms=int(d.get("createdAt", 0) or 0),
            request=ResourceRequest(vcpus, memory, gpus),
            fargate="FARGATE" in (d.get("platformCapabilities") or ()),
            num_nodes=int(nodes["numNodes"]) if nodes.get("numNodes") else None,
            depends_on=tuple(str(x.get("jobId", "")) for x in d.get("dependsOn") or ()),
            image=str(container.get("image", "") or ""),
            task_arn=str((d.get("container") or {}).get("taskArn", "") or ""),
            share_identifier=str(d.get("shareIdentifier", "") or ""),
            consumable_resources=tuple(
                (str(c.get("consumableResource", "")).rpartition("/")[2], int(c.get("quantity", 0)))
                for c in consumable or ()
            ),
            runnable_children=children,
            listed_status=listed if listed != status else "",
            array_size=int(array.get("size", 0) or 0) if "index" not in array else 0,
            array_summary=tuple((str(k), int(v or 0)) for k, v in summary.items() if v),
        )


def _resources(container: Mapping[str, Any]) -> tuple[float, int, int]:
    vcpus = float(container.get("vcpus") or 0)
    memory = int(container.get("memory") or 0)
    gpus = 0
    for r in container.get("resourceRequirements") or ():
        kind, value = str(r.get("type", "")).upper(), r.get("value", "0")
        if kind == "VCPU":
            vcpus = float(value)
        elif kind == "MEMORY":
            memory = int(float(value))
        elif kind == "GPU":
            gpus = int(float(value))
    return vcpus or 1.0, memory or 2048, gpus


@dataclass(frozen=True)
class TaskTimes:
    """When an ECS task was created and its image pull started and stopped (epoch ms; None:
    not yet), as DescribeTasks says."""

    created_ms: int
    pull_started_ms: int | None = None
    pull_stopped_ms: int | None = None

    def on(self, job: JobFacts) -> JobFacts:
        """``job`` with these times as its STARTING evidence."""
        return replace(job, starting_since_ms=self.created_ms,
                       pull_started_ms=self.pull_started_ms, pull_stopped_ms=self.pull_stopped_ms)  # fmt: skip


@dataclass(frozen=True)
class Unknown:
    """A read that failed, so a cause could not be checked: "cannot tell <what>: <error>"."""

    what: str  # "whether the subnets reach ECS"
    call: str  # "ec2:DescribeRouteTables"
    error: str  # "AccessDenied"


@dataclass(frozen=True)
class Subnet:
    """A subnet and how its instances could reach the ECS endpoint."""

    subnet_id: str
    zone: str = ""
    vpc_id: str = ""
    map_public_ip_on_launch: bool = False
    #: Targets of its route table's default route (0.0.0.0/0): "igw-...", "nat-...", ...
    default_route_targets: tuple[str, ...] = ()
    #: VPC endpoint service names in its VPC ("com.amazonaws.us-east-1.ecs", ...).
    vpc_endpoints: tuple[str, ...] = ()

    @property
    def route_to_ecs(self) -> str | None:
        """How an instance here reaches ECS ("internet gateway", "NAT gateway", "VPC
        endpoint"), or None when it cannot."""
        if any(t.startswith("nat-") for t in self.default_route_targets):
            return "NAT gateway"
        if self.map_public_ip_on_launch and any(
            t.startswith("igw-") for t in self.default_route_targets
        ):
            return "internet gateway"
        if any(e.endswith(".ecs") for e in self.vpc_endpoints) and any(
            e.endswith(".ecs-agent") for e in self.vpc_endpoints
        ):
            return "VPC endpoint"
        return None


@dataclass(frozen=True)
class RolePolicy:
    """One policy of a role: its name, its kind (``AWS managed``, ``customer managed`` or
    ``inline``) and its document (None: it could not be read)."""

    name: str
    kind: str
    document: Mapping[str, Any] | str | None = None

    @property
    def read_with(self) -> str:
        """The call its document was read with."""
        return "iam:GetRolePolicy" if self.kind == "inline" else "iam:GetPolicyVersion"


@dataclass(frozen=True)
class InstanceRole:
    """What IAM says about a compute environment's ``instanceRole``."""

    name: str  # as the compute environment names it
    exists: bool
    is_instance_profile: bool = True
    role_name: str = ""
    attached_policies: tuple[str, ...] = ()  # managed policy names
    has_inline_policies: bool = False
    #: Policies of the account's own are attached (not AWS managed, arn:aws:iam::aws:policy/...).
    has_customer_policies: bool = False
    #: Every policy of the role with its document, attached ones first; read only when no ECS
    #: instance policy is attached (empty: not read).
    policies: tuple[RolePolicy, ...] = ()


@dataclass(frozen=True)
class ServiceRole:
    name: str
    exists: bool
    attached_policies: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScalingActivity:
    """One Auto Scaling activity or Spot Fleet history event of a compute environment."""

    compute_environment: str
    status: str  # Successful | Failed | Cancelled | ... (Spot Fleet: error)
    message: str
    time_ms: int
    source: str = "autoscaling:DescribeScalingActivities"


@dataclass(frozen=True)
class QueuePosition:
    """One entry of GetJobQueueSnapshot's frontOfQueue."""

    job_id: str
    position: int  # 1 = the head
    earliest_time_ms: int


@dataclass(frozen=True)
class ConsumableHolder:
    """A job that holds a consumable resource (ListJobsByConsumableResource)."""

    job_id: str
    job_name: str
    quantity: int
    status: str


@dataclass(frozen=True)
class Consumable:
    name: str
    total: int
    in_use: int
    #: The STARTING and RUNNING jobs that hold it; None when they could not be read.
    holders: tuple[ConsumableHolder, ...] | None = None


@dataclass(frozen=True)
class BatchFacts:
    """Everything one diagnosis reads; ``now`` is epoch seconds."""

    now: float
    queue: JobQueue | None
    jobs: tuple[JobFacts, ...]
    #: Every compute environment of the account (the pools' usage needs them all).
    compute_environments: tuple[ComputeEnvironment, ...] = ()
    #: Jobs the diagnosed jobs depend on, and the queue's head, by id.
    related_jobs: Mapping[str, JobFacts] = field(default_factory=dict)
    #: None: not read (denied or not supported).
    front_of_queue: tuple[QueuePosition, ...] | None = None
    catalog: Mapping[str, InstanceType] | None = None
    #: Instance type -> availability zones that offer it; None: not read.
    offerings: Mapping[str, frozenset[str]] | None = None
    subnets: Mapping[str, Subnet] = field(default_factory=dict)
    quotas: Mapping[PurchaseModel, float] | None = None
    #: Compute environment name -> (ACTIVE container instances registered in its ECS cluster,
    #: their vCPUs); absent: not read.
    container_instances: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    #: Compute environment name -> launch times (epoch ms, oldest first) of the EC2 instances
    #: running for it.
    ec2_instances: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    instance_roles: Mapping[str, InstanceRole] = field(default_factory=dict)
    service_roles: Mapping[str, ServiceRole] = field(default_factory=dict)
    scaling_activities: tuple[ScalingActivity, ...] = ()
    spot_prices: Mapping[str, float] = field(default_factory=dict)
    on_demand_prices: Mapping[str, float] = field(default_factory=dict)
    #: Fair-share weights by share identifier (from the scheduling policy), and usage in vCPUs.
    share_weights: Mapping[str, float] = field(default_factory=dict)
    share_usage: Mapping[str, float] = field(default_factory=dict)
    consumables: Mapping[str, Consumable] = field(default_factory=dict)
    unknowns: tuple[Unknown, ...] = ()

    def queue_compute_environments(self) -> tuple[ComputeEnvironment, ...] | None:
        """The queue's compute environments in its order; None when one of them is not known."""
        if self.queue is None:
            return None
        by_ref = {ref: ce for ce in self.compute_environments for ref in (ce.name, ce.arn) if ref}
        out = []
        for o in self.queue.compute_environment_order:
            ce = by_ref.get(o.compute_environment)
            if ce is None:
                return None
            out.append(ce)
        return tuple(out)

    @functools.cached_property
    def _positions(self) -> dict[str, QueuePosition]:
        out: dict[str, QueuePosition] = {}
        for p in self.front_of_queue or ():  # in queue order: the first one of a parent stays
            out.setdefault(p.job_id, p)
            # The snapshot lists an array job's children ("<parent>:<index>"), not the parent.
            out.setdefault(p.job_id.partition(":")[0], p)
        return out

    def position_of(self, job_id: str) -> QueuePosition | None:
        """The job's place in the front of the queue (the first 100), or None; an array job's
        is its first child's."""
        return self._positions.get(job_id)

    def unknown(self, call: str) -> Unknown | None:
        for u in self.unknowns:
            if u.call == call:
                return u
        return None
