"""A job's attempts, from STARTING to their end, as AWS Batch runs them.

Starting gives the attempt its ECS task ARN and log stream (Fargate takes longer to start, and a
Fargate Spot task can be taken back); running writes the workload's log lines as simulated time
passes, or runs the command as a real process when the job names an entry point the sandbox can
run (:mod:`runner`); an attempt ends at its exit, its timeout (attemptDurationSeconds) or an
interruption, and is recorded as AWS records it. Whether the job then retries or finishes is the
lifecycle's call (:class:`~batchtui.sandbox.scheduling.JobTransitions`).
"""

from __future__ import annotations

import random
from collections import deque
from contextlib import AbstractContextManager
from typing import Any

from batchtui.sandbox import multinode, runner, workload
from batchtui.sandbox.batch_records import Attempt, Job
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.config import SandboxConfig
from batchtui.sandbox.fargate import SPOT_INTERRUPTED
from batchtui.sandbox.job_logs import LogWriter, log_target
from batchtui.sandbox.scheduling import JobTransitions, SchedulerHost
from batchtui.sandbox.status_reasons import ATTEMPT_TIMEOUT, ESSENTIAL_EXIT


class Attempts:
    def __init__(
        self,
        host: SchedulerHost,
        jobs: JobTransitions,
        store: BatchStore,
        config: SandboxConfig,
        rng: random.Random,
        logs: LogWriter,
    ) -> None:
        self.host = host
        self.jobs = jobs
        self.store = store
        self.config = config
        self.rng = rng
        self.logs = logs
        self.completions: deque[tuple[str, int, int]] = deque()  # subprocess exits
        self.runs: dict[str, runner.Run] = {}  # job id -> its attempt running as a process

    @property
    def now(self) -> float:
        return self.host.now

    @property
    def endpoint_url(self) -> str:
        return self.host.endpoint_url

    @property
    def lock(self) -> AbstractContextManager[Any]:
        return self.host.lock

    def start(self, job: Job) -> None:
        """Placed on a registered container instance, or given a Fargate task: STARTING (the
        image being pulled; Fargate also provisions the task, which takes longer)."""
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
                self.host.after(wait, self._on_task_interrupt, (job.job_id, job.run_token))
        else:
            inst = self.store.instances[job.instance_id or ""]
            cluster = inst.container_instance_arn.split("/")[-2]
            job.container_instance_arn = inst.container_instance_arn
            starting = self.config.starting_seconds
        task_id = self.store.new_hex(32)
        job.task_arn = (
            f"arn:aws:ecs:{self.store.region}:{self.store.account}:task/{cluster}/{task_id}"
        )
        job.task_created_at = self.now
        target = log_target(job.container, job.job_def.name, task_id)
        job.log_stream = target[1] if target else ""
        if job.parent is not None and job.parent.status == "SUBMITTED":
            self.store.set_status(job.parent, "PENDING")
        self.host.after(starting, self._on_running, (job.job_id, job.run_token))

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
            lines.append(multinode.start_line(job))
        self._log(job, lines)
        if multinode.is_main(job):
            multinode.main_running(self.jobs, job)
        timeout = (job.timeout or {}).get("attemptDurationSeconds")
        if timeout:
            self.host.after(float(timeout), self._on_timeout, (job.job_id, job.run_token))
        argv = runner.entry_point({**job.container, "command": command}, self.config.real_modules)
        if argv is not None and self.endpoint_url:
            self._run_subprocess(job, argv, attempt_no)
            return
        plan = workload.plan_workload({**job.container, "command": command}, self.rng)
        self.host.after(plan.duration, self._on_exit, (job.job_id, job.run_token, plan))
        if plan.log_interval < plan.duration:
            self.host.after(plan.log_interval, self._on_log_tick, (job.job_id, job.run_token, plan))

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
            self.host.after(plan.log_interval, self._on_log_tick, arg)

    def _on_exit(self, arg: tuple[str, int, workload.WorkloadPlan]) -> None:
        job = self.store.jobs.get(arg[0])
        if job is None or job.run_token != arg[1] or job.status != "RUNNING":
            return
        self._log(job, workload.end_lines(arg[2].exit_code))
        self.jobs.end_attempt(job, exit_code=arg[2].exit_code, status_reason=ESSENTIAL_EXIT)

    def _on_timeout(self, arg: tuple[str, int]) -> None:
        job = self.store.jobs.get(arg[0])
        if job is None or job.run_token != arg[1] or job.status != "RUNNING":
            return
        self.jobs.end_attempt(job, exit_code=None, status_reason=ATTEMPT_TIMEOUT, retryable=False)

    def _on_task_interrupt(self, arg: tuple[str, int]) -> None:
        job = self.store.jobs.get(arg[0])
        if job is not None and job.run_token == arg[1] and job.status in ("STARTING", "RUNNING"):
            self.interrupt_task(job.job_id)

    def interrupt_task(self, job_id: str) -> bool:
        """AWS takes a Fargate Spot task's capacity back now: its attempt fails as AWS says."""
        job = self.store.jobs.get(job_id)
        if job is None or job.fargate_ce is None or job.status not in ("STARTING", "RUNNING"):
            return False
        self.jobs.end_attempt(job, exit_code=None, status_reason=SPOT_INTERRUPTED)
        return True

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
            batch_variables |= multinode.environment(self, job)
        env = runner.job_environment(
            job_variables,
            batch_variables,
            endpoint_url=self.endpoint_url,
            region=self.store.region,
            credentials=self.host.credentials,
            home=self.host.run_home,
        )

        def on_line(line: str) -> None:
            with self.lock:
                if job.run_token == token and job.status == "RUNNING":
                    self._log(job, [line])

        def on_exit(code: int) -> None:
            self.completions.append((job.job_id, token, code))

        self.runs[job.job_id] = runner.Run(argv, env, on_line, on_exit)

    def reap_exits(self) -> None:
        """End the attempts whose process exited since the last step (its thread queued it)."""
        while self.completions:
            job_id, token, code = self.completions.popleft()
            job = self.store.jobs.get(job_id)
            if job is not None and job.run_token == token and job.status == "RUNNING":
                self.runs.pop(job_id, None)
                self.jobs.end_attempt(job, exit_code=code, status_reason=ESSENTIAL_EXIT)

    def stop(self, job: Job, *, exit_code: int | None, status_reason: str) -> None:
        """The current attempt is over: stop its process, record it, free its capacity."""
        run = self.runs.pop(job.job_id, None)
        if run is not None:
            run.kill()
        att = Attempt()
        att.container_instance_arn = job.container_instance_arn
        att.task_arn = job.task_arn
        att.task_created_at = job.task_created_at
        att.log_stream = job.log_stream
        att.exit_code = exit_code
        att.started_at = job.started_at if job.status == "RUNNING" else None
        att.stopped_at = self.now
        att.status_reason = status_reason
        job.attempts.append(att)
        job.exit_code = exit_code
        job.run_token += 1
        self.host.release_capacity(job)
