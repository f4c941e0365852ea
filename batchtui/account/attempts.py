"""How many attempts each job of a listing has had: what the jobs list's ATTEMPTS column shows.

ListJobs does not say; DescribeJobs does (100 ids a call). So only the rows on screen are
described, each answer is kept per job id, and a job is described again only when its row tells
that its attempts may have changed: its status or startedAt differ from the row it was described
with. A job described in a final status (SUCCEEDED, FAILED) is never described again. A job that
was never placed (SUBMITTED, PENDING) has had no attempt: it costs no call. A screen whose rows
do not change therefore costs no DescribeJobs call at all.

Pure: no clock, no I/O; the screen's worker makes the calls and hands the jobs back here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from batchtui.model import FINAL_STATUSES, Job, JobSummary

#: DescribeJobs takes at most this many job ids a call.
DESCRIBE_BATCH = 100
#: Statuses a job has never left for an attempt: it has had none, and ListJobs says so.
UNPLACED_STATUSES = ("SUBMITTED", "PENDING")
#: What the cell shows while the job's attempts are being read, and when the read failed.
UNKNOWN = "…"
FAILED_READ = "?"


@dataclass(frozen=True)
class Attempts:
    """A job's attempts: ``made`` started so far (0 before the first), out of ``allowed``
    (its retryStrategy.attempts, 1 without one)."""

    made: int
    allowed: int = 1

    @classmethod
    def of(cls, job: Job) -> Attempts:
        return cls(job.attempts_made, max(1, job.retry_attempts))


def attempts_cell(attempts: Attempts | None) -> str:
    """The ATTEMPTS cell: ``-`` before the first attempt, ``1`` for a job without retries,
    ``2/3`` for the second attempt of three; :data:`UNKNOWN` when not read yet."""
    if attempts is None:
        return UNKNOWN
    if attempts.made == 0:
        return "-"
    if attempts.allowed <= 1:
        return str(attempts.made)
    return f"{attempts.made}/{attempts.allowed}"


def _row_key(job: JobSummary) -> tuple[str, int | None]:
    """What a listing shows of a job that moves when a new attempt starts or one ends."""
    return (job.status, job.started_at)


def batches(job_ids: Sequence[str], size: int = DESCRIBE_BATCH) -> list[list[str]]:
    """``job_ids`` cut into DescribeJobs calls of at most ``size`` ids, in order."""
    return [list(job_ids[i : i + size]) for i in range(0, len(job_ids), size)]


class AttemptsCache:
    """The attempts known per job id, with the row each was read against."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple[str, int | None], Attempts]] = {}
        self._failed: dict[str, tuple[str, int | None]] = {}

    def __len__(self) -> int:
        return len(self._known)

    def to_describe(
        self, rows: Iterable[JobSummary], asked: Collection[str] = ()
    ) -> list[list[str]]:
        """The DescribeJobs calls (batches of ids) that the visible ``rows`` need.

        A row needs one when it was never read, or when it was read while active and its row
        changed since (status or startedAt). Never for a job read in a final status, nor for a
        job never placed, nor for one in ``asked`` (a read under way), nor for one whose last
        read failed while its row stays the same (the next change tries again)."""
        needed: list[str] = []
        for job in rows:
            if job.status in UNPLACED_STATUSES or job.job_id in asked:
                continue
            key = _row_key(job)
            if self._failed.get(job.job_id) == key:
                continue
            known = self._known.get(job.job_id)
            if known is not None and (known[0][0] in FINAL_STATUSES or known[0] == key):
                continue
            needed.append(job.job_id)
        return batches(needed)

    def learn(self, rows: Iterable[JobSummary], described: Iterable[Job]) -> None:
        """The jobs DescribeJobs returned, for the ``rows`` they were asked for."""
        row_of = {j.job_id: j for j in rows}
        for job in described:
            row = row_of.get(job.job_id)
            # The described status is newer than the row: a final one ends the job's reads.
            key = (job.status, job.started_at) if row is None else _row_key(row)
            if job.status in FINAL_STATUSES:
                key = (job.status, job.started_at)
            self._known[job.job_id] = (key, Attempts.of(job))
            self._failed.pop(job.job_id, None)

    def failed(self, rows: Iterable[JobSummary]) -> None:
        """The read of these rows failed: their cells say so until their row changes."""
        for job in rows:
            self._failed[job.job_id] = _row_key(job)

    def forget_failures(self) -> None:
        """The user asked for a fresh read (``r``): failed reads are tried again."""
        self._failed.clear()

    def cell(self, job: JobSummary) -> str:
        """The ATTEMPTS cell of ``job``'s row."""
        if job.status in UNPLACED_STATUSES:
            return "-"
        known = self._known.get(job.job_id)
        if known is not None:
            return attempts_cell(known[1])
        return FAILED_READ if job.job_id in self._failed else UNKNOWN
