"""The dispatch pass: RUNNABLE jobs placed where capacity allows, and why a queue's head waits.

Queues by priority (higher first), jobs in the order they became RUNNABLE, CEs in
computeEnvironmentOrder, under maxvCpus and the shared vCPU quota (:mod:`fleet`, :mod:`fargate`;
multi-node jobs all at once, :mod:`multinode`). In a FIFO queue (no scheduling policy) a head that
is blocked (MISCONFIGURATION, CAPACITY, ACTION_REQUIRED) holds back the jobs behind it, as AWS
documents ("Jobs stuck in a RUNNABLE status"), until it leaves RUNNABLE or its cause is fixed.
A fair-share queue takes its jobs in the order :mod:`fair_share` gives, with no head blocking.
The :class:`~batchtui.sandbox.scheduler.Scheduler` runs a pass after each instant that changed
anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

from batchtui.capacity import fits
from batchtui.model import ResourceRequest
from batchtui.sandbox import fargate, multinode, placement
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord, Job, SchedulingPolicyRecord
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.consumables import Consumables
from batchtui.sandbox.fair_share import QueueUsage
from batchtui.sandbox.fleet import Fleet
from batchtui.sandbox.lifecycle import JobLifecycle

#: A dispatch pass gives up on a queue after this many jobs in a row found no room: the rest
#: wait their turn (AWS, too, reports only on the jobs at the head of a queue).
MAX_CONSECUTIVE_MISSES = 200


class Dispatcher:
    def __init__(
        self,
        store: BatchStore,
        lifecycle: JobLifecycle,
        fleet: Fleet,
        fargate_capacity: fargate.FargateCapacity,
        launch: multinode.Launch,
    ) -> None:
        self.store = store
        self.lifecycle = lifecycle
        self.fleet = fleet
        self.fargate = fargate_capacity
        self.launch = launch  # a new instance, which the scheduler registers when it is up
        self._misconfig: dict[tuple[str, ResourceRequest], str | None] = {}
        #: queue -> its RUNNABLE head that blocks it (FIFO queues), for the reason's lifetime.
        self.blocked_heads: dict[str, Job] = {}
        #: vCPUs each queue and share holds: fair share's input, the snapshot's utilization.
        self.usage = QueueUsage()
        #: Told when a job is found blocking the head of its queue (EventBridge's event).
        self.on_queue_blocked: Callable[[Job], None] | None = None
        #: Consumable resources: a job whose resources are in use waits, without a reason.
        self.consumables: Consumables | None = None

    def forget_misconfigurations(self) -> None:
        """A compute environment or a queue changed: what could never run may run now."""
        self._misconfig.clear()

    def place_runnable_jobs(self) -> None:
        """Place RUNNABLE jobs where capacity allows; say why a queue's head is blocked."""
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
            policy = self.store.policy_of(queue)
            if policy is not None:
                self._dispatch_fair_share(policy, pending, ces)
            elif queue.scheduling_policy_arn:
                self._dispatch_each(list(pending.values()), ces)
            else:
                self._dispatch_fifo(queue.name, pending, ces)

    def _dispatch_fifo(
        self, queue: str, pending: dict[str, Job], ces: list[ComputeEnvironmentRecord]
    ) -> None:
        """A FIFO queue: jobs in order; a blocked head holds back every job behind it.

        Jobs that only wait for room (instances launching, running jobs to finish) do not block:
        smaller jobs behind them may still start. The first job that cannot run for a blocking
        reason stops the pass; it carries the reason only when it is the head, i.e. no job before
        it is still waiting (AWS reports only on the head of a blocked queue).
        """
        waiting: set[Shape] = set()  # job shapes that found no room in this pass
        at_head = True
        blocked: Job | None = None
        misses = 0
        for job in list(pending.values()):
            if job.instance_id is not None:
                continue  # placed on an instance that is still launching
            key = _shape(job)
            outcome = None if key in waiting else self._place(job, ces)
            if outcome is True:
                misses = 0
                continue
            if outcome is None or not placement.is_blocking(outcome):
                waiting.add(key)
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
            if blocked is not previous and self.on_queue_blocked is not None:
                self.on_queue_blocked(blocked)
        if previous is not None and previous is not blocked and previous.status == "RUNNABLE":
            # No longer the head: it waits without a reason.
            self.lifecycle.set_reason(previous, None)

    def _dispatch_fair_share(
        self,
        policy: SchedulingPolicyRecord,
        pending: dict[str, Job],
        ces: list[ComputeEnvironmentRecord],
    ) -> None:
        """A fair-share queue: jobs in fair-share order, within computeReservation."""
        max_vcpus = float(sum(ce.max_vcpus for ce in ces))
        waiting = [j for j in pending.values() if j.instance_id is None]
        if not waiting:
            return
        order = self.usage.dispatch_order(waiting[0].queue, policy, waiting, self.lifecycle.now)
        self._dispatch_each(
            (j for j in order if self.usage.reserve_allows(j, policy, max_vcpus)), ces
        )

    def _dispatch_each(self, jobs: Iterable[Job], ces: list[ComputeEnvironmentRecord]) -> None:
        """A queue with a scheduling policy: no head-of-queue blocking; each job says why."""
        failed: dict[Shape, str | None] = {}
        misses = 0
        for job in jobs:  # lazily: fair share's order sees each placement before the next
            if job.instance_id is not None:
                continue
            req = _shape(job)
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
        """Why a job of this size can never run in this queue, or None (remembered until a
        compute environment or a queue changes)."""
        key = (queue_name, request)
        if key not in self._misconfig:
            queue = self.store.job_queues.get(queue_name)
            ces = self.store.ce_of_queue(queue) if queue else []
            if ces and ces[0].purchase.is_fargate:
                self._misconfig[key] = fargate.misconfiguration(request, ces)
            else:
                self._misconfig[key] = placement.misconfiguration(request, ces)
        return self._misconfig[key]

    def released(self, job: Job) -> None:
        """The job gave its capacity back: its queue and share hold that much less."""
        self.usage.released(job, self.lifecycle.now, self._decay(job.queue))

    def _decay(self, queue_name: str) -> float | None:
        queue = self.store.job_queues.get(queue_name)
        policy = self.store.policy_of(queue) if queue is not None else None
        return policy.share_decay_seconds if policy is not None else None

    def _place(self, job: Job, ces: list[ComputeEnvironmentRecord]) -> Literal[True] | str | None:
        """True when the job got capacity (it starts now, or when its instance is up); else why
        not: a statusReason, or None when it just waits its turn."""
        if self.consumables is not None and not self.consumables.available(job):
            return None
        outcome = self._place_on(job, ces)
        if outcome is True:
            self.usage.placed(job, self.lifecycle.now, self._decay(job.queue))
            if self.consumables is not None:
                self.consumables.hold(job)
        return outcome

    def _place_on(
        self, job: Job, ces: list[ComputeEnvironmentRecord]
    ) -> Literal[True] | str | None:
        if job.node_index is not None:  # the main node of an MNP job: every node at once
            outcome = multinode.place_gang(job, ces, self.fleet, self.launch)
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
                inst = self.launch(ce, itype)
            self.fleet.assign(inst, job)
            if inst.ready:
                self.lifecycle.start(job)
            return True
        if quota_blocked and len(quota_blocked) == fitting:
            # Until the launches have failed a while, Batch gives no reason: the job just waits.
            now = self.lifecycle.now
            if all(self.fleet.launches.failing_long(ce.name, now) for ce in quota_blocked):
                return placement.capacity_reason(quota_blocked[0], job.request)
        return None


#: What a pass remembers of a job that found no room: its size and the consumables it needs.
Shape = tuple[ResourceRequest, tuple[tuple[str, int], ...]]


def _shape(job: Job) -> Shape:
    return job.request, job.consumables


def placement_fits(request: ResourceRequest, ce: ComputeEnvironmentRecord) -> bool:
    return any(fits(request, it) for it in ce.instance_types)
