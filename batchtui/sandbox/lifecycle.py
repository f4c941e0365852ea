"""How one job moves: SUBMITTED -> PENDING -> RUNNABLE -> STARTING -> RUNNING -> SUCCEEDED/FAILED.

Mixed into :class:`~batchtui.sandbox.scheduler.Scheduler`, which owns time and placement. Here:
dependencies (dependsOn, N_TO_N, SEQUENTIAL), array children and their parent's summary, attempts
(exit codes, log streams, timeouts, retryStrategy), cancel and terminate as AWS documents them,
and jobStateTimeLimitActions.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from batchtui.model import ResourceRequest
from batchtui.sandbox import multinode, runner, workload
from batchtui.sandbox.batch_store import Attempt, BatchStore, Instance, Job
from batchtui.sandbox.config import SandboxConfig
from batchtui.sandbox.fargate import FargateCapacity
from batchtui.sandbox.fleet import Fleet
from batchtui.sandbox.job_logs import LogWriter, log_target
from batchtui.sandbox.queue_positions import QueuePositions
from batchtui.sandbox.retry import should_retry

ESSENTIAL_EXIT = "Essential container in task exited"
ATTEMPT_TIMEOUT = "Job attempt duration exceeded timeout"
DEPENDENCY_FAILED = "Dependent Job failed"
CHILD_FAILED = "Array Child Job failed"
TIME_LIMIT = "Canceled by JobStateTimeLimit action due to reason: {reason}"
#: A Fargate task stopped because its compute environment was deleted (a guess at the words).
TASK_STOPPED = "Task stopped: its compute environment was deleted"
#: Seconds between SubmitJob and the scheduler's first look (AWS: a second or so).
SUBMIT_DELAY = 1.0


class JobLifecycle:
    store: BatchStore
    config: SandboxConfig
    fleet: Fleet
    fargate: FargateCapacity
    logs: LogWriter
    rng: random.Random
    now: float
    endpoint_url: str
    credentials: tuple[str, str]
    run_home: str
    runnable: dict[str, dict[str, Job]]
    positions: QueuePositions
    dependents: dict[str, list[Job]]
    runs: dict[str, Any]
    completions: Any
    lock: Any
    _dirty: bool
    after: Callable[..., None]
    at: Callable[..., None]
    misconfiguration: Callable[[str, ResourceRequest], str | None]
    became_idle: Callable[[Instance], None]

    # -- submission and dependencies -----------------------------------------------------
    def submit(self, job: Job) -> None:
        job.created_at = self.now
        self.store.add_job(job)
        self.after(SUBMIT_DELAY, "evaluate", job.job_id)

    def evaluate(self, job: Job) -> None:
        """SUBMITTED -> PENDING (waiting on dependsOn) or RUNNABLE; array parents spawn."""
        for dep in job.depends_on:
            if dep.get("type") in ("N_TO_N", "SEQUENTIAL"):
                continue  # per child, below
            if not self._wait_for(job, dep["jobId"]):
                self.finish(job, "FAILED", DEPENDENCY_FAILED)
                return
        if job.children is not None or job.waiting_on:
            self.store.set_status(job, "PENDING")
        if job.waiting_on == 0:
            self.release(job)

    def _wait_for(self, job: Job, dep_id: str) -> bool:
        """Register ``job`` as waiting on ``dep_id``; False when that one already failed."""
        dep = self.store.jobs.get(dep_id)
        if dep is not None and dep.status == "SUCCEEDED":
            return True
        if dep is not None and dep.status == "FAILED":
            return False
        job.waiting_on += 1
        self.dependents.setdefault(dep_id, []).append(job)
        return True

    def release(self, job: Job) -> None:
        """Every dependency met: an array parent spawns its children, a job becomes RUNNABLE."""
        if job.array_size is not None and job.parent is None:
            self._spawn_children(job)
        elif job.num_nodes is not None and job.node_index is None:
            multinode.spawn_nodes(self, job)  # type: ignore[arg-type]
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
            for slot in ("container", "request", "retry_strategy", "timeout", "parameters"):
                setattr(child, slot, getattr(parent, slot))
            child.array_index = i
            child.parent = parent
            child.status = "PENDING"
            child.created_at = self.now
            self.store.add_job(child)
            parent.children.append(child)
            for other in n_to_n:
                self._wait_for(child, f"{other}:{i}")
            if sequential and i > 0:
                self._wait_for(child, f"{parent.job_id}:{i - 1}")
        self.store.set_status(parent, "PENDING")
        for child in parent.children:
            if child.waiting_on == 0:
                self.to_runnable(child)

    def _notify_dependents(self, job: Job) -> None:
        ids = [job.job_id]
        if job.children is None and job.array_size is not None and job.parent is None:
            ids += [f"{job.job_id}:{i}" for i in range(job.array_size)]  # never spawned
        for dep_id in ids:
            for waiting in self.dependents.pop(dep_id, ()):
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
        self._dirty = True  # the dispatch pass at this instant places it or says why not

    def _leave_runnable(self, job: Job) -> None:
        queue = self.runnable.get(job.queue)
        if queue is not None and queue.pop(job.job_id, None) is not None:
            self.positions.left(job.queue, job, self.now)  # every job behind it moves up
        job.reason_since = None
        self._dirty = True  # the job behind it may be the head now

    def set_reason(self, job: Job, reason: str | None) -> None:
        if reason == job.status_reason:
            return
        job.status_reason = reason
        job.reason_since = self.now if reason else None
        queue = self.store.job_queues.get(job.queue)
        if reason and queue is not None:
            for action in queue.time_limit_actions:
                if reason.startswith(str(action.get("reason", "\0"))):
                    self.after(float(action.get("maxTimeSeconds", 0)), "time_limit", job.job_id)

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
        """Placed on a registered container instance, or given a Fargate task: STARTING (the
        image being pulled; Fargate also provisions the task, which takes longer)."""
        self._leave_runnable(job)
        job.status_reason = None
        self.store.set_status(job, "STARTING")
        if job.fargate_ce is not None:
            ce = self.store.compute_environments[job.fargate_ce]
            cluster = ce.ecs_cluster_arn.rsplit("/", 1)[-1]
            job.container_instance_arn = ""  # Fargate tasks run on no instance of yours
            starting = self.rng.uniform(*self.config.fargate_starting_seconds)
            rate = self.config.spot_interruption_rate_per_hour
            if ce.purchase.is_spot and rate > 0:
                wait = self.rng.expovariate(rate / 3600.0)
                self.after(wait, "task_interrupt", (job.job_id, job.run_token))
        else:
            inst = self.store.instances[job.instance_id or ""]
            cluster = inst.container_instance_arn.split("/")[-2]
            job.container_instance_arn = inst.container_instance_arn
            starting = self.config.starting_seconds
        task_id = self.store.new_hex(32)
        job.task_arn = (
            f"arn:aws:ecs:{self.store.region}:{self.store.account}:task/{cluster}/{task_id}"
        )
        target = log_target(job.container, job.job_def.name, task_id)
        job.log_stream = target[1] if target else ""
        if job.parent is not None and job.parent.status == "SUBMITTED":
            self.store.set_status(job.parent, "PENDING")
        self.after(starting, "running", (job.job_id, job.run_token))

    def _on_running(self, arg: tuple[str, int]) -> None:
        job = self.store.jobs.get(arg[0])
        if job is None or job.run_token != arg[1] or job.status != "STARTING":
            return
        self.store.set_status(job, "RUNNING")
        job.started_at = self.now
        job.exit_code = None
        job.reason = None
        if job.parent is not None and job.parent.started_at is None:
            job.parent.started_at = self.now
        attempt_no = len(job.attempts) + 1
        command = self._command(job)
        lines = workload.start_lines(job.name, job.job_id, attempt_no, command)
        if job.node_index is not None:
            lines.append(multinode.start_line(self, job))  # type: ignore[arg-type]
        self._log(job, lines)
        if multinode.is_main(job):
            multinode.main_running(self, job)  # type: ignore[arg-type]
        timeout = (job.timeout or {}).get("attemptDurationSeconds")
        if timeout:
            self.after(float(timeout), "timeout", (job.job_id, job.run_token))
        argv = runner.entry_point({**job.container, "command": command}, self.config.real_modules)
        if argv is not None and self.endpoint_url:
            self._run_subprocess(job, argv, attempt_no)
            return
        plan = workload.plan_workload({**job.container, "command": command}, self.rng)
        self.after(plan.duration, "exit", (job.job_id, job.run_token, plan))
        if plan.log_interval < plan.duration:
            self.after(plan.log_interval, "log_tick", (job.job_id, job.run_token, plan))

    def _command(self, job: Job) -> list[str]:
        """The command with ``Ref::name`` parameters substituted, as AWS Batch does."""
        params = job.parameters or {}
        out = []
        for part in job.container.get("command") or ():
            if part.startswith("Ref::") and part[5:] in params:
                part = params[part[5:]]
            out.append(part)
        return out

    def _on_log_tick(self, arg: tuple[str, int, workload.WorkloadPlan]) -> None:
        job = self.store.jobs.get(arg[0])
        plan = arg[2]
        if job is None or job.run_token != arg[1] or job.status != "RUNNING":
            return
        elapsed = self.now - (job.started_at or self.now)
        self._log(job, [workload.progress_line(elapsed, plan.duration, self.rng)])
        if elapsed + plan.log_interval < plan.duration:
            self.after(plan.log_interval, "log_tick", arg)

    def _on_exit(self, arg: tuple[str, int, workload.WorkloadPlan]) -> None:
        job = self.store.jobs.get(arg[0])
        if job is None or job.run_token != arg[1] or job.status != "RUNNING":
            return
        self._log(job, workload.end_lines(arg[2].exit_code))
        self.end_attempt(job, exit_code=arg[2].exit_code, status_reason=ESSENTIAL_EXIT)

    def _on_timeout(self, arg: tuple[str, int]) -> None:
        job = self.store.jobs.get(arg[0])
        if job is None or job.run_token != arg[1] or job.status != "RUNNING":
            return
        self.end_attempt(job, exit_code=None, status_reason=ATTEMPT_TIMEOUT, retryable=False)

    def _log(self, job: Job, lines: list[str]) -> None:
        target = log_target(job.container, job.job_def.name, job.task_arn.rsplit("/", 1)[-1])
        if target is not None:
            self.logs.write(target[0], target[1], [(self.now, line) for line in lines])

    def _run_subprocess(self, job: Job, argv: list[str], attempt_no: int) -> None:
        token = job.run_token
        inst = self.store.instances.get(job.instance_id or "")
        ce_name = inst.ce_name if inst else job.fargate_ce or ""
        job_variables = {
            kv["name"]: str(kv.get("value", "")) for kv in job.container.get("environment") or ()
        }
        batch_variables = {
            "AWS_BATCH_JOB_ID": job.job_id,
            "AWS_BATCH_JOB_ATTEMPT": str(attempt_no),
            "AWS_BATCH_CE_NAME": ce_name,
            "AWS_BATCH_JQ_NAME": job.queue,
        }
        if job.array_index is not None:
            batch_variables["AWS_BATCH_JOB_ARRAY_INDEX"] = str(job.array_index)
        if job.node_index is not None:
            batch_variables |= multinode.environment(self, job)  # type: ignore[arg-type]
        env = runner.job_environment(
            job_variables,
            batch_variables,
            endpoint_url=self.endpoint_url,
            region=self.store.region,
            credentials=self.credentials,
            home=self.run_home,
        )

        def on_line(line: str) -> None:
            with self.lock:
                if job.run_token == token and job.status == "RUNNING":
                    self._log(job, [line])

        def on_exit(code: int) -> None:
            self.completions.append((job.job_id, token, code))

        self.runs[job.job_id] = runner.Run(argv, env, on_line, on_exit)

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
        """The current attempt is over: record it, free its instance, retry or finish."""
        run = self.runs.pop(job.job_id, None)
        if run is not None:
            run.kill()
        att = Attempt()
        att.container_instance_arn = job.container_instance_arn
        att.task_arn = job.task_arn
        att.log_stream = job.log_stream
        att.exit_code = exit_code
        att.started_at = job.started_at if job.status == "RUNNING" else None
        att.stopped_at = self.now
        att.status_reason = status_reason
        job.attempts.append(att)
        job.exit_code = exit_code
        job.run_token += 1
        self.fargate.release(job)
        inst = self.fleet.release(job, self.now)
        if inst is not None:
            self.became_idle(inst)
        self._dirty = True
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
            inst = self.fleet.release(job, self.now)
            if inst is not None:
                self.became_idle(inst)
        job.status_reason = reason
        job.stopped_at = self.now
        self.store.set_status(job, status)
        self._notify_dependents(job)
        parent = job.parent
        if parent is not None and multinode.is_main(job):
            multinode.main_finished(self, parent, job)  # type: ignore[arg-type]
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
        """TerminateJob: any job not finished fails now, its container stopped."""
        if job.is_final:
            return
        job.is_terminated = True
        if job.children is not None or job.nodes is not None:
            for child in job.children or job.nodes or ():
                self.terminate(child, reason)
            return
        if job.status in ("STARTING", "RUNNING"):
            self.end_attempt(
                job,
                exit_code=143 if job.status == "RUNNING" else None,
                status_reason=ESSENTIAL_EXIT,
                retryable=False,
                final_reason=reason,
            )
        else:
            self.finish(job, "FAILED", reason)
