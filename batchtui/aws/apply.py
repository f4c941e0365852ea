"""Applying a change set to the account: read the live state, send each step's request, wait
for the resource to be VALID, and say which step failed and what was done when one does.

The steps come from :mod:`batchtui.changes` (pure); this module only sends them. Every request
goes through :meth:`Aws.call` (retries, ``--read-only``, call counting). Waiting polls on an
injected clock and sleep, so tests drive a sandbox's simulated clock and never wait for real.

A re-run after a failure converges: the change set is computed again from what the account has
then, and resources are found by name (a compute environment's blue/green generations too).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from batchtui.aws.batch import describe_compute_environments, describe_job_queues
from batchtui.aws.quotas import vcpu_quotas
from batchtui.aws.session import Aws
from batchtui.changes import DesiredState, LiveState, Step, Wait
from batchtui.changes.state import short_name
from batchtui.errors import AccessDenied, AwsError, NotFound
from batchtui.model import JobDefinition, PurchaseModel

#: Seconds between two reads while waiting, and the longest wait for one resource.
POLL_S = 5.0
#: Seconds between reads while waiting on the in-process sandbox (its clock runs fast).
SANDBOX_POLL_S = 0.25
WAIT_LIMIT_S = 1800.0
#: The statuses of a job that a queue's deletion would terminate.
ACTIVE_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING")
#: Waiting for a replaced compute environment to drain (its jobs to finish) takes longer.
DRAIN_LIMIT_S = 6 * 3600.0

Progress = Callable[[str], None]


class ApplyFailed(AwsError):
    """A step failed: names it and AWS's message, lists the steps done (exit 1)."""

    title = "Apply failed"
    default_hint = "run the same apply again: it finds what was done and continues from there"

    def __init__(self, step: Step, number: int, total: int, cause: str, done: Sequence[Step]):
        done_text = "; ".join(s.title() for s in done) or "none"
        super().__init__(
            # One line, as every error is: "batchtui: <what> (<what to do>)".
            f"step {number} of {total} failed: {step.title()}: {cause}; "
            f"steps done before it: {done_text}",
            hint=self.default_hint,
        )
        self.step = step
        self.done = tuple(done)


@dataclass
class Waiter:
    """Polls on an injected clock: ``sleep`` moves time on (tests advance the sandbox's)."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = time.sleep
    poll_s: float = POLL_S


@dataclass
class ApplyResult:
    done: list[Step] = field(default_factory=list)


def read_live_state(aws: Aws, desired: DesiredState, *, quotas: bool = True) -> LiveState:
    """What the account has of what ``desired`` names: every compute environment (to find
    blue/green generations), every job queue, the newest ACTIVE revision of each job
    definition, which instance profiles are missing, and the vCPU quotas."""
    ces = describe_compute_environments(aws)
    queues = describe_job_queues(aws)
    jds = tuple(jd for spec in desired.job_definitions if (jd := _newest_revision(aws, spec.name)))
    missing = frozenset(
        role
        for role in {ce.instance_role for ce in desired.compute_environments if ce.instance_role}
        if not _instance_profile_exists(aws, role)
    )
    pools: dict[PurchaseModel, float] = {}
    if quotas:
        try:
            pools = vcpu_quotas(aws)
        except AwsError:
            pools = {}  # a quota that cannot be read only leaves the check out
    return LiveState(tuple(ces), tuple(queues), jds, missing, pools)


def _newest_revision(aws: Aws, name: str) -> JobDefinition | None:
    found: list[JobDefinition] = []
    params: dict[str, object] = {"jobDefinitionName": name, "status": "ACTIVE"}
    while True:
        page = aws.call("batch", "DescribeJobDefinitions", **params)
        found += [JobDefinition.from_api(d) for d in page.get("jobDefinitions", [])]
        if not page.get("nextToken"):
            break
        params["nextToken"] = page["nextToken"]
    return max(found, key=lambda d: d.revision) if found else None


def _instance_profile_exists(aws: Aws, role: str) -> bool:
    try:
        aws.call("iam", "GetInstanceProfile", InstanceProfileName=short_name(role))
    except NotFound:
        return False
    except AccessDenied:
        return True  # not ours to know: Batch will tell if it is missing
    except AwsError as e:
        if "NoSuchEntity" in str(e):
            return False
        raise
    return True


def apply_change_set(
    aws: Aws,
    steps: Sequence[Step],
    *,
    progress: Progress = lambda _: None,
    waiter: Waiter | None = None,
) -> ApplyResult:
    """Send each step's request in order, waiting as the step says; :class:`ApplyFailed`
    names the step that failed, AWS's message and the steps done before it."""
    waiter = waiter or Waiter()
    result = ApplyResult()
    total = len(steps)
    for number, step in enumerate(steps, 1):
        progress(f"[{number}/{total}] {step.title()}")
        try:
            for name in step.needs_valid:
                _wait_compute_environment(aws, name, Wait.VALID, waiter, progress)
            if step.operation == "DeleteComputeEnvironment":
                _wait_compute_environment(aws, step.name, Wait.DRAINED, waiter, progress)
            if step.operation == "DeleteJobQueue":
                _wait_queue_idle(aws, step.name, waiter, progress)
            aws.call("batch", step.operation, **dict(step.params))
            if step.wait is not Wait.NOTHING:
                if step.resource == "jobQueue" and step.wait is Wait.GONE:
                    _wait_job_queue_gone(aws, step.name, waiter, progress)
                elif step.resource == "jobQueue":
                    _wait_job_queue(aws, step.name, waiter, progress)
                else:
                    _wait_compute_environment(aws, step.name, step.wait, waiter, progress)
        except AwsError as e:
            raise ApplyFailed(step, number, total, e.message, result.done) from None
        result.done.append(step)
        progress(f"[{number}/{total}] done: {step.title()}")
    return result


def _wait_compute_environment(
    aws: Aws, name: str, until: Wait, waiter: Waiter, progress: Progress
) -> None:
    limit = DRAIN_LIMIT_S if until is Wait.DRAINED else WAIT_LIMIT_S
    start = waiter.clock()
    last = ""
    while True:
        found = describe_compute_environments(aws, [name])
        ce = found[0] if found else None
        if until is Wait.GONE:
            if ce is None or ce.status == "DELETED":
                return
            state = ce.status
        elif ce is None:
            raise NotFound(f"compute environment {name} is gone", hint="run apply again")
        elif ce.status == "INVALID":
            raise AwsError(f"compute environment {name} is INVALID: {ce.status_reason}")
        elif until is Wait.DRAINED:
            if ce.status == "VALID" and (ce.desired_vcpus == 0 or ce.terminate_jobs_on_update):
                return
            state = f"{ce.status}, desiredvCpus {ce.desired_vcpus} (draining)"
        else:
            if ce.status == "VALID":
                return
            state = ce.status
        if state != last:
            progress(f"    compute environment {name}: {state}")
            last = state
        if waiter.clock() - start > limit:
            raise AwsError(
                f"compute environment {name} is still {state} after {limit:.0f} s",
                hint="run apply again later: it continues from here",
            )
        waiter.sleep(waiter.poll_s)


def _active_jobs(aws: Aws, queue: str) -> dict[str, int]:
    """Jobs of the queue per status, SUBMITTED..RUNNING: the first page of each (a count past
    a page only says "still busy", which is all the wait needs)."""
    counts = {}
    for status in ACTIVE_STATUSES:
        page = aws.call("batch", "ListJobs", jobQueue=queue, jobStatus=status, maxResults=100)
        counts[status] = len(page.get("jobSummaryList", []))
    return counts


def _wait_queue_idle(aws: Aws, name: str, waiter: Waiter, progress: Progress) -> None:
    """Until the queue is DISABLED and holds no SUBMITTED..RUNNING job: DeleteJobQueue
    terminates the jobs a queue still has, and a removed queue's jobs are left to finish.

    A DISABLED queue places none of its waiting jobs (as diagnose's JOB_QUEUE_DISABLED says):
    once none of its jobs is STARTING or RUNNING, waiting ones would wait for ever, so the step
    stops there, naming them, rather than delete (terminate) them."""
    start = waiter.clock()
    last = ""
    while True:
        found = describe_job_queues(aws, [name])
        if not found or found[0].status in ("DELETING", "DELETED"):
            return  # gone already (a re-run after a lost answer)
        q = found[0]
        if q.state != "DISABLED":
            raise AwsError(
                f"job queue {name} is {q.state}: it is deleted only once DISABLED",
                hint="run apply again: it disables it first",
            )
        counts = _active_jobs(aws, name)
        running = counts["STARTING"] + counts["RUNNING"]
        waiting = sum(counts.values()) - running
        if not running and not waiting and q.status == "VALID":
            return
        if not running and waiting:
            raise AwsError(
                f"job queue {name} is DISABLED and still holds {waiting} SUBMITTED, PENDING or "
                "RUNNABLE job(s): a DISABLED queue places none of them, and deleting it would "
                "terminate them",
                hint="cancel them, or name the queue in the profile again; then run apply again",
            )
        state = (
            f"waiting for {running} STARTING or RUNNING job(s) to finish before deleting it"
            + (f" ({waiting} more waiting to be placed)" if waiting else "")
            if running
            else q.status
        )
        if state != last:
            progress(f"    job queue {name}: {state}")
            last = state
        if waiter.clock() - start > DRAIN_LIMIT_S:
            raise AwsError(
                f"job queue {name} still has running jobs after {DRAIN_LIMIT_S:.0f} s",
                hint="run apply again later, or stop its jobs: it continues from here",
            )
        waiter.sleep(waiter.poll_s)


def _wait_job_queue_gone(aws: Aws, name: str, waiter: Waiter, progress: Progress) -> None:
    start = waiter.clock()
    last = ""
    while True:
        found = describe_job_queues(aws, [name])
        if not found or found[0].status == "DELETED":
            return
        status = found[0].status
        if status != last:
            progress(f"    job queue {name}: {status}")
            last = status
        if waiter.clock() - start > WAIT_LIMIT_S:
            raise AwsError(f"job queue {name} is still {status} after {WAIT_LIMIT_S:.0f} s")
        waiter.sleep(waiter.poll_s)


def _wait_job_queue(aws: Aws, name: str, waiter: Waiter, progress: Progress) -> None:
    start = waiter.clock()
    last = ""
    while True:
        found = describe_job_queues(aws, [name])
        if not found:
            raise NotFound(f"job queue {name} is gone", hint="run apply again")
        q = found[0]
        if q.status == "VALID":
            return
        if q.status == "INVALID":
            raise AwsError(f"job queue {name} is INVALID: {q.status_reason}")
        if q.status != last:
            progress(f"    job queue {name}: {q.status}")
            last = q.status
        if waiter.clock() - start > WAIT_LIMIT_S:
            raise AwsError(f"job queue {name} is still {q.status} after {WAIT_LIMIT_S:.0f} s")
        waiter.sleep(waiter.poll_s)
