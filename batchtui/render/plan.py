"""A :class:`~batchtui.planner.Plan` as a readable table and as the JSON of plan.schema.json."""

from __future__ import annotations

import math
from typing import Any

from batchtui.planner.results import Plan, ScenarioResult
from batchtui.render.text import duration, table

#: Version of the JSON document; bump on any incompatible change (batchtui/data/plan.schema.json).
SCHEMA_VERSION = 1


def _money(v: float | None) -> str:
    if v is None or math.isinf(v):
        return "-"
    return f"${v:,.2f}"


def _span(v: float) -> str:
    return "never" if math.isinf(v) else duration(v)


def render_plan_table(plan: Plan) -> str:
    """The plan for people: recommendation first, then warnings, scenarios and capacity."""
    out: list[str] = []
    budget = f", budget {_money(plan.budget_usd)}" if plan.budget_usd is not None else ""
    out.append(f"Plan {plan.profile_name} ({plan.profile_path}), {plan.region}")
    out.append(
        f"{plan.images:,} images in {plan.jobs:,} jobs of {duration(plan.job_seconds_mean)} "
        f"on average; deadline {plan.deadline_hours:g}h{budget}; "
        f"{plan.confidence:.0%} confidence; {plan.trials} trials, seed {plan.seed}"
    )
    quotas = ", ".join(f"{k} {v:g}" for k, v in plan.quotas.items()) or "unknown"
    out.append(f"Prices: {plan.price_source}. vCPU quotas ({plan.quota_source}): {quotas}")
    out.append("")
    rec = plan.recommendation
    if rec.scenario:
        out.append(f"RECOMMENDATION: {rec.scenario}")
    else:
        out.append("RECOMMENDATION: none - no scenario meets the deadline and the budget")
    out += [f"  - {r}" for r in rec.reasons]
    if rec.settings:
        out.append("")
        rows = (
            (s.compute_environment, s.pool, s.min_vcpus, s.max_vcpus, s.desired_vcpus,
             ", ".join(s.instance_types) or "-")
            for s in rec.settings
        )  # fmt: skip
        out.append(
            _indent(
                table(("SET", "POOL", "MIN vCPUs", "MAX vCPUs", "DESIRED", "INSTANCE TYPES"), rows)
            )
        )
    if plan.warnings:
        out.append("")
        out.append("WARNINGS")
        for w in plan.warnings:
            tag = "BLOCKING " if w.blocking else ""
            out.append(f"  - {tag}{w.code}: {w.message}")
    if plan.notes:
        out.append("")
        out.append("NOTES")
        out += [f"  - {n}" for n in plan.notes]
    out.append("")
    out.append("SCENARIOS")
    out.append(_indent(table(
        ("SCENARIO", "SPOT", "vCPUs", "COST", "COST p95", "$/1K IMG", "TIME p50", "TIME p95",
         "P(DEADLINE)", "INTERRUPTS", "WASTED vCPU-h", "FAILED JOBS", ""),
        (_scenario_row(plan, s) for s in plan.scenarios),
    )))  # fmt: skip
    out.append("")
    out.append("CAPACITY (the profile as configured)")
    own = plan.scenarios[0].config
    capacity_rows = (
        (ln.compute_environment, ln.pool, ln.instance_type or "-", ln.jobs_per_instance,
         ln.max_vcpus, ln.effective_vcpus, _money(ln.usd_per_instance_hour), ln.reason)
        for ln in own.lines
    )  # fmt: skip
    out.append(_indent(table(
        ("CE", "POOL", "LAUNCHES", "JOBS/INST", "MAX", "REACHES", "$/HOUR", "WHY"), capacity_rows,
        max_width=120,
    )))  # fmt: skip
    submit = plan.scenarios[0].submit_seconds
    out.append("")
    out.append(f"Submitting takes {duration(submit)} at SubmitJob's 50 TPS.")
    return "\n".join(out)


def _scenario_row(plan: Plan, s: ScenarioResult) -> tuple[Any, ...]:
    mark = "<- recommended" if s.name == plan.recommendation.scenario else ""
    if s.config.runnable_reason:
        mark = "jobs stay RUNNABLE"
    return (
        s.name,
        f"{s.config.spot_fraction:.0%}",
        s.config.vcpus,
        _money(s.cost_mean) if s.trials else "-",
        _money(s.cost_p95) if s.trials else "-",
        _money(s.cost_per_1000_images) if s.trials else "-",
        _span(s.makespan_p50),
        _span(s.makespan_p95),
        f"{s.p_deadline:.0%}",
        f"{s.interruptions_mean:.1f}",
        f"{s.wasted_vcpu_hours_mean:.1f}",
        f"{s.failed_jobs_mean:.1f}",
        mark,
    )


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _num(v: float) -> float | None:
    """JSON has no infinity: a scenario whose jobs never start has null times."""
    return None if math.isinf(v) or math.isnan(v) else round(v, 6)


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as the stable JSON document described by batchtui/data/plan.schema.json."""
    rec = plan.recommendation
    return {
        "schemaVersion": SCHEMA_VERSION,
        "profile": {"name": plan.profile_name, "path": plan.profile_path, "region": plan.region},
        "workload": {
            "images": plan.images,
            "jobs": plan.jobs,
            "jobSecondsMean": round(plan.job_seconds_mean, 3),
            "deadlineHours": plan.deadline_hours,
            "budgetUsd": plan.budget_usd,
        },
        "settings": {"confidence": plan.confidence, "trials": plan.trials, "seed": plan.seed},
        "sources": {
            "prices": plan.price_source,
            "priceDate": plan.price_date,
            "quotas": plan.quota_source,
        },
        "quotas": dict(plan.quotas),
        "recommendation": {
            "scenario": rec.scenario,
            "reasons": list(rec.reasons),
            "settings": [
                {
                    "computeEnvironment": s.compute_environment,
                    "pool": s.pool,
                    "minvCpus": s.min_vcpus,
                    "maxvCpus": s.max_vcpus,
                    "desiredvCpus": s.desired_vcpus,
                    "instanceTypes": list(s.instance_types),
                }
                for s in rec.settings
            ],
        },
        "warnings": [
            {"code": w.code, "message": w.message, "blocking": w.blocking, "subject": w.subject}
            for w in plan.warnings
        ],
        "notes": list(plan.notes),
        "scenarios": [_scenario_json(plan, s) for s in plan.scenarios],
    }


def _scenario_json(plan: Plan, s: ScenarioResult) -> dict[str, Any]:
    c = s.config
    return {
        "name": s.name,
        "kind": c.kind,
        "spotFraction": round(c.spot_fraction, 6),
        "recommended": s.name == plan.recommendation.scenario,
        "runnableReason": c.runnable_reason or None,
        "vcpus": c.vcpus,
        "trials": s.trials,
        "costUsd": {
            "mean": _num(s.cost_mean),
            "p95": _num(s.cost_p95),
            "atConfidence": _num(s.cost_at_confidence),
            "per1000Images": _num(s.cost_per_1000_images),
        },
        "makespanSeconds": {
            "mean": _num(s.makespan_mean),
            "p50": _num(s.makespan_p50),
            "p95": _num(s.makespan_p95),
        },
        "pDeadline": round(s.p_deadline, 6),
        "meetsDeadline": s.meets_deadline,
        "withinBudget": s.within_budget,
        "interruptionsMean": _num(s.interruptions_mean),
        "wastedVcpuHoursMean": _num(s.wasted_vcpu_hours_mean),
        "failedJobsMean": _num(s.failed_jobs_mean),
        "submitSeconds": _num(s.submit_seconds),
        "computeEnvironments": [
            {
                "name": ln.compute_environment,
                "pool": ln.pool,
                "allocationStrategy": ln.allocation_strategy or None,
                "launches": ln.instance_type or None,
                "jobsPerInstance": ln.jobs_per_instance,
                "maxvCpus": ln.max_vcpus,
                "effectivevCpus": ln.effective_vcpus,
                "instances": ln.instances,
                "warmInstances": ln.warm_instances,
                "limitedBy": ln.limited_by,
                "reason": ln.reason,
                "usdPerInstanceHour": round(ln.usd_per_instance_hour, 6),
                "interruptionsPerInstanceHour": round(ln.interruptions_per_hour, 6),
            }
            for ln in c.lines
        ],
        "timeline": [{"seconds": t, "vcpus": list(v)} for t, v in s.timeline],
    }
