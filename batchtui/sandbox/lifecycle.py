"""How one job moves: SUBMITTED -> PENDING -> RUNNABLE -> STARTING -> RUNNING -> SUCCEEDED/FAILED.

:class:`JobLifecycle` works for the :class:`~batchtui.sandbox.scheduler.Scheduler`, which owns
time and capacity and decides when a job is placed; it sees the scheduler only as a
:class:`~batchtui.sandbox.scheduling.SchedulerHost`. Here: dependencies (dependsOn, N_TO_N,
SEQUENTIAL), array children and their parent's summary, RUNNABLE queues and their reasons,
retryStrategy, cancel and terminate as AWS documents them, and jobStateTimeLimitActions. Each
attempt's run is :mod:`attempts`; multi-node parallel jobs' nodes are :mod:`multinode`.
"""

from __future__ import annotations

import random

from batchtui.sandbox import multinode
from batchtui.sandbox.attempts import Attempts
from batchtui.sandbox.batch_records import Job
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.config import SandboxConfig
from batchtui.sandbox.dependencies import Dependencies
from batchtui.sandbox.job_logs import LogWriter
from batchtui.sandbox.queue_positions import QueuePositions
from batchtui.sandbox.retry import should_retry
from batchtui.sandbox.scheduling import SchedulerHost
from batchtui.sandbox.status_reasons import (
    CHILD_FAILED,
    DEPENDENCY_FAILED,
    ESSENTIAL_EXIT,
    TIME_LIMIT,
)

#: Seconds between SubmitJob and the scheduler's first look (AWS: a second or so).
SUBMIT_DELAY = 1.0


class JobLifecycle:
    def __init__(
        self,
        host: SchedulerHost,
        store: BatchStore,
        config: SandboxConfig,
        rng: random.Random,
        logs: LogWriter,
    ) -> None:
        self.host = host
        self.store = store
        self.config = config
        self.runnable: dict[str, dict[str, Job]] = {}  # queue -> RUNNABLE jobs in order
        self.positions = QueuePositions()  # when each reached its place (GetJobQueueSnapshot)
        self.dependencies = Dependencies(store)
        self.attempts = Attempts(host, self, store, config, rng, logs)

    @property
    def now(self) -> float:
        return self.host.now

    # -- submission and dependencies -----------------------------------------------------
    def submit(self, job: Job) -> None:
        job.created_at = self.now
        self.store.add_job(job)
        self.host.after(SUBMIT_DELAY, self._on_evaluate, job.job_id)

    def _on_evaluate(self, job_id: str) -> None:
        job = self.store.jobs.get(job_id)
        if job is not None and job.status == "SUBMITTED":
            self.evaluate(job)

    def evaluate(self, job: Job) -> None:
        """SUBMITTED -> PENDING (waiting on dependsOn) or RUNNABLE; array parents spawn."""
        for dep in job.depends_on:
            if dep.get("type") in ("N_TO_N", "SEQUENTIAL"):
                continue  # per child, below
            if not self.dependencies.wait_for(job, dep["jobId"]):
                self.finish(job, "FAILED", DEPENDENCY_FAILED)
                return
        if job.children is not None or job.waiting_on:
            self.store.set_status(job, "PENDING")
        if job.waiting_on == 0:
            self.release(job)

    def release(self, job: Job) -> None:
        """Every dependency met: an array parent spawns its children, a job becomes RUNNABLE."""
        if job.array_size is not None and job.parent is None:
            self._spawn_children(job)
        elif job.num_nodes is not None and job.node_index is None:
            multinode.spawn_nodes(self, job)
        else:
            self.to_runnable(job)

    def _spawn_children(self, parent: Job) -> None:
        assert parent.array_size is not None
        n_to_n = [d["jobId"] for d in parent.depends_on if d.get("type") == "N_TO_N"]
        sequential = any(d.get("type") == "SEQUENTIAL" for d in parent.depends_on)
        parent.children = []
        parent.status_counts = {}
        for i in range(parent.array_size):
            child = Job(f"{parent.job_id}:{i}", parent.name, parent.queue, parent.job_def)
            for slot in (
                "container",
                "request",
                "retry_strategy",
                "timeout",
                "parameters",
                "share_identifier",
                "scheduling_priority",
                "eks_properties",
                "consumables",
            ):
                setattr(child, slot, getattr(parent, slot))
            child.array_index = i
            child.parent = parent
            child.status = "PENDING"
            child.created_at = self.now
            self.store.add_job(child)
            parent.children.append(child)
            for other in n_to_n:
                self.dependencies.wait_for(child, f"{other}:{i}")
            if sequential and i > 0:
                self.dependencies.wait_for(child, f"{parent.job_id}:{i - 1}")
        self.store.set_status(parent, "PENDING")
        for child in parent.children:
            if child.waiting_on == 0:
                self.to_runnable(child)

    def _notify_dependents(self, job: Job) -> None:
        for waiting in self.dependencies.waiting_on(job):
            if waiting.is_final:
                continue
            if job.status == "SUCCEEDED":
                waiting.waiting_on -= 1
                if waiting.waiting_on == 0 and waiting.status == "PENDING":
                    self.release(waiting)
            else:
                self.cancel_pending(waiting, DEPENDENCY_FAILED)

    # -- RUNNABLE --------------------------------------------------------------------------
    def to_runnable(self, job: Job) -> None:
        self.store.set_status(job, "RUNNABLE")
        job.runnable_since = self.now
        job.status_reason = None
        job.reason_since = None
        self.positions.joined(job)
        self.runnable.setdefault(job.queue, {})[job.job_id] = job
        self.host.request_dispatch()  # the pass at this instant places it or says why not

    def _leave_runnable(self, job: Job) -> None:
        queue = self.runnable.get(job.queue)
        if queue is not None and queue.pop(job.job_id, None) is not None:
            self.positions.left(job.queue, job, self.now)  # every job behind it moves up
        job.reason_since = None
        self.host.request_dispatch()  # the job behind it may be the head now

    def set_reason(self, job: Job, reason: str | None) -> None:
        if reason == job.status_reason:
            return
        job.status_reason = reason
        job.reason_since = self.now if reason else None
        queue = self.store.job_queues.get(job.queue)
        if reason and queue is not None:
            for action in queue.time_limit_actions:
                if reason.startswith(str(action.get("reason", "\0"))):
                    wait = float(action.get("maxTimeSeconds", 0))
                    self.host.after(wait, self._on_time_limit, job.job_id)

    def _on_time_limit(self, job_id: str) -> None:
        job = self.store.jobs.get(job_id)
        queue = self.store.job_queues.get(job.queue) if job else None
        if job is None or queue is None or job.status != "RUNNABLE" or job.instance_id:
            return
        if job.status_reason is None or job.reason_since is None:
            return
        for action in queue.time_limit_actions:
            matches = job.status_reason.startswith(str(action.get("reason", "\0")))
            waited = self.now - job.reason_since + 1e-6 >= float(action.get("maxTimeSeconds", 0))
            if matches and waited and str(action.get("action", "")).upper() == "CANCEL":
                job.is_cancelled = True
                self.finish(job, "FAILED", TIME_LIMIT.format(reason=action["reason"]))
                return

    # -- running ---------------------------------------------------------------------------
    def start(self, job: Job) -> None:
        """Placed: the job leaves RUNNABLE and its attempt starts (:mod:`attempts`)."""
        self._leave_runnable(job)
        self.attempts.start(job)

    # -- ending ----------------------------------------------------------------------------
    def end_attempt(
        self,
        job: Job,
        *,
        exit_code: int | None,
        status_reason: str,
        retryable: bool = True,
        final_reason: str | None = None,
    ) -> None:
        """The current attempt is over: record it, free its capacity, retry or finish."""
        self.attempts.stop(job, exit_code=exit_code, status_reason=status_reason)
        self.host.request_dispatch()
        if exit_code == 0:
            self.finish(job, "SUCCEEDED", status_reason)
        elif retryable and should_retry(
            job.retry_strategy, len(job.attempts), status_reason, job.reason, exit_code
        ):
            self.to_runnable(job)
        else:
            self.finish(job, "FAILED", final_reason or status_reason)

    def finish(self, job: Job, status: str, reason: str | None) -> None:
        if job.is_final:
            return
        if job.status == "RUNNABLE":
            self._leave_runnable(job)
        if job.instance_id is not None:  # placed on an instance still launching
            self.host.release_capacity(job)
        job.status_reason = reason
        job.stopped_at = self.now
        self.store.set_status(job, status)
        self._notify_dependents(job)
        parent = job.parent
        if parent is not None and multinode.is_main(job):
            multinode.main_finished(self, parent, job)
        elif parent is not None and parent.array_size is not None and parent.status_counts:
            counts = parent.status_counts
            done = counts.get("SUCCEEDED", 0) + counts.get("FAILED", 0)
            if done == parent.array_size:
                ok = counts.get("SUCCEEDED", 0) == parent.array_size
                self.finish(parent, "SUCCEEDED" if ok else "FAILED", None if ok else CHILD_FAILED)

    # -- cancel and terminate --------------------------------------------------------------
    def cancel_pending(self, job: Job, reason: str) -> None:
        """Fail a job that has not started (SUBMITTED, PENDING, RUNNABLE) with ``reason``."""
        if job.children is not None:
            for child in job.children:
                if child.status in ("SUBMITTED", "PENDING", "RUNNABLE"):
                    self.cancel_pending(child, reason)
            return  # the parent finishes when its last child does
        if job.nodes is not None:  # an MNP job ends with its main node
            self.cancel_pending(job.nodes[job.main_node], reason)
            return
        if job.status in ("SUBMITTED", "PENDING", "RUNNABLE"):
            self.finish(job, "FAILED", reason)

    def cancel(self, job: Job, reason: str) -> None:
        """CancelJob: jobs that reached STARTING or RUNNING are left alone (AWS does too)."""
        if job.children is not None or job.status in ("SUBMITTED", "PENDING", "RUNNABLE"):
            job.is_cancelled = True
            self.cancel_pending(job, reason)

    def terminate(self, job: Job, reason: str) -> None:
        """TerminateJob: a job not yet placed fails now; a STARTING or RUNNING one keeps its
        status until its container has stopped (:attr:`SandboxConfig.stop_seconds` later, as
        ECS sends SIGTERM and waits for the exit), then fails, never retried."""
        if job.is_final:
            return
        job.is_terminated = True
        if job.children is not None or job.nodes is not None:
            for child in job.children or job.nodes or ():
                self.terminate(child, reason)
            return
        if job.status in ("STARTING", "RUNNING"):
            if self.config.stop_seconds <= 0:
                self._container_stopped((job.job_id, job.run_token, reason))
            else:
                stopping = (job.job_id, job.run_token, reason)
                self.host.after(self.config.stop_seconds, self._container_stopped, stopping)
        else:
            self.finish(job, "FAILED", reason)

    def _container_stopped(self, arg: tuple[str, int, str]) -> None:
        job = self.store.jobs.get(arg[0])
        if job is None or job.run_token != arg[1] or job.status not in ("STARTING", "RUNNING"):
            return  # it ended on its own meanwhile
        self.end_attempt(
            job,
            exit_code=143 if job.status == "RUNNING" else None,
            status_reason=ESSENTIAL_EXIT,
            retryable=False,
            final_reason=arg[2],
        )
