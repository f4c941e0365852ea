"""Scenarios: the profile's own setup, a sweep of spot/on-demand mixes, and Fargate.

Each scenario is a list of compute environments in the queue's order, each resolved through the
shared capacity model (:mod:`batchtui.capacity`) to what it launches for this job and how far it
can scale under maxvCpus and its pool's quota.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from batchtui.capacity import (
    PoolBudget,
    expand_instance_types,
    fits_fargate,
    instances_within,
    jobs_per_instance,
    no_fit_reason,
    shared_pool_budgets,
    smallest_fitting,
)
from batchtui.model import InstanceType, PurchaseModel, ResourceRequest
from batchtui.planner.facts import Facts
from batchtui.planner.interruptions import interruption_rate
from batchtui.planner.results import CapacityLine, ScenarioConfig
from batchtui.profiles import ComputeEnvironmentSpec, Profile
from batchtui.wording import count

JOB_RESOURCE_REQUIREMENT = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"


def budget_reason(budget: PoolBudget) -> str:
    """Why a compute environment reaches what it reaches (its maxvCpus or its pool's quota)."""
    ce = budget.compute_environment
    quota = f"{budget.quota_vcpus:g}" if budget.quota_vcpus is not None else "unknown"
    reach = count(budget.effective_vcpus, "vCPU")
    pool = budget.pool.label
    if budget.limited_by == "quota" and budget.shared_vcpus:
        return (
            f"{ce}: maxvCpus {budget.max_vcpus}, but the account's {pool} vCPU quota ({quota}) "
            f"is shared with compute environments before it that take "
            f"{budget.shared_vcpus:g}; it can reach {reach}"
        )
    if budget.limited_by == "quota":
        return (
            f"{ce}: maxvCpus {budget.max_vcpus} is above the account's {pool} vCPU quota "
            f"({quota}); it can reach {reach}"
        )
    if budget.limited_by == "disabled":
        return f"{ce}: disabled or not VALID; it launches nothing"
    return f"{ce}: limited by its maxvCpus ({budget.max_vcpus})"


def build_scenarios(profile: Profile, facts: Facts) -> list[ScenarioConfig]:
    """The profile as configured, each spot mix, and Fargate when the job fits its sizes."""
    ces = [ce for ce in profile.queue_compute_environments() if ce.state == "ENABLED"]
    out = [_scenario(profile, facts, "profile", "profile", ces)]
    ec2 = [ce for ce in ces if not ce.purchase_model.is_fargate]
    on_fargate = [ce for ce in ces if ce.purchase_model.is_fargate]
    spot_pool, od_pool = (
        (PurchaseModel.SPOT, PurchaseModel.EC2)
        if ec2 or not on_fargate
        else (PurchaseModel.FARGATE_SPOT, PurchaseModel.FARGATE)
    )
    family = ec2 or on_fargate
    total = sum(ce.max_vcpus for ce in family)
    for fraction in profile.assumptions.spot_mixes:
        mix = _mix(family, spot_pool, od_pool, total, fraction)
        label = f"spot {round(fraction * 100):d}%"
        out.append(_scenario(profile, facts, label, "mix", mix, spot_fraction=fraction))
    if ec2 and fits_fargate(profile.job_definition.request) is not None:
        # Without a Fargate quota in the profile, compare at the scale the EC2 setup reaches.
        reached = out[0].vcpus or total
        budget = int(profile.quotas.fargate_vcpus) if profile.quotas.fargate_vcpus else reached
        for pool, name in (
            (PurchaseModel.FARGATE, "fargate"),
            (PurchaseModel.FARGATE_SPOT, "fargate-spot"),
        ):
            ce = _clone(ec2[0], f"{profile.name}-{name}", pool, budget)
            out.append(_scenario(profile, facts, name, "fargate", [ce]))
    return out


def _clone(
    template: ComputeEnvironmentSpec, name: str, pool: PurchaseModel, max_vcpus: int
) -> ComputeEnvironmentSpec:
    strategy = template.allocation_strategy
    if pool.is_fargate:
        strategy = ""
    elif pool is PurchaseModel.SPOT and not strategy.startswith("SPOT_"):
        strategy = "SPOT_PRICE_CAPACITY_OPTIMIZED"
    elif pool is PurchaseModel.EC2 and strategy.startswith("SPOT_"):
        strategy = "BEST_FIT_PROGRESSIVE"
    return replace(
        template,
        name=name,
        purchase_model=pool,
        allocation_strategy=strategy,
        instance_types=() if pool.is_fargate else template.instance_types,
        min_vcpus=0,
        desired_vcpus=0,
        max_vcpus=max_vcpus,
        bid_percentage=template.bid_percentage if pool is PurchaseModel.SPOT else None,
    )


def _mix(
    ces: Sequence[ComputeEnvironmentSpec],
    spot_pool: PurchaseModel,
    od_pool: PurchaseModel,
    total: int,
    fraction: float,
) -> list[ComputeEnvironmentSpec]:
    """Spot first, on-demand after it, splitting the profile's total maxvCpus by ``fraction``."""
    spot_t = next((c for c in ces if c.purchase_model is spot_pool), ces[0])
    od_t = next((c for c in ces if c.purchase_model is od_pool), ces[0])
    spot_vcpus = round(total * fraction)
    out = []
    if spot_vcpus:
        name = spot_t.name if spot_t.purchase_model is spot_pool else f"{spot_t.name}-spot"
        out.append(_clone(spot_t, name, spot_pool, spot_vcpus))
    if total - spot_vcpus:
        name = od_t.name if od_t.purchase_model is od_pool else f"{od_t.name}-on-demand"
        out.append(_clone(od_t, name, od_pool, total - spot_vcpus))
    return out


def _scenario(
    profile: Profile,
    facts: Facts,
    name: str,
    kind: str,
    ces: Sequence[ComputeEnvironmentSpec],
    spot_fraction: float | None = None,
) -> ScenarioConfig:
    request = profile.job_definition.request
    budgets = shared_pool_budgets([ce.to_model() for ce in ces], facts.quotas)
    lines: list[CapacityLine] = []
    for ce, budget in zip(ces, budgets, strict=True):
        quota = budget.quota_vcpus
        # What the CEs before it really launched (one may have overshot its maxvCpus).
        taken = sum(ln.effective_vcpus for ln in lines if ln.pool == ce.purchase_model.label)
        room = None if quota is None else max(0.0, quota - taken)
        if room is not None and budget.effective_vcpus > room:
            budget = replace(budget, effective_vcpus=int(room), limited_by="quota")
        if ce.purchase_model.is_fargate:
            reason = budget_reason(budget)
            lines.append(_fargate_line(profile, facts, ce, budget.effective_vcpus, reason))
        else:
            lines.append(_ec2_line(profile, facts, ce, request, budget, room))
    fargate = any(ce.purchase_model.is_fargate for ce in ces)
    runnable_reason = ""
    if not any(line.lanes for line in lines):
        runnable_reason = "; ".join(line.reason for line in lines) or "no compute environment"
    if spot_fraction is None:
        vcpus = sum(line.effective_vcpus for line in lines) or 1
        spot_fraction = (
            sum(line.effective_vcpus for line in lines if line.pool in ("SPOT", "FARGATE_SPOT"))
            / vcpus
        )
    a = profile.assumptions
    return ScenarioConfig(
        name=name,
        kind=kind,
        spot_fraction=spot_fraction,
        lines=tuple(lines),
        startup_seconds=a.fargate_start_seconds if fargate else a.scale_up_delay_seconds,
        runnable_reason=runnable_reason,
        per_task_billing=fargate,
    )


def _pick_instance_type(
    profile: Profile,
    ce: ComputeEnvironmentSpec,
    facts: Facts,
    request: ResourceRequest,
    candidates: list[InstanceType],
    budget_vcpus: int,
    room: float | None,
) -> InstanceType | None:
    """BEST_FIT launches the smallest type that holds the job (as the sandbox does); the other
    strategies pick, in effect, the type that runs this workload for the least money."""
    if ce.allocation_strategy == "BEST_FIT":
        return smallest_fitting(request, candidates)
    w = profile.workload
    a = profile.assumptions
    job_s = w.job_overhead_seconds + w.images_per_job * w.seconds_per_image.mean
    fixed_s = a.scale_up_delay_seconds + a.scale_down_idle_seconds

    def cost(it: InstanceType) -> tuple[float, int, str]:
        # The simulation's own cost formula at expected values: jobs packed per instance, the
        # boot and scale-in idle of every instance launched, the slots idle while the last
        # jobs of an instance finish (a large type for a few jobs loses).
        price = facts.prices.hourly(it.name, ce.purchase_model) or math.inf
        per = jobs_per_instance(request, it)
        reach = instances_within(budget_vcpus, it.vcpus, ce.allocation_strategy, room)
        launched = min(math.ceil(w.jobs / per), reach)
        drain = launched * job_s * (per - 1) / (2.0 * per)
        seconds = w.jobs * job_s / per + launched * fixed_s + drain
        return (round(price * seconds, 9), it.vcpus, it.name)

    return min(candidates, key=cost) if candidates else None


def _idle_cost(
    ce: ComputeEnvironmentSpec, facts: Facts, priced: list[InstanceType]
) -> tuple[float, str]:
    """USD/hour and instances of the cheapest way to keep the CE's warm vCPUs running idle."""
    warm = max(ce.min_vcpus, ce.desired_vcpus)
    best: tuple[float, str] = (0.0, "")
    for it in priced:
        n = math.ceil(warm / it.vcpus)
        usd = n * (facts.prices.hourly(it.name, ce.purchase_model) or 0.0)
        if warm > 0 and (not best[1] or usd < best[0]):
            best = (usd, f"{n} x {it.name}")
    return best


def _ec2_line(
    profile: Profile,
    facts: Facts,
    ce: ComputeEnvironmentSpec,
    request: ResourceRequest,
    budget: PoolBudget,
    room: float | None,
) -> CapacityLine:
    catalog = facts.prices.instance_types
    allowed = expand_instance_types(ce.instance_types, catalog)
    priced = [it for it in allowed if facts.prices.hourly(it.name, ce.purchase_model) is not None]
    fitting = [it for it in priced if jobs_per_instance(request, it) > 0]
    pool = ce.purchase_model
    base = dict(
        compute_environment=ce.name,
        pool=pool.label,
        allocation_strategy=ce.allocation_strategy,
        max_vcpus=ce.max_vcpus,
    )
    if not fitting:
        reason = no_fit_reason(request, priced or allowed)
        return CapacityLine(
            **base,  # type: ignore[arg-type]
            instance_type="",
            vcpus_per_instance=0,
            jobs_per_instance=0,
            effective_vcpus=0,
            instances=0,
            warm_instances=0,
            limited_by="no-fit",
            reason=f"{JOB_RESOURCE_REQUIREMENT}: {ce.name}: the job fits no instance type: {reason}",
            usd_per_instance_hour=0.0,
            interruptions_per_hour=0.0,
        )
    # An instance larger than what the CE may reach is never launched; strategies other than
    # BEST_FIT may overshoot maxvCpus by one instance, within the quota.
    reach = float(budget.effective_vcpus)
    if ce.allocation_strategy != "BEST_FIT" and budget.effective_vcpus > 0:
        reach = room if room is not None else math.inf
    launchable = [it for it in fitting if it.vcpus <= reach]

    # Reach as many job slots as the budget allows (up to the jobs there are), then pick by cost.
    def slots(it: InstanceType) -> int:
        n = instances_within(budget.effective_vcpus, it.vcpus, ce.allocation_strategy, room)
        return min(n * jobs_per_instance(request, it), profile.workload.jobs)

    most = max((slots(it) for it in launchable), default=0)
    if ce.allocation_strategy != "BEST_FIT":
        launchable = [it for it in launchable if slots(it) == most]
    chosen = _pick_instance_type(
        profile, ce, facts, request, launchable, budget.effective_vcpus, room
    )
    if chosen is None:
        smallest = min(fitting, key=lambda it: it.vcpus)
        return CapacityLine(
            **base,  # type: ignore[arg-type]
            instance_type=smallest.name,
            vcpus_per_instance=smallest.vcpus,
            jobs_per_instance=jobs_per_instance(request, smallest),
            effective_vcpus=0,
            instances=0,
            warm_instances=0,
            limited_by=budget.limited_by,
            reason=(
                f"{budget_reason(budget)}; the smallest instance type that holds the job "
                f"({smallest.name}, {count(smallest.vcpus, 'vCPU')}) does not fit in that"
            ),
            usd_per_instance_hour=facts.prices.hourly(smallest.name, pool) or 0.0,
            interruptions_per_hour=0.0,
        )
    instances = instances_within(budget.effective_vcpus, chosen.vcpus, ce.allocation_strategy, room)
    idle = _idle_cost(ce, facts, priced)
    warm = min(instances, math.ceil(max(ce.min_vcpus, ce.desired_vcpus) / chosen.vcpus))
    reason = budget_reason(budget)
    if 0 < instances * chosen.vcpus < budget.effective_vcpus:
        # The table's REACHES is in whole instances: say why it is below the budget.
        reason += (
            f"; whole {chosen.name} instances ({count(chosen.vcpus, 'vCPU')} each) make that "
            f"{count(instances * chosen.vcpus, 'vCPU')}"
        )
    if instances * chosen.vcpus > ce.max_vcpus:
        reason += (
            f"; {ce.allocation_strategy} may overshoot maxvCpus by one instance "
            f"({count(instances * chosen.vcpus, 'vCPU')})"
        )
    rate = interruption_rate(profile, facts, pool, chosen.name)
    return CapacityLine(
        **base,  # type: ignore[arg-type]
        instance_type=chosen.name,
        vcpus_per_instance=chosen.vcpus,
        jobs_per_instance=jobs_per_instance(request, chosen),
        effective_vcpus=instances * chosen.vcpus,
        instances=instances,
        warm_instances=warm,
        limited_by=budget.limited_by,
        reason=reason,
        usd_per_instance_hour=facts.prices.hourly(chosen.name, pool) or 0.0,
        interruptions_per_hour=rate.per_hour,
        interruption_source=rate.source,
        idle_usd_per_hour=idle[0],
        idle_instances=idle[1],
    )


def _fargate_line(
    profile: Profile, facts: Facts, ce: ComputeEnvironmentSpec, vcpus: int, reason: str
) -> CapacityLine:
    request = profile.job_definition.request
    size = fits_fargate(request)
    pool = ce.purchase_model
    if size is None:
        return CapacityLine(
            compute_environment=ce.name,
            pool=pool.label,
            allocation_strategy="",
            instance_type="",
            vcpus_per_instance=0,
            jobs_per_instance=0,
            max_vcpus=ce.max_vcpus,
            effective_vcpus=0,
            instances=0,
            warm_instances=0,
            limited_by="no-fit",
            reason=f"{JOB_RESOURCE_REQUIREMENT}: the job fits no Fargate task size",
            usd_per_instance_hour=0.0,
            interruptions_per_hour=0.0,
        )
    task_vcpu, task_mem = size
    tasks = int(vcpus // task_vcpu)
    rate = interruption_rate(profile, facts, pool, "")
    return CapacityLine(
        compute_environment=ce.name,
        pool=pool.label,
        allocation_strategy="",
        instance_type=f"task {count(task_vcpu, 'vCPU')} / {task_mem} MiB",
        vcpus_per_instance=task_vcpu,
        jobs_per_instance=1,
        max_vcpus=ce.max_vcpus,
        effective_vcpus=math.floor(tasks * task_vcpu),
        instances=tasks,
        warm_instances=0,
        limited_by="maxvCpus" if tasks else "quota",
        reason=reason,
        usd_per_instance_hour=facts.prices.fargate_hourly(task_vcpu, task_mem, pool),
        interruptions_per_hour=rate.per_hour,
        interruption_source=rate.source,
    )
