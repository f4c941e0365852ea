"""A planning profile's values: the Batch setup it specifies, the workload and the planner's
assumptions, as frozen dataclasses (what :func:`~batchtui.profiles.load_profile` returns).

Field names follow the TOML keys, which follow AWS Batch's API words in snake_case.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from batchtui.model import ComputeEnvironment, PurchaseModel, ResourceRequest
from batchtui.profiles.access import DataSpec, IamSpec

#: What AWS reports as an interrupted attempt's statusReason (what evaluateOnExit matches).
SPOT_INTERRUPTION_REASON = "Host EC2 (instance i-0123456789abcdef0) terminated."
DEFAULT_INSTANCE_DISK_GIB = 20  # Batch's default AMI root volume: 30 GiB, ~20 GiB usable for jobs


@dataclass(frozen=True)
class QuotaSpec:
    """vCPU quotas per pool; None means ``"auto"`` (read Service Quotas)."""

    on_demand_vcpus: float | None
    spot_vcpus: float | None
    fargate_vcpus: float | None = None  # None: unlimited for the plan (no Fargate quota given)

    @property
    def wants_auto(self) -> bool:
        return self.on_demand_vcpus is None or self.spot_vcpus is None

    def by_pool(self) -> dict[PurchaseModel, float]:
        """The quotas the profile states, per purchase pool (``"auto"`` ones are left out)."""
        pools: dict[PurchaseModel, float] = {}
        if self.on_demand_vcpus is not None:
            pools[PurchaseModel.EC2] = self.on_demand_vcpus
        if self.spot_vcpus is not None:
            pools[PurchaseModel.SPOT] = self.spot_vcpus
        if self.fargate_vcpus is not None:
            pools[PurchaseModel.FARGATE] = self.fargate_vcpus
            pools[PurchaseModel.FARGATE_SPOT] = self.fargate_vcpus
        return pools


@dataclass(frozen=True)
class UpdatePolicy:
    """UpdateComputeEnvironment's updatePolicy: what an infrastructure update does to the jobs
    running on the instances it replaces (by default they finish, up to the timeout)."""

    terminate_jobs_on_update: bool = False
    job_execution_timeout_minutes: int = 30

    def to_api(self) -> dict[str, Any]:
        return {
            "terminateJobsOnUpdate": self.terminate_jobs_on_update,
            "jobExecutionTimeoutMinutes": self.job_execution_timeout_minutes,
        }


@dataclass(frozen=True)
class ComputeEnvironmentSpec:
    name: str
    purchase_model: PurchaseModel
    allocation_strategy: str
    instance_types: tuple[str, ...]
    min_vcpus: int
    max_vcpus: int
    desired_vcpus: int
    bid_percentage: int | None = None
    subnets: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    instance_role: str = ""
    service_role: str = ""
    launch_template: str = ""
    state: str = "ENABLED"
    update_policy: UpdatePolicy = field(default_factory=UpdatePolicy)
    line: int = 0

    def to_model(self) -> ComputeEnvironment:
        """The compute environment as the shared model sees it (VALID, as if applied)."""
        return ComputeEnvironment(
            name=self.name,
            arn="",
            state=self.state,
            status="VALID",
            purchase_model=self.purchase_model,
            allocation_strategy=self.allocation_strategy,
            min_vcpus=self.min_vcpus,
            desired_vcpus=self.desired_vcpus,
            max_vcpus=self.max_vcpus,
            instance_types=self.instance_types,
            bid_percentage=self.bid_percentage,
            subnets=self.subnets,
            security_group_ids=self.security_group_ids,
            instance_role=self.instance_role,
            service_role=self.service_role,
            launch_template=self.launch_template,
        )


@dataclass(frozen=True)
class JobQueueSpec:
    name: str
    priority: int
    compute_environments: tuple[str, ...]  # in computeEnvironmentOrder
    job_state_time_limit_actions: tuple[Mapping[str, Any], ...] = ()
    state: str = "ENABLED"
    scheduling_policy_arn: str = ""


@dataclass(frozen=True)
class EvaluateOnExit:
    action: str  # RETRY | EXIT
    on_status_reason: str = ""
    on_reason: str = ""
    on_exit_code: str = ""

    def matches(self, status_reason: str, reason: str = "", exit_code: str = "") -> bool:
        """AWS's rule: every given pattern must match; ``*`` only at the end of a pattern."""
        pairs = (
            (self.on_status_reason, status_reason),
            (self.on_reason, reason),
            (self.on_exit_code, exit_code),
        )
        given = [(p, v) for p, v in pairs if p]
        return bool(given) and all(_glob(p, v) for p, v in given)

    def to_api(self) -> dict[str, str]:
        """The rule as RegisterJobDefinition takes it (AWS's field names, only those given)."""
        fields = {
            "onStatusReason": self.on_status_reason,
            "onReason": self.on_reason,
            "onExitCode": self.on_exit_code,
        }
        return {**{k: v for k, v in fields.items() if v}, "action": self.action}


def _glob(pattern: str, value: str) -> bool:
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


@dataclass(frozen=True)
class RetryStrategy:
    attempts: int = 1
    evaluate_on_exit: tuple[EvaluateOnExit, ...] = ()

    def action_for(self, status_reason: str = "", reason: str = "", exit_code: str = "") -> str:
        """``RETRY`` or ``EXIT`` for a failed attempt: the first matching rule's action, as AWS
        evaluates evaluateOnExit; ``RETRY`` when no rule matches (AWS retries then, while
        attempts remain)."""
        for rule in self.evaluate_on_exit:
            if rule.matches(status_reason, reason, exit_code):
                return rule.action
        return "RETRY"

    def to_api(self) -> dict[str, Any]:
        """The job definition's retryStrategy as RegisterJobDefinition takes it."""
        body: dict[str, Any] = {"attempts": self.attempts}
        if self.evaluate_on_exit:
            body["evaluateOnExit"] = [rule.to_api() for rule in self.evaluate_on_exit]
        return body

    def attempts_on_interruption(self) -> int:
        """How many attempts a job gets when spot interruptions kill its attempts."""
        if self.attempts <= 1:
            return 1
        for rule in self.evaluate_on_exit:
            # A host termination has no container exit code and no container reason.
            if rule.matches(SPOT_INTERRUPTION_REASON):
                return self.attempts if rule.action == "RETRY" else 1
        # No rule matched: AWS retries up to attempts when no evaluateOnExit matches... unless
        # rules were given, in which case an unmatched failure is retried too (AWS: "If none of
        # the conditions match, the job is retried").
        return self.attempts


@dataclass(frozen=True)
class JobDefinitionSpec:
    name: str
    image: str
    vcpus: float
    memory_mib: int
    gpus: int = 0
    timeout_seconds: int | None = None
    retry_strategy: RetryStrategy = field(default_factory=RetryStrategy)
    environment: Mapping[str, str] = field(default_factory=dict)
    disk_gib: int | None = None

    @property
    def request(self) -> ResourceRequest:
        return ResourceRequest(self.vcpus, self.memory_mib, self.gpus)


@dataclass(frozen=True)
class Distribution:
    """Seconds per image: fixed, uniform(min, max), normal(mean, stddev), lognormal(mean, p95)."""

    kind: str
    mean: float
    stddev: float
    low: float = 0.0
    high: float = 0.0

    def quantile_hint(self) -> str:
        return f"{self.kind} mean {self.mean:g}s sd {self.stddev:g}s"


@dataclass(frozen=True)
class WorkloadSpec:
    images: int
    images_per_job: int
    seconds_per_image: Distribution
    queue: str
    deadline_hours: float
    budget_usd: float | None = None
    array_size: int = 1  # 1: plain jobs; >1: array jobs of this many children
    dependencies_per_job: int = 0
    job_overhead_seconds: float = 15.0  # image pull, container start, S3/DynamoDB setup per job

    @property
    def jobs(self) -> int:
        return math.ceil(self.images / self.images_per_job)


@dataclass(frozen=True)
class Assumptions:
    trials: int = 200
    confidence: float = 0.9
    scale_up_delay_seconds: float = 180.0
    fargate_start_seconds: float = 45.0
    #: How long an idle instance is kept (and billed) before the CE scales it in.
    scale_down_idle_seconds: float = 300.0
    #: pool -> interruptions per instance-hour; None = derived from Spot Advisor buckets
    interruption_rate_per_hour: Mapping[PurchaseModel, float | None] = field(default_factory=dict)
    spot_mixes: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    seed: int = 0


@dataclass(frozen=True)
class Profile:
    path: str
    name: str
    description: str
    region: str
    quotas: QuotaSpec
    compute_environments: tuple[ComputeEnvironmentSpec, ...]
    job_queues: tuple[JobQueueSpec, ...]
    job_definition: JobDefinitionSpec
    workload: WorkloadSpec
    assumptions: Assumptions
    #: Where the workload's data lives and the roles it runs as (the IAM setup's inputs).
    data: DataSpec = field(default_factory=DataSpec)
    iam: IamSpec = field(default_factory=IamSpec)

    def queue(self) -> JobQueueSpec:
        return next(q for q in self.job_queues if q.name == self.workload.queue)

    def compute_environment(self, name: str) -> ComputeEnvironmentSpec:
        return next(ce for ce in self.compute_environments if ce.name == name)

    def queue_compute_environments(self) -> tuple[ComputeEnvironmentSpec, ...]:
        """The workload queue's compute environments, in its order."""
        return tuple(self.compute_environment(n) for n in self.queue().compute_environments)
