"""Whether a job queue can run anything, from what the overview already read (no AWS, no clock).

A queue whose compute environments are all DISABLED or INVALID, or whose head RUNNABLE job has
carried a blocking statusReason longer than the dwell time, looks healthy to AWS (``ENABLED
VALID``, "JobQueue Healthy"); this says so in words. What a statusReason means, which reasons
block a queue and the dwell time are diagnose's (:mod:`batchtui.diagnose.meaning`,
:class:`batchtui.diagnose.context.Settings`): the overview judges by the same rules.

Only the account snapshot is read: the queue, its compute environments and the first ListJobs
page of its RUNNABLE jobs. ListJobs gives no time at which a reason was set, so how long the
head has been blocked is counted from its ``createdAt``: the longest it can have been.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchtui.account.snapshots import AccountSnapshot, FirstPage
from batchtui.diagnose.context import Settings
from batchtui.diagnose.meaning import is_blocking_reason, meaning_of, reason_code
from batchtui.model import ComputeEnvironment, JobQueue
from batchtui.wording import duration

#: How long a blocking reason may last before the queue is BLOCKED (diagnose's dwell time).
DWELL_S = Settings().dwell_seconds

OK = "OK"
BLOCKED = "BLOCKED"
NO_CE = "NO CE"
#: A blocking reason younger than the dwell time: a capacity shortage often clears by itself.
WAITING = "WAITING"
DISABLED = "DISABLED"
INVALID = "INVALID"
#: The worst first: the order the overview lists the queues that need attention.
SEVERITY = (INVALID, NO_CE, BLOCKED, DISABLED, WAITING, OK)


@dataclass(frozen=True)
class QueueHealth:
    """``state`` (one word, the overview's HEALTH column) and ``detail``: what, how long, why."""

    state: str
    detail: str = ""
    #: The head job's name and its blocking statusReason code, when a job blocks the queue.
    head: str = ""
    cause: str = ""
    #: How long the head has waited (seconds, from its createdAt), when known.
    for_s: float | None = None

    @property
    def ok(self) -> bool:
        return self.state == OK

    @property
    def words(self) -> str:
        """The state and its detail as one line: what the overview shows and filters on."""
        return f"{self.state} {self.detail}".strip()


def blocks_queue(status_reason: str) -> bool:
    """A statusReason AWS sets on a queue's head when nothing behind it can run: its blocking
    codes (MISCONFIGURATION, CAPACITY, ACTION_REQUIRED) and UNDETERMINED."""
    found = meaning_of(status_reason)
    return is_blocking_reason(status_reason) or (found is not None and found.blocks_queue)


def short_code(status_reason: str) -> str:
    """The reason's code without its family: "COMPUTE_ENVIRONMENT_MAX_RESOURCE" for
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - ..."."""
    return reason_code(status_reason).split(":", 1)[-1]


def _unusable(queue: JobQueue, ces: Sequence[ComputeEnvironment]) -> list[str] | None:
    """``["demo-gpu DISABLED", ...]`` when no compute environment of the queue can place a job
    (each DISABLED or INVALID); None when one can, or one is not in the snapshot."""
    by_ref = {ref: ce for ce in ces for ref in (ce.name, ce.arn) if ref}
    mine = [by_ref.get(o.compute_environment) for o in queue.compute_environment_order]
    if any(ce is None for ce in mine):
        return None
    known = [ce for ce in mine if ce is not None]
    if any(ce.state == "ENABLED" and ce.status != "INVALID" for ce in known):
        return None
    return [
        f"{ce.name} " + " ".join(w for w in (ce.state, ce.status) if w in (DISABLED, INVALID))
        for ce in known
    ]


def _oldest(jobs: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    return min(jobs, key=lambda j: int(j.get("createdAt") or 0), default=None)


def _age_s(job: Mapping[str, Any], now_ms: int) -> float:
    return max(0.0, (now_ms - int(job.get("createdAt") or now_ms)) / 1000)


def queue_health(
    queue: JobQueue,
    ces: Sequence[ComputeEnvironment],
    pages: Mapping[str, FirstPage],
    now_ms: int,
    dwell_s: float = DWELL_S,
) -> QueueHealth:
    """The health of ``queue`` from the overview's snapshot: its compute environments (``ces``,
    the account's) and the first ListJobs pages of its statuses (``pages``), at ``now_ms``.

    A head blocked for exactly ``dwell_s`` seconds is BLOCKED; a moment less, WAITING. Without
    a RUNNABLE page no head is judged; a RUNNABLE page that is not the whole list may miss the
    head (ListJobs has no dispatch order), and then nothing is claimed about it."""
    if queue.status == INVALID:
        return QueueHealth(INVALID, queue.status_reason)
    runnable = pages.get("RUNNABLE")
    jobs = runnable.jobs if runnable is not None else ()
    unusable = _unusable(queue, ces)
    if unusable is not None:
        detail = ", ".join(unusable) if unusable else "no compute environment"
        oldest = _oldest(jobs)
        if oldest is not None:
            age = _age_s(oldest, now_ms)
            name = str(oldest.get("jobName", ""))
            detail += f"; {name} waits {duration(age)}"
            return QueueHealth(NO_CE, detail, head=name, for_s=age)
        return QueueHealth(NO_CE, detail)
    blocked = [j for j in jobs if blocks_queue(str(j.get("statusReason") or ""))]
    head = _oldest(blocked)
    if head is not None:
        age = _age_s(head, now_ms)
        reason = str(head.get("statusReason") or "")
        name = str(head.get("jobName", ""))
        state = BLOCKED if age >= dwell_s else WAITING
        return QueueHealth(
            state,
            f"{duration(age)} {name} {short_code(reason)}",
            head=name,
            cause=reason_code(reason),
            for_s=age,
        )
    if queue.state != "ENABLED":
        return QueueHealth(DISABLED, "takes no new jobs")
    return QueueHealth(OK)


def account_health(snapshot: AccountSnapshot, now_ms: int) -> dict[str, QueueHealth]:
    """Every queue's health in ``snapshot``, by queue name."""
    return {
        q.name: queue_health(q, snapshot.ces, snapshot.pages.get(q.name, {}), now_ms)
        for q in snapshot.queues
    }


def needs_attention(healths: Mapping[str, QueueHealth]) -> list[tuple[str, QueueHealth]]:
    """(queue, health) of every queue that is not OK, the worst first, then by name."""
    bad = [(name, h) for name, h in healths.items() if not h.ok]
    return sorted(bad, key=lambda item: (SEVERITY.index(item[1].state), item[0]))
