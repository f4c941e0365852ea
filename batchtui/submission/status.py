"""Where each step of a submission stands after a run: its job id and how it got it."""

from __future__ import annotations

from dataclasses import dataclass

#: Submitted by this run; read from the journal; found in the queue by its name (submitted by a
#: run that stopped before it wrote the journal); not submitted yet.
SUBMITTED, JOURNALED, FOUND, PENDING = "submitted", "journaled", "found", "pending"


@dataclass(frozen=True)
class StepState:
    step: str  # array-0000, fanin-1-0000, summary
    job_name: str
    job_id: str | None
    how: str  # SUBMITTED | JOURNALED | FOUND | PENDING
