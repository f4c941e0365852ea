"""The interfaces between the scheduler, the job lifecycle and the lifecycle's parts.

The :class:`~batchtui.sandbox.scheduler.Scheduler` owns time and capacity; the
:class:`~batchtui.sandbox.lifecycle.JobLifecycle` moves jobs between statuses; its parts
(:mod:`attempts`, :mod:`multinode`) drive those moves. Each side sees the other only through the
Protocol here, so no module imports the class of the one that calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from batchtui.sandbox.batch_records import Job
from batchtui.sandbox.batch_store import BatchStore

_Arg = TypeVar("_Arg")


class SchedulerHost(Protocol):
    """What the job lifecycle needs from the scheduler: its clock, event queue and capacity."""

    @property
    def now(self) -> float: ...

    @property
    def endpoint_url(self) -> str:
        """The sandbox's URL, which real job processes call; empty until it serves."""
        ...

    @property
    def credentials(self) -> tuple[str, str]:
        """The keys a real job process signs its calls to the sandbox with."""
        ...

    @property
    def run_home(self) -> str:
        """A private directory that real job processes get as their home."""
        ...

    @property
    def lock(self) -> AbstractContextManager[Any]:
        """Held while jobs change; a job process's output arrives on its own thread."""
        ...

    def after(self, seconds: float, handler: Callable[[_Arg], None], arg: _Arg) -> None:
        """Call ``handler(arg)`` once ``seconds`` of simulated time have passed."""
        ...

    def release_capacity(self, job: Job) -> None:
        """Give back the room on an instance or the Fargate task that the job holds, if any."""
        ...

    def request_dispatch(self) -> None:
        """Something changed that a dispatch pass at this instant must look at."""
        ...


class JobTransitions(Protocol):
    """The job lifecycle's moves that attempts and multi-node jobs make."""

    @property
    def store(self) -> BatchStore: ...

    @property
    def now(self) -> float: ...

    def to_runnable(self, job: Job) -> None: ...

    def start(self, job: Job) -> None: ...

    def end_attempt(
        self,
        job: Job,
        *,
        exit_code: int | None,
        status_reason: str,
        retryable: bool = True,
        final_reason: str | None = None,
    ) -> None: ...

    def finish(self, job: Job, status: str, reason: str | None) -> None: ...
