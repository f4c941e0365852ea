"""``D`` on a job or a job queue: why is it stuck? The findings of ``batchtui diagnose``.

The facts are gathered in a thread worker (read calls only, so read-only mode diagnoses too)
and the rules of :mod:`batchtui.diagnose` run there as well; the screen shows the findings
most severe first, each one's evidence and fix folded under it.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Label, Static, Tree

from batchtui.diagnose import Diagnosis, Finding, diagnose
from batchtui.render.text import epoch_ms
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.widgets.finding_tree import FindingTree, action_line, badge
from batchtui.tui.widgets.screen_footer import ScreenFooter
from batchtui.tui.widgets.status_bar import StatusBar
from batchtui.wording import count


class Diagnosed(Message):
    """The diagnosis worker's answer."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__()
        self.diagnosis = diagnosis


def summary(diagnosis: Diagnosis) -> Text:
    """The verdict over the findings: how many jobs were examined, how many causes block."""
    out = Text(f"{count(diagnosis.jobs_examined, 'job')} examined: ")
    blocking = [f for f in diagnosis.findings if f.severity.value == "blocking"]
    if blocking:
        out.append(f"BLOCKED, {count(len(blocking), 'cause')}", style="bold red")
    else:
        out.append("no blocking cause", style="bold green")
    if diagnosis.jobs_examined == 1 and diagnosis.waiting:
        w = diagnosis.waiting[0]
        place = f"position {w.position}" if w.position else "beyond the first 100"
        eta = f"; may start about {epoch_ms(w.start_estimate_ms)}" if w.start_estimate_ms else ""
        out.append(f"\nwaiting at {place} of the queue, for {w.waits_for}{eta}")
    return out


def whole(f: Finding, action: Text | None) -> Text:
    """A finding's title, fix and action, to be wrapped rather than cut."""
    out = Text.assemble(badge(f.severity), " ", (f.code, "bold"), "\n", f.title, "\n")
    out.append("fix: ", style="bold green")
    out.append(f.fix)
    if action is not None:
        out.append("\n")
        out.append_text(action)
    return out


class DiagnosisScreen(BaseScreen):
    HELP_NAME = "Diagnosis"
    AUTO_FOCUS = "#findings"

    def __init__(self, *, job_id: str = "", job_name: str = "", queue: str = "") -> None:
        super().__init__()
        self.job_id = job_id
        self.job_name = job_name
        self.queue = queue
        self.diagnosis: Diagnosis | None = None

    @property
    def subject(self) -> str:
        if self.job_id:
            return f"job {self.job_name}  {self.job_id}" if self.job_name else f"job {self.job_id}"
        return f"job queue {self.queue}"

    def compose(self) -> ComposeResult:
        yield Label(Text(f"Diagnosis of {self.subject}"), classes="section-title")
        yield Static(Text("diagnosing…", style="italic"), id="diagnosis-summary")
        yield FindingTree(id="findings")
        # A tree line is cut at the screen's edge: the highlighted finding is shown whole here.
        yield Static(id="finding-whole")
        yield StatusBar()
        yield ScreenFooter()

    def on_mount(self) -> None:
        if self.connected:
            self.reload(full=True)

    def reload(self, full: bool) -> None:
        if not full:
            return  # the refresh timer does not redo a diagnosis (on a big queue it costs many calls)
        self.query_one("#diagnosis-summary", Static).update(Text("diagnosing…", style="italic"))
        self.diagnose_worker()

    def _now(self) -> float:
        # The sandbox runs on simulated time: the jobs' ages are judged by its clock.
        sandbox = self.batchtui.sandbox
        return float(sandbox.now()) if sandbox is not None else time.time()

    @work(thread=True, exclusive=True, exit_on_error=False, group="diagnosis")
    def diagnose_worker(self) -> None:
        # boto3 loads in the connect worker, never before the first paint.
        from batchtui.aws.diagnosis import gather_for_job, gather_for_queue

        if self.job_id:
            facts = gather_for_job(self.aws, self.job_id, self._now())
        else:
            facts = gather_for_queue(self.aws, self.queue, self._now())
        self.post_message(Diagnosed(diagnose(facts)))

    def worker_failed(self, group: str) -> None:
        if group == "diagnosis":
            key = self.key_for("screen.refresh")
            self.query_one("#diagnosis-summary", Static).update(
                Text(f"could not diagnose {self.subject} (see the message); {key} tries again")
            )

    @on(Diagnosed)
    def _diagnosed(self, message: Diagnosed) -> None:
        self.diagnosis = message.diagnosis
        self.batchtui.mark_fresh()
        self.query_one("#diagnosis-summary", Static).update(summary(message.diagnosis))
        self.query_one(FindingTree).show(message.diagnosis, self.reason_keys())

    @on(Tree.NodeHighlighted, "#findings")
    def _highlighted(self, event: Tree.NodeHighlighted[Finding]) -> None:
        node = event.node
        finding = node.data if node.data is not None else node.parent and node.parent.data
        shown = whole(finding, action_line(finding, self.reason_keys())) if finding else Text()
        self.query_one("#finding-whole", Static).update(shown)
