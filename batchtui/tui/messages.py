"""Messages the thread workers post; screens apply them on the UI thread."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from batchtui.account.pacing import Part
from batchtui.account.snapshots import AccountSnapshot, ActiveRefresh, JobDetail, QueueFront
from batchtui.model import Job, JobSummary


class Connected(Message):
    """The AWS target (or the sandbox) is ready."""

    def __init__(self, aws: Any, sandbox: Any, account: str) -> None:
        super().__init__()
        self.aws = aws
        self.sandbox = sandbox
        self.account = account


class AccountLoaded(Message):
    """The ``parts`` of the account read (:mod:`batchtui.account.pacing`; None: all of them),
    in ``snapshot``."""

    def __init__(
        self, snapshot: AccountSnapshot, parts: frozenset[Part] | None, generation: int = 0
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.parts = parts
        self.generation = generation


class JobsPage(Message):
    """One ListJobs page of a full listing (``first``/``last`` of its status)."""

    def __init__(
        self, key: str, status: str, jobs: list[JobSummary], first: bool, last: bool
    ) -> None:
        super().__init__()
        self.key = key
        self.status = status
        self.jobs = jobs
        self.first = first
        self.last = last


class JobsListed(Message):
    """A full listing finished; ``fetched`` unless every page was reused from the overview."""

    def __init__(self, key: str, fetched: bool = True) -> None:
        super().__init__()
        self.key = key
        self.fetched = fetched


class JobsRefreshed(Message):
    def __init__(self, key: str, refresh: ActiveRefresh) -> None:
        super().__init__()
        self.key = key
        self.refresh = refresh


class AttemptsRead(Message):
    """DescribeJobs' answer for the rows whose ATTEMPTS the jobs list asked for."""

    def __init__(self, key: str, rows: list[JobSummary], jobs: list[Job]) -> None:
        super().__init__()
        self.key = key
        self.rows = rows
        self.jobs = jobs


class QueueFrontRead(Message):
    def __init__(self, key: str, front: QueueFront | None) -> None:
        super().__init__()
        self.key = key
        self.front = front


class JobDetailLoaded(Message):
    def __init__(self, detail: JobDetail) -> None:
        super().__init__()
        self.detail = detail


class ActionDone(Message):
    """A mutating call succeeded; the screen re-reads what it changed."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
