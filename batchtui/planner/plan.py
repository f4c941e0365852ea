"""``run_plan``: a profile and its facts -> a :class:`Plan` (scenarios, recommendation, warnings)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from batchtui.planner.explanations import cost_note, vcpus_reason
from batchtui.planner.facts import Facts
from batchtui.planner.recommendation import recommend
from batchtui.planner.results import (
    Plan,
    PlanWarning,
    ScenarioConfig,
    ScenarioResult,
    SubmitEstimate,
)
from batchtui.planner.scenarios import build_scenarios
from batchtui.planner.simulation import JobShape, Trial, lanes_by_line, normals, simulate
from batchtui.planner.warnings import (
    MAX_ARRAY_SIZE,
    lambda_note,
    profile_warnings,
    recommendation_warnings,
)
from batchtui.profiles import Profile

#: AWS Batch's SubmitJob rate limit per account.
SUBMIT_JOBS_PER_SECOND = 50.0
_Z95 = 1.6448536269514722
_Z99 = 2.3263478740408408


def job_shape(profile: Profile) -> JobShape:
    """One job: overhead plus ``images_per_job`` images (sum of their times: mean and spread)."""
    w = profile.workload
    d = w.seconds_per_image
    jd = profile.job_definition
    return JobShape(
        count=w.jobs,
        seconds_mean=w.job_overhead_seconds + w.images_per_job * d.mean,
        seconds_sd=math.sqrt(w.images_per_job) * d.stddev,
        vcpus=jd.vcpus,
        attempts_on_interruption=jd.retry_strategy.attempts_on_interruption(),
    )


def submit_estimate(profile: Profile) -> SubmitEstimate:
    """SubmitJob calls and time for the workload as array jobs (one call each, at most
    10,000 children) and as single jobs (one call per job), at the SubmitJob rate limit."""
    w = profile.workload
    # The profile's array size, or AWS's largest when it submits single jobs (or asks for more).
    size = min(w.array_size, MAX_ARRAY_SIZE) if w.array_size > 1 else MAX_ARRAY_SIZE
    arrays = math.ceil(w.jobs / size)
    return SubmitEstimate(
        jobs=w.jobs,
        array_size=w.array_size,
        max_array_size=MAX_ARRAY_SIZE,
        array_jobs=arrays,
        array_seconds=arrays / SUBMIT_JOBS_PER_SECOND,
        single_jobs_seconds=w.jobs / SUBMIT_JOBS_PER_SECOND,
        calls_per_second=SUBMIT_JOBS_PER_SECOND,
    )


def submit_seconds(profile: Profile) -> float:
    """Time to submit the workload as the profile does (array jobs or single jobs)."""
    est = submit_estimate(profile)
    return est.array_seconds if est.planned_as_arrays else est.single_jobs_seconds


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return math.inf
    i = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[i]


def summarize(
    profile: Profile,
    config: ScenarioConfig,
    trials: Sequence[Trial],
    job: JobShape,
    submit_s: float,
) -> ScenarioResult:
    """Statistics of one scenario's trials against the profile's deadline and budget."""
    w = profile.workload
    conf = profile.assumptions.confidence
    n = len(trials)
    if n == 0:
        return ScenarioResult(
            config=config, trials=0, cost_mean=0.0, cost_p95=0.0, cost_at_confidence=0.0,
            makespan_mean=math.inf, makespan_p50=math.inf, makespan_p95=math.inf,
            p_deadline=0.0, interruptions_mean=0.0, wasted_vcpu_hours_mean=0.0,
            failed_jobs_mean=0.0, cost_per_1000_images=0.0, submit_seconds=submit_s,
            meets_deadline=False, within_budget=False,
            vcpus_reason=vcpus_reason(config, job.count, job.vcpus),
        )  # fmt: skip
    costs = sorted(t.cost for t in trials)
    spans = sorted(t.makespan for t in trials)
    deadline_s = w.deadline_hours * 3600.0
    cost_mean = math.fsum(costs) / n
    at_conf = _quantile(costs, conf)
    p_deadline = sum(1 for t in trials if t.makespan <= deadline_s) / n
    median = sorted(trials, key=lambda t: t.makespan)[(n - 1) // 2]
    cost_p95 = _quantile(costs, 0.95)
    interrupted = [t.cost for t in trials if t.interruptions > 0]
    return ScenarioResult(
        config=config,
        trials=n,
        cost_mean=cost_mean,
        cost_p95=cost_p95,
        cost_at_confidence=at_conf,
        makespan_mean=math.fsum(spans) / n,
        makespan_p50=_quantile(spans, 0.5),
        makespan_p95=_quantile(spans, 0.95),
        p_deadline=p_deadline,
        interruptions_mean=math.fsum(t.interruptions for t in trials) / n,
        wasted_vcpu_hours_mean=math.fsum(t.wasted_vcpu_hours for t in trials) / n,
        failed_jobs_mean=math.fsum(t.failed_jobs for t in trials) / n,
        cost_per_1000_images=cost_mean / w.images * 1000.0,
        submit_seconds=submit_s,
        meets_deadline=p_deadline >= conf - 1e-9,
        within_budget=w.budget_usd is None or at_conf <= w.budget_usd,
        timeline=_timeline(profile, config, job, median),
        cost_median=_quantile(costs, 0.5),
        interrupted_trials=len(interrupted),
        cost_mean_interrupted=math.fsum(interrupted) / len(interrupted) if interrupted else 0.0,
        interruptions_expected=math.fsum(t.interruptions_expected for t in trials) / n,
        vcpus_reason=vcpus_reason(config, job.count, job.vcpus),
        cost_note=cost_note(trials, cost_mean, cost_p95),
    )


def _timeline(
    profile: Profile, config: ScenarioConfig, job: JobShape, trial: Trial
) -> tuple[tuple[float, tuple[int, ...]], ...]:
    """vCPUs per compute environment over the median trial (the shape the chart draws)."""
    used = lanes_by_line(config, job.count)
    full = tuple(
        int(math.ceil(u / ln.jobs_per_instance) * ln.vcpus_per_instance) if u else 0
        for ln, u in zip(config.lines, used, strict=True)
    )
    warm = tuple(
        int(min(ln.warm_instances, math.ceil(u / ln.jobs_per_instance)) * ln.vcpus_per_instance)
        if u
        else 0
        for ln, u in zip(config.lines, used, strict=True)
    )
    zero = tuple(0 for _ in full)
    idle = profile.assumptions.scale_down_idle_seconds
    if config.per_task_billing:
        start = 0.0
        points = [(0.0, full), (trial.body_end, full), (trial.makespan, zero)]
    else:
        start = config.startup_seconds
        points = [
            (0.0, warm),
            (start, full),
            (max(start, trial.body_end), full),
            (trial.makespan, full),
            (trial.makespan + idle, warm),
        ]
    return tuple((round(t, 1), v) for t, v in points)


def run_plan(
    profile: Profile, facts: Facts, trials: int | None = None, seed: int | None = None
) -> Plan:
    """Plan ``profile`` under ``facts``: every scenario, the recommendation and the warnings.

    Pure and deterministic: the same profile, facts, trials and seed give the same Plan.
    """
    a = profile.assumptions
    n_trials = trials if trials is not None else a.trials
    the_seed = seed if seed is not None else a.seed
    job = job_shape(profile)
    submit_s = submit_seconds(profile)
    configs = build_scenarios(profile, facts)
    width = max((len(c.lines) for c in configs), default=0)
    draws = normals(the_seed, n_trials, width)
    results = [
        summarize(
            profile,
            c,
            simulate(
                c,
                job,
                draws,
                submit_seconds=submit_s,
                scale_down_idle_seconds=a.scale_down_idle_seconds,
            ),
            job,
            submit_s,
        )
        for c in configs
    ]
    p95 = job.seconds_mean + _Z95 * job.seconds_sd
    p99 = job.seconds_mean + _Z99 * job.seconds_sd
    warnings: list[PlanWarning] = profile_warnings(profile, facts, configs[0], results[0], p99)
    notes = []
    if (note := lambda_note(profile, p95)) is not None:
        notes.append(note)
    if not any(c.kind == "fargate" for c in configs) and not profile.job_definition.gpus:
        notes.append("the job fits no Fargate task size, so Fargate scenarios are left out")
    blocked = any(w.blocking for w in warnings)
    recommendation = recommend(profile, results, blocked=blocked)
    if recommendation.scenario is not None:
        best = next(r for r in results if r.name == recommendation.scenario)
        warnings += recommendation_warnings(profile, facts, best)
    quotas = {pool.label: value for pool, value in facts.quotas.items()}
    return Plan(
        profile_name=profile.name,
        profile_path=profile.path,
        region=profile.region,
        images=profile.workload.images,
        jobs=job.count,
        job_seconds_mean=job.seconds_mean,
        deadline_hours=profile.workload.deadline_hours,
        budget_usd=profile.workload.budget_usd,
        confidence=a.confidence,
        trials=n_trials,
        seed=the_seed,
        price_source=facts.prices.source,
        price_date=facts.prices.date,
        quota_source=facts.quota_source,
        quotas=quotas,
        scenarios=tuple(results),
        recommendation=recommendation,
        warnings=tuple(warnings),
        notes=tuple(notes),
        submit=submit_estimate(profile),
    )
