"""What the workers read from AWS, as plain values the screens apply (no AWS, no textual).

Kept apart from :mod:`batchtui.account.loaders` (which calls AWS through boto3) so the first screen
can paint before boto3, the planner or the sandbox are imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from batchtui.model import ComputeEnvironment, Job, JobQueue, JobSummary

#: The order a full listing goes through: what an operator looks for first.
LISTING_ORDER = ("RUNNING", "RUNNABLE", "STARTING", "PENDING", "SUBMITTED", "FAILED", "SUCCEEDED")


@dataclass(frozen=True)
class QueueCount:
    """Jobs of one status in a queue from one ListJobs page: exact unless ``more``."""

    n: int
    more: bool = False

    def __str__(self) -> str:
        return f"{self.n}+" if self.more else str(self.n)


@dataclass(frozen=True)
class FirstPage:
    """The first ListJobs page of one status of a queue, as the overview read it for its count.

    Opening the queue soon after shows these jobs at once and lists only what follows
    ``next_token``, instead of asking AWS for the same page again."""

    jobs: tuple[dict[str, Any], ...]  # raw ListJobs summaries
    next_token: str | None
    job_queue: str  # as sent: a nextToken goes back with the parameters it came from
    read_at: float  # the app's clock when read

    def is_fresh(self, now: float, max_age: float) -> bool:
        return now - self.read_at <= max_age


@dataclass(frozen=True)
class AccountSnapshot:
    ces: tuple[ComputeEnvironment, ...]
    queues: tuple[JobQueue, ...]
    #: queue name -> status -> count; statuses not listed this time are absent.
    counts: dict[str, dict[str, QueueCount]] = field(default_factory=dict)
    #: compute environment name -> vCPUs in use (None when ECS did not tell).
    vcpus_in_use: dict[str, float | None] = field(default_factory=dict)
    #: queue name -> status -> the first ListJobs page behind the count.
    pages: dict[str, dict[str, FirstPage]] = field(default_factory=dict)
    #: The endpoint's clock (epoch seconds) when read, as its answers' Date header said: the
    #: jobs' ages are judged by it (the sandbox keeps simulated time). None when not told.
    server_time: float | None = None
    #: When the endpoint said ``server_time`` (the app's clock): the pair counts the endpoint's
    #: clock on between reads. A read of some statuses only tells a newer ``server_time`` while
    #: ``read_at`` stays the resources' older time, so the two must not be mixed.
    server_read_at: float | None = None
    #: When the compute environments, queues and vCPUs in use were read (the app's clock).
    read_at: float | None = None

    def counts_read_at(self, statuses: tuple[str, ...]) -> float | None:
        """When the oldest of these statuses' counts was read, over every queue: every count
        shown is at least this fresh. None when none was read."""
        times = [
            page.read_at
            for queue in self.queues
            for status, page in self.pages.get(queue.name, {}).items()
            if status in statuses
        ]
        return min(times) if times else None

    def fresh_pages(self, queue: str, now: float, max_age: float) -> dict[str, FirstPage]:
        """The first pages of ``queue`` read at most ``max_age`` seconds before ``now``."""
        return {
            status: page
            for status, page in self.pages.get(queue, {}).items()
            if page.is_fresh(now, max_age)
        }


@dataclass(frozen=True)
class QueueFront:
    """GetJobQueueSnapshot: the RUNNABLE jobs at the front of a queue, the first one first."""

    job_ids: tuple[str, ...]
    #: How long the first job has been first (AWS's lastUpdatedAt - earliestTimeAtPosition).
    head_for_s: float | None = None


@dataclass(frozen=True)
class ActiveRefresh:
    """An incremental refresh: every active status re-listed, and where the jobs that left went."""

    by_status: dict[str, list[JobSummary]]
    moved: list[JobSummary]
    #: The DescribeJobs records of the moved jobs: their attempts, at no further call.
    described: tuple[Job, ...] = ()
    #: Jobs created since the newest one listed before and already past the active statuses
    #: (made and finished between two refreshes).
    created_finished: tuple[JobSummary, ...] = ()


@dataclass(frozen=True)
class JobDetail:
    job: Job
    #: The jobs it depends on, described (status, name) when DescribeJobs knows them; one
    #: DescribeJobs does not know has the name "(not found)" and the status "?".
    depends_on: list[Job]
    #: PENDING jobs of the queue that wait on it (among the first DEPENDENTS_SCAN_LIMIT).
    dependents: list[Job]
    dependents_scanned: int = 0
    dependents_complete: bool = True
    #: The endpoint's clock (epoch seconds) when described: how long a job has been running.
    server_time: float | None = None
