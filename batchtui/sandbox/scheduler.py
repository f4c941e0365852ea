"""The one Batch scheduler of the sandbox: an event queue on a simulated clock.

No thread per job: every future change (a job leaving SUBMITTED, an instance registering, an
attempt exiting, a spot interruption, an idle instance scaling in) is an event in one heap, and
:meth:`Scheduler.run_until` applies them in time order. After each instant that changed anything
a dispatch pass (:mod:`dispatch`) places RUNNABLE jobs. Instances launch, register, idle and get
interrupted here. Job state changes are the :class:`~batchtui.sandbox.lifecycle.JobLifecycle`'s
(``scheduler.lifecycle``), which sees this class as a
:class:`~batchtui.sandbox.scheduling.SchedulerHost`; this module decides when.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from batchtui.model import InstanceType
from batchtui.sandbox import fargate, joining, runner
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord, Instance, Job
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.clock import Clock, ManualClock
from batchtui.sandbox.config import SandboxConfig
from batchtui.sandbox.consumables import Consumables
from batchtui.sandbox.dispatch import Dispatcher
from batchtui.sandbox.events import BatchEvents
from batchtui.sandbox.fleet import Fleet
from batchtui.sandbox.job_logs import LogWriter
from batchtui.sandbox.launches import RETRY_SECONDS
from batchtui.sandbox.lifecycle import JobLifecycle
from batchtui.sandbox.status_reasons import TASK_STOPPED

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
        self.fleet = Fleet(store, quotas, lambda: self.now)
        self.fargate = fargate.FargateCapacity(store, quotas)
        self.logs = LogWriter(store.region)
        self.lock = threading.RLock()
        self.now = clock.now()
        self.endpoint_url = ""
        #: What a job running for real signs its calls with, and its private home directory.
        self.credentials: tuple[str, str] = ("testing", "testing")
        self.run_home = ""
        self.events_processed = 0
        self._heap: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self._eseq = itertools.count()
        self._dirty = False
        self.lifecycle = JobLifecycle(self, store, config, rng, self.logs)
        self.consumables = Consumables(store, lambda: self.now)
        self.dispatcher = Dispatcher(store, self.lifecycle, self.fleet, self.fargate, self._launch)
        self.dispatcher.consumables = self.consumables
        self._quotas_seen: dict[str, float] = dict(quotas)
        self.events = BatchEvents(store, lambda: self.now)

    @property
    def runs(self) -> dict[str, runner.Run]:
        """The attempts running as real processes, by job id (the Sandbox stops them)."""
        return self.lifecycle.attempts.runs

    def publish_events(self) -> None:
        """From now on, job state changes and blocked queues go to EventBridge (not the seeded
        history: AWS does not replay it either)."""
        self.store.status_listener = self.events.job_state_changed
        self.dispatcher.on_queue_blocked = self.events.queue_blocked

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
        self.dispatcher.forget_misconfigurations()
        if ce.schedulable or (ce.status == "VALID" and ce.min_vcpus):
            for inst in self.fleet.fill_to(ce, max(ce.min_vcpus, floor), self.now):
                self.after(self.config.scale_up_seconds, self._on_instance_ready, inst.id)
        self._dirty = True

    def queue_changed(self) -> None:
        self.dispatcher.forget_misconfigurations()
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
        ce.status, ce.status_reason = "DELETING", "Compute environment is being deleted"
        self.delete_later("ce", ce.name)
        self.queue_changed()

    def delete_later(self, kind: str, name: str) -> None:
        """A CE ("ce") or queue ("queue") shown DELETING, gone after the transition time: at
        least a second, so that a client polling for DELETING sees it, as on AWS."""
        delay = max(self.config.resource_transition_seconds, 1.0)
        self.after(delay, self._on_deleted, (kind, name))

    def _on_deleted(self, arg: tuple[str, str]) -> None:
        kind, name = arg
        held = self.store.compute_environments if kind == "ce" else self.store.job_queues
        record = held.get(name)
        if record is not None and record.status == "DELETING":
            del held[name]
            self.queue_changed()

    # -- instances ---------------------------------------------------------------------
    def _on_instance_ready(self, instance_id: str) -> None:
        inst = self.store.instances.get(instance_id)
        if inst is None:
            return
        ce = self.store.compute_environments.get(inst.ce_name)
        if ce is not None and not self._can_join(ce, inst):
            return  # up, but its ECS agent never registers: its jobs stay RUNNABLE, as on AWS
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

    def _can_join(self, ce: ComputeEnvironmentRecord, inst: Instance) -> bool:
        """Whether the instance's ECS agent reaches ECS and may register (:mod:`joining`); an
        EKS compute environment's nodes join Kubernetes instead, not modelled."""
        if ce.eks_configuration is not None:
            return True
        role = str(ce.compute_resources.get("instanceRole") or "")
        return joining.reaches_ecs(self.store.region, inst.subnet) and joining.role_allows_ecs(role)

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
        self.dispatcher.released(job)
        self.fargate.release(job)
        if self.consumables.release(job):
            self._dirty = True  # what it gave back may start a waiting job
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
                self.dispatcher.released(job)
                self.fleet.release(job, self.now)
        self.fleet.terminate(inst)
        self._dirty = True

    # -- dispatch ----------------------------------------------------------------------
    def dispatch(self) -> None:
        """Place RUNNABLE jobs where capacity allows; say why a queue's head is blocked."""
        self._dirty = False
        self.dispatcher.place_runnable_jobs()
        self._dirty = False  # jobs this pass started left RUNNABLE: nothing new to place
        if self.fleet.launches.retry_wanted:  # an Auto Scaling group retries a failed launch
            self.fleet.launches.retry_wanted = False
            self.after(RETRY_SECONDS, self._on_launch_retry, None)

    def _on_launch_retry(self, _: None) -> None:
        self._dirty = True
