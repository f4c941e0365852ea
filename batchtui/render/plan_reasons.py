"""The plan table's explanations of its own figures: why each scenario reaches its vCPUs, why
a p95 cost can be below the mean cost, and the interruption rate of each pool with its source."""

from __future__ import annotations

from typing import Any

from batchtui.planner.results import Plan
from batchtui.wording import count


def interruptions_cell(v: float) -> str:
    """INTERRUPTS: a rare interruption (0.015 a run) shows as 0.01, not as 0.0."""
    return f"{v:.2f}" if 0 < v < 0.095 else f"{v:.1f}"


def why_lines(plan: Plan) -> list[str]:
    """Under the scenarios: why each one reaches its vCPUs, why a p95 cost can be below the
    mean, and what the interruptions count, so that no figure of the table goes unexplained."""
    mixes = [s for s in plan.scenarios if s.config.kind == "mix"]
    total = sum(ln.max_vcpus for ln in mixes[0].config.lines) if mixes else 0
    split = (
        f"a mix splits the profile's {total} maxvCpus between spot and on-demand; " if total else ""
    )
    out = [
        f"  vCPUs is what a scenario's compute environments reach (maxvCpus -> vCPUs): {split}"
        "each part is capped by its pool's vCPU quota and made of whole instances, and Batch "
        "may pass maxvCpus by one instance (every allocation strategy but BEST_FIT). The plan "
        "takes the instance type that reaches the most job slots for the least money, so this "
        "is the most a scenario can reach; per scenario, and what its jobs use:"
    ]
    out += [f"  - {s.name}: {s.vcpus_reason}" for s in plan.scenarios]
    skewed = [s for s in plan.scenarios if s.cost_note]
    if skewed:
        out.append(
            "  COST is the mean of the trials, COST p95 the 95th percentile: a rare, costly "
            "trial raises the mean and not the percentile:"
        )
        out += [f"  - {s.name}: {s.cost_note}" for s in skewed]
    if any(ln.interruption_source for s in plan.scenarios for ln in s.config.lines):
        out.append(
            "  INTERRUPTS counts spot instances (or Fargate Spot tasks) reclaimed in a run, the "
            f"mean of the {count(plan.trials, 'trial')}; each kills every job running on it."
        )
        unseen = [
            s for s in plan.scenarios if s.interruptions_mean == 0 and s.interruptions_expected
        ]
        out += [
            f"  - {s.name}: {s.interruptions_expected:.2g} expected a run; none of the "
            f"{count(plan.trials, 'trial')} drew one"
            for s in unseen
        ]
        out.append(
            "  Rates per instance-hour (task-hour on Fargate) and per job-hour, and their source "
            "(an EC2 rate is per instance, whatever its size):"
        )
    return out


def interruption_rate_rows(plan: Plan) -> list[tuple[Any, ...]]:
    """One row per pool and instance type that can be interrupted, with the scenarios using it."""
    rows: dict[tuple[str, str, int, float, str], list[str]] = {}
    for s in plan.scenarios:
        for ln in s.config.lines:
            if ln.interruption_source and ln.instances:
                key = (ln.pool, ln.instance_type, ln.jobs_per_instance,
                       ln.interruptions_per_hour, ln.interruption_source)  # fmt: skip
                rows.setdefault(key, []).append(s.name)
    return [
        (pool, launches, jobs, f"{rate:.2g}", f"{rate / jobs:.2g}", ", ".join(names), source)
        for (pool, launches, jobs, rate, source), names in rows.items()
    ]
