"""A :class:`~batchtui.planner.Plan` as a readable table and as the JSON of plan.schema.json."""

from __future__ import annotations

import math
from typing import Any

from batchtui.planner.results import (
    PROFILE,
    RECOMMENDATION,
    Plan,
    PlanWarning,
    ScenarioResult,
    SubmitEstimate,
    VcpuSetting,
)
from batchtui.render.plan_reasons import interruption_rate_rows, interruptions_cell, why_lines
from batchtui.render.text import table
from batchtui.wording import count, duration, short_duration

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
    return "\n".join(line for _, lines in render_plan_blocks(plan) for line in lines)


def render_plan_blocks(plan: Plan) -> list[tuple[bool, list[str]]]:
    """:func:`render_plan_table`'s lines as runs: ``(True, rows)`` for a table, ``(False,
    lines)`` for prose (sentences and bullets), so that a screen can wrap the prose and keep
    the tables' columns whole."""
    out = _Blocks()
    budget = f", budget {_money(plan.budget_usd)}" if plan.budget_usd is not None else ""
    out.append(f"Plan {plan.profile_name} ({plan.profile_path}), {plan.region}")
    out.append(
        f"{count(plan.images, 'image')} in {count(plan.jobs, 'job')} of "
        f"{duration(plan.job_seconds_mean)} on average; deadline {plan.deadline_hours:g}h"
        f"{budget}; {plan.confidence:.0%} confidence; {count(plan.trials, 'trial')}, "
        f"seed {plan.seed}"
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
             _launches(s))
            for s in rec.settings
        )  # fmt: skip
        out.table(
            _indent(
                table(
                    ("SET", "POOL", "MIN vCPUs", "MAX vCPUs", "DESIRED", "INSTANCE TYPES"),
                    rows,
                    max_width=80,
                )
            )
        )
    about_profile = plan.warnings_about(PROFILE)
    if about_profile:
        also = " - the recommended scenario" if rec.scenario == "profile" else ""
        out.append("")
        out.append(f"WARNINGS about the profile as configured ({plan.profile_name}){also}")
        out += _warning_lines(about_profile)
    about_recommendation = plan.warnings_about(RECOMMENDATION)
    if about_recommendation:
        out.append("")
        out.append(f"WARNINGS about the recommended configuration ({rec.scenario})")
        out += _warning_lines(about_recommendation)
    if plan.notes:
        out.append("")
        out.append("NOTES")
        out += [f"  - {n}" for n in plan.notes]
    out.append("")
    out.append("SCENARIOS")
    out.table(_indent(table(
        ("SCENARIO", "SPOT", "vCPUs", "COST", "COST p95", "$/1K IMG", "TIME p50", "TIME p95",
         "P(DEADLINE)", "INTERRUPTS", "WASTED vCPU-h", "FAILED JOBS", ""),
        (_scenario_row(plan, s) for s in plan.scenarios),
    )))  # fmt: skip
    out += why_lines(plan)
    rates = interruption_rate_rows(plan)
    if rates:
        out.table(_indent(table(
            ("POOL", "LAUNCHES", "JOBS EACH", "PER HOUR", "PER JOB-HOUR", "SCENARIOS", "SOURCE"),
            rates,
            max_width=100,
        )))  # fmt: skip
    out.append("")
    out.append("CAPACITY (the profile as configured)")
    own = plan.scenarios[0].config
    capacity_rows = (
        (ln.compute_environment, ln.pool, ln.instance_type or "-", ln.jobs_per_instance,
         ln.max_vcpus, ln.effective_vcpus, _money(ln.usd_per_instance_hour), ln.limited_by)
        for ln in own.lines
    )  # fmt: skip
    out.table(_indent(table(
        ("CE", "POOL", "LAUNCHES", "JOBS/INST", "MAX", "REACHES", "$/HOUR", "LIMITED BY"),
        capacity_rows,
    )))  # fmt: skip
    # The reasons are sentences: under the table, whole, rather than cut to a column's width.
    out += [f"  - {ln.reason}" for ln in own.lines if ln.reason]
    if plan.submit is not None:
        out.append("")
        out.append(submit_line(plan.submit))
    return out.blocks


class _Blocks:
    """Lines as runs of prose and of table rows; ``append`` and ``+=`` add prose."""

    def __init__(self) -> None:
        self.blocks: list[tuple[bool, list[str]]] = []

    def _add(self, is_table: bool, lines: list[str]) -> None:
        if self.blocks and self.blocks[-1][0] == is_table:
            self.blocks[-1][1].extend(lines)
        else:
            self.blocks.append((is_table, list(lines)))

    def append(self, line: str) -> None:
        self._add(False, [line])

    def __iadd__(self, lines: list[str]) -> _Blocks:
        self._add(False, lines)
        return self

    def table(self, text: str) -> None:
        self._add(True, text.splitlines())


def _launches(setting: VcpuSetting) -> str:
    if setting.task_size is not None:
        vcpu, memory = setting.task_size
        return f"Fargate tasks of {count(vcpu, 'vCPU')} / {memory} MiB"
    return ", ".join(setting.instance_types) or "-"


def _warning_lines(warnings: tuple[PlanWarning, ...]) -> list[str]:
    return [f"  - {'BLOCKING ' if w.blocking else ''}{w.code}: {w.message}" for w in warnings]


def submit_line(est: SubmitEstimate) -> str:
    """The SubmitJob calls of the workload as array jobs and as single jobs, and their time."""
    rate = f"at SubmitJob's {est.calls_per_second:g} TPS"
    jobs = count(est.jobs, "job")
    if est.jobs == 1:
        return f"Submitting {jobs}: 1 SubmitJob call ({short_duration(est.array_seconds)})."
    calls = count(est.array_jobs, "SubmitJob call")
    singles = f"{count(est.jobs, 'SubmitJob call')} = {short_duration(est.single_jobs_seconds)}"
    if est.planned_as_arrays:
        size = min(est.array_size, est.max_array_size)
        if est.array_jobs == 1:
            arrays = f"1 array job of {count(est.jobs, 'child', 'children')}"
        else:
            arrays = f"{est.array_jobs:,} array jobs of up to {size:,} children"
        return (
            f"Submitting {jobs}: as {arrays} (workload.array_size {est.array_size:,}) = "
            f"{calls} ({short_duration(est.array_seconds)}); as single jobs {singles} {rate}."
        )
    return (
        f"Submitting {jobs}: as single jobs (workload.array_size 1) {singles} {rate}; "
        f"as array jobs of up to {est.max_array_size:,} children, {calls} "
        f"({short_duration(est.array_seconds)})."
    )


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
        interruptions_cell(s.interruptions_mean),
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
                    **(
                        {"fargateTask": {"vcpus": s.task_size[0], "memoryMiB": s.task_size[1]}}
                        if s.task_size is not None
                        else {}
                    ),
                }
                for s in rec.settings
            ],
        },
        "warnings": [
            {
                "code": w.code,
                "message": w.message,
                "blocking": w.blocking,
                "subject": w.subject,
                "scope": w.scope,
                "scenario": w.scenario,
            }
            for w in plan.warnings
        ],
        "notes": list(plan.notes),
        "scenarios": [_scenario_json(plan, s) for s in plan.scenarios],
        **({"submit": _submit_json(plan.submit)} if plan.submit is not None else {}),
    }


def _submit_json(est: SubmitEstimate) -> dict[str, Any]:
    return {
        "jobs": est.jobs,
        "arraySize": est.array_size,
        "maxArraySize": est.max_array_size,
        "plannedAs": "array" if est.planned_as_arrays else "single",
        "arrayJobs": est.array_jobs,
        "arraySubmitSeconds": round(est.array_seconds, 6),
        "singleJobCalls": est.jobs,
        "singleSubmitSeconds": round(est.single_jobs_seconds, 6),
        "submitJobCallsPerSecond": est.calls_per_second,
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
            "median": _num(s.cost_median),
            "meanOfInterruptedTrials": _num(s.cost_mean_interrupted)
            if s.interrupted_trials
            else None,
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
        "interruptionsExpected": _num(s.interruptions_expected),
        "interruptedTrials": s.interrupted_trials,
        "explanations": {"vcpus": s.vcpus_reason, "cost": s.cost_note or None},
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
                "interruptionRateSource": ln.interruption_source or None,
            }
            for ln in c.lines
        ],
        "timeline": [{"seconds": t, "vcpus": list(v)} for t, v in s.timeline],
    }
