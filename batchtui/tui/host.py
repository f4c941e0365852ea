"""What screens and widgets may ask of the app, as types: no screen imports the app.

The app (:mod:`batchtui.tui.app`) sits on top: it imports the screens, the screens import
widgets, and none of them imports the app back. They see it through :class:`Host`, and open
each other through :class:`Navigator` (implemented by :mod:`batchtui.tui.navigation`), so the
jobs list and the job detail, which open each other, never import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from batchtui.account.refresh import RefreshSchedule
    from batchtui.account.snapshots import AccountSnapshot
    from batchtui.aws.session import Aws
    from batchtui.model import JobSummary
    from batchtui.tui.config import TuiConfig


@dataclass
class Connection:
    """What the status bar says about where we are connected."""

    where: str = ""
    account: str = ""
    is_sandbox: bool = False
    sandbox_starting: bool = False


class Navigator(Protocol):
    """Opens the screens of batchtui, by what they show."""

    def open_compute_environment(self, name: str) -> None: ...

    def open_jobs(
        self, queue: str, *, array_job_id: str | None = None, array_name: str = ""
    ) -> None: ...

    def open_job_detail(self, job: JobSummary, queue: str) -> None: ...

    def open_logs(self, job_id: str, name: str = "", array_size: int | None = None) -> None: ...

    def open_diagnosis(self, *, job_id: str = "", job_name: str = "", queue: str = "") -> None:
        """A job's diagnosis (``job_id``), or else every stuck job of ``queue``."""


class Host(Protocol):
    """The app as its screens and widgets see it (its textual side is ``screen.app``)."""

    aws: Aws | None  # None until connected
    sandbox: Any
    account: AccountSnapshot | None
    config: TuiConfig
    read_only: bool
    clock: Callable[[], float]
    connection: Connection
    #: Why the data is stale (the failed read's error title); empty when it is fresh.
    stale_reason: str

    @property
    def stale(self) -> bool: ...

    @property
    def last_refresh(self) -> float | None: ...

    @property
    def refresh_late(self) -> bool: ...

    def clock_speed(self) -> float: ...

    refresh_schedule: RefreshSchedule
    navigate: Navigator

    def mark_fresh(self) -> None: ...

    def report_error(self, error: BaseException, *, group: str = "") -> None: ...

    def load_account_worker(self, full: bool) -> Any: ...

    def refresh_account_if_stale(self) -> None: ...

    def account_changed(self) -> None: ...

    def user_acted(self) -> None: ...

    def calls_per_minute(self) -> int: ...

    def leave(self) -> None:
        """Quit batchtui; asks first when the sandbox it runs in-process would be lost."""
