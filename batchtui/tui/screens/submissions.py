"""``:submissions``: the image-tagging submissions found, each with its progress, and the jobs
and failed children of the one under the cursor (``l``: their logs).

Where submissions are found, and what a reading costs, is :mod:`batchtui.account.submissions`'s
to say. The screen reads at its own :class:`~batchtui.account.pacing.Pace`: the refresh
interval while a count moves, slower while none does, as the jobs list does, and only when the
app's timer (which holds every screen's automatic reads to the call budget) asks it to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Label

from batchtui.account.pacing import ACTIVE_CAP_S, Pace
from batchtui.render.submission_status import eta_cell, eta_text, percent, progress_bar
from batchtui.submission.progress import History, Progress, Sample
from batchtui.tui import cells
from batchtui.tui.freshness import read_ago, titled
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.widgets.resource_table import ResourceTable
from batchtui.tui.widgets.screen_footer import ScreenFooter
from batchtui.tui.widgets.status_bar import StatusBar
from batchtui.wording import count

if TYPE_CHECKING:
    from batchtui.account.submissions import SubmissionsRead, Watched

BAR = 20
#: What is looked for first, first: the id, how far it has got and when it ends. A narrower
#: terminal drops the last two (:func:`submission_columns`): the line under the table has the
#: children's counts, the line at the bottom the buckets.
SUBMISSION_COLUMNS = (
    ("id", "SUBMISSION"),
    ("status", "STATUS"),
    ("progress", "PROGRESS"),
    ("images", "IMAGES DONE"),
    ("eta", "ETA"),
    ("children", "RUN/OK/FAIL"),
    ("bucket", "BUCKET"),
)
#: Terminal widths from which every column fits, and the bucket's dropped: a job id is 36.
WIDE, MEDIUM = 120, 100
#: The job id after what a job is and how far it has got: 36 characters that an 80-column
#: terminal would otherwise spend before them.
JOB_COLUMNS = (
    ("what", "JOB"),
    ("status", "STATUS"),
    ("images", "IMAGES DONE"),
    ("children", "RUN/OK/FAIL"),
    ("job_id", "JOB ID"),
    ("reason", "STATUS REASON"),
)


def submission_columns(width: int) -> tuple[tuple[tuple[str, str], ...], int]:
    """The submissions table's columns at ``width`` terminal columns, and its bars' cells:
    every column from :data:`WIDE`; without the bucket from :data:`MEDIUM`; below, without
    the children's counts either and with a shorter bar, so that the id, the status, the
    progress, the images done and the ETA fit in 80 columns."""
    if width >= WIDE:
        return SUBMISSION_COLUMNS, BAR
    dropped = ("bucket",) if width >= MEDIUM else ("bucket", "children")
    bar = BAR if width >= MEDIUM else BAR // 2
    return tuple(c for c in SUBMISSION_COLUMNS if c[0] not in dropped), bar


#: Short names of the statuses a child is in before it runs, for the CHILDREN cells.
WAITING = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING")


class SubmissionsLoaded(Message):
    def __init__(self, read: SubmissionsRead) -> None:
        super().__init__()
        self.read = read


def children_cell(by_status: dict[str, int]) -> str:
    """``3/120/1``: running, succeeded, failed (the waiting ones are the rest)."""
    return f"{by_status.get('RUNNING', 0)}/{by_status.get('SUCCEEDED', 0)}/" + str(
        by_status.get("FAILED", 0)
    )


class SubmissionsScreen(BaseScreen):
    HELP_NAME = "Submissions"
    FOOTER_ORDER = ("logs", "open")
    AUTO_FOCUS = "#submissions"
    BINDINGS = [
        Binding(
            "l",
            "logs",
            "Logs",
            id="submissions.logs",
            tooltip="The logs of the job or child under the cursor (an array: its children's)",
        ),
        Binding(
            "enter",
            "open",
            "Its jobs",
            id="submissions.open",
            tooltip="From a submission to its jobs; from an array job to its children",
        ),
    ]

    def __init__(self, where: str = "") -> None:
        super().__init__()
        #: What ``:submissions`` named: s3://bucket, a profile, or "" for every profile's bucket.
        self.where = where
        self.buckets: list[str] | None = None
        self.watched: dict[str, Watched] = {}
        self.order: list[str] = []
        self.histories: dict[str, History] = {}
        self.samples: dict[str, list[Sample]] = {}
        self.left_out = 0
        self.loading = False
        self.pace = Pace(0.0, 0.0)
        self.read_at: float | None = None
        self._read_since: float | None = None
        self.bar = BAR

    def compose(self) -> ComposeResult:
        yield Label(Text("Submissions"), classes="section-title", id="submissions-title")
        yield ResourceTable(id="submissions")  # its columns fit the width: on_resize
        yield Label("", id="submission-progress")
        yield Label(Text("Jobs"), classes="section-title", id="submission-jobs-title")
        jobs = ResourceTable(id="submission-jobs")
        for key, label in JOB_COLUMNS:
            jobs.add_column(label, key=key)
        yield jobs
        yield Label("", id="submissions-info", classes="note")
        yield StatusBar()
        yield ScreenFooter()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)
        if self.read_at is not None:
            self._show()  # the rows again, in the columns and with the bar of this width

    def _fit(self, width: int) -> None:
        columns, self.bar = submission_columns(width)
        table = self.query_one("#submissions", DataTable)
        if [str(c.value) for c in table.columns] != [key for key, _ in columns]:
            table.clear(columns=True)
            for key, label in columns:
                table.add_column(label, key=key)

    def on_mount(self) -> None:
        self._fit(self.app.size.width)
        interval = self.batchtui.config.refresh_interval
        self.pace = Pace(interval, ACTIVE_CAP_S if interval > 0 else 0.0)
        self._info("reading…")
        if self.connected:
            self.reload(full=True)

    # -- reading ------------------------------------------------------------------------------

    def reload(self, full: bool) -> None:
        if self.loading or (not full and not self.pace.due(self.batchtui.clock())):
            return  # a read under way, or not due yet (the timer)
        self.loading = True
        self._read_since = self.batchtui.clock()
        self.load_worker(full, dict(self.watched))

    def resumed(self) -> None:
        if self.read_at is not None and self.pace.due(self.batchtui.clock()):
            self.reload(full=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="submissions")
    def load_worker(self, full: bool, previous: dict[str, Watched]) -> None:
        # boto3 and the profiles load here, in the worker.
        from batchtui.account.submissions import buckets_named, load_submissions

        # Named once; the screen keeps them from the reading (a worker never sets its state).
        buckets = (
            self.buckets
            if self.buckets is not None
            else buckets_named(self.where, sandbox=self.aws.target.sandbox)
        )
        self.post_message(
            SubmissionsLoaded(load_submissions(self.aws, buckets, previous, full=full))
        )

    def worker_failed(self, group: str) -> None:
        if group == "submissions":
            self.loading = False
            if self._read_since is not None:  # a failed read waits its turn like an unchanged one
                self.pace.read(self._read_since, changed=False)
            if self.read_at is None:
                self._info("could not read the submissions (see the message); r tries again")

    @on(SubmissionsLoaded)
    def _loaded(self, message: SubmissionsLoaded) -> None:
        read = message.read
        self.buckets = list(read.buckets)
        before = {sid: w.progress for sid, w in self.watched.items()}
        self.watched = {w.progress.submission_id: w for w in read.submissions}
        self.order = [w.progress.submission_id for w in read.submissions]
        self.left_out = read.left_out
        changed = False
        for sid, watched in self.watched.items():
            progress = watched.progress
            if before.get(sid) is not progress:
                history = self.histories.setdefault(sid, History())
                self.samples[sid] = history.observe(progress)
                changed = changed or _moved(before.get(sid), progress)
        self.loading = False
        if self._read_since is not None:
            self.read_at = self._read_since
            self.pace.read(self._read_since, changed=changed or self.order != list(before))
        self.batchtui.mark_fresh()
        self._show()

    # -- showing ------------------------------------------------------------------------------

    def _show(self) -> None:
        rows = {sid: self._submission_row(self.watched[sid]) for sid in self.order}
        _sync(self.query_one("#submissions", DataTable), rows)
        where = ", ".join(f"s3://{b}" for b in self.buckets or [])
        if not self.order:
            # What to do first: at 80 columns the line is cut at its end.
            self._info(
                "no submission yet: batchtui submit --profile P --images s3://BUCKET/PREFIX/ "
                f"makes one (a CLI --sandbox is a sandbox of its own); read {where or 'no bucket'}"
            )
        else:
            more = f"; {self.left_out} older not read" if self.left_out else ""
            noun = "submission" if len(self.order) == 1 else "submissions"
            self._info(f"{len(self.order)} {noun} in {where}{more}")
        self._show_selected()
        self.show_ages()

    def _submission_row(self, watched: Watched) -> dict[str, Any]:
        p = watched.progress
        sid = p.submission_id
        return {
            "id": sid,
            "bucket": p.bucket,
            "status": _status(p.status),
            # Text: a bar's brackets are never read as markup.
            "progress": Text(f"{progress_bar(p.fraction, self.bar)} {percent(p.fraction):>4}"),
            "images": f"{p.images_done:,} of {p.image_count:,}",
            "children": children_cell(p.children_by_status()),
            "eta": eta_cell(p, self.samples.get(sid, [])),
        }

    def selected(self) -> Watched | None:
        table = self.query_one("#submissions", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.watched.get(str(key))

    @on(DataTable.RowHighlighted, "#submissions")
    def _highlighted(self) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        watched = self.selected()
        jobs = self.query_one("#submission-jobs", DataTable)
        line = self.query_one("#submission-progress", Label)
        if watched is None:
            _sync(jobs, {})
            line.update("")
            return
        p = watched.progress
        counts = p.children_by_status()
        waiting = sum(counts[s] for s in WAITING)
        text = Text(f"{p.submission_id}  ", style="bold")
        text.append(
            f"children: {waiting:,} waiting, {counts['RUNNING']:,} running, "
            f"{counts['SUCCEEDED']:,} succeeded, {counts['FAILED']:,} failed   "
            f"images: {p.images_done:,} done, {p.images_failed:,} in failed children, "
            f"{p.images_left:,} left   {eta_text(p, self.samples.get(p.submission_id, []))}"
        )
        if p.pending_steps:
            text.append(f"   to submit: {count(len(p.pending_steps), 'step')}", style="yellow")
        line.update(text)
        self.query_one("#submission-jobs-title", Label).update(
            Text(f"Jobs of {p.submission_id}: arrays, fan-ins, summary, failed children")
        )
        _sync(jobs, _job_rows(p))

    def show_ages(self) -> None:
        self.query_one("#submissions-title", Label).update(
            titled("Submissions", read_ago(self.batchtui.clock(), self.read_at))
        )

    def _info(self, text: str) -> None:
        self.query_one("#submissions-info", Label).update(Text(text))

    # -- keys ---------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "submissions":
            self.action_open()
        else:
            self.open_job()

    def action_open(self) -> None:
        """enter: from a submission to its jobs; on the jobs, :meth:`open_job`."""
        jobs = self.query_one("#submission-jobs", DataTable)
        if self.focused is jobs:
            self.open_job()
        elif jobs.row_count:
            jobs.focus()

    def open_job(self) -> None:
        """enter on the jobs table: an array's children in the jobs list (every child, ``l``
        on any of them); any other job's logs."""
        row = self._job_row()
        if row is None:
            return
        kind, job_id, progress = row
        array = next((a for a in progress.arrays if a.job_id == job_id), None)
        if kind == "array" and array is not None and array.shape.children >= 2 and array.job_queue:
            self.batchtui.navigate.open_jobs(
                array.job_queue, array_job_id=job_id, array_name=array.job_name
            )
        else:
            self.action_logs()

    def _job_row(self) -> tuple[str, str, Progress] | None:
        jobs = self.query_one("#submission-jobs", DataTable)
        watched = self.selected()
        if watched is None or not jobs.row_count:
            return None
        key = str(jobs.coordinate_to_cell_key(jobs.cursor_coordinate).row_key.value)
        kind, _, job_id = key.partition(" ")
        return kind, job_id, watched.progress

    def action_logs(self) -> None:
        """The logs of the row under the cursor of the jobs table (an array: its children's,
        merged; a failed child: its own), with the logs screen every other list opens."""
        row = self._job_row()
        if row is None:
            self.notify("no job to show the logs of", severity="warning")
            return
        kind, job_id, p = row
        if kind == "array":
            array = next(a for a in p.arrays if a.job_id == job_id)
            size = array.shape.children if array.shape.children >= 2 else None
            self.batchtui.navigate.open_logs(job_id, array.job_name, size)
        elif kind == "child":
            child = next(c for c in p.failed_children if c.job_id == job_id)
            self.batchtui.navigate.open_logs(job_id, child.job_name)
        else:
            step = next(s for s in p.steps if s.job_id == job_id)
            self.batchtui.navigate.open_logs(job_id, step.job_name)


def _status(value: str) -> Text:
    """A job's or a submission's status in its status colour (SUBMITTING as SUBMITTED)."""
    colour = cells.STATUS_COLOURS.get("SUBMITTED" if value == "SUBMITTING" else value, "yellow")
    return Text(value, style=colour)


def _moved(before: Progress | None, after: Progress) -> bool:
    if before is None:
        return True
    return (before.children_by_status(), before.status) != (
        after.children_by_status(),
        after.status,
    )


def _job_rows(p: Progress) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for a in p.arrays:
        rows[f"array {a.job_id}"] = {
            "what": f"array {a.shape.index}",
            "job_id": a.job_id,
            "status": _status(a.status or "?"),
            "children": children_cell(dict(a.children_by_status)),
            "images": f"{a.images_done:,} of {a.shape.image_count:,}",
            "reason": "",
        }
    for s in p.steps:
        rows[f"step {s.job_id}"] = {
            "what": s.step,
            "job_id": s.job_id,
            "status": _status(s.status or "?"),
            "children": "",
            "images": "",
            "reason": Text(s.status_reason),
        }
    for c in p.failed_children:
        rows[f"child {c.job_id}"] = {
            "what": f"child {c.array_index}" if c.array_index is not None else "job",
            "job_id": c.job_id,
            "status": _status("FAILED"),
            "children": "",
            "images": "",
            "reason": Text(
                (f"exit {c.exit_code}: " if c.exit_code is not None else "") + c.status_reason
            ),
        }
    return rows


def _sync(table: DataTable[Any], rows: dict[str, dict[str, Any]]) -> None:
    """The rows in place of the table's, the cursor kept on its row when it is still there."""
    cursor: Any = None
    if table.row_count:
        cursor = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    table.clear()
    columns = [str(k.value) for k in table.columns]
    for key, row in rows.items():
        table.add_row(*(row[c] for c in columns), key=key)
    if cursor in rows:
        table.move_cursor(row=list(rows).index(str(cursor)), animate=False)
