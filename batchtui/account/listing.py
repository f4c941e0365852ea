"""What a queue's full listing reads, and who is at the front of the queue (no AWS, no textual).

The jobs screen asks these; its workers run :mod:`batchtui.account.loaders`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from batchtui.account.jobstore import JobIndex
from batchtui.account.snapshots import LISTING_ORDER, FirstPage, QueueFront
from batchtui.model import JOB_STATUSES, JobSummary


def listing_order(first: str = "") -> list[str]:
    """The statuses a full listing goes through: ``first`` (the tab the user looks at), then
    :data:`LISTING_ORDER`."""
    head = [first] if first in JOB_STATUSES else []
    return head + [s for s in LISTING_ORDER if s not in head]


def reads_aws(statuses: Sequence[str], known: Mapping[str, FirstPage]) -> bool:
    """Whether listing ``statuses`` reads AWS at all (not only first pages already known): the
    status bar's "refreshed" may then say so."""
    return any(s not in known or known[s].next_token for s in statuses)


@dataclass(frozen=True)
class QueueHead:
    """The job at the front of a queue, as a listing knows it."""

    job_id: str  # as GetJobQueueSnapshot names it: an array child is "<parent id>:<index>"
    name: str  # an array child is named by its parent (children are not rows)
    job: JobSummary | None  # the listed row (the parent's, for a child)
    behind: int  # RUNNABLE jobs behind it
    waited_s: float | None  # how long it has been first

    @property
    def row_id(self) -> str:
        """The id of the row to go to: an array child's is its parent's."""
        return self.job_id.split(":")[0]

    @property
    def own_reason(self) -> str:
        """Its statusReason (a child's is not listed: "")."""
        return self.job.status_reason if self.job is not None and ":" not in self.job_id else ""


def queue_head(front: QueueFront | None, index: JobIndex) -> QueueHead | None:
    """The front of the queue from GetJobQueueSnapshot and the listed jobs; None when AWS does
    not say."""
    if front is None or not front.job_ids:
        return None
    head_id = front.job_ids[0]
    parent_id, _, child = head_id.partition(":")
    job = index.get(parent_id)
    name = job.job_name if job is not None else parent_id
    behind = max(0, index.counts().get("RUNNABLE", len(front.job_ids)) - 1)
    return QueueHead(
        head_id, f"{name} child {child}" if child else name, job, behind, front.head_for_s
    )
