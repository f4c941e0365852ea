"""Rules on how the queue and its compute environments are set up: states, job size against
instance types, maxvCpus, vCPU quotas, instance type offerings, multi-node on spot.

Each rule takes the context and one job and returns its finding, or None. They are pure and
cheap: what depends only on the queue is worked out once (the context memoises it).
"""

from __future__ import annotations

from batchtui.capacity import schedulable_memory_mib
from batchtui.diagnose.context import (
    DESCRIBE_CES,
    DESCRIBE_QUEUES,
    INSTANCE_TYPES,
    SERVICE_QUOTA,
    Context,
    ev,
    job_evidence,
    room_needed,
)
from batchtui.diagnose.facts import JobFacts
from batchtui.diagnose.findings import Action, Finding, Severity
from batchtui.diagnose.meaning import meaning_of, places_nothing
from batchtui.model import ComputeEnvironment, is_service_linked

BLOCKING = Severity.BLOCKING


def _ce_list(ces: list[ComputeEnvironment]) -> str:
    return ", ".join(ce.name for ce in ces)


def queue_state(ctx: Context, job: JobFacts) -> Finding | None:
    """Queue DISABLED (it takes no new placements) or INVALID."""
    q = ctx.facts.queue
    if q is None or job.status not in ("RUNNABLE", "PENDING"):
        return None
    if q.state == "DISABLED":
        return Finding(
            "JOB_QUEUE_DISABLED", BLOCKING, f"job queue {q.name} is DISABLED: no job of it is placed",
            (ev(DESCRIBE_QUEUES, "jobQueues[].state", f"{q.name}: DISABLED"),),
            f"enable job queue {q.name}", (job.job_id,), Action.ENABLE, q.name,
        )  # fmt: skip
    if q.status == "INVALID":
        return Finding(
            "JOB_QUEUE_INVALID", BLOCKING, f"job queue {q.name} is INVALID: {q.status_reason or 'no reason given'}",
            (ev(DESCRIBE_QUEUES, "jobQueues[].status", f"{q.name}: INVALID"),
             ev(DESCRIBE_QUEUES, "jobQueues[].statusReason", q.status_reason or "-")),
            "fix what the queue's statusReason names (usually its compute environments' order), "
            "then update the queue", (job.job_id,),
        )  # fmt: skip
    return None


def all_disabled(ctx: Context, job: JobFacts) -> Finding | None:
    """Every compute environment of the queue is DISABLED: AWS gives the jobs no reason."""
    q = ctx.facts.queue
    if q is None or job.status != "RUNNABLE":
        return None
    found = places_nothing(q, ctx.facts.compute_environments)
    if found is None:
        return None
    evidence = tuple(
        ev(DESCRIBE_CES, "computeEnvironments[].state", f"{name}: DISABLED")
        for name in found.disabled
    )
    return Finding(
        "COMPUTE_ENVIRONMENTS_DISABLED", BLOCKING, found.meaning, evidence,
        found.todo({}), (job.job_id,), Action.ENABLE, found.disabled[0],
    )  # fmt: skip


def _invalid_fix(ce: ComputeEnvironment) -> str:
    low = ce.status_reason.lower()
    if "instance profile" in low or "instancerole" in low or "iam" in low:
        if ce.updatable_in_place:
            return "point instanceRole at an existing instance profile (not a role), then update the compute environment"
        why = (
            "it uses a regular service role"
            if not is_service_linked(ce.service_role)
            else f"its allocationStrategy is {ce.allocation_strategy or 'BEST_FIT'}"
        )
        profile = ce.instance_role.rsplit("/", 1)[-1] or "its instance profile"
        return (
            f"create the instance profile {profile} (with a role that has "
            "AmazonEC2ContainerServiceforEC2Role), then update the compute environment; AWS "
            f"refuses to change its instanceRole in place ({why}), so pointing it at another "
            "instance profile means a new compute environment swapped into the queue "
            "(batchtui apply does that blue/green)"
        )  # fmt: skip
    if "user data" in low or "launch template" in low:
        return "fix the launch template (MIME multi-part user data), then update the compute environment"
    if "kubernetes" in low or "eks" in low:
        return "upgrade the EKS cluster to a Kubernetes version AWS Batch supports"
    return "fix what the statusReason names, then update the compute environment (or recreate it)"


def invalid_ces(ctx: Context, job: JobFacts) -> Finding | None:
    """The queue's ENABLED compute environments are all INVALID (AWS: ACTION_REQUIRED)."""
    if job.status != "RUNNABLE" or not ctx.ces:
        return None
    enabled = [ce for ce in ctx.ces if ce.state == "ENABLED"]
    invalid = [ce for ce in enabled if ce.status == "INVALID"]
    if not invalid or len(invalid) != len(enabled):
        return None
    first = invalid[0]
    evidence = tuple(
        e for ce in invalid for e in (
            ev(DESCRIBE_CES, "computeEnvironments[].status", f"{ce.name}: INVALID"),
            ev(DESCRIBE_CES, "computeEnvironments[].statusReason", f"{ce.name}: {ce.status_reason or '-'}"),
        )
    )  # fmt: skip
    return Finding(
        "ACTION_REQUIRED", BLOCKING,
        f"compute environment {first.name} is INVALID: {first.status_reason or 'no reason given'}",
        evidence, _invalid_fix(first), (job.job_id,), target=first.name,
    )  # fmt: skip


def multinode_on_spot(ctx: Context, job: JobFacts) -> Finding | None:
    """A multi-node parallel job on a queue whose EC2 compute environments are all SPOT."""
    if job.num_nodes is None or job.status != "RUNNABLE" or not ctx.sizing_ces:
        return None
    ec2 = [ce for ce in ctx.sizing_ces if not ce.purchase_model.is_fargate]
    if not ec2 or any(not ce.purchase_model.is_spot for ce in ec2):
        return None
    return Finding(
        "MULTI_NODE_ON_SPOT", BLOCKING,
        f"multi-node parallel job on SPOT compute environments ({_ce_list(ec2)}): AWS Batch "
        "runs multi-node jobs on on-demand instances only",
        (ev("batch:DescribeJobs", "jobs[].nodeProperties.numNodes", f"{job.job_name}: {job.num_nodes}"),
         *(ev(DESCRIBE_CES, "computeEnvironments[].computeResources.type", f"{ce.name}: SPOT") for ce in ec2)),
        "add an on-demand (EC2) compute environment to the queue, or submit to a queue that has one",
        (job.job_id,),
    )  # fmt: skip


def gpu_without_gpus(ctx: Context, job: JobFacts) -> Finding | None:
    """A job asking for GPUs on compute environments with no GPU instance type."""
    if job.request.gpus <= 0 or job.status != "RUNNABLE" or not ctx.sizing_ces:
        return None
    if ctx.facts.catalog is None:
        return None
    if any(it.gpus > 0 for ce in ctx.sizing_ces for it in ctx.types_of(ce)):
        return None
    allowed = "; ".join(
        f"{ce.name}: {', '.join(ce.instance_types) or 'Fargate'}" for ce in ctx.sizing_ces
    )
    return Finding(
        "GPU_JOB_WITHOUT_GPU_INSTANCES", BLOCKING,
        f"the job asks for {job.request.gpus} GPUs, but no instance type of the queue's compute "
        "environments has a GPU",
        (job_evidence(job), ev(DESCRIBE_CES, "computeEnvironments[].computeResources.instanceTypes", allowed),
         ev(INSTANCE_TYPES, "InstanceTypes[].GpuInfo", "no GPU in any of them")),
        "add a GPU instance family (g5, p4d, ...) to a compute environment of the queue, or a "
        "queue with GPU instances", (job.job_id,),
    )  # fmt: skip


def job_too_big(ctx: Context, job: JobFacts) -> Finding | None:
    """No instance type of the queue fits the job (memory counted after the ECS agent's
    reservation): names the biggest type and the shortfall."""
    if job.status != "RUNNABLE" or not ctx.sizing_ces or ctx.facts.catalog is None:
        return None
    key = ("too_big", job.request)
    if key not in ctx.memo:
        ctx.memo[key] = _too_big(ctx, job)
    found = ctx.memo[key]
    if found is None:
        return None
    assert isinstance(found, Finding)
    return Finding(found.code, found.severity, found.title, (job_evidence(job), *found.evidence),
                   found.fix, (job.job_id,))  # fmt: skip


def _too_big(ctx: Context, job: JobFacts) -> Finding | None:
    r = job.request
    if ctx.fitting_ces(r):
        return None
    types = [it for ce in ctx.sizing_ces for it in ctx.types_of(ce)]
    if not types:
        if all(ce.purchase_model.is_fargate for ce in ctx.sizing_ces):
            short = f"{r.vcpus:g} vCPUs and {r.memory_mib} MiB is no Fargate size (at most 16 vCPUs, 120 GiB)"
            return Finding("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", BLOCKING,
                           f"the job fits no Fargate task size: {short}", (),
                           "submit the job with a valid Fargate vCPU/memory pair", ())  # fmt: skip
        return None  # names the catalog does not know: no claim
    if r.gpus and not any(it.gpus for it in types):
        return None  # the GPU rule names this cause
    parts: list[str] = []
    most_cpu = max(types, key=lambda it: (it.vcpus, it.name))
    most_mem = max(types, key=lambda it: (schedulable_memory_mib(it), it.name))
    most_gpu = max(types, key=lambda it: (it.gpus, it.name))
    if r.vcpus > most_cpu.vcpus:
        parts.append(
            f"{r.vcpus:g} vCPUs, {r.vcpus - most_cpu.vcpus:g} more than {most_cpu.name} has ({most_cpu.vcpus})"
        )
    mem = schedulable_memory_mib(most_mem)
    if r.memory_mib > mem:
        parts.append(
            f"{r.memory_mib} MiB, {r.memory_mib - mem} MiB more than {most_mem.name} leaves jobs "
            f"({mem} of its {most_mem.memory_mib} MiB after the ECS agent's reservation)"
        )
    if r.gpus > most_gpu.gpus:
        parts.append(
            f"{r.gpus} GPUs, {r.gpus - most_gpu.gpus} more than {most_gpu.name} has ({most_gpu.gpus})"
        )
    if not parts:
        parts.append("vCPUs, memory and GPUs that no single instance type has together")
    meaning = meaning_of("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")
    assert meaning is not None
    return Finding(
        "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", BLOCKING,
        "no instance type of the queue fits the job: it needs " + "; ".join(parts),
        (ev(INSTANCE_TYPES, "InstanceTypes[].MemoryInfo.SizeInMiB", f"{most_mem.name}: {most_mem.memory_mib} MiB"),
         ev(INSTANCE_TYPES, "InstanceTypes[].VCpuInfo.DefaultVCpus", f"{most_cpu.name}: {most_cpu.vcpus}")),
        meaning.todo({}), (),
    )  # fmt: skip


def max_vcpus_too_low(ctx: Context, job: JobFacts) -> Finding | None:
    """No compute environment that fits the job can ever launch an instance for it: its
    maxvCpus is below the smallest instance that fits, or below that instance plus the vCPUs
    its minvCpus keeps running. The fix names the smallest maxvCpus that places the job now:
    the vCPUs the CE holds (desiredvCpus) plus that instance."""
    if job.status != "RUNNABLE":
        return None
    fitting = [ce for ce in ctx.fitting_ces(job.request) if not ce.purchase_model.is_fargate]
    if not fitting or len(fitting) != len(ctx.fitting_ces(job.request)):
        return None
    pairs = [(ce, ctx.smallest(ce, job.request)) for ce in fitting]
    if any(it is not None and ce.min_vcpus + it.vcpus <= ce.max_vcpus for ce, it in pairs):
        return None
    known = [(ce, it) for ce, it in pairs if it is not None]
    if not known:
        return None
    ce, it = min(known, key=lambda p: room_needed(*p)[0])
    need, counted = room_needed(ce, it)
    if it.vcpus > ce.max_vcpus:
        title = (
            f"maxvCpus {ce.max_vcpus} of {ce.name} is below the {it.vcpus} vCPUs of {it.name}, "
            f"the smallest instance type that fits the job's {job.request.vcpus:g} vCPUs"
        )
    else:
        title = (
            f"maxvCpus {ce.max_vcpus} of {ce.name} leaves no room for {it.name} ({it.vcpus} "
            f"vCPUs), the smallest instance type that fits the job's {job.request.vcpus:g} "
            f"vCPUs: its minvCpus keeps {ce.min_vcpus} vCPUs running"
        )
    return Finding(
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", BLOCKING, title,
        (job_evidence(job),
         *(ev(DESCRIBE_CES, "computeEnvironments[].computeResources.maxvCpus", f"{c.name}: {c.max_vcpus}") for c in fitting),
         ev(DESCRIBE_CES, "computeEnvironments[].computeResources.desiredvCpus", f"{ce.name}: {ce.desired_vcpus}"),
         ev(INSTANCE_TYPES, "InstanceTypes[].VCpuInfo.DefaultVCpus", f"{it.name}: {it.vcpus}")),
        f"raise maxvCpus of {ce.name} to at least {need} ({counted}), or submit the job with "
        "fewer vCPUs",
        (job.job_id,), Action.SCALE, ce.name, max_vcpus=need,
    )  # fmt: skip


def not_offered(ctx: Context, job: JobFacts) -> Finding | None:
    """The instance types that fit the job are offered in none of the subnets' zones."""
    offerings = ctx.facts.offerings
    if job.status != "RUNNABLE" or offerings is None:
        return None
    ces = [ce for ce in ctx.usable_fitting_ces(job.request) if not ce.purchase_model.is_fargate]
    if not ces:
        return None
    detail: list[str] = []
    for ce in ces:
        zones = {ctx.facts.subnets[s].zone for s in ce.subnets if s in ctx.facts.subnets}
        if not zones:
            return None  # zones not known: no claim
        types = [it for it in ctx.types_of(ce) if it.vcpus >= job.request.vcpus]
        fit = [it.name for it in types if it.name in offerings]
        if not fit:
            return None  # the offerings read did not cover these types: no claim
        if any(offerings[name] & zones for name in fit):
            return None
        detail.append(f"{ce.name}: {', '.join(fit[:4])} not in {', '.join(sorted(zones))}")
    return Finding(
        "INSTANCE_TYPE_NOT_OFFERED", BLOCKING,
        "no instance type that fits the job is offered in the availability zones of the "
        "compute environments' subnets",
        tuple(ev("ec2:DescribeInstanceTypeOfferings", "InstanceTypeOfferings[].Location", d) for d in detail),
        "add subnets in zones that offer these types, or allow other instance types",
        (job.job_id,),
    )  # fmt: skip


def _holders(ctx: Context, ce: ComputeEnvironment) -> str:
    """ ": demo-spot (80 vCPUs), demo-etl (16 vCPUs)": the compute environments of the pool
    that hold vCPUs (their desiredvCpus), most first; "" when none does."""
    held = sorted(
        (c for c in ctx.facts.compute_environments
         if c.purchase_model == ce.purchase_model and c.desired_vcpus > 0),
        key=lambda c: (-c.desired_vcpus, c.name),
    )  # fmt: skip
    return (": " + ", ".join(f"{c.name} ({c.desired_vcpus} vCPUs)" for c in held)) if held else ""


def vcpu_quota(ctx: Context, job: JobFacts) -> Finding | None:
    """The account's vCPU quota of the pool leaves no room for the smallest fitting instance:
    blocking when it never can (quota below one instance) or when AWS says CAPACITY."""
    quotas = ctx.facts.quotas
    if job.status != "RUNNABLE" or quotas is None:
        return None
    ces = [ce for ce in ctx.usable_fitting_ces(job.request) if not ce.purchase_model.is_fargate]
    if not ces:
        return None
    evidence = []
    never = True
    for ce in ces:
        quota = quotas.get(ce.purchase_model)
        it = ctx.smallest(ce, job.request)
        if quota is None or it is None:
            return None
        used = ctx.pool_in_use.get(ce.purchase_model, 0)
        if used + it.vcpus <= quota:
            return None
        never = never and it.vcpus > quota
        evidence.append(
            ev(SERVICE_QUOTA, "Quota.Value", f"{ce.purchase_model.label} vCPUs: {quota:g}")
        )
        evidence.append(ev(DESCRIBE_CES, "computeEnvironments[].computeResources.desiredvCpus",
                           f"{ce.purchase_model.label} pool in use: {used} vCPUs"))  # fmt: skip
        evidence.append(
            ev(INSTANCE_TYPES, "InstanceTypes[].VCpuInfo.DefaultVCpus", f"{it.name}: {it.vcpus}")
        )
    pool = ces[0].purchase_model.label
    quota_v = quotas.get(ces[0].purchase_model, 0)
    used_v = ctx.pool_in_use.get(ces[0].purchase_model, 0)
    if never:
        title = (
            f"the account's {pool} vCPU quota ({quota_v:g}) is below one instance that fits the job"
        )
    elif job.status_reason.startswith("CAPACITY:"):
        title = f"the account's {pool} vCPU quota is used up: {used_v} of {quota_v:g} vCPUs in use"
    else:
        return None  # it waits for vCPUs of the quota to free (the waiting finding says so)
    return Finding(
        "VCPU_QUOTA_EXHAUSTED", BLOCKING, title, tuple(dict.fromkeys(evidence)),
        f"request a higher {pool} vCPU quota in Service Quotas (ec2 "
        f"{'L-34B43A08' if ces[0].purchase_model.is_spot else 'L-1216C47A'}), or lower maxvCpus "
        f"of the compute environments that hold it{_holders(ctx, ces[0])}", (job.job_id,),
    )  # fmt: skip
