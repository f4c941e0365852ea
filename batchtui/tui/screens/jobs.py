"""The jobs of a queue, or the children of an array job: status tabs, filter, sort, actions.

The jobs live in a :class:`JobIndex`; the virtual :class:`JobTable` renders only what is visible.
A full listing posts one message per ListJobs page (1,000 jobs), so the first rows show after the
first call; the timer's refresh re-lists only the active statuses and describes only the jobs
that left them.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from batchtui.account.attempts import AttemptsCache
from batchtui.account.jobstore import SORT_ORDER, JobIndex, JobQuery
from batchtui.account.listing import listing_order, queue_head, reads_aws
from batchtui.account.pacing import ACTIVE_CAP_S, Pace
from batchtui.account.snapshots import FirstPage, QueueFront
from batchtui.model import JOB_STATUSES, JobSummary
from batchtui.tui.freshness import endpoint_now, read_ago, titled
from batchtui.tui.job_lines import TABS, head_line, reason_line, tabs_text
from batchtui.tui.messages import (
    ActionDone,
    AttemptsRead,
    JobsListed,
    JobsPage,
    JobsRefreshed,
    QueueFrontRead,
)
from batchtui.tui.screens import job_actions
from batchtui.tui.screens.base import BaseScreen, type_into_focused_input
from batchtui.tui.widgets.job_table import JobTable
from batchtui.tui.widgets.screen_footer import ScreenFooter
from batchtui.tui.widgets.status_bar import StatusBar

#: While pages arrive, the rows are rebuilt at most this often (the last page always rebuilds).
REBUILD_EVERY_S = 0.25
#: Opening a queue shows the first ListJobs pages the overview read at most this long ago
#: instead of asking for them again (``r`` always re-reads).
REUSE_PAGES_S = 10.0
#: The front-of-queue line shows when its job has a statusReason or has been first this long:
#: in a queue that flows, the front changes every few seconds and is not news.
HEAD_WAIT_S = 300.0
#: Scrolling reads the ATTEMPTS of the rows it shows once it has stopped this long: holding
#: page-down over a long queue costs one DescribeJobs at the end, not one per page.
ATTEMPTS_SETTLE_S = 0.3


class JobsScreen(BaseScreen):
    HELP_NAME = "Jobs"
    FOOTER_ORDER = ("detail", "logs", "diagnose", "filter", "stop", "children", "sort")
    AUTO_FOCUS = "#jobs"
    BINDINGS = [
        Binding(
            "slash",
            "filter",
            "Filter",
            id="jobs.filter",
            tooltip="name / id / reason; ! inverts",
            priority=True,  # acts before the keys typed after it reach the table (a paste)
        ),
        Binding("d", "detail", "Describe", id="jobs.detail", tooltip="Every field of the job"),
        Binding(
            "D",
            "diagnose",
            "Diagnose",
            id="jobs.diagnose",
            tooltip="Why is the job stuck?",
        ),
        *job_actions.job_bindings("jobs"),
        Binding("y", "copy_id", "Copy id", id="jobs.copy_id", show=False),
        Binding(
            "h",
            "head",
            "Front of queue",
            id="jobs.head",
            show=False,
            tooltip="The job every RUNNABLE job waits behind",
        ),
        Binding("s", "sort", "Sort", id="jobs.sort", tooltip="Next sort column"),
        Binding("S", "reverse", "Reverse", id="jobs.reverse", show=False),
        Binding("right_square_bracket", "tab(1)", "Next status", id="jobs.next_tab", show=False),
        Binding("left_square_bracket", "tab(-1)", "Prev status", id="jobs.prev_tab", show=False),
        *(
            Binding(str(i), f"status({i})", f"{tab}", id=f"jobs.tab_{tab.lower()}", show=False)
            for i, tab in enumerate(TABS)
        ),
    ]

    def __init__(
        self, queue: str, *, array_job_id: str | None = None, array_name: str = ""
    ) -> None:
        super().__init__()
        self.queue = queue
        self.array_job_id = array_job_id
        self.array_name = array_name
        self.key = array_job_id or queue
        self.index = JobIndex()
        # Children in index order (0, 1, 2 ...); a queue's jobs newest first.
        self.query_state = JobQuery(descending=array_job_id is None)
        self.tab = "ALL"
        self.listing = False
        self.refreshing = False
        self._last_rebuild = 0.0
        self.front: QueueFront | None = None
        #: The list's pace: the timer's interval while jobs move, slower while they do not.
        self.pace = Pace(0.0, 0.0)
        #: The endpoint's time at the last read, and the app's clock then.
        self.server_time: float | None = None
        self.server_read_at: float | None = None
        #: When what the list shows was read (the start of the read: nothing in it is older).
        self.read_at: float | None = None
        self._read_since: float | None = None
        #: Attempts per job id, for the ATTEMPTS cells of the rows on screen.
        self.attempts = AttemptsCache()
        #: The rows whose attempts a read under way asks for.
        self._attempts_asked: list[JobSummary] = []
        self._attempts_timer: Timer | None = None

    def _title(self) -> str:
        if self.array_job_id:
            return f"Array job {self.array_name} {self.array_job_id} in {self.queue}: children"
        return f"Jobs in {self.queue}"

    def compose(self) -> ComposeResult:
        yield Label(Text(self._title()), classes="section-title", id="jobs-title")
        yield Static(id="tabs")
        yield Label("", id="queue-head")
        yield Input(placeholder="filter: name, id or status reason; !text inverts", id="filter")
        yield JobTable(id="jobs")
        yield Label("", id="job-reason")
        yield Label("", id="jobs-info", classes="note")
        yield StatusBar()
        yield ScreenFooter()

    def on_mount(self) -> None:
        interval = self.batchtui.config.refresh_interval
        self.pace = Pace(interval, ACTIVE_CAP_S if interval > 0 else 0.0)
        self.query_one("#filter", Input).display = False
        self.query_one("#queue-head", Label).display = False
        table = self.query_one(JobTable)
        table.attempts_of = self.attempts.cell
        table.empty_text = "listing…"
        table.focus()
        self._show_counts()
        if self.connected:
            self.reload(full=True)

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_counts)  # the tabs' names fit the new width

    # -- loading ------------------------------------------------------------------------------

    def reload(self, full: bool) -> None:
        busy = self.listing or self.refreshing
        if not full and (busy or not self.pace.due(self.batchtui.clock())):
            return  # the timer: a read is under way, or the list is not due yet
        if not self.array_job_id:
            self.front_worker()
        self._read_since = self.batchtui.clock()
        if full:
            self.attempts.forget_failures()
        if full or not self.index.loaded >= set(JOB_STATUSES):
            # Not listed whole yet (the first listing failed part-way): list again.
            self.listing = True
            known = self._reusable_pages()
            if known:  # the overview's pages: the list is as old as the oldest of them
                self._read_since = min(p.read_at for p in known.values())
            self.list_worker(listing_order(self.tab), known)
        else:
            self.refreshing = True
            self.refresh_worker(self.index.active_ids())

    def resumed(self) -> None:
        if self.read_at is not None and self.pace.due(self.batchtui.clock()):
            self.reload(full=False)
        self.read_attempts()

    def show_ages(self) -> None:
        self.query_one("#jobs-title", Label).update(
            titled(self._title(), read_ago(self.batchtui.clock(), self.read_at))
        )
        # Between reads the running jobs' durations go on with the endpoint's clock.
        table = self.query_one(JobTable)
        now_ms = self._server_now_ms()
        if table.now_ms != now_ms:
            table.now_ms = now_ms
            table.refresh()

    def _read_done(self, *, changed: bool) -> None:
        self.listing = self.refreshing = False
        aws = self.batchtui.aws
        if aws is not None and aws.server_time is not None:
            self.server_time, self.server_read_at = aws.server_time, self.batchtui.clock()
        if self._read_since is not None:
            self.read_at = self._read_since
            self.pace.read(self._read_since, changed=changed)
        self.show_ages()

    def worker_failed(self, group: str) -> None:
        if group == "jobs":
            self.refreshing = False  # the list stays; the status bar says STALE
        if group == "attempts":
            self.attempts.failed(self._attempts_asked)
            self._attempts_asked = []
            self.query_one(JobTable).refresh()
        if group == "jobs" and self.listing:
            self.listing = False  # the timer lists again
            key = self.key_for("screen.refresh")
            self.query_one(
                JobTable
            ).empty_text = f"could not list the jobs (see the message); retrying, or {key} now"
            self.rebuild()

    def _reusable_pages(self) -> dict[str, FirstPage]:
        """On opening (never on ``r``): the overview's fresh first pages of this queue."""
        account = self.batchtui.account
        if self.index.loaded or self.array_job_id or account is None:
            return {}
        return account.fresh_pages(self.queue, self.batchtui.clock(), REUSE_PAGES_S)

    @work(thread=True, exclusive=True, exit_on_error=False, group="jobs")
    def list_worker(self, statuses: list[str], known: dict[str, FirstPage]) -> None:
        # The loaders need boto3: it loads in the connect worker, never before the first paint.
        from batchtui.account.loaders import job_pages

        worker = get_current_worker()
        for status, page, first, last in job_pages(
            self.aws, self.queue, statuses, array_job_id=self.array_job_id, known=known
        ):
            if worker.is_cancelled:
                return
            self.post_message(JobsPage(self.key, status, page, first, last))
        self.post_message(JobsListed(self.key, reads_aws(statuses, known)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-front")
    def front_worker(self) -> None:
        # The loaders need boto3: it loads in the connect worker, never before the first paint.
        from batchtui.account.loaders import queue_front

        self.post_message(QueueFrontRead(self.key, queue_front(self.aws, self.queue)))

    @on(QueueFrontRead)
    def _front(self, message: QueueFrontRead) -> None:
        if message.key == self.key:
            self.front = message.front
            self._show_head()
            self._show_reason(self.query_one(JobTable).current)

    def _show_head(self) -> None:
        """A line under the tabs when jobs wait behind the front of the queue: which job it
        is, for how long, and why (its statusReason) - the jobs behind it have none of their
        own, so without this a blocked queue shows only RUNNABLE jobs without a reason."""
        label = self.query_one("#queue-head", Label)
        head = queue_head(self.front, self.index)
        reason = head.own_reason if head is not None else ""
        if not reason and (blocker := self.queue_blocker(self.queue)) is not None:
            reason = blocker.meaning
        waited = head.waited_s if head is not None else None
        label.display = head is not None and bool(reason or (waited or 0) >= HEAD_WAIT_S)
        if label.display and head is not None:
            label.update(head_line(head, reason, self.key_for("jobs.head")))

    def action_head(self) -> None:
        head = queue_head(self.front, self.index)
        if head is None:
            self.notify("no RUNNABLE job waits in this queue", severity="warning")
            return
        table = self.query_one(JobTable)
        if table.index_of(head.row_id) is None:
            self.action_status(TABS.index("RUNNABLE"))
        row = table.index_of(head.row_id)
        if row is None:
            if self.query_state.text:
                self.notify(
                    f"the front job ({head.name}) is hidden by the filter; "
                    f"{self.key_for('screen.back') or 'esc'} clears it"
                )
            else:
                self.notify("the front job is not listed yet; r re-reads the queue")
            return
        table.move_to(row)

    @work(thread=True, exclusive=True, exit_on_error=False, group="jobs")
    def refresh_worker(self, previously_active: set[str]) -> None:
        # The loaders need boto3: it loads in the connect worker, never before the first paint.
        from batchtui.account.loaders import refresh_active

        result = refresh_active(
            self.aws,
            self.queue,
            previously_active,
            array_job_id=self.array_job_id,
            # Every job created up to the newest listed is known (the listing covered every
            # status, each refresh since every job created after it): list those created since.
            newest_created_ms=self.index.newest_created_ms(),
        )
        self.post_message(JobsRefreshed(self.key, result))

    @on(JobsPage)
    def _page(self, message: JobsPage) -> None:
        if message.key != self.key:
            return
        if message.first:
            self.index.begin(message.status)
        self.index.add(message.status, message.jobs)
        if message.last:
            self.index.end(message.status)
        # The first rows at once (an empty page may just have rebuilt), then at most every
        # REBUILD_EVERY_S while pages arrive.
        first_rows = bool(message.jobs) and not self.query_one(JobTable).rows
        if first_rows or time.monotonic() - self._last_rebuild >= REBUILD_EVERY_S:
            self.rebuild()

    @on(JobsListed)
    def _listed(self, message: JobsListed) -> None:
        if message.key == self.key:
            self._read_done(changed=True)
            if message.fetched:
                self.batchtui.mark_fresh()
            table = self.query_one(JobTable)
            table.empty_text = "no jobs"
            self.rebuild()
            # Listed: the job under the cursor is the user's now, even if they never moved
            # (new jobs arriving on top must not slide another one under it).
            table.pin()

    @on(JobsRefreshed)
    def _refreshed(self, message: JobsRefreshed) -> None:
        if message.key != self.key:
            return
        before = self.index.version
        for status, jobs in message.refresh.by_status.items():
            self.index.replace(status, jobs)
        self.index.put(message.refresh.moved)
        self.index.put(message.refresh.created_finished)
        # The jobs that left the active statuses were described: their attempts come free.
        self.attempts.learn(message.refresh.moved, message.refresh.described)
        self._read_done(changed=self.index.version != before)
        self.batchtui.mark_fresh()
        if self.index.version != before:
            self.rebuild()

    def rebuild(self, *, new_list: bool = False) -> None:
        """Re-select the rows (filter, status, sort) and hand them to the table; ``new_list``
        when the status tab changed (the table opens at the top unless the job under the
        cursor is in the new list)."""
        self._last_rebuild = time.monotonic()
        table = self.query_one(JobTable)
        table.now_ms = self._server_now_ms()
        table.set_rows(self.index.select(self.query_state), new_list=new_list)
        self._show_counts()
        self._show_head()
        self.call_after_refresh(self.read_attempts)

    # -- the ATTEMPTS column ------------------------------------------------------------------

    @on(JobTable.WindowMoved)
    def _window_moved(self) -> None:
        if self._attempts_timer is not None:
            self._attempts_timer.stop()
        self._attempts_timer = self.set_timer(ATTEMPTS_SETTLE_S, self.read_attempts)

    def read_attempts(self) -> None:
        """Describe the rows on screen whose attempts are unknown or may have changed (one
        DescribeJobs per 100 rows; none when every visible row is known and unchanged)."""
        if not self.connected or self._attempts_asked or self.listing or not self.is_current:
            # A read under way: its answer asks again for what is still missing. While pages
            # arrive, the rows on screen change with each status listed: wait for the last.
            # Hidden under another screen, no row is in sight: it reads when shown again.
            return
        visible = list(self.query_one(JobTable).visible_rows())
        calls = self.attempts.to_describe(visible)
        if not calls:
            return
        wanted = {job_id for ids in calls for job_id in ids}
        self._attempts_asked = [j for j in visible if j.job_id in wanted]
        self.attempts_worker(self._attempts_asked)

    @work(thread=True, exclusive=True, exit_on_error=False, group="attempts")
    def attempts_worker(self, rows: list[JobSummary]) -> None:
        # The loaders need boto3: it loads in the connect worker, never before the first paint.
        from batchtui.account.loaders import describe_attempts

        jobs = describe_attempts(self.aws, [j.job_id for j in rows])
        self.post_message(AttemptsRead(self.key, rows, jobs))

    @on(AttemptsRead)
    def _attempts_read(self, message: AttemptsRead) -> None:
        if message.key != self.key:
            return
        self.attempts.learn(message.rows, message.jobs)
        described = {j.job_id for j in message.jobs}
        # A job DescribeJobs no longer knows (past AWS's retention) is not asked for again.
        self.attempts.failed([j for j in message.rows if j.job_id not in described])
        self._attempts_asked = []
        self.query_one(JobTable).refresh()
        self.read_attempts()  # the user may have scrolled on meanwhile

    def _server_now_ms(self) -> int:
        """The endpoint's clock at its last answer (the sandbox's is simulated), else this
        machine's: how long a job has run or waited is counted to it."""
        aws = self.batchtui.aws
        server = self.server_time if self.server_time is not None else None
        if server is None and aws is not None:
            server = aws.server_time
        now = endpoint_now(
            server, self.server_read_at, self.batchtui.clock(), self.batchtui.clock_speed()
        )
        return int((now if now is not None else time.time()) * 1000)

    def _show_counts(self) -> None:
        tabs = self.query_one("#tabs", Static)
        tabs.update(
            tabs_text(self.tab, dict(self.index.counts()), self.index.loaded, tabs.size.width)
        )
        q = self.query_state
        shown = len(self.query_one(JobTable).rows)
        where = f" ({self.tab})" if self.tab != "ALL" else ""
        info = Text(f"{shown} of {len(self.index)} jobs{where}", style="bold")
        info.append(f"   sort: {q.sort} {'↓' if q.descending else '↑'}")
        if q.text:
            info.append("   filter: ")
            info.append(q.text, style="yellow")
            if not shown and q.statuses and q.needle:
                # The filter matches nothing in this status tab: say where it does.
                elsewhere = len(self.index.select(JobQuery(text=q.text)))
                if elsewhere:
                    info.append(
                        f"   none {self.tab}; {elsewhere} in other statuses "
                        f"({self.key_for('jobs.tab_all')}: ALL)",
                        style="yellow",
                    )
        if self.listing:
            info.append("   listing…", style="italic")
        self.query_one("#jobs-info", Label).update(info)

    @on(JobTable.Highlighted)
    def _highlighted(self, message: JobTable.Highlighted) -> None:
        self._show_reason(message.job)

    def _show_reason(self, job: JobSummary | None) -> None:
        head = queue_head(self.front, self.index)
        head_id, name = (head.job_id, head.name) if head is not None else ("", "")
        # Fixed height, no layout pass: this runs on every cursor move, and a relayout of the
        # screen doubled the cost of a page-down (30 -> 64 ms on 5,500 jobs).
        blocker = self.queue_blocker(self.queue)
        line = reason_line(job, name, head_id, blocker.meaning if blocker else "")
        self.query_one("#job-reason", Label).update(line, layout=False)

    def _query(self, *, new_list: bool = False, **changes: Any) -> None:
        self.query_state = replace(self.query_state, **changes)
        self.rebuild(new_list=new_list)
        self.query_one(JobTable).pin()

    # -- keys ---------------------------------------------------------------------------------

    def action_status(self, i: int) -> None:
        self.tab = TABS[i]
        self._query(statuses=() if self.tab == "ALL" else (self.tab,), new_list=True)

    def action_tab(self, step: int) -> None:
        self.action_status((TABS.index(self.tab) + step) % len(TABS))

    def action_sort(self) -> None:
        nxt = SORT_ORDER[(SORT_ORDER.index(self.query_state.sort) + 1) % len(SORT_ORDER)]
        self._query(sort=nxt)
        self.notify(f"sorted by {nxt}", timeout=1.5)

    def action_reverse(self) -> None:
        self._query(descending=not self.query_state.descending)

    def action_filter(self) -> None:
        if type_into_focused_input(self.app, "/"):
            return
        box = self.query_one("#filter", Input)
        box.display = True
        self.set_focus(box)  # now, not after a refresh: keys typed at once land in the box

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.value == self.query_state.text:
            return  # the box emptied by escape, which has cleared the filter already
        self.query_state = replace(self.query_state, text=event.value)
        self.rebuild()
        if event.value:
            # The first match, not whichever match the cursor was on: ctrl+d may come next.
            self.query_one(JobTable).move_to(0)
        else:
            self.query_one(JobTable).pin()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        # The box closes and gives its line back to the rows; the filter stays applied (the
        # line above the table says it) and / opens the box on it again.
        event.input.display = False
        self.set_focus(self.query_one(JobTable))

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display or self.query_state.text:
            box.value = ""
            box.display = False
            self._query(text="")
            self.set_focus(self.query_one(JobTable))
            return
        super().action_back()

    @on(JobTable.Selected)
    def action_detail(self) -> None:
        job = self.query_one(JobTable).current
        if job is not None:
            self.batchtui.navigate.open_job_detail(job, self.queue)

    def action_diagnose(self) -> None:
        job = self.query_one(JobTable).current
        if job is not None:
            self.batchtui.navigate.open_diagnosis(job_id=job.job_id, job_name=job.job_name)

    def action_children(self) -> None:
        job = self.query_one(JobTable).current
        if job is None:
            return
        if not job.array_size:
            self.notify(f"{job.job_name} is not an array job", severity="warning")
            return
        self.batchtui.navigate.open_jobs(
            self.queue, array_job_id=job.job_id, array_name=job.job_name
        )

    def action_logs(self) -> None:
        job = self.query_one(JobTable).current
        if job is not None:
            self.batchtui.navigate.open_logs(job.job_id, job.job_name, job.array_size)

    def action_stop(self) -> None:
        job = self.query_one(JobTable).current
        if job is not None:
            job_actions.stop_job(self, job)

    def action_copy_id(self) -> None:
        job = self.query_one(JobTable).current
        if job is not None:
            job_actions.copy_job_id(self, job.job_id)

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        self.notify(message.text, title="Done")
        self.pace.expire()  # the jobs acted on moved: re-read them now
        self.reload(full=False)
