"""The one Batch scheduler of the sandbox: an event queue on a simulated clock.

No thread per job: every future change (a job leaving SUBMITTED, an instance registering, an
attempt exiting, a spot interruption, an idle instance scaling in) is an event in one heap, and
:meth:`Scheduler.run_until` applies them in time order. After each instant that changed anything
a dispatch pass places RUNNABLE jobs: queues by priority (higher first), jobs in the order they
became RUNNABLE, CEs in computeEnvironmentOrder, under maxvCpus and the shared vCPU quota
(:mod:`fleet`). In a FIFO queue (no scheduling policy) a head that is blocked (MISCONFIGURATION,
CAPACITY, ACTION_REQUIRED) holds back the jobs behind it, as AWS documents ("Jobs stuck in a
RUNNABLE status"), until it leaves RUNNABLE or its cause is fixed. Job state changes are the
:class:`~batchtui.sandbox.lifecycle.JobLifecycle`'s (``scheduler.lifecycle``), which sees this
class as a :class:`~batchtui.sandbox.scheduling.SchedulerHost`; this module decides when.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from batchtui.capacity import fits
from batchtui.model import InstanceType, ResourceRequest
from batchtui.sandbox import fargate, multinode, placement, runner
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord, Instance, Job
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.clock import Clock, ManualClock
from batchtui.sandbox.config import SandboxConfig
from batchtui.sandbox.fleet import Fleet
from batchtui.sandbox.job_logs import LogWriter
from batchtui.sandbox.lifecycle import JobLifecycle
from batchtui.sandbox.status_reasons import TASK_STOPPED

#: A dispatch pass gives up on a queue after this many jobs in a row found no room: the rest
#: wait their turn (AWS, too, reports only on the jobs at the head of a queue).
MAX_CONSECUTIVE_MISSES = 200

_Arg = TypeVar("_Arg")


class Scheduler:
    def __init__(
        self,
        store: BatchStore,
        config: SandboxConfig,
        clock: Clock,
        quotas: dict[str, float],
        rng: random.Random,
    ) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.rng = rng
        self.fleet = Fleet(store, quotas)
        self.fargate = fargate.FargateCapacity(store, quotas)
        self.logs = LogWriter(store.region)
        self.lock = threading.RLock()
        self.now = clock.now()
        self.endpoint_url = ""
        self.events_processed = 0
        self._heap: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self._eseq = itertools.count()
        self._dirty = False
        self.lifecycle = JobLifecycle(self, store, config, rng, self.logs)
        self._misconfig: dict[tuple[str, ResourceRequest], str | None] = {}
        #: queue -> its RUNNABLE head that blocks it (FIFO queues), for the reason's lifetime.
        self.blocked_heads: dict[str, Job] = {}
        self._quotas_seen: dict[str, float] = dict(quotas)

    @property
    def runs(self) -> dict[str, runner.Run]:
        """The attempts running as real processes, by job id (the Sandbox stops them)."""
        return self.lifecycle.attempts.runs

    # -- time --------------------------------------------------------------------------
    def at(self, t: float, handler: Callable[[_Arg], None], arg: _Arg) -> None:
        """Call ``handler(arg)`` at simulated time ``t``; one instant's events in call order."""
        heapq.heappush(self._heap, (t, next(self._eseq), handler, arg))

    def after(self, seconds: float, handler: Callable[[_Arg], None], arg: _Arg) -> None:
        self.at(self.now + seconds, handler, arg)

    def call_at(self, t: float, fn: Callable[[Scheduler], None]) -> None:
        """Run ``fn(scheduler)`` at simulated time ``t`` (the demo's trickle of submissions)."""
        self.at(t, fn, self)

    def request_dispatch(self) -> None:
        """Place jobs at the end of this instant: something changed that a pass must see."""
        self._dirty = True

    def catch_up(self) -> None:
        """Apply everything due by the clock's now (before answering an API call)."""
        self.run_until(self.clock.now())

    def run_until(self, t: float) -> None:
        with self.lock:
            self.lifecycle.attempts.reap_exits()
            if self.fleet.quotas != self._quotas_seen:  # a quota was raised or lowered
                self._quotas_seen = dict(self.fleet.quotas)
                self._dirty = True
            if self._dirty:  # an API call changed something at self.now: place jobs then
                self.dispatch()
            while self._heap and self._heap[0][0] <= t:
                instant = self._heap[0][0]
                self.now = max(self.now, instant)
                while self._heap and self._heap[0][0] <= instant:
                    _, _, handler, arg = heapq.heappop(self._heap)
                    self.events_processed += 1
                    handler(arg)
                if self._dirty:
                    self.dispatch()
            self.now = max(self.now, t)
            if isinstance(self.clock, ManualClock):
                self.clock.set(self.now)
            if self._dirty:
                self.dispatch()

    def advance(self, seconds: float) -> None:
        self.run_until(self.now + seconds)

    def next_event_time(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    # -- resources changing ------------------------------------------------------------
    def compute_environment_changed(self, ce: ComputeEnvironmentRecord, floor: int = 0) -> None:
        """After create/update: launch up to minvCpus (or a raised desiredvCpus), re-dispatch."""
        self._misconfig.clear()
        if ce.schedulable or (ce.status == "VALID" and ce.min_vcpus):
            for inst in self.fleet.fill_to(ce, max(ce.min_vcpus, floor), self.now):
                self.after(self.config.scale_up_seconds, self._on_instance_ready, inst.id)
        self._dirty = True

    def queue_changed(self) -> None:
        self._misconfig.clear()
        self._dirty = True

    def set_valid_later(self, kind: str, name: str) -> None:
        """CREATING/UPDATING -> VALID after the configured transition time."""
        if self.config.resource_transition_seconds <= 0:
            self._on_valid((kind, name))
        else:
            self.after(self.config.resource_transition_seconds, self._on_valid, (kind, name))

    def _on_valid(self, arg: tuple[str, str]) -> None:
        kind, name = arg
        if kind == "ce":
            ce = self.store.compute_environments.get(name)
            if ce is not None and ce.status in ("CREATING", "UPDATING"):
                ce.status, ce.status_reason = "VALID", "ComputeEnvironment Healthy"
                self.compute_environment_changed(ce)
        else:
            q = self.store.job_queues.get(name)
            if q is not None and q.status in ("CREATING", "UPDATING"):
                q.status, q.status_reason = "VALID", "JobQueue Healthy"
                self.queue_changed()

    def delete_compute_environment(self, ce: ComputeEnvironmentRecord) -> None:
        for inst in list(ce.instances.values()):
            self.lose_instance(inst, f"Host EC2 (instance {inst.id}) terminated.")
        for job_id in sorted(ce.tasks):  # Fargate tasks stop with their CE
            job = self.store.jobs[job_id]
            self.lifecycle.end_attempt(job, exit_code=None, status_reason=TASK_STOPPED)
        self.store.compute_environments.pop(ce.name, None)
        self.queue_changed()

    # -- instances ---------------------------------------------------------------------
    def _on_instance_ready(self, instance_id: str) -> None:
        inst = self.store.instances.get(instance_id)
        if inst is None:
            return
        self.fleet.register(inst, self.now)
        for job_id in sorted(inst.jobs):
            job = self.store.jobs[job_id]
            if job.status == "RUNNABLE":
                self.lifecycle.start(job)
        if inst.spot and self.config.spot_interruption_rate_per_hour > 0:
            rate = self.config.spot_interruption_rate_per_hour / 3600.0
            inst.interrupt_at = self.now + self.rng.expovariate(rate)
            self.at(inst.interrupt_at, self._on_interrupt, inst.id)
        if not inst.jobs:
            self.after(self.config.scale_down_idle_seconds, self._on_idle_check, inst.id)
        self._dirty = True

    def _on_idle_check(self, instance_id: str) -> None:
        inst = self.store.instances.get(instance_id)
        if inst is None or inst.jobs or inst.idle_since is None or not inst.ready:
            return
        if self.now - inst.idle_since < self.config.scale_down_idle_seconds - 1e-6:
            return
        ce = self.store.compute_environments.get(inst.ce_name)
        if ce is None or ce.desired_vcpus - inst.itype.vcpus >= ce.min_vcpus:
            self.fleet.terminate(inst)
            self._dirty = True

    def release_capacity(self, job: Job) -> None:
        """The job gives back its Fargate task or its room on an instance; an instance left
        idle scales in after scale_down_idle_seconds unless a job takes it."""
        self.fargate.release(job)
        inst = self.fleet.release(job, self.now)
        if inst is not None:
            self.after(self.config.scale_down_idle_seconds, self._on_idle_check, inst.id)
            self._dirty = True

    def _launch(self, ce: ComputeEnvironmentRecord, itype: InstanceType) -> Instance:
        """A new instance for the CE; it registers (and takes jobs) after scale_up_seconds."""
        inst = self.fleet.launch(ce, itype, self.now)
        self.after(self.config.scale_up_seconds, self._on_instance_ready, inst.id)
        return inst

    def _on_interrupt(self, instance_id: str) -> None:
        inst = self.store.instances.get(instance_id)
        if inst is not None and inst.interrupt_at is not None:
            self.interrupt_instance(instance_id)

    def interrupt_task(self, job_id: str) -> bool:
        """AWS takes a Fargate Spot task's capacity back now: its attempt fails as AWS says."""
        with self.lock:
            return self.lifecycle.attempts.interrupt_task(job_id)

    def interrupt_instance(self, instance_id: str) -> bool:
        """EC2 reclaims a spot instance now: its attempts fail as AWS reports it."""
        with self.lock:
            inst = self.store.instances.get(instance_id)
            if inst is None:
                return False
            self.lose_instance(inst, f"Host EC2 (instance {inst.id}) terminated.")
            return True

    def lose_instance(self, inst: Instance, status_reason: str) -> None:
        for job_id in sorted(inst.jobs):
            job = self.store.jobs[job_id]
            if job.status in ("STARTING", "RUNNING"):
                self.lifecycle.end_attempt(job, exit_code=None, status_reason=status_reason)
            else:  # placed on a launching instance: back in line
                self.fleet.release(job, self.now)
        self.fleet.terminate(inst)
        self._dirty = True

    # -- dispatch ----------------------------------------------------------------------
    def dispatch(self) -> None:
        """Place RUNNABLE jobs where capacity allows; say why a queue's head is blocked."""
        self._dirty = False
        queues = sorted(
            (q for q in self.store.job_queues.values() if q.schedulable),
            key=lambda q: (-q.priority, q.created_at, q.name),
        )
        for queue in queues:
            pending = self.lifecycle.runnable.get(queue.name)
            if not pending:
                self.blocked_heads.pop(queue.name, None)
                continue
            ces = self.store.ce_of_queue(queue)
            if queue.scheduling_policy_arn:
                self._dispatch_each(pending, ces)
            else:
                self._dispatch_fifo(queue.name, pending, ces)
        self._dirty = False  # jobs this pass started left RUNNABLE: nothing new to place

    def _dispatch_fifo(
        self, queue: str, pending: dict[str, Job], ces: list[ComputeEnvironmentRecord]
    ) -> None:
        """A FIFO queue: jobs in order; a blocked head holds back every job behind it.

        Jobs that only wait for room (instances launching, running jobs to finish) do not block:
        smaller jobs behind them may still start. The first job that cannot run for a blocking
        reason stops the pass; it carries the reason only when it is the head, i.e. no job before
        it is still waiting (AWS reports only on the head of a blocked queue).
        """
        waiting: set[ResourceRequest] = set()  # requests that found no room in this pass
        at_head = True
        blocked: Job | None = None
        misses = 0
        for job in list(pending.values()):
            if job.instance_id is not None:
                continue  # placed on an instance that is still launching
            outcome = None if job.request in waiting else self._place(job, ces)
            if outcome is True:
                misses = 0
                continue
            if outcome is None or not placement.is_blocking(outcome):
                waiting.add(job.request)
                self.lifecycle.set_reason(job, None)
                at_head = False
                misses += 1
                if misses >= MAX_CONSECUTIVE_MISSES:
                    break
                continue
            if at_head:
                blocked = job
                self.lifecycle.set_reason(job, outcome)
            else:
                self.lifecycle.set_reason(job, None)
            break
        previous = self.blocked_heads.pop(queue, None)
        if blocked is not None:
            self.blocked_heads[queue] = blocked
        if previous is not None and previous is not blocked and previous.status == "RUNNABLE":
            self.lifecycle.set_reason(
                previous, None
            )  # no longer the head: it waits without a reason

    def _dispatch_each(self, pending: dict[str, Job], ces: list[ComputeEnvironmentRecord]) -> None:
        """A queue with a scheduling policy: no head-of-queue blocking; each job says why."""
        failed: dict[ResourceRequest, str | None] = {}
        misses = 0
        for job in list(pending.values()):
            if job.instance_id is not None:
                continue
            req = job.request
            if req in failed:
                self.lifecycle.set_reason(job, failed[req])
                misses += 1
            else:
                outcome = self._place(job, ces)
                if outcome is True:
                    misses = 0
                    continue
                failed[req] = outcome
                self.lifecycle.set_reason(job, outcome)
                misses += 1
            if misses >= MAX_CONSECUTIVE_MISSES:
                break

    def misconfiguration(self, queue_name: str, request: ResourceRequest) -> str | None:
        key = (queue_name, request)
        if key not in self._misconfig:
            queue = self.store.job_queues.get(queue_name)
            ces = self.store.ce_of_queue(queue) if queue else []
            if ces and ces[0].purchase.is_fargate:
                self._misconfig[key] = fargate.misconfiguration(request, ces)
            else:
                self._misconfig[key] = placement.misconfiguration(request, ces)
        return self._misconfig[key]

    def _place(self, job: Job, ces: list[ComputeEnvironmentRecord]) -> Literal[True] | str | None:
        """True when the job got capacity (it starts now, or when its instance is up); else why
        not: a statusReason, or None when it just waits its turn."""
        if job.node_index is not None:  # the main node of an MNP job: every node at once
            outcome = multinode.place_gang(job, ces, self.fleet, self._launch)
            if outcome is True and self.store.instances[job.instance_id or ""].ready:
                self.lifecycle.start(job)
            return outcome
        reason = self.misconfiguration(job.queue, job.request)
        if reason is not None:
            return reason
        usable = [ce for ce in ces if ce.schedulable]
        if not usable:
            return None
        if usable[0].purchase.is_fargate:  # a queue's CEs are all Fargate or all EC2
            if self.fargate.place(job, usable) is None:
                return None  # no room under maxvCpus or the Fargate quota: it waits
            self.lifecycle.start(job)
            return True
        fitting = 0
        quota_blocked: list[ComputeEnvironmentRecord] = []
        for ce in usable:
            inst = self.fleet.find_room(ce, job.request)
            if inst is None:
                itype, by_quota = self.fleet.launchable(ce, job.request)
                if itype is None:
                    if placement_fits(job.request, ce):
                        fitting += 1
                        if by_quota:
                            quota_blocked.append(ce)
                    continue
                inst = self._launch(ce, itype)
            self.fleet.assign(inst, job)
            if inst.ready:
                self.lifecycle.start(job)
            return True
        if quota_blocked and len(quota_blocked) == fitting:
            return placement.capacity_reason(quota_blocked[0], job.request)
        return None


def placement_fits(request: ResourceRequest, ce: ComputeEnvironmentRecord) -> bool:
    return any(fits(request, it) for it in ce.instance_types)
