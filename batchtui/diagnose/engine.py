"""Run every rule over the facts: findings per job, then grouped by cause.

Rules run in order of how specific their cause is (the queue's own state before job size, job
size before quotas ...), so the first finding for one job is its real cause. Three passes: each
job's own causes; then what depends on another job's causes (a blocked head, a blocked
dependency) and AWS's reason where nothing explained it; then "waiting" for every job that has
no blocking or warning finding at all — a job that only waits is never called blocked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import cast

from batchtui.diagnose import rules_config as config
from batchtui.diagnose import rules_infra as infra
from batchtui.diagnose import rules_order as order
from batchtui.diagnose.context import (
    DESCRIBE_CES,
    DESCRIBE_JOBS,
    INSTANCE_TYPES,
    QUEUE_SNAPSHOT,
    Context,
    Settings,
    ev,
    room_needed,
)
from batchtui.diagnose.facts import BatchFacts, JobFacts
from batchtui.diagnose.findings import Action, Diagnosis, Finding, Severity, Waiting, group
from batchtui.model import ComputeEnvironment, InstanceType

Rule = Callable[[Context, JobFacts], "Finding | None"]


#: A job's own causes that depend on its shape only (status, reason, what it asks for), not on
#: its id or its times, most specific first: worked out once per shape of job, so 10,000 alike
#: jobs cost one evaluation (each finding carries the evidence of the first job of its shape).
SHAPE_RULES: tuple[Rule, ...] = (
    config.queue_state,
    config.all_disabled,
    config.invalid_ces,
    config.multinode_on_spot,
    config.gpu_without_gpus,
    config.job_too_big,
    config.max_vcpus_too_low,
    config.not_offered,
    config.vcpu_quota,
    infra.instance_role,
    infra.service_role,
    infra.no_route_to_ecs,
    infra.not_joining,
    infra.spot_bid,
    infra.launch_failures,
    order.consumable,
    order.fair_share,
)

DIAGNOSED_STATUSES = ("PENDING", "RUNNABLE", "STARTING")


def diagnose(facts: BatchFacts, settings: Settings | None = None) -> Diagnosis:
    """The findings for ``facts.jobs``, grouped by cause, most severe and most jobs first, a
    root cause before the symptom it explains (:func:`~batchtui.diagnose.findings.group`)."""
    ctx = Context(facts, settings or Settings())
    # The jobs a blocked head holds back, as GetJobQueueSnapshot counts them: array children
    # one by one (ListJobs lists their parent once).
    ctx.memo["runnable"] = sum(
        max(1, j.runnable_children) for j in facts.jobs if j.status == "RUNNABLE"
    )
    subjects = {j.job_id: j for j in facts.jobs}
    everyone = {**facts.related_jobs, **subjects}
    own: dict[str, list[Finding]] = {}
    for job in everyone.values():
        own[job.job_id] = _own(ctx, job)
    for job in everyone.values():
        found = order.aws_reason(ctx, job, own[job.job_id])
        if found is not None:
            own[job.job_id].append(found)
    findings: list[Finding] = []
    waiting: list[Waiting] = []
    for job in subjects.values():
        mine = list(own[job.job_id])
        for rule in (order.dependencies, order.head_of_queue):
            found = rule(ctx, job, own)
            if found is not None:
                mine.append(found)
        if job.status in ("RUNNABLE", "PENDING") and not any(
            f.severity in (Severity.BLOCKING, Severity.WARNING) for f in mine
        ):
            w = _waiting(ctx, job, mine)
            waiting.append(w)
            if not mine:  # an info finding already says what it waits for
                mine.append(_waiting_finding(ctx, w, job))
        findings += mine
    findings += _unknowns(ctx)
    listed = Counter(j.status_listed for j in subjects.values())
    examined = tuple((s, listed[s]) for s in DIAGNOSED_STATUSES if listed[s])
    return Diagnosis(tuple(group(findings)), len(subjects), tuple(waiting), examined, ctx.now_ms)


def _shape(job: JobFacts) -> tuple[object, ...]:
    return (job.status, job.request, job.status_reason, job.num_nodes, job.fargate,
            job.consumable_resources, job.share_identifier)  # fmt: skip


def _own(ctx: Context, job: JobFacts) -> list[Finding]:
    """The job's own causes: the time limit first (it says when), STARTING last."""
    key = ("shape", _shape(job))
    if key not in ctx.memo:
        ctx.memo[key] = _one_per_code(
            [f for rule in SHAPE_RULES if (f := rule(ctx, job)) is not None]
        )
    shaped = cast("list[Finding]", ctx.memo[key])
    out = [replace(f, job_ids=(job.job_id,)) for f in shaped]
    limit = order.time_limit(ctx, job, out)
    late = order.starting_long(ctx, job)
    if late is not None:
        out.append(late)
    if limit is not None:
        out.insert(0, limit)
    return out


def _one_per_code(found: list[Finding]) -> list[Finding]:
    """One job's findings with one per code: two rules that name the same cause (the pool's
    vCPU quota, and launches failing on it) are one finding, the first rule's words with the
    evidence of both."""
    out: dict[str, Finding] = {}
    for f in found:
        if f.code in out:
            first = out[f.code]
            out[f.code] = replace(
                first, evidence=tuple(dict.fromkeys((*first.evidence, *f.evidence)))
            )
        else:
            out[f.code] = f
    return list(out.values())


def _waiting(ctx: Context, job: JobFacts, mine: list[Finding]) -> Waiting:
    pos = ctx.facts.position_of(job.job_id)
    position = pos.position if pos is not None else None
    if job.status == "PENDING":
        return Waiting(job.job_id, None, _pending_for(ctx, job), status="PENDING")
    if mine:  # an info finding says what it waits for (a share, a resource, a launch)
        return Waiting(job.job_id, position, mine[0].title)
    if job.runnable_children:
        what = f"room for its {job.runnable_children} RUNNABLE array children"
        return Waiting(job.job_id, position, what)
    # Only the head: a job further back waits for its turn first, and raising maxvCpus for it
    # would not start it now.
    full = _no_room(ctx, job) if position == 1 else None
    if full is not None:
        ce, it = full
        what = (
            f"room under maxvCpus {ce.max_vcpus} of {ce.name} for a new {it.name}: it needs "
            f"{it.vcpus} vCPUs, and instances running other jobs hold {ce.desired_vcpus}"
        )
        return Waiting(job.job_id, position, what)
    launching = [ce.name for ce in ctx.ces or () if ctx.launching(ce)]
    if launching:
        eta = ctx.now_ms + int(ctx.settings.boot_seconds * 1000)
        return Waiting(job.job_id, position, f"instances launching in {', '.join(launching)}", eta)
    if position is not None and position > 1:
        return Waiting(job.job_id, position, f"its turn: {position - 1} jobs ahead of it")
    return Waiting(job.job_id, position, "room on running instances, or instances to launch")


def _no_room(ctx: Context, job: JobFacts) -> tuple[ComputeEnvironment, InstanceType] | None:
    """The compute environment (the first in the queue's order) and instance type the job
    waits on when no compute environment that fits it has room under its maxvCpus for a new
    instance that fits it, and none is launching one that big: it can only start once other
    jobs finish and their instances go (AWS Batch meanwhile places the smaller jobs behind it
    in the room they free). None when one of them has room, or a fact is missing."""
    ces = ctx.usable_fitting_ces(job.request)
    found: list[tuple[ComputeEnvironment, InstanceType]] = []
    for ce in ces:
        it = ctx.smallest(ce, job.request)
        if ce.purchase_model.is_fargate or it is None:
            return None
        if ce.desired_vcpus + it.vcpus <= ce.max_vcpus:
            return None
        registered = ctx.facts.container_instances.get(ce.name)
        if registered is None or ce.desired_vcpus - registered[1] >= it.vcpus:
            return None  # its instance may be the one launching
        found.append((ce, it))
    return found[0] if found else None


def _children(job: JobFacts) -> str:
    return ", ".join(f"{n} {status}" for status, n in job.array_summary) or "none listed yet"


def _pending_for(ctx: Context, job: JobFacts) -> str:
    """What a PENDING job waits for: the job it depends on, or its array children."""
    waited = order.waited_dependency(ctx, job)
    if waited is not None:
        dep_id, dep = waited
        if dep is None:
            return f"job {dep_id} to succeed (DescribeJobs did not return it)"
        return f"job {dep.job_name} ({dep_id}) to succeed, now {dep.status}"
    if job.array_size:
        return f"its {job.array_size} array children: {_children(job)}"
    return "AWS Batch to move it to RUNNABLE (it depends on no unfinished job)"


def _waiting_finding(ctx: Context, w: Waiting, job: JobFacts) -> Finding:
    name = job.job_name or job.job_id
    if w.status == "PENDING":
        if job.array_size and not job.depends_on:
            evidence = ev(DESCRIBE_JOBS, "jobs[].arrayProperties.statusSummary",
                          f"{name}: {_children(job)}")  # fmt: skip
            fix = "nothing to fix: the array job finishes when its children do"
        else:
            evidence = ev(DESCRIBE_JOBS, "jobs[].dependsOn",
                          f"{name}: {', '.join(job.depends_on) or 'none'}")  # fmt: skip
            fix = "nothing to fix: it becomes RUNNABLE when the jobs it depends on succeed"
        return Finding("WAITING", Severity.INFO, f"PENDING: waiting for {w.waits_for}",
                       (evidence,), fix, (job.job_id,))  # fmt: skip
    what = w.waits_for.split(":", 1)[0] if w.waits_for.startswith("its turn") else w.waits_for
    place = (ev(QUEUE_SNAPSHOT, "frontOfQueue.jobs[]", f"{name}: {w.place}"),)
    full = _no_room(ctx, job) if w.waits_for.startswith("room under maxvCpus") else None
    if full is not None:
        ce, it = full
        need, counted = room_needed(ce, it)
        return Finding(
            "WAITING", Severity.INFO, f"waiting for {what}",
            (*place,
             ev(DESCRIBE_CES, "computeEnvironments[].computeResources.desiredvCpus / maxvCpus",
                f"{ce.name}: {ce.desired_vcpus} / {ce.max_vcpus}"),
             ev(INSTANCE_TYPES, "InstanceTypes[].VCpuInfo.DefaultVCpus", f"{it.name}: {it.vcpus}")),
            "nothing to fix if the other jobs end soon, but smaller jobs behind it take the room "
            f"they free first; to start it now, raise maxvCpus of {ce.name} to {need} ({counted})",
            (job.job_id,), Action.SCALE, ce.name, max_vcpus=need,
        )  # fmt: skip
    return Finding(
        "WAITING", Severity.INFO, f"waiting for {what}", place,
        "nothing to fix: it starts when capacity frees up or launches", (job.job_id,),
    )  # fmt: skip


def _unknowns(ctx: Context) -> list[Finding]:
    ids = tuple(j.job_id for j in ctx.facts.jobs)
    return [
        Finding(
            "CANNOT_TELL",
            Severity.WARNING,
            f"cannot tell {u.what}: {u.error} on {u.call}",
            (ev(u.call, "-", u.error),),
            f"allow {u.call} to the caller to check it",
            ids,
        )
        for u in ctx.facts.unknowns
    ]
