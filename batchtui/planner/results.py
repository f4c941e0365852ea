"""What a plan is made of: scenarios, their simulated outcomes, warnings, the recommendation."""

from __future__ import annotations

from dataclasses import dataclass, field

#: A warning about the profile as written (its compute environments, queue, job definition and
#: workload), or about the configuration the planner recommends instead of it.
PROFILE = "profile"
RECOMMENDATION = "recommendation"


@dataclass(frozen=True)
class PlanWarning:
    """Something a user needs to know before applying; ``blocking`` ones make exit code 3."""

    code: str  # e.g. MAXVCPUS_ABOVE_QUOTA, MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT
    message: str
    blocking: bool = False
    subject: str = ""  # the compute environment, queue or field it is about
    scope: str = PROFILE  # PROFILE | RECOMMENDATION
    scenario: str = "profile"  # the scenario whose configuration it is about


@dataclass(frozen=True)
class CapacityLine:
    """One compute environment of a scenario: what it launches and how far it can scale."""

    compute_environment: str
    pool: str  # ON_DEMAND | SPOT | FARGATE | FARGATE_SPOT
    allocation_strategy: str
    instance_type: str  # what it launches for this job ("" for Fargate: the task size)
    vcpus_per_instance: float
    jobs_per_instance: int
    max_vcpus: int  # what the CE asks for
    effective_vcpus: int  # what it can reach (quota, instance granularity)
    instances: int  # at full scale
    warm_instances: int  # kept by minvCpus
    limited_by: str  # maxvCpus | quota | disabled | no-fit
    reason: str
    usd_per_instance_hour: float
    interruptions_per_hour: float  # per instance (per task on Fargate)
    #: What keeping max(minvCpus, desiredvCpus) running costs while no job runs, on the
    #: cheapest allowed instance type for that many vCPUs (a lower bound: Batch may pick
    #: larger types), and those instances, e.g. "1 x m5.large".
    idle_usd_per_hour: float = 0.0
    idle_instances: str = ""
    #: Where ``interruptions_per_hour`` comes from ("" for pools that are not spot).
    interruption_source: str = ""

    @property
    def lanes(self) -> int:
        """Jobs it runs at once at full scale."""
        return self.instances * self.jobs_per_instance


@dataclass(frozen=True)
class ScenarioConfig:
    """One way to run the workload: compute environments in the queue's order."""

    name: str  # "profile", "spot 25%", "fargate", ...
    kind: str  # profile | mix | fargate
    spot_fraction: float  # of vCPUs, as configured (not as reached)
    lines: tuple[CapacityLine, ...]
    startup_seconds: float  # from RUNNABLE until new capacity runs jobs
    #: Non-empty: jobs can never start here (they would stay RUNNABLE), and why.
    runnable_reason: str = ""
    per_task_billing: bool = False  # Fargate bills each job's task, not instances

    @property
    def lanes(self) -> int:
        return sum(line.lanes for line in self.lines)

    @property
    def vcpus(self) -> int:
        return sum(line.effective_vcpus for line in self.lines)


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's Monte Carlo outcome."""

    config: ScenarioConfig
    trials: int
    cost_mean: float
    cost_p95: float
    cost_at_confidence: float
    makespan_mean: float
    makespan_p50: float
    makespan_p95: float
    p_deadline: float
    interruptions_mean: float
    wasted_vcpu_hours_mean: float
    failed_jobs_mean: float
    cost_per_1000_images: float
    submit_seconds: float
    meets_deadline: bool  # p_deadline >= confidence
    within_budget: bool  # cost at the chosen confidence <= budget (True without a budget)
    #: (seconds, vCPUs per compute environment) of the median trial, for the chart.
    timeline: tuple[tuple[float, tuple[int, ...]], ...] = ()
    cost_median: float = 0.0
    #: Trials with at least one spot interruption, and their mean cost (0 when there are none).
    interrupted_trials: int = 0
    cost_mean_interrupted: float = 0.0
    #: Interruptions per run the model expects (the Poisson mean, averaged over the trials):
    #: ``interruptions_mean`` counts the whole interruptions the trials drew, 0 when a rare one
    #: never came up.
    interruptions_expected: float = 0.0
    #: Why the scenario reaches ``config.vcpus``, and why its p95 cost is below its mean ("":
    #: it is not), in words for the table and the JSON alike.
    vcpus_reason: str = ""
    cost_note: str = ""

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def feasible(self) -> bool:
        return not self.config.runnable_reason and self.meets_deadline and self.within_budget


@dataclass(frozen=True)
class VcpuSetting:
    compute_environment: str
    pool: str
    min_vcpus: int
    max_vcpus: int
    desired_vcpus: int
    instance_types: tuple[str, ...]
    #: Fargate: the task size each job runs as (vCPUs, MiB), the smallest valid one that holds it.
    task_size: tuple[float, int] | None = None


@dataclass(frozen=True)
class SubmitEstimate:
    """SubmitJob calls the workload takes, as array jobs and as single jobs, at the rate limit."""

    jobs: int
    array_size: int  # children per array job as the profile sets it (1: single jobs)
    max_array_size: int  # AWS's limit per array job
    array_jobs: int  # SubmitJob calls as array jobs
    array_seconds: float
    single_jobs_seconds: float  # one call per job
    calls_per_second: float

    @property
    def planned_as_arrays(self) -> bool:
        """Whether the plan (and the profile) submits array jobs."""
        return self.array_size > 1


@dataclass(frozen=True)
class Recommendation:
    scenario: str | None  # None: nothing meets the deadline and the budget
    reasons: tuple[str, ...]
    settings: tuple[VcpuSetting, ...] = ()


@dataclass(frozen=True)
class Plan:
    """Everything ``batchtui plan`` shows; the TUI's plan screen shows the same value."""

    profile_name: str
    profile_path: str
    region: str
    images: int
    jobs: int
    job_seconds_mean: float
    deadline_hours: float
    budget_usd: float | None
    confidence: float
    trials: int
    seed: int
    price_source: str
    price_date: str
    quota_source: str
    quotas: dict[str, float]
    scenarios: tuple[ScenarioResult, ...]
    recommendation: Recommendation
    warnings: tuple[PlanWarning, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    submit: SubmitEstimate | None = None

    @property
    def blocking(self) -> tuple[PlanWarning, ...]:
        return tuple(w for w in self.warnings if w.blocking)

    def warnings_about(self, scope: str) -> tuple[PlanWarning, ...]:
        """The warnings about the profile (PROFILE) or about the recommendation."""
        return tuple(w for w in self.warnings if w.scope == scope)

    def scenario(self, name: str) -> ScenarioResult:
        return next(s for s in self.scenarios if s.name == name)

    @property
    def recommended(self) -> ScenarioResult | None:
        name = self.recommendation.scenario
        return self.scenario(name) if name else None
