"""Monte Carlo trials of one scenario: time, cost, interruptions and rework.

Per-job event simulation of 100,000 jobs x hundreds of trials x every scenario is far too slow
in pure Python, so each trial follows the workload at the granularity that decides the answer:
job slots ("lanes") of each compute environment in the queue's order, waves of jobs on them,
the scale-up delay before new instances run jobs, spot interruptions per busy instance-hour
(a whole number per trial) with the rework of the attempts they kill (or the jobs they fail when
the retry strategy does not retry a host termination), the replacement delay, the reruns that
finish after everything else, the straggling last wave, and instances idling until scale-in.
A trial costs O(compute environments), so 10,000 trials take milliseconds.
tests/integration/test_plan_validation.py holds the model to the sandbox's per-job scheduler.

Every trial draws the same standard normals in every scenario (common random numbers): scenarios
differ only by their configuration, and a rise in capacity or price moves every trial one way.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from batchtui.planner.results import CapacityLine, ScenarioConfig

#: Normals each trial draws: total work, straggler tail, then one per compute environment.
FIXED_DRAWS = 2
_NORMAL = NormalDist()
#: The last wave's stragglers: the slowest of this many jobs (capped so that adding capacity
#: never lengthens the tail, which keeps makespan monotone in capacity).
TAIL_JOBS = 32


@dataclass(frozen=True)
class JobShape:
    """One job as the simulation sees it."""

    count: int
    seconds_mean: float  # per attempt, overhead included
    seconds_sd: float
    vcpus: float
    attempts_on_interruption: int


@dataclass(frozen=True)
class Trial:
    makespan: float
    cost: float
    interruptions: float
    wasted_vcpu_hours: float
    failed_jobs: float
    #: Busy-phase end: when the last wave starts draining (for the vCPU timeline).
    body_end: float
    #: The Poisson mean the trial's interruptions were drawn from: rate x busy instance-hours.
    interruptions_expected: float = 0.0


def normals(seed: int, trials: int, groups: int) -> list[tuple[float, ...]]:
    """The per-trial standard normals every scenario shares."""
    rng = random.Random(seed)
    width = FIXED_DRAWS + groups
    return [tuple(rng.gauss(0.0, 1.0) for _ in range(width)) for _ in range(trials)]


def lanes_by_line(config: ScenarioConfig, jobs: int) -> list[int]:
    """Job slots each compute environment runs at full scale: the queue fills them in order."""
    out = []
    left = jobs
    for line in config.lines:
        used = min(line.lanes, left)
        out.append(used)
        left -= used
    return out


def simulate(
    config: ScenarioConfig,
    job: JobShape,
    draws: Sequence[tuple[float, ...]],
    *,
    submit_seconds: float = 0.0,
    scale_down_idle_seconds: float = 300.0,
) -> list[Trial]:
    """One :class:`Trial` per row of ``draws`` (empty when no job can ever start)."""
    lanes_used = lanes_by_line(config, job.count)
    total_lanes = sum(lanes_used)
    if total_lanes == 0 or job.count == 0:
        return []
    fargate = config.per_task_billing
    m = job.seconds_mean + (config.startup_seconds if fargate else 0.0)
    s = job.seconds_sd
    delay = 0.0 if fargate else config.startup_seconds
    groups = []
    warm_lanes = 0
    for line, used in zip(config.lines, lanes_used, strict=True):
        if not used:
            continue
        per = line.jobs_per_instance
        instances = math.ceil(used / per)
        warm = min(line.warm_instances, instances)
        warm_lanes += min(used, warm * per)
        # Chance that one attempt is interrupted, and that an interrupted job has no attempt left.
        p_attempt = 1.0 - math.exp(-line.interruptions_per_hour * m / 3600.0)
        p_fail = p_attempt ** (job.attempts_on_interruption - 1)
        groups.append((line, used / total_lanes, per, instances, warm, p_fail))
    tail_z = _NORMAL.inv_cdf(0.5 ** (1.0 / min(job.count, TAIL_JOBS)))

    trials = []
    for row in draws:
        work = job.count * m + math.sqrt(job.count) * s * row[0]
        work = max(work, 0.5 * job.count * m)
        extra = 0.0
        interruptions = wasted = failed = expected = 0.0
        kills = 0
        killed = 0.0
        for g, (line, share, per, _instances, _warm, p_fail) in enumerate(groups):
            rate = line.interruptions_per_hour
            if rate <= 0.0:
                continue
            # Reruns are exposed too: each interruption adds half an attempt of busy time per
            # slot, so the exposure solves E = W + rate * E * m / 2 (capped when reruns would
            # dominate: then the retry strategy, not the rework, decides).
            rework_share = min(0.5, rate * m / 7200.0)
            busy_instance_hours = work * share / per / 3600.0 / (1.0 - rework_share)
            # A whole number of interruptions (the Poisson quantile of this trial's draw): the
            # rare interruption of a small run either happens or not, and a rerun is whole.
            mu = rate * busy_instance_hours
            expected += mu
            n = poisson_count(mu, row[FIXED_DRAWS + g])
            hit = n * per  # attempts killed (every slot of an interrupted instance is busy)
            lost = hit * p_fail
            kills += n
            killed += hit
            interruptions += n
            failed += lost
            wasted += hit * (m / 2.0) * job.vcpus / 3600.0
            # Retried attempts redo their elapsed half; failed jobs never do their other half;
            # the instance's slots are gone until a replacement registers.
            extra += (hit - lost) * m / 2.0 - lost * m / 2.0 + hit * delay
        work_total = max(work + extra, m)
        m_eff = work_total / job.count
        makespan, body_end = _makespan(
            job.count,
            total_lanes,
            warm_lanes,
            delay,
            work / job.count,
            s,
            work_total,
            tail_z * s,
            kills,
            killed / kills if kills else 1.0,
        )
        makespan = max(makespan, submit_seconds + m)
        cost = _cost(config, groups, job.count, work_total, delay, m_eff, scale_down_idle_seconds)
        trials.append(Trial(makespan, cost, interruptions, wasted, failed, body_end, expected))
    return trials


def poisson_count(mu: float, z: float) -> int:
    """The Poisson(``mu``) count at the quantile of the standard normal draw ``z``.

    Non-decreasing in ``mu`` for a given draw (common random numbers: more exposure never means
    fewer interruptions) and exact in distribution; a rounded normal beyond ``mu`` 400.
    """
    if mu <= 0.0:
        return 0
    if mu > 400.0:
        return max(0, round(mu + math.sqrt(mu) * z))
    u = _NORMAL.cdf(z)
    k = 0
    p = math.exp(-mu)
    cdf = p
    limit = mu + 40.0 * math.sqrt(mu) + 40.0  # rounding: cdf may never reach a u near 1
    while cdf < u and k < limit:
        k += 1
        p *= mu / k
        cdf += p
    return k


def rerun_tail(kills: int, p_critical: float, wait: float, m: float) -> float:
    """Expected lengthening of the makespan by the latest of ``kills`` interrupted attempts.

    An attempt killed ``u * m`` seconds in (``u`` uniform) finishes ``u * m + wait`` later than
    it would have, ``wait`` being its replacement's boot when no slot is free. Each kill lands
    on the critical path with chance ``p_critical``; with ``j ~ Binomial(kills, p_critical)``
    such kills the latest delay is ``wait + m * j / (j + 1)`` on average (0 when ``j`` is 0).
    """
    if kills <= 0 or p_critical <= 0.0:
        return 0.0
    p = min(1.0, p_critical)
    none = (1.0 - p) ** kills
    mean_inverse = (1.0 - (1.0 - p) ** (kills + 1)) / ((kills + 1) * p)  # E[1 / (j + 1)]
    return (1.0 - none) * wait + m * (1.0 - mean_inverse)


def _lockstep_tail(
    kills: int, per: float, jobs: int, lanes: int, waves: int, delay: float, m: float
) -> float:
    """:func:`rerun_tail` of lanes that run whole waves together.

    A kill in the last wave delays its job's rerun to the end. A kill before it shifts the
    lanes of the replacement instance and sends its job to the back of the queue; both reach
    the end only when the last wave has no idle slots left for them (its slack).
    """
    last = jobs - (waves - 1) * lanes  # jobs of the last wave
    slack = lanes - last
    p_last = last / jobs
    displaced = 2.0 * kills * (1.0 - p_last) * per  # reruns plus late replacement slots
    spill = max(0.0, displaced - slack) / displaced if displaced > 0 else 0.0
    early = (1.0 - p_last) * spill
    # Early kills wait for their replacement; a late one reruns at once on an idle slot.
    wait = delay * (early + (p_last if slack < per else 0.0)) / (early + p_last)
    return rerun_tail(kills, p_last + early, wait, m)


def _makespan(
    jobs: int,
    lanes: int,
    warm_lanes: int,
    delay: float,
    m: float,
    s: float,
    work: float,
    tail: float,
    kills: int = 0,
    per: float = 1.0,
) -> tuple[float, float]:
    """(makespan, start of the last wave) of ``jobs`` of ``m`` seconds on ``lanes`` slots.

    Fluid: the work (with the rework and replacement gaps of ``kills`` interruptions of
    instances of ``per`` slots) divided by the slots. Quantized: whole waves of jobs, which is
    what lanes that start together do while job times vary little. Lanes drift apart as the
    spread of job times accumulates over the waves; the blend follows that drift. Interrupted
    attempts finish late: in lock step a kill shifts its lanes to the end unless the last wave
    has room (:func:`_lockstep_tail`); lanes that drift apart share the rework and feel only
    the kills of the last stretch, whose reruns find a slot as the run drains.
    """
    warm_lanes = min(warm_lanes, lanes)
    if warm_lanes and warm_lanes * delay >= work:
        fluid = work / warm_lanes
    else:
        fluid = delay + (work - warm_lanes * delay) / lanes
    done_warm = min(jobs, warm_lanes * math.floor(delay / m)) if warm_lanes else 0
    if done_warm >= jobs:
        waves = math.ceil(jobs / warm_lanes)
        quantized = waves * m
        wave_jobs, wave_lanes = jobs, warm_lanes
    else:
        waves = math.ceil((jobs - done_warm) / lanes)
        quantized = delay + waves * m
        wave_jobs, wave_lanes = jobs - done_warm, lanes
    first_start = 0.0 if warm_lanes else delay
    if kills:
        fluid += rerun_tail(kills, m / max(m, fluid - first_start), 0.0, m)
        quantized += _lockstep_tail(kills, per, wave_jobs, wave_lanes, waves, delay, m)
    drift = min(1.0, 2.0 * s * math.sqrt(waves) / m) if m > 0 else 1.0
    body = fluid + (1.0 - drift) * max(0.0, quantized - fluid)
    body = max(body, first_start + m)
    return body + max(0.0, tail), max(first_start, body - m)


def _cost(
    config: ScenarioConfig,
    groups: Sequence[tuple[CapacityLine, float, int, int, int, float]],
    jobs: int,
    work: float,
    delay: float,
    m: float,
    idle: float,
) -> float:
    """USD: instance-seconds x price. Busy time per instance, plus for every instance launched
    for the workload its boot (billed from launch) and its idle time before scale-in, plus the
    slots an instance holds idle while its last jobs finish."""
    total = 0.0
    for line, share, per, instances, warm, _ in groups:
        price = line.usd_per_instance_hour
        busy = work * share / per
        if config.per_task_billing:
            # Fargate bills each task from image pull to exit, at least a minute.
            total += max(busy, 60.0 * jobs * share) * price / 3600.0
            continue
        launched = instances - warm
        drain = instances * m * (per - 1) / (2.0 * per)
        total += (busy + launched * (delay + idle) + drain) * price / 3600.0
    return total
