"""How one screen opens another, and the views ``:`` and the command palette reach.

The only module that knows every screen class: screens ask :class:`Navigation` (through the
app's ``navigate``) to open a queue's jobs or a job's detail, so they never import each other,
and the app imports this module instead of the screens.

The screen stack is the view history (k9s' back): a ``:`` jump opens its view on top of the
screen the user is on, so ``q``/``esc`` return there. A jump to a view already open further back
returns to it instead (the screens above it close), so the history never holds a view twice and
stays as short as the views visited.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, cast

from textual.app import App
from textual.screen import Screen

from batchtui.model import JobSummary
from batchtui.tui import views
from batchtui.tui.host import Host
from batchtui.tui.screens.ce_detail import ComputeEnvironmentScreen
from batchtui.tui.screens.diagnosis import DiagnosisScreen
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.logs import LogsScreen
from batchtui.tui.screens.overview import OverviewScreen
from batchtui.tui.screens.plan import PlanScreen
from batchtui.tui.screens.submissions import SubmissionsScreen


class Navigation:
    """The app's :class:`~batchtui.tui.host.Navigator`: screens pushed on ``app``'s stack."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app

    def open_overview(self) -> None:
        self.app.push_screen(OverviewScreen())

    def open_compute_environment(self, name: str) -> None:
        self.app.push_screen(ComputeEnvironmentScreen(name))

    def open_jobs(
        self, queue: str, *, array_job_id: str | None = None, array_name: str = ""
    ) -> None:
        self.app.push_screen(JobsScreen(queue, array_job_id=array_job_id, array_name=array_name))

    def open_job_detail(self, job: JobSummary, queue: str) -> None:
        self.app.push_screen(JobDetailScreen(job, queue))

    def open_logs(self, job_id: str, name: str = "", array_size: int | None = None) -> None:
        """``l`` on a job: the logs engine's follow view (an array parent: its children's)."""
        self.app.push_screen(LogsScreen(job_id, name=name, array_size=array_size))

    def open_diagnosis(self, *, job_id: str = "", job_name: str = "", queue: str = "") -> None:
        """``D`` on a job (its diagnosis) or on a job queue (every stuck job of it)."""
        self.app.push_screen(DiagnosisScreen(job_id=job_id, job_name=job_name, queue=queue))


def jump(
    app: App[Any], shows: Callable[[Screen[Any]], bool], make: Callable[[], Screen[Any]]
) -> Screen[Any]:
    """Show the view ``shows`` recognises: the one further back in the history if there is
    one (the screens above it close), else ``make()``'s on top of the current screen."""
    stack = app.screen_stack
    found = next((i for i in range(len(stack) - 1, 0, -1) if shows(stack[i])), None)
    if found is None:
        screen = make()
        app.push_screen(screen)
        return screen
    while len(app.screen_stack) > found + 1:
        app.pop_screen()
    return app.screen


def _overview(app: App[Any]) -> Screen[Any]:
    return jump(app, lambda s: isinstance(s, OverviewScreen), OverviewScreen)


def _open_overview_table(which: str) -> Callable[[App[Any], str], None]:
    def open_(app: App[Any], arg: str) -> None:
        screen = _overview(app)
        if isinstance(screen, OverviewScreen):
            screen.focus_table(which)

    return open_


def _open_compute_environments(app: App[Any], arg: str) -> None:
    """``:ce``: the overview's CE table; ``:ce NAME``: that CE's detail."""
    host = cast(Host, app)
    if not arg:
        _open_overview_table("ces")(app, arg)
        return
    known = [ce.name for ce in host.account.ces] if host.account else []
    if known and arg not in known:
        app.notify(
            f"no compute environment {arg!r}; compute environments: {', '.join(known)}",
            severity="warning",
        )
        return
    jump(
        app,
        lambda s: isinstance(s, ComputeEnvironmentScreen) and s.ce_name == arg,
        partial(ComputeEnvironmentScreen, arg),
    )


def _open_jobs(app: App[Any], arg: str) -> None:
    host = cast(Host, app)
    queue = arg
    if not queue:  # the queue selected on the overview (the one under the jobs shown)
        shown = app.screen
        if isinstance(shown, JobsScreen) and not shown.array_job_id:
            queue = shown.queue
        else:
            overview = next((s for s in app.screen_stack if isinstance(s, OverviewScreen)), None)
            selected = overview.selected_queue() if overview else None
            queue = selected.name if selected else ""
    if not queue:
        app.notify(
            "no job queue yet: wait for the overview, or type :jobs QUEUE", severity="warning"
        )
        return
    known = [q.name for q in host.account.queues] if host.account else []
    if known and queue not in known:
        app.notify(f"no job queue {queue!r}; queues: {', '.join(known)}", severity="warning")
        return
    jump(
        app,
        lambda s: isinstance(s, JobsScreen) and not s.array_job_id and s.queue == queue,
        partial(JobsScreen, queue),
    )


def _open_plan(app: App[Any], arg: str) -> None:
    jump(app, lambda s: isinstance(s, PlanScreen) and s.profile == arg, partial(PlanScreen, arg))


def _open_submissions(app: App[Any], arg: str) -> None:
    """``:submissions``: every planning profile's image bucket; ``:submissions NAME`` one
    profile's, ``:submissions s3://BUCKET`` that bucket's."""
    jump(
        app,
        lambda s: isinstance(s, SubmissionsScreen) and s.where == arg,
        partial(SubmissionsScreen, arg),
    )


VIEWS = views.ViewRegistry(
    views.View(
        "ce",
        "Compute environments (a name: its detail)",
        _open_compute_environments,
        aliases=("ces", "computeenvironments"),
        usage="[name]",
        argument=views.COMPUTE_ENVIRONMENT,
    ),
    views.View("jq", "Job queues", _open_overview_table("queues"), aliases=("queues", "queue")),
    views.View(
        "jobs",
        "Jobs of a queue (the selected one)",
        _open_jobs,
        aliases=("job", "j"),
        usage="[queue]",
        argument=views.QUEUE,
    ),
    views.View(
        "plan", "Capacity plan of a profile", _open_plan, aliases=("planner",), usage="[profile]"
    ),
    views.View(
        "submissions",
        "Image-tagging submissions and their progress",
        _open_submissions,
        aliases=("submission", "subs"),
        usage="[profile|s3://bucket]",
    ),
)
