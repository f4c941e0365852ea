"""The screens, and the views they register for ``:`` and the command palette."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from batchtui.tui import views
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.screens.ce_detail import ComputeEnvironmentScreen
from batchtui.tui.screens.dialogs import (
    CommandLineScreen,
    ConfirmScreen,
    ErrorScreen,
    PromptScreen,
    ScaleScreen,
)
from batchtui.tui.screens.help import HelpScreen
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.logs import LogsScreen
from batchtui.tui.screens.overview import OverviewScreen
from batchtui.tui.screens.plan import PlanScreen, ProfileList
from batchtui.tui.widgets.job_table import JobTable
from batchtui.tui.widgets.log_view import LogView
from batchtui.tui.widgets.reading_pane import ReadingPane
from batchtui.tui.widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    from batchtui.tui.app import BatchtuiApp

#: Every class whose BINDINGS the keymap may remap (config validation reads their ids).
BINDING_OWNERS: tuple[type, ...] = (
    BaseScreen,
    OverviewScreen,
    ComputeEnvironmentScreen,
    JobsScreen,
    JobDetailScreen,
    JobTable,
    ResourceTable,
    ReadingPane,
    LogsScreen,
    LogView,
    PlanScreen,
    ProfileList,
    HelpScreen,
    ConfirmScreen,
    ScaleScreen,
    ErrorScreen,
    CommandLineScreen,
    PromptScreen,
)


def open_logs(
    screen: BaseScreen, job_id: str, name: str = "", array_size: int | None = None
) -> None:
    """``l`` on a job: the logs engine's follow view (an array parent: its children's)."""
    screen.app.push_screen(LogsScreen(job_id, name=name, array_size=array_size))


def _open_overview_table(which: str) -> Callable[[BatchtuiApp, str], None]:
    def open_(app: BatchtuiApp, arg: str) -> None:
        screen = app.back_to_overview()
        if isinstance(screen, OverviewScreen):
            screen.focus_table(which)

    return open_


def _open_jobs(app: BatchtuiApp, arg: str) -> None:
    screen = app.back_to_overview()
    queue = arg
    if not queue and isinstance(screen, OverviewScreen):
        selected = screen.selected_queue()
        queue = selected.name if selected else ""
    if not queue:
        app.notify(
            "no job queue yet: wait for the overview, or type :jobs QUEUE", severity="warning"
        )
        return
    known = [q.name for q in app.account.queues] if app.account else []
    if known and queue not in known:
        app.notify(f"no job queue {queue!r}; queues: {', '.join(known)}", severity="warning")
        return
    app.push_screen(JobsScreen(queue))


views.register(
    views.View(
        "ce",
        "Compute environments",
        _open_overview_table("ces"),
        aliases=("ces", "computeenvironments"),
    )
)
views.register(
    views.View("jq", "Job queues", _open_overview_table("queues"), aliases=("queues", "queue"))
)
views.register(
    views.View(
        "jobs",
        "Jobs of a queue (the selected one)",
        _open_jobs,
        aliases=("job", "j"),
        usage="[queue]",
    )
)


def _open_plan(app: BatchtuiApp, arg: str) -> None:
    app.back_to_overview()
    app.push_screen(PlanScreen(arg))


views.register(
    views.View(
        "plan", "Capacity plan of a profile", _open_plan, aliases=("planner",), usage="[profile]"
    )
)
