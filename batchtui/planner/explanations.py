"""Why a scenario's numbers are what they are, in words the table and the JSON both show.

Two figures look wrong at first sight and are not:

- *vCPUs*: what a scenario's compute environments can reach, not what the workload uses. A mix
  splits the profile's total maxvCpus between spot and on-demand; each part is capped by its
  pool's vCPU quota (shared by the environments of that pool) and made of whole instances of
  the type that reaches the most job slots for the least money, and Batch may pass maxvCpus by
  one instance (every strategy but BEST_FIT): the most a scenario can reach. So 80 spot
  maxvCpus can reach 128 (two 64-vCPU instances) while 240 on-demand ones stay at 240 (120
  two-vCPU instances), and the total can exceed what the jobs can use at once.
- *COST p95 below COST*: the mean of a skewed distribution. A rare spot interruption (in fewer
  than 5% of the trials) adds a rerun and a replacement instance to the trials that draw it; the
  mean carries that extra cost, the 95th percentile lies below those trials.
"""

from __future__ import annotations

from collections.abc import Sequence

from batchtui.planner.results import CapacityLine, ScenarioConfig
from batchtui.planner.simulation import Trial
from batchtui.wording import count


def _usd(v: float) -> str:
    # Four decimals: the two figures this explains often agree to the cent.
    return f"${v:,.4f}"


def line_reach(line: CapacityLine) -> str:
    """``SPOT 80 -> 128 (2 x m5.16xlarge, one instance past maxvCpus)``."""
    head = f"{line.pool} {line.max_vcpus} -> {line.effective_vcpus}"
    if line.limited_by in ("disabled", "no-fit") or not line.instances:
        why = {"disabled": "disabled", "no-fit": "the job fits no instance type"}
        return f"{head} ({why.get(line.limited_by, 'not one instance fits')})"
    if line.pool.startswith("FARGATE"):
        what = count(line.instances, f"task of {count(line.vcpus_per_instance, 'vCPU')}",
                     f"tasks of {count(line.vcpus_per_instance, 'vCPU')}")  # fmt: skip
    else:
        what = f"{line.instances} x {line.instance_type}"
    notes = []
    if line.limited_by == "quota":
        notes.append(f"{line.pool} vCPU quota")
    if line.effective_vcpus > line.max_vcpus:
        notes.append("one instance past maxvCpus")
    elif 0 < line.effective_vcpus < line.max_vcpus and line.limited_by != "quota":
        notes.append("whole instances")
    return f"{head} ({what}{', ' + ', '.join(notes) if notes else ''})"


def vcpus_reason(config: ScenarioConfig, jobs: int, job_vcpus: float) -> str:
    """Each compute environment's maxvCpus and what it reaches, and what the jobs can use."""
    parts = "; ".join(line_reach(ln) for ln in config.lines) or "no compute environment"
    running = min(config.lanes, jobs)
    used = running * job_vcpus
    if running and used < config.vcpus:
        parts += (
            f"; at most {count(running, 'job')} run at once, using {used:g} of the "
            f"{config.vcpus} vCPUs"
        )
    return parts


def cost_note(trials: Sequence[Trial], cost_mean: float, cost_p95: float) -> str:
    """Why the 95th percentile of the trials' cost is below their mean ("" when it is not)."""
    if not trials or cost_p95 >= cost_mean:
        return ""
    n = len(trials)
    hit = [t.cost for t in trials if t.interruptions > 0]
    rest = [t.cost for t in trials if t.interruptions <= 0]
    head = f"p95 {_usd(cost_p95)} is below the mean {_usd(cost_mean)}"
    if hit and rest:
        return (
            f"{head}: {len(hit)} of {n} trials drew a spot interruption and cost "
            f"{_usd(sum(hit) / len(hit))} on average, the other {len(rest)} "
            f"{_usd(sum(rest) / len(rest))}; the mean carries those rare trials, the 95th "
            f"percentile lies below them"
        )
    top = sorted(t.cost for t in trials)[int(0.95 * n) :]
    return (
        f"{head}: the costliest {len(top)} of {n} trials ({_usd(sum(top) / len(top))} on "
        f"average) pull the mean above the 95th percentile"
    )
