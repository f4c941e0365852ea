"""What a diagnosis says: findings, each with its evidence and its fix."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

from batchtui.wording import count


class Severity(str, enum.Enum):
    """``blocking``: the job will not run until someone acts. ``warning``: it may not run, or
    could not be checked. ``info``: it waits its turn, or the cause is probably transient."""

    BLOCKING = "blocking"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"blocking": 0, "warning": 1, "info": 2}[self.value]


class Action(str, enum.Enum):
    """What batchtui itself can do about a finding (the TUI's key for it, the CLI's words)."""

    SCALE = "scale"  # a compute environment's maxvCpus
    ENABLE = "enable"  # a compute environment or a job queue
    CANCEL = "cancel"  # a job (the blocking head)


#: The TUI's default key for each action (the TUI maps the user's own keymap).
DEFAULT_ACTION_KEYS: dict[Action, str] = {
    Action.SCALE: "s",
    Action.ENABLE: "e",
    Action.CANCEL: "ctrl+d",
}


@dataclass(frozen=True)
class Evidence:
    """One fact behind a finding, and the API call and field it was read from."""

    call: str  # "batch:DescribeComputeEnvironments"
    field: str  # "computeResources.maxvCpus"
    value: str  # "ce-etl: 16"


@dataclass(frozen=True)
class Finding:
    """One cause, with what it affects and how to fix it."""

    code: str
    severity: Severity
    title: str
    evidence: tuple[Evidence, ...]
    fix: str
    job_ids: tuple[str, ...] = ()
    #: What batchtui can do about it, and on which resource (a CE, a queue or a job name/id).
    action: Action | None = None
    target: str = ""
    #: The maxvCpus the fix asks a compute environment for, where it names one (the TUI's
    #: scale dialog opens with it): the target's, or the cause target's.
    max_vcpus: int | None = None
    #: The :attr:`key` of the finding that explains this one (a blocked head's own cause, a
    #: blocked dependency's cause): :func:`group` puts that cause first.
    cause: tuple[str, str, str] | None = None
    #: What batchtui can do about that cause, and on which resource, where the fix names it
    #: beside :attr:`action` (a blocked head: scale the CE its cause names, or cancel the head).
    cause_action: Action | None = None
    cause_target: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """Findings with the same key are one cause: the jobs of both are merged."""
        return (self.code, self.title, self.fix)


def group(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per cause, its jobs merged, in the order a reader should act on them.

    Most severe first, then most jobs, then the order of first appearance (rules run most
    specific cause first, so for one job the first finding is its real cause). A finding that
    another one explains (its :attr:`~Finding.cause`: the jobs a blocked head holds back, a job
    whose dependency is blocked) comes right after that cause, and the cause ranks with the
    jobs of both: the root cause always comes before the symptom it explains.
    """
    merged: dict[tuple[str, str, str], Finding] = {}
    jobs: dict[tuple[str, str, str], dict[str, None]] = {}
    for f in findings:
        if f.key not in merged:
            merged[f.key] = f
            jobs[f.key] = {}
        jobs[f.key].update(dict.fromkeys(f.job_ids))
    out = [replace(f, job_ids=tuple(jobs[k])) for k, f in merged.items()]
    order = {k: i for i, k in enumerate(merged)}
    explained: dict[tuple[str, str, str], list[Finding]] = {}
    roots: list[Finding] = []
    for f in out:
        if f.cause is not None and f.cause in merged and f.cause != f.key:
            explained.setdefault(f.cause, []).append(f)
        else:
            roots.append(f)

    def rank(f: Finding) -> tuple[int, int, int]:
        return (f.severity.rank, -len(f.job_ids), order[f.key])

    def chain(f: Finding) -> list[Finding]:
        """``f``, then what it explains (and what that explains), each most severe first."""
        return [f, *(g for e in sorted(explained.get(f.key, ()), key=rank) for g in chain(e))]

    def block_rank(block: list[Finding]) -> tuple[int, int, int]:
        affected = {j for f in block for j in f.job_ids}
        return (min(f.severity.rank for f in block), -len(affected), order[block[0].key])

    blocks = sorted((chain(f) for f in roots), key=block_rank)
    ordered = [f for block in blocks for f in block]
    placed = {f.key for f in ordered}
    # Each finding has one cause, so only findings that explain each other in a ring are not
    # reached from a root: they keep the plain order, after the rest.
    return ordered + sorted((f for f in out if f.key not in placed), key=rank)


@dataclass(frozen=True)
class Waiting:
    """A job that only waits: its place in the queue (1 = the head; None beyond the 100 that
    GetJobQueueSnapshot shows, or while PENDING), what it waits for, and when it may start
    (epoch ms, or None)."""

    job_id: str
    position: int | None
    waits_for: str
    start_estimate_ms: int | None = None
    status: str = "RUNNABLE"

    @property
    def place(self) -> str:
        """Where it stands: a PENDING job has no place in the queue's order yet."""
        if self.status != "RUNNABLE":
            return f"{self.status}, not yet in the queue's order"
        if self.position is not None:
            return f"position {self.position} in the queue"
        return "beyond the first 100 of the queue"


@dataclass(frozen=True)
class Diagnosis:
    """The findings of one diagnosis, grouped by cause, in :func:`group`'s order."""

    findings: tuple[Finding, ...]
    jobs_examined: int
    waiting: tuple[Waiting, ...] = ()
    #: The jobs examined by the status ListJobs lists them under (the overview's counts), in
    #: PENDING, RUNNABLE, STARTING order; an array job counts once, as AWS lists it.
    examined: tuple[tuple[str, int], ...] = ()
    #: The account's time of the reading (epoch ms; 0: not known).
    as_of_ms: int = 0

    @property
    def examined_text(self) -> str:
        """ "4 jobs examined (2 PENDING, 2 RUNNABLE)": comparable with the queue's counts."""
        parts = ", ".join(f"{n} {status}" for status, n in self.examined)
        return f"{count(self.jobs_examined, 'job')} examined" + (f" ({parts})" if parts else "")

    @property
    def blocking(self) -> bool:
        return any(f.severity is Severity.BLOCKING for f in self.findings)

    def for_job(self, job_id: str) -> list[Finding]:
        return [f for f in self.findings if job_id in f.job_ids]
