"""The job lifecycle on its own, driven through a stand-in for the scheduler (SchedulerHost).

No server, no capacity: the stand-in keeps the events the lifecycle asks for and runs them in
time order, so these tests see exactly what the lifecycle decides and asks of its scheduler.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
from collections.abc import Callable
from typing import Any

from batchtui.sandbox.batch_records import Job, JobDefinitionRecord, JobQueueRecord
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.config import SandboxConfig
from batchtui.sandbox.job_logs import LogWriter
from batchtui.sandbox.lifecycle import SUBMIT_DELAY, JobLifecycle
from batchtui.sandbox.scheduling import SchedulerHost
from batchtui.sandbox.status_reasons import CHILD_FAILED, DEPENDENCY_FAILED, TIME_LIMIT

QUEUE = "q"
JOB_RESOURCE = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - too big"


class Host:
    """Time and an event list; no capacity (nothing is ever placed)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.endpoint_url = ""
        self.lock = threading.RLock()
        self.dispatches = 0
        self.released: list[str] = []
        self._events: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self._seq = itertools.count()

    def after(self, seconds: float, handler: Callable[[Any], None], arg: Any) -> None:
        heapq.heappush(self._events, (self.now + seconds, next(self._seq), handler, arg))

    def release_capacity(self, job: Job) -> None:
        self.released.append(job.job_id)

    def request_dispatch(self) -> None:
        self.dispatches += 1

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while self._events and self._events[0][0] <= end:
            t, _, handler, arg = heapq.heappop(self._events)
            self.now = t
            handler(arg)
        self.now = end


def _lifecycle(host: SchedulerHost) -> tuple[JobLifecycle, BatchStore]:
    store = BatchStore("us-east-1", random.Random(0))
    queue = JobQueueRecord(QUEUE, "arn:queue")
    queue.time_limit_actions = [
        {"reason": "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", "maxTimeSeconds": 600,
         "action": "CANCEL", "state": "RUNNABLE"}
    ]  # fmt: skip
    store.job_queues[QUEUE] = queue
    lifecycle = JobLifecycle(host, store, SandboxConfig(), random.Random(0), LogWriter("us-east-1"))
    return lifecycle, store


def _job(job_id: str, **fields: Any) -> Job:
    job = Job(job_id, "name", QUEUE, JobDefinitionRecord("jd", 1, "arn:jd"))
    for key, value in fields.items():
        setattr(job, key, value)
    return job


def test_a_submitted_job_is_looked_at_after_the_submit_delay_and_becomes_runnable() -> None:
    host = Host()
    lifecycle, _ = _lifecycle(host)
    job = _job("a")
    lifecycle.submit(job)
    assert job.status == "SUBMITTED" and host.dispatches == 0
    host.advance(SUBMIT_DELAY)
    assert job.status == "RUNNABLE"
    assert list(lifecycle.runnable[QUEUE]) == ["a"]
    assert host.dispatches == 1  # the scheduler is asked to place it at this instant


def test_a_failed_dependency_fails_the_jobs_waiting_on_it() -> None:
    host = Host()
    lifecycle, _ = _lifecycle(host)
    first, second = _job("a"), _job("b", depends_on=[{"jobId": "a"}])
    lifecycle.submit(first)
    lifecycle.submit(second)
    host.advance(SUBMIT_DELAY)
    assert (first.status, second.status) == ("RUNNABLE", "PENDING")
    lifecycle.terminate(first, "stop")
    assert (first.status, first.status_reason) == ("FAILED", "stop")
    assert (second.status, second.status_reason) == ("FAILED", DEPENDENCY_FAILED)
    assert QUEUE not in lifecycle.runnable or not lifecycle.runnable[QUEUE]


def test_an_array_parent_fails_once_its_last_child_ends_and_one_failed() -> None:
    host = Host()
    lifecycle, store = _lifecycle(host)
    parent = _job("p", array_size=3)
    lifecycle.submit(parent)
    host.advance(SUBMIT_DELAY)
    children = [store.jobs[f"p:{i}"] for i in range(3)]
    assert parent.status == "PENDING" and {c.status for c in children} == {"RUNNABLE"}
    lifecycle.finish(children[0], "FAILED", "boom")
    lifecycle.finish(children[1], "SUCCEEDED", None)
    assert parent.status == "PENDING"
    lifecycle.finish(children[2], "SUCCEEDED", None)
    assert (parent.status, parent.status_reason) == ("FAILED", CHILD_FAILED)


def test_a_blocked_reason_cancels_the_job_after_the_queues_time_limit() -> None:
    host = Host()
    lifecycle, _ = _lifecycle(host)
    job = _job("a")
    lifecycle.submit(job)
    host.advance(SUBMIT_DELAY)
    lifecycle.set_reason(job, JOB_RESOURCE)  # what a dispatch pass says of a job that cannot run
    host.advance(599)
    assert job.status == "RUNNABLE"
    host.advance(1)
    assert job.status == "FAILED" and job.is_cancelled
    assert job.status_reason == TIME_LIMIT.format(
        reason="MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    )
    assert host.released == []  # it held no capacity, so none was given back
