"""The recommendation: the cheapest scenario that meets the deadline and the budget."""

from __future__ import annotations

from collections.abc import Sequence

from batchtui.capacity import fits_fargate
from batchtui.planner.results import Recommendation, ScenarioResult, VcpuSetting
from batchtui.profiles import Profile
from batchtui.wording import duration


def _meeting(feasible: int, total: int, goal: str) -> str:
    """ "cheapest of the 7 scenarios (of 8) that meet <goal>", or the only one that does."""
    if feasible == 1:
        if total == 1:
            return f"the only scenario, and it meets {goal}"
        return f"the only one of the {total} scenarios that meets {goal}"
    if feasible == total:
        return f"cheapest of the {feasible} scenarios that meet {goal}"
    return f"cheapest of the {feasible} scenarios (of {total}) that meet {goal}"


def recommend(
    profile: Profile, results: Sequence[ScenarioResult], *, blocked: bool = False
) -> Recommendation:
    """Cheapest (expected cost) scenario meeting the deadline at the chosen confidence and the
    budget; ties go to the faster one. Says why, and the vCPU settings to apply."""
    w = profile.workload
    conf = profile.assumptions.confidence
    deadline = f"{w.deadline_hours:g}h deadline"
    feasible = [r for r in results if r.feasible]
    if blocked:
        return Recommendation(None, ("blocking problems (below) must be fixed first",))
    if not feasible:
        reasons = []
        runnable = [r for r in results if not r.config.runnable_reason]
        if not runnable:
            reasons.append("no scenario can run the job at all")
        else:
            fastest = max(runnable, key=lambda r: (r.p_deadline, -r.makespan_p50))
            reasons.append(
                f"no scenario meets the {deadline} with {conf:.0%} confidence and the budget; "
                f"the best chance is {fastest.name} ({fastest.p_deadline:.0%} by the deadline, "
                f"p50 {duration(fastest.makespan_p50)})"
            )
            if w.budget_usd is not None:
                cheapest = min(runnable, key=lambda r: r.cost_mean)
                reasons.append(
                    f"the cheapest, {cheapest.name}, costs ${cheapest.cost_at_confidence:,.2f} "
                    f"at {conf:.0%} confidence against a ${w.budget_usd:,.2f} budget"
                )
            reasons.append("raise the vCPU quotas, extend the deadline or the budget")
        return Recommendation(None, tuple(reasons))
    best = min(feasible, key=lambda r: (round(r.cost_mean, 6), r.makespan_p50))
    goal = f"the {deadline} with {conf:.0%} confidence" + (
        f" and the ${w.budget_usd:,.2f} budget" if w.budget_usd is not None else ""
    )
    reasons = [
        _meeting(len(feasible), len(results), goal)
        + f" (by the deadline in {best.p_deadline:.0%} of trials; p95 "
        f"{duration(best.makespan_p95)})",
        f"expected cost ${best.cost_mean:,.2f}, ${best.cost_at_confidence:,.2f} at {conf:.0%} "
        + (
            f"confidence, within the ${w.budget_usd:,.2f} budget"
            if w.budget_usd is not None
            else "confidence (no budget set)"
        ),
    ]
    cheaper = [r for r in results if r.cost_mean < best.cost_mean and r is not best]
    if cheaper:
        c = min(cheaper, key=lambda r: r.cost_mean)
        why = c.config.runnable_reason or (
            f"meets the deadline in only {c.p_deadline:.0%} of trials"
            if not c.meets_deadline
            else "goes over the budget"
        )
        reasons.append(f"{c.name} is cheaper (${c.cost_mean:,.2f}) but {why}")
    if best.interruptions_mean >= 0.05:
        reasons.append(
            f"expect {best.interruptions_mean:.1f} spot interruptions wasting "
            f"{best.wasted_vcpu_hours_mean:.1f} vCPU-hours of rework on average"
        )
    return Recommendation(best.name, tuple(reasons), scenario_settings(profile, best))


def scenario_settings(profile: Profile, result: ScenarioResult) -> tuple[VcpuSetting, ...]:
    """The vCPU settings that configure the account as ``result``'s scenario: one per compute
    environment that runs jobs in it (what ``recommend`` gives for the best one, and what
    applying any other scenario of the plan sets)."""
    settings = []
    for line in result.config.lines:
        if not line.lanes:
            continue
        types: tuple[str, ...] = ()
        task_size = None
        if line.pool in ("FARGATE", "FARGATE_SPOT"):
            task_size = fits_fargate(profile.job_definition.request)
        else:
            known = {ce.name: ce for ce in profile.compute_environments}
            ce = known.get(line.compute_environment)
            types = ce.instance_types if ce else (line.instance_type,)
        min_vcpus = 0
        if result.config.kind == "profile":
            min_vcpus = profile.compute_environment(line.compute_environment).min_vcpus
        settings.append(
            VcpuSetting(
                compute_environment=line.compute_environment,
                pool=line.pool,
                min_vcpus=min_vcpus,
                # Ask for what the account can reach, not more: the rest would only mislead.
                max_vcpus=min(line.max_vcpus, line.effective_vcpus),
                desired_vcpus=min_vcpus,
                instance_types=types,
                task_size=task_size,
            )
        )
    return tuple(settings)


def why_not_applicable(profile: Profile, result: ScenarioResult) -> str:
    """Why applying ``result``'s scenario to ``profile`` would be refused ('' when it would
    not): its jobs could never start, or it runs on compute environments the profile does not
    have (apply changes only what a profile names; Fargate scenarios usually need new ones)."""
    if result.config.runnable_reason:
        return f"its jobs could never start: {result.config.runnable_reason}"
    known = {ce.name for ce in profile.compute_environments}
    foreign = [
        s.compute_environment
        for s in scenario_settings(profile, result)
        if s.compute_environment not in known
    ]
    if foreign:
        return (
            f"it runs on compute environment(s) {', '.join(foreign)}, which the profile does "
            "not have (add them to the profile to apply it)"
        )
    return ""
