"""``d`` on a job: every field a user looks for, from one DescribeJobs (plus its dependencies)."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, Static

from batchtui.account.pacing import ACTIVE_CAP_S, Pace
from batchtui.account.snapshots import JobDetail
from batchtui.model import FINAL_STATUSES, JobSummary
from batchtui.tui.freshness import endpoint_now, read_ago, titled
from batchtui.tui.job_sections import Related, related_jobs, related_line, render_job
from batchtui.tui.messages import ActionDone, JobDetailLoaded
from batchtui.tui.screens import job_actions
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.widgets.reading_pane import ReadingPane
from batchtui.tui.widgets.related_jobs import RelatedJobs
from batchtui.tui.widgets.screen_footer import ScreenFooter
from batchtui.tui.widgets.status_bar import StatusBar

#: A job that does not change is described again this rarely (each read also scans PENDING jobs
#: for its dependents: up to 11 calls).
DETAIL_CAP_S = 2 * ACTIVE_CAP_S


class JobDetailScreen(BaseScreen):
    HELP_NAME = "Job detail"
    FOOTER_ORDER = ("logs", "open_related", "diagnose", "stop", "children", "copy_id")
    BINDINGS = [
        Binding("y", "copy_id", "Copy id", id="detail.copy_id"),
        Binding(
            "D",
            "diagnose",
            "Diagnose",
            id="detail.diagnose",
            tooltip="Why is the job stuck?",
        ),
        *job_actions.job_bindings("detail"),
        Binding(
            "enter",
            "open_related",
            "Open related",
            id="detail.open",
            tooltip="The highlighted related job: a dependency, a dependent, the parent, a child",
        ),
    ]

    def __init__(self, job: JobSummary, queue: str) -> None:
        super().__init__()
        self.job = job
        self.queue = queue
        self.detail: JobDetail | None = None
        self.related: list[Related] = []
        #: The job's pace: the timer's interval while it moves, slower while it does not.
        self.pace = Pace(0.0, 0.0)
        self.read_at: float | None = None  # when the shown description was asked for
        self._rendered_now: float | None = None  # the endpoint's time the job was shown at
        self._read_since: float | None = None

    def _title(self) -> str:
        return f"Job {self.job.job_name}  {self.job.job_id}"

    def compose(self) -> ComposeResult:
        yield Label(Text(self._title()), classes="section-title", id="detail-title")
        with ReadingPane(id="detail-box"):
            yield Static(Text("describing…", style="italic"), id="detail")
        yield Label("", id="related-title", classes="section-title")
        yield RelatedJobs(id="related")
        yield StatusBar()
        yield ScreenFooter()

    def on_mount(self) -> None:
        self.query_one("#related-title").display = False
        self.query_one(RelatedJobs).display = False
        interval = self.batchtui.config.refresh_interval
        self.pace = Pace(interval, DETAIL_CAP_S if interval > 0 else 0.0)
        self.query_one("#detail-box").focus()
        if self.connected:
            self.reload(full=True)

    def reload(self, full: bool) -> None:
        if not full:
            if self._read_since is not None or not self.pace.due(self.batchtui.clock()):
                return  # a read is under way, or the job is not due
            if self.detail is not None and self.detail.job.status in FINAL_STATUSES:
                return  # a finished job does not change: only `r` reads it again
        self._read_since = self.batchtui.clock()
        self.describe_worker(self.job.job_id)

    def resumed(self) -> None:
        if self.read_at is not None:
            self.reload(full=False)

    def show_ages(self) -> None:
        app = self.batchtui
        self.query_one("#detail-title", Label).update(
            titled(self._title(), read_ago(app.clock(), self.read_at))
        )
        detail = self.detail
        if detail is not None and detail.job.status in ("STARTING", "RUNNING"):
            # "running for" counts on between reads, on the endpoint's clock.
            now = endpoint_now(detail.server_time, self.read_at, app.clock(), app.clock_speed())
            if now != self._rendered_now:
                self._show_job(now)

    def _show_job(self, now: float | None) -> None:
        if self.detail is None:
            return
        self._rendered_now = now
        blocker = self.queue_blocker(self.detail.job.job_queue)
        self.query_one("#detail", Static).update(
            render_job(self.detail, self.reason_keys(), blocker, now)
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def describe_worker(self, job_id: str) -> None:
        # The loaders need boto3, which loads in the connect worker, never before the first paint.
        from batchtui.account.loaders import load_job_detail

        self.post_message(JobDetailLoaded(load_job_detail(self.aws, job_id)))

    def worker_failed(self, group: str) -> None:
        if group == "detail":
            self._read_since = None
        if group == "detail" and self.detail is None:
            key = self.key_for("screen.refresh")
            self.query_one("#detail", Static).update(
                Text(f"could not describe the job (see the message); {key} tries again")
            )

    @on(JobDetailLoaded)
    def _loaded(self, message: JobDetailLoaded) -> None:
        changed = self.detail is None or self.detail.job != message.detail.job
        self.detail = message.detail
        if self._read_since is not None:
            self.read_at = self._read_since
            self.pace.read(self._read_since, changed=changed)
            self._read_since = None
        self.show_ages()
        job = message.detail.job
        self.job = replace(
            self.job,
            job_name=job.job_name or self.job.job_name,
            status=job.status or self.job.status,
            status_reason=job.status_reason,
        )
        self.batchtui.mark_fresh()
        self._show_job(message.detail.server_time)
        if job.job_queue:
            self.queue = job.queue_name  # a related job opened from another queue's list
        self.show_ages()  # the title names the job described (a related job opened in place)
        self._show_related(related_jobs(message.detail))

    def _show_related(self, related: list[Related]) -> None:
        links = self.query_one(RelatedJobs)
        if related == self.related:
            return  # a refresh: the highlight stays where the user left it
        self.related = related
        title = self.query_one("#related-title", Label)
        title.display = links.display = bool(related)
        key = self.key_for("detail.open") or "enter"
        nav = self.key_for("screen.next_pane") or "tab"
        title.update(Text(f"Related jobs   {key}: open   {nav}: choose"))
        links.show([related_line(r) for r in related])
        self.refresh_bindings()  # enter is offered only when there is a job to open

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_related" and not self.related:
            return False
        return super().check_action(action, parameters)

    def action_open_related(self) -> None:
        index = self.query_one(RelatedJobs).highlighted
        if index is None or not 0 <= index < len(self.related):
            self.notify("no related job to open", severity="warning")
            return
        self.batchtui.navigate.open_job_detail(self.related[index].job, self.queue)

    @on(RelatedJobs.OptionSelected)
    def _related_clicked(self, event: RelatedJobs.OptionSelected) -> None:
        event.stop()
        self.action_open_related()

    def _array_size(self) -> int | None:
        size = self.detail.job.array_size if self.detail else None
        return size or self.job.array_size

    def action_copy_id(self) -> None:
        job_actions.copy_job_id(self, self.job.job_id)

    def action_diagnose(self) -> None:
        self.batchtui.navigate.open_diagnosis(job_id=self.job.job_id, job_name=self.job.job_name)

    def action_logs(self) -> None:
        self.batchtui.navigate.open_logs(self.job.job_id, self.job.job_name, self._array_size())

    def action_children(self) -> None:
        if not self._array_size():
            self.notify(f"{self.job.job_name} is not an array job", severity="warning")
            return
        self.batchtui.navigate.open_jobs(
            self.queue, array_job_id=self.job.job_id, array_name=self.job.job_name
        )

    def action_stop(self) -> None:
        job_actions.stop_job(self, self.job)

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        self.notify(message.text, title="Done")
        self.reload(full=True)  # the job changed: describe it now
