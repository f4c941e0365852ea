"""Warnings a user needs before applying a profile; the blocking ones make exit code 3."""

from __future__ import annotations

from batchtui.capacity import expand_instance_types, fits_fargate
from batchtui.planner.facts import Facts
from batchtui.planner.results import RECOMMENDATION, PlanWarning, ScenarioConfig, ScenarioResult
from batchtui.pricing import HOURS_PER_MONTH
from batchtui.profiles import DEFAULT_INSTANCE_DISK_GIB, Profile
from batchtui.wording import count

MAX_ARRAY_SIZE = 10_000
MAX_DEPENDENCIES = 20
MAX_CES_PER_QUEUE = 3
LAMBDA_MAX_SECONDS = 900
LAMBDA_MAX_MEMORY_MIB = 10_240
LAMBDA_MAX_VCPUS = 6
#: Service Quotas codes, for messages.
QUOTA_CODES = {"ON_DEMAND": "L-1216C47A", "SPOT": "L-34B43A08"}
#: Service Quotas names of Fargate's vCPU quotas, per pool.
FARGATE_QUOTA_NAMES = {
    "FARGATE": "Fargate On-Demand vCPU resource count",
    "FARGATE_SPOT": "Fargate Spot vCPU resource count",
}


def profile_warnings(
    profile: Profile,
    facts: Facts,
    own: ScenarioConfig,
    own_result: ScenarioResult | None,
    job_p99_seconds: float,
) -> list[PlanWarning]:
    """Warnings about the profile as configured (``own`` is its scenario): its compute
    environments, job queue, job definition and workload."""
    out: list[PlanWarning] = []
    jd = profile.job_definition
    for ce in profile.compute_environments:
        if not ce.min_vcpus <= ce.desired_vcpus <= ce.max_vcpus:
            out.append(
                PlanWarning(
                    "DESIRED_OUTSIDE_RANGE",
                    f"{ce.name}: desired_vcpus {ce.desired_vcpus} is outside "
                    f"[min_vcpus {ce.min_vcpus}, max_vcpus {ce.max_vcpus}]; "
                    "AWS rejects the compute environment",
                    blocking=True,
                    subject=ce.name,
                )
            )
        if not ce.purchase_model.is_fargate:
            unknown = [
                t for t in ce.instance_types if "." in t and t not in facts.prices.instance_types
            ]
            if unknown:
                out.append(
                    PlanWarning(
                        "INSTANCE_TYPE_UNPRICED",
                        f"{ce.name}: no price for {', '.join(unknown)} in {facts.prices.source}; "
                        "the plan ignores them",
                        subject=ce.name,
                    )
                )
    for line in own.lines:
        if line.limited_by == "quota":
            code = QUOTA_CODES.get(line.pool, "")
            out.append(
                PlanWarning(
                    "MAXVCPUS_ABOVE_QUOTA",
                    f"{line.reason}. Request a quota increase ({code}) or lower maxvCpus "
                    "to what the account can run",
                    subject=line.compute_environment,
                )
            )
        if line.limited_by == "no-fit":
            out.append(
                PlanWarning(
                    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
                    f"jobs would stay RUNNABLE: {line.reason}",
                    blocking=True,
                    subject=line.compute_environment,
                )
            )
        elif line.lanes == 0 and line.limited_by != "disabled":
            out.append(
                PlanWarning(
                    "CAPACITY_ZERO",
                    f"{line.compute_environment} can run no job: {line.reason}",
                    subject=line.compute_environment,
                )
            )
        if line.idle_usd_per_hour:
            monthly = line.idle_usd_per_hour * HOURS_PER_MONTH
            out.append(
                PlanWarning(
                    "MIN_VCPUS_IDLE_COST",
                    f"{line.compute_environment}: min/desired vCPUs keep instances running while "
                    f"idle: at least ${monthly:,.0f}/month ({line.idle_instances}, the cheapest "
                    "allowed way to hold them)",
                    subject=line.compute_environment,
                )
            )
    if own.runnable_reason and not any(w.blocking for w in out):
        out.append(
            PlanWarning(
                "NO_CAPACITY",
                f"jobs would stay RUNNABLE: {own.runnable_reason}",
                blocking=True,
                subject=profile.workload.queue,
            )
        )
    if own.lines and not own.per_task_billing and not any(ln.warm_instances for ln in own.lines):
        cold = ", ".join(ln.compute_environment for ln in own.lines)
        out.append(
            PlanWarning(
                "SCALE_UP_LATENCY",
                f"{cold}: min_vcpus 0, so the first jobs wait about {own.startup_seconds:.0f}s "
                "for instances to launch and register",
                subject=profile.workload.queue,
            )
        )
    queue = profile.queue()
    if len(queue.compute_environments) > MAX_CES_PER_QUEUE:
        out.append(
            PlanWarning(
                "TOO_MANY_COMPUTE_ENVIRONMENTS",
                f"job queue {queue.name} has {len(queue.compute_environments)} compute "
                f"environments; AWS allows {MAX_CES_PER_QUEUE}",
                blocking=True,
                subject=queue.name,
            )
        )
    w = profile.workload
    if w.array_size > MAX_ARRAY_SIZE:
        out.append(
            PlanWarning(
                "ARRAY_SIZE_LIMIT",
                f"workload.array_size {w.array_size} is over AWS's {MAX_ARRAY_SIZE:,}; "
                "split the workload into several array jobs",
                blocking=True,
                subject="workload.array_size",
            )
        )
    if w.dependencies_per_job > MAX_DEPENDENCIES:
        out.append(
            PlanWarning(
                "DEPENDENCY_LIMIT",
                f"workload.dependencies_per_job {w.dependencies_per_job} is over AWS's "
                f"{MAX_DEPENDENCIES}; chain array jobs (N_TO_N) instead",
                blocking=True,
                subject="workload.dependencies_per_job",
            )
        )
    if jd.disk_gib and jd.disk_gib > DEFAULT_INSTANCE_DISK_GIB:
        bare = [
            ce.name
            for ce in profile.queue_compute_environments()
            if not ce.purchase_model.is_fargate and not ce.launch_template
        ]
        if bare:
            out.append(
                PlanWarning(
                    "DISK_WITHOUT_LAUNCH_TEMPLATE",
                    f"the job needs {jd.disk_gib} GiB of disk, more than the default "
                    f"{DEFAULT_INSTANCE_DISK_GIB} GiB of an instance; {', '.join(bare)} "
                    "need a launch template with a larger volume",
                    subject="job_definition.disk_gib",
                )
            )
    if jd.timeout_seconds and job_p99_seconds > jd.timeout_seconds:
        out.append(
            PlanWarning(
                "TIMEOUT_TOO_SHORT",
                f"about 1% of the jobs run longer than {job_p99_seconds:.0f}s, above the "
                f"{jd.timeout_seconds}s timeout: those attempts are killed",
                subject="job_definition.timeout_seconds",
            )
        )
    for action in queue.job_state_time_limit_actions:
        limit = int(action["max_time_seconds"])
        capacity_bound = any(line.limited_by == "quota" for line in own.lines) or (
            own_result is not None and own_result.makespan_p50 > limit + own.startup_seconds
        )
        # Jobs waiting behind a backlog carry a CAPACITY reason; the action cancels them.
        if str(action["reason"]).startswith("CAPACITY:") and capacity_bound:
            out.append(
                PlanWarning(
                    "RUNNABLE_TIME_LIMIT",
                    f"{queue.name}: jobStateTimeLimitActions cancels jobs RUNNABLE for "
                    f"{limit}s with reason {action['reason']!r}; the backlog waits "
                    f"longer than that when capacity is the limit",
                    subject=queue.name,
                )
            )
    if own_result is not None and own_result.failed_jobs_mean >= 0.5:
        fail = count(round(own_result.failed_jobs_mean), "job fails", "jobs fail")
        out.append(
            PlanWarning(
                "INTERRUPTED_JOBS_FAIL",
                f"about {fail} on spot interruptions: the retry strategy does not retry "
                "'Host EC2*' terminations enough times",
                subject="job_definition.retry_strategy",
            )
        )
    return out


def recommendation_warnings(
    profile: Profile, facts: Facts, best: ScenarioResult
) -> list[PlanWarning]:
    """Warnings about the configuration recommended instead of the profile's: what it takes to
    run it and what the plan assumed for it. None when the profile's own setup is recommended
    (its warnings are the profile's)."""
    config = best.config
    if config.kind == "profile":
        return []
    out: list[PlanWarning] = []

    def warn(code: str, message: str, subject: str) -> None:
        out.append(
            PlanWarning(code, message, subject=subject, scope=RECOMMENDATION, scenario=config.name)
        )

    used = [ln for ln in config.lines if ln.lanes]
    names = ", ".join(ln.compute_environment for ln in used)
    fargate = [ln for ln in used if ln.pool in FARGATE_QUOTA_NAMES]
    jd = profile.job_definition
    if fargate:
        queue = profile.queue()
        ec2 = [
            ce.name
            for ce in profile.queue_compute_environments()
            if not ce.purchase_model.is_fargate
        ]
        if ec2:
            warn(
                "FARGATE_NEEDS_ITS_OWN_QUEUE",
                "a job queue cannot mix EC2 and Fargate compute environments: "
                f"{names} needs a job queue of its own (job queue {queue.name} has "
                f"{', '.join(ec2)} on EC2), and the jobs must be submitted to that queue",
                subject=names,
            )
        size = fits_fargate(jd.request)
        if size is not None:
            vcpu, memory = size
            runs_as = f"{count(vcpu, 'vCPU')} / {memory} MiB"
            asked = ""
            if (vcpu, memory) != (jd.vcpus, jd.memory_mib):
                asked = (
                    f" (the job asks for {count(jd.vcpus, 'vCPU')} / {jd.memory_mib} MiB; "
                    "Fargate runs and bills the smallest valid size that holds it)"
                )
            warn(
                "FARGATE_JOB_DEFINITION",
                f'job definition {jd.name} needs platformCapabilities ["FARGATE"], an '
                f"execution role, and a Fargate task size: {runs_as}{asked}",
                subject="job_definition",
            )
        warn(
            "FARGATE_TASK_START",
            f"{names}: every job, not only the first, waits about "
            f"{profile.assumptions.fargate_start_seconds:.0f}s for its Fargate task to be "
            "placed and its image pulled (assumptions.fargate_start_seconds); the plan counts "
            "it in each job's time",
            subject=names,
        )
        if profile.quotas.fargate_vcpus is None:
            quotas = " and ".join(
                f"'{FARGATE_QUOTA_NAMES[p]}'" for p in sorted({ln.pool for ln in fargate})
            )
            warn(
                "FARGATE_QUOTA_ASSUMED",
                f"the profile sets no Fargate vCPU quota: the plan gives {names} "
                f"{count(config.vcpus, 'vCPU')}, what the profile's EC2 setup reaches; check "
                f"the account's {quotas} in Service Quotas and set quotas.fargate_vcpus",
                subject="quotas.fargate_vcpus",
            )
    elif used and not any(ln.warm_instances for ln in used):
        warn(
            "SCALE_UP_LATENCY",
            f"{names}: minvCpus 0, so the first jobs wait about {config.startup_seconds:.0f}s "
            "for instances to launch and register",
            subject=names,
        )
    if best.failed_jobs_mean >= 0.5:
        fail = count(round(best.failed_jobs_mean), "job fails", "jobs fail")
        warn(
            "INTERRUPTED_JOBS_FAIL",
            f"about {fail} on spot interruptions: the retry strategy does not retry "
            "interrupted attempts enough times",
            subject="job_definition.retry_strategy",
        )
    return out


def lambda_note(profile: Profile, job_p95_seconds: float) -> str | None:
    """A note when each job would fit AWS Lambda's limits, where Batch may be the wrong tool."""
    jd = profile.job_definition
    if (
        not jd.gpus
        and jd.vcpus <= LAMBDA_MAX_VCPUS
        and jd.memory_mib <= LAMBDA_MAX_MEMORY_MIB
        and job_p95_seconds <= LAMBDA_MAX_SECONDS
    ):
        return (
            f"each job ({count(jd.vcpus, 'vCPU')}, {jd.memory_mib} MiB, p95 "
            f"{job_p95_seconds:.0f}s) "
            "fits AWS Lambda's limits (15 minutes, 10 GB, 6 vCPUs): for event-driven or "
            "spiky work Lambda may be simpler than Batch"
        )
    return None


def instance_family_note(profile: Profile, facts: Facts) -> list[str]:
    """Which instance types the profile's compute environments resolve to (for the table)."""
    notes = []
    for ce in profile.queue_compute_environments():
        if ce.purchase_model.is_fargate:
            continue
        types = expand_instance_types(ce.instance_types, facts.prices.instance_types)
        if not types:
            notes.append(f"{ce.name}: none of {', '.join(ce.instance_types)} is in the catalog")
    return notes
