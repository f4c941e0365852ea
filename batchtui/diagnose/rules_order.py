"""Rules on a job's place among others: the queue's time limit, dependencies, a blocked head,
fair share, consumable resources, a long STARTING, and AWS's own reason when nothing else
explains it (transient while instances launch and the reason is young).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from batchtui.diagnose.context import DESCRIBE_JOBS, DESCRIBE_QUEUES, QUEUE_SNAPSHOT, Context, ev
from batchtui.diagnose.facts import Consumable, ConsumableHolder, JobFacts
from batchtui.diagnose.findings import Action, Evidence, Finding, Severity
from batchtui.diagnose.meaning import is_blocking_reason, meaning_of, reason_code
from batchtui.wording import count, duration


def _clock(ms: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_limit(ctx: Context, job: JobFacts, causes: Sequence[Finding] = ()) -> Finding | None:
    """A jobStateTimeLimitAction of the queue matches the job's reason: it will be cancelled.
    Blocking (and first) when that is soon; a warning while it is further off. Its fix names
    the cause to fix in time: the first blocking one of ``causes`` (the job's own findings),
    else AWS's reason (the report may show it above or below, by severity)."""
    q = ctx.facts.queue
    if q is None or job.status != "RUNNABLE" or not job.status_reason:
        return None
    for action in q.job_state_time_limit_actions:
        reason = str(action.get("reason", ""))
        if not reason or not job.status_reason.startswith(reason):
            continue
        at = ctx.since_ms(job) + int(float(action.get("maxTimeSeconds", 0)) * 1000)
        left = max(0.0, (at - ctx.now_ms) / 1000)
        soon = left <= ctx.settings.time_limit_soon_seconds
        return Finding(
            "JOB_STATE_TIME_LIMIT", Severity.BLOCKING if soon else Severity.WARNING,
            f"the queue's jobStateTimeLimitAction cancels the job at about {_clock(at)} "
            f"(in {duration(left)}): its reason {reason_code(job.status_reason)} has lasted since "
            f"{_clock(ctx.since_ms(job))}",
            (ev(DESCRIBE_QUEUES, "jobQueues[].jobStateTimeLimitActions",
                f"{reason} -> {action.get('action', 'CANCEL')} after {action.get('maxTimeSeconds')} s"),
             ev(DESCRIBE_JOBS, "jobs[].statusReason", job.status_reason),
             ev(QUEUE_SNAPSHOT, "frontOfQueue.jobs[].earliestTimeAtPosition", _clock(ctx.since_ms(job)))),
            f"fix {_cause_of(job, causes)} before then, or raise maxTimeSeconds of the queue's "
            "action",
            (job.job_id,),
        )  # fmt: skip
    return None


def _cause_of(job: JobFacts, causes: Sequence[Finding]) -> str:
    """ "its cause (VCPU_QUOTA_EXHAUSTED)", or the reason AWS gives when no rule found one."""
    cause = next((f for f in causes if f.severity is Severity.BLOCKING), None)
    if cause is not None:
        return f"its cause ({cause.code})"
    return f"what AWS's reason {reason_code(job.status_reason)} names"


def consumable(ctx: Context, job: JobFacts) -> Finding | None:
    """A consumable resource the job needs is smaller than it asks, or in use by other jobs."""
    if job.status != "RUNNABLE":
        return None
    for name, quantity in job.consumable_resources:
        c = ctx.facts.consumables.get(name)
        if c is None:
            continue
        evidence = (ev("batch:DescribeConsumableResource", "totalQuantity / inUseQuantity",
                       f"{name}: {c.in_use} of {c.total} in use"),)  # fmt: skip
        if c.total < quantity:
            return Finding("CONSUMABLE_RESOURCE_TOO_SMALL", Severity.BLOCKING,
                           f"the job needs {quantity} of consumable resource {name}, which has {c.total}",
                           evidence, f"raise totalQuantity of {name}, or ask for less", (job.job_id,))  # fmt: skip
        if c.total - c.in_use < quantity:
            return Finding("CONSUMABLE_RESOURCE_IN_USE", Severity.INFO,
                           f"waits for consumable resource {name}: other jobs hold {c.in_use} of {c.total}",
                           (*evidence, *_holders_evidence(c, job.job_id)),
                           "nothing to fix: it starts when they release it", (job.job_id,))  # fmt: skip
    return None


#: Holders named in the evidence; the rest are counted.
NAMED_HOLDERS = 5


def _holders_evidence(c: Consumable, job_id: str) -> tuple[Evidence, ...]:
    """The jobs holding the resource, by name, id and quantity (none when they were not read)."""
    if c.holders is None:
        return ()
    others = [h for h in c.holders if h.job_id != job_id]
    named = ", ".join(_holder(h) for h in others[:NAMED_HOLDERS])
    more = f", and {len(others) - NAMED_HOLDERS} more" if len(others) > NAMED_HOLDERS else ""
    value = (
        f"{c.name}: {named}{more}" if others else f"{c.name}: no STARTING or RUNNING job holds it"
    )
    return (ev("batch:ListJobsByConsumableResource", "jobs[].jobName / jobArn / quantity", value),)


def _holder(h: ConsumableHolder) -> str:
    """ "render-1 (id) holds 2"; a holder not yet RUNNING says its status (it holds all the same)."""
    status = f", {h.status}" if h.status and h.status != "RUNNING" else ""
    return f"{h.job_name} ({h.job_id}{status}) holds {h.quantity}"


def starting_long(ctx: Context, job: JobFacts) -> Finding | None:
    """STARTING for longer than usual, counted from its ECS task's creation (DescribeJobs has
    no time for entering STARTING, and createdAt counts the time it waited RUNNABLE too): the
    image pull, usually. No claim without the task's time."""
    if job.status != "STARTING" or job.starting_since_ms is None:
        return None
    age = (ctx.now_ms - job.starting_since_ms) / 1000
    if age < ctx.settings.starting_seconds:
        return None
    image = job.image or "(unknown)"
    fix = ("check the image exists and the instance can reach its registry (ECR endpoints or "
           "NAT); large images pull faster from ECR in the same region")  # fmt: skip
    if job.pull_stopped_ms is not None:
        pulled = (ctx.now_ms - job.pull_stopped_ms) / 1000
        what = f"image {image} was pulled {duration(pulled)} ago, but its container has not started"
        fix = ("read the task's stoppedReason and containers[].reason (ecs:DescribeTasks) and "
               "the instance's ECS agent log: the container fails to start")  # fmt: skip
    elif job.pull_started_ms is not None:
        pulling = (ctx.now_ms - job.pull_started_ms) / 1000
        what = f"pulling image {image} for {duration(pulling)} is slow or failing"
    else:
        what = f"its ECS task has not begun pulling image {image}"
    times = [("createdAt", job.starting_since_ms), ("pullStartedAt", job.pull_started_ms),
             ("pullStoppedAt", job.pull_stopped_ms)]  # fmt: skip
    return Finding(
        "STARTING_TOO_LONG", Severity.WARNING, f"STARTING for {duration(age)}: {what}",
        (ev(DESCRIBE_JOBS, "jobs[].container.image", job.image or "-"),
         *(ev("ecs:DescribeTasks", f"tasks[].{name}", _clock(ms)) for name, ms in times if ms is not None)),
        fix, (job.job_id,),
    )  # fmt: skip


def waited_dependency(ctx: Context, job: JobFacts) -> tuple[str, JobFacts | None] | None:
    """The first dependency of a PENDING job that has not succeeded: its id, and the job as
    DescribeJobs tells it (None when it did not return it); None when none is left."""
    if job.status != "PENDING":
        return None
    for dep_id in job.depends_on:
        if not dep_id:
            continue  # SEQUENTIAL / N_TO_N between array children name no job
        dep = ctx.facts.related_jobs.get(dep_id)
        if dep is None or dep.status != "SUCCEEDED":
            return dep_id, dep
    return None


def dependencies(
    ctx: Context, job: JobFacts, own: Mapping[str, Sequence[Finding]]
) -> Finding | None:
    """A PENDING job: its dependencies failed, are blocked themselves, or are still under way."""
    if job.status != "PENDING":
        return None
    for dep_id in job.depends_on:
        dep = ctx.facts.related_jobs.get(dep_id)
        if dep is None:
            continue
        evidence = (ev(DESCRIBE_JOBS, "jobs[].dependsOn", f"{job.job_name}: {dep_id}"),
                    ev(DESCRIBE_JOBS, "jobs[].status", f"{dep.job_name} ({dep_id}): {dep.status}"))  # fmt: skip
        if dep.status == "FAILED":
            return Finding("DEPENDENCY_FAILED", Severity.BLOCKING,
                           f"depends on job {dep.job_name} ({dep_id}), which FAILED: {dep.status_reason or '-'}",
                           evidence, "resubmit the job without the dependency, or after rerunning it",
                           (job.job_id,))  # fmt: skip
        cause = blocking_cause(own.get(dep_id, ()))
        if cause is not None:
            return Finding("DEPENDENCY_BLOCKED", Severity.BLOCKING,
                           f"depends on job {dep.job_name} ({dep_id}), {dep.status} and blocked by "
                           f"{cause.code}: {cause.title}",
                           (*evidence, *cause.evidence), cause.fix, (job.job_id,),
                           cause.action, cause.target, cause=cause.key)  # fmt: skip
        if dep.status != "SUCCEEDED":
            return Finding("DEPENDENCY_UNFINISHED", Severity.INFO,
                           f"waits for job {dep.job_name} ({dep_id}), now {dep.status}",
                           evidence, "nothing to fix: it becomes RUNNABLE when that job succeeds",
                           (job.job_id,))  # fmt: skip
    return None


def head_of_queue(
    ctx: Context, job: JobFacts, own: Mapping[str, Sequence[Finding]]
) -> Finding | None:
    """A FIFO queue's head is blocked and holds back this job behind it."""
    q = ctx.facts.queue
    front = ctx.facts.front_of_queue
    if q is None or q.scheduling_policy_arn or not front or job.status != "RUNNABLE":
        return None
    head = front[0]
    if head.job_id == job.job_id:
        return None
    head_job = ctx.facts.related_jobs.get(head.job_id)
    if head_job is None:
        return None
    cause = blocking_cause(own.get(head.job_id, ()))
    if cause is None:
        return None
    behind = max(len(front) - 1, int(ctx.memo.get("runnable", 1)) - 1)  # type: ignore[call-overload]
    name = f"{head_job.job_name} ({head.job_id})"
    return Finding(
        "HEAD_OF_QUEUE_BLOCKED", Severity.BLOCKING,
        f"held back by the blocked head of the queue, job {name}, blocked by {cause.code}: "
        f"{cause.title}",
        (ev(QUEUE_SNAPSHOT, "frontOfQueue.jobs[0].jobArn", f"head: {name}"),
         ev(DESCRIBE_JOBS, "jobs[].statusReason", f"{head_job.job_name}: {head_job.status_reason or '-'}")),
        f"fix the head's cause ({cause.code}): {cause.fix}; or cancel job {name}, which releases "
        f"the {count(behind, 'job')} queued behind it (array children counted one by one)",
        (job.job_id,), Action.CANCEL, head.job_id, cause=cause.key,
        # The fix leads with the cause's own fix: the TUI offers that one too.
        max_vcpus=cause.max_vcpus, cause_action=cause.action, cause_target=cause.target,
    )  # fmt: skip


def blocking_cause(findings: Sequence[Finding]) -> Finding | None:
    """The finding that blocks a job, as another job's finding names it: its first blocking
    one, not counting the time limit (that says when the job goes, not why it is stuck)."""
    blocked = [f for f in findings if f.severity is Severity.BLOCKING]
    return next((f for f in blocked if f.code != "JOB_STATE_TIME_LIMIT"), None) or next(
        iter(blocked), None
    )


def fair_share(ctx: Context, job: JobFacts) -> Finding | None:
    """The job's share uses more of the queue than its weight gives it while others run."""
    q = ctx.facts.queue
    weights, usage = ctx.facts.share_weights, ctx.facts.share_usage
    share = job.share_identifier
    if q is None or not q.scheduling_policy_arn or job.status != "RUNNABLE" or not share:
        return None
    if share not in weights or not usage or not any(u > 0 for s, u in usage.items() if s != share):
        return None
    active = {s for s, u in usage.items() if u > 0} | {share}
    inverse = {s: 1 / max(weights.get(s, 1.0), 1e-9) for s in active}
    fair = inverse[share] / sum(inverse.values())
    used = usage.get(share, 0.0) / sum(usage.values())
    if used <= fair:
        return None
    return Finding(
        "FAIR_SHARE_OVER_WEIGHT", Severity.INFO,
        f"share {share} uses {used:.0%} of the queue's capacity, above the {fair:.0%} its weight "
        "gives it while other shares run: its jobs wait their turn",
        (ev("batch:DescribeSchedulingPolicies", "fairsharePolicy.shareDistribution[].weightFactor",
            f"{share}: {weights[share]:g}"),
         ev(QUEUE_SNAPSHOT, "queueUtilization.fairshareUtilization", f"{share}: {usage.get(share, 0):g} vCPUs")),
        "nothing to fix: lower its weightFactor to give it more", (job.job_id,),
    )  # fmt: skip


def aws_reason(ctx: Context, job: JobFacts, own: Sequence[Finding]) -> Finding | None:
    """AWS's own blocking reason on the job, when no rule explained it otherwise; a young
    CAPACITY or UNDETERMINED reason while instances launch is probably transient."""
    reason = job.status_reason
    if job.status != "RUNNABLE" or not (
        is_blocking_reason(reason) or reason.startswith("UNDETERMINED")
    ):
        return None
    if any(f.severity is Severity.BLOCKING for f in own):
        return None
    code = reason_code(reason)
    meaning = meaning_of(reason)
    evidence = (ev(DESCRIBE_JOBS, "jobs[].statusReason", reason),)
    fix = meaning.todo({}) if meaning else "read the statusReason"
    age = ctx.age_s(job)
    transient_kind = reason.startswith(("CAPACITY:", "UNDETERMINED"))
    if transient_kind and age < ctx.settings.dwell_seconds and ctx.any_launching:
        return Finding(
            "PROBABLY_TRANSIENT", Severity.INFO,
            f"{code} for {duration(age)} while instances launch: probably transient",
            evidence, "wait: a suitable instance is still booting", (job.job_id,),
        )  # fmt: skip
    title = f"AWS Batch says {code}" + (f": {meaning.meaning}" if meaning else "")
    return Finding(code, Severity.BLOCKING, title, evidence, fix, (job.job_id,))
