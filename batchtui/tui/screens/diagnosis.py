"""``D`` on a job or a job queue: why is it stuck? The findings of ``batchtui diagnose``.

The facts are gathered in a thread worker (read calls only, so read-only mode diagnoses too)
and the rules of :mod:`batchtui.diagnose` run there as well; the screen shows the findings
most severe first, each one's evidence and fix folded under it, and how far the reading has
got on a big queue. A list line ends at a word where the screen's edge would cut it; the pane
under the list shows the highlighted finding whole and scrolls (right goes into it, left comes
back). Where batchtui can make a finding's fix (scale or enable a compute
environment, enable the queue, cancel a blocking head job) its key does it from here, through
the same confirmations as the overview and the jobs list; read-only mode offers none of them.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Label, Static, Tree

from batchtui.diagnose import Action, BatchFacts, Diagnosis, Finding, diagnose
from batchtui.model import ComputeEnvironment, JobSummary
from batchtui.render.diagnosis import waiting_line
from batchtui.tui.bindings import ActionBinding
from batchtui.tui.messages import ActionDone
from batchtui.tui.reasons import Keys
from batchtui.tui.screens import account_actions, job_actions
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.widgets.finding_pane import FindingPane, whole
from batchtui.tui.widgets.finding_tree import FindingTree, Fix, action_lines, fixes, jobs_line
from batchtui.tui.widgets.screen_footer import ScreenFooter
from batchtui.tui.widgets.status_bar import StatusBar
from batchtui.wording import count


class Diagnosed(Message):
    """The diagnosis worker's answer, and the facts its actions act on."""

    def __init__(self, diagnosis: Diagnosis, facts: BatchFacts) -> None:
        super().__init__()
        self.diagnosis = diagnosis
        self.facts = facts


class DiagnosisProgress(Message):
    """How far the worker has read a big queue: ``done`` of ``total`` jobs described (0 while
    it still lists them)."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DiagnosisProgress)


def progress_text(done: int, total: int) -> str:
    """ "reading 3,000 of 10,000 jobs…" (or "listing jobs: 2,000 so far…" before that)."""
    if done == 0:
        return f"listing the queue's stuck jobs: {total:,} so far…"
    if done >= total:
        return f"read {total:,} jobs; reading the queue's compute environments…"
    return f"reading {done:,} of {total:,} jobs…"


def summary(diagnosis: Diagnosis) -> Text:
    """The verdict over the findings: how many jobs were examined, how many causes block."""
    out = Text(f"{diagnosis.examined_text}: ")
    blocking = [f for f in diagnosis.findings if f.severity.value == "blocking"]
    if blocking:
        out.append(f"BLOCKED, {count(len(blocking), 'cause')}", style="bold red")
    else:
        out.append("no blocking cause", style="bold green")
    if diagnosis.jobs_examined == 1 and diagnosis.waiting:
        out.append("\n" + waiting_line(diagnosis.waiting[0]))
    return out


#: The screen's actions and the fix each makes.
ACTIONS = {"scale": Action.SCALE, "enable": Action.ENABLE, "cancel": Action.CANCEL}


class DiagnosisScreen(BaseScreen):
    HELP_NAME = "Diagnosis"
    # The fixes first: at 80 columns fold/unfold (also on ? and in the palette) gives way.
    FOOTER_ORDER = ("scale", "enable", "cancel")
    AUTO_FOCUS = "#findings"
    BINDINGS = [
        ActionBinding(
            "s",
            "scale",
            "Scale CE",
            id="diagnosis.scale",
            tooltip="The finding's compute environment: min / desired / max vCPUs",
            danger=True,
        ),
        ActionBinding(
            "e",
            "enable",
            "Enable",
            id="diagnosis.enable",
            tooltip="The finding's DISABLED compute environment or job queue; asks first",
            danger=True,
        ),
        ActionBinding(
            "ctrl+d",
            "cancel",
            "Cancel head",
            id="diagnosis.cancel",
            tooltip="The blocked job at the head of the queue; asks first",
            danger=True,
        ),
        Binding(
            "right",
            "read_finding",
            "Whole finding",
            id="diagnosis.read",
            tooltip="Into the pane under the list: the highlighted finding whole; left comes back",
        ),
    ]

    def __init__(self, *, job_id: str = "", job_name: str = "", queue: str = "") -> None:
        super().__init__()
        self.job_id = job_id
        self.job_name = job_name
        self.queue = queue
        self.diagnosis: Diagnosis | None = None
        self.facts: BatchFacts | None = None
        self.is_diagnosing = False

    @property
    def subject(self) -> str:
        if self.job_id:
            return f"job {self.job_name}  {self.job_id}" if self.job_name else f"job {self.job_id}"
        return f"job queue {self.queue}"

    def compose(self) -> ComposeResult:
        yield Label(Text(f"Diagnosis of {self.subject}"), classes="section-title")
        yield Static(Text("diagnosing…", style="italic"), id="diagnosis-summary")
        yield FindingTree(id="findings")
        # A tree line ends at the screen's edge: the highlighted finding is shown whole here.
        yield FindingPane(id="finding-whole")
        yield StatusBar()
        yield ScreenFooter()

    def on_mount(self) -> None:
        if self.connected:
            self.reload(full=True)

    def reload(self, full: bool) -> None:
        if not full:
            return  # the refresh timer does not redo a diagnosis (on a big queue it costs many calls)
        self.query_one("#diagnosis-summary", Static).update(Text("diagnosing…", style="italic"))
        self.is_diagnosing = True
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
            facts = gather_for_queue(self.aws, self.queue, self._now(), self._progress)
        self.post_message(Diagnosed(diagnose(facts), facts))

    def _progress(self, done: int, total: int) -> None:
        # Called in the worker's thread: a message, never a widget.
        self.post_message(DiagnosisProgress(done, total))

    @on(DiagnosisProgress)
    def _read_so_far(self, message: DiagnosisProgress) -> None:
        if self.is_diagnosing:
            text = Text(progress_text(message.done, message.total), style="italic")
            self.query_one("#diagnosis-summary", Static).update(text)

    def worker_failed(self, group: str) -> None:
        if group == "diagnosis":
            self.is_diagnosing = False
            key = self.key_for("screen.refresh")
            self.query_one("#diagnosis-summary", Static).update(
                Text(f"could not diagnose {self.subject} (see the message); {key} tries again")
            )

    @on(Diagnosed)
    def _diagnosed(self, message: Diagnosed) -> None:
        self.diagnosis, self.facts = message.diagnosis, message.facts
        self.is_diagnosing = False
        self.batchtui.mark_fresh()
        self.query_one("#diagnosis-summary", Static).update(summary(message.diagnosis))
        self.query_one(FindingTree).show(message.diagnosis, self.action_keys())
        # The pane follows the new list now, not when (or whether) a highlight message comes.
        self.show_whole()
        self.refresh_bindings()

    @on(Tree.NodeHighlighted, "#findings")
    def _highlighted(self, event: Tree.NodeHighlighted[Finding]) -> None:
        self.show_whole()

    def show_whole(self) -> None:
        """The highlighted finding of the list as it is now, whole (nothing when none is)."""
        finding = self.highlighted()
        shown = Text()
        if finding is not None and self.diagnosis is not None:
            jobs = jobs_line(finding, self.diagnosis)
            shown = whole(finding, jobs, action_lines(finding, self.action_keys()))
        self.query_one(FindingPane).show(shown)

    def action_read_finding(self) -> None:
        self.query_one(FindingPane).focus()

    # -- acting on a finding ---------------------------------------------------------------
    def action_keys(self) -> Keys:
        """This screen's keys for the fixes it makes; none in read-only mode (not offered)."""
        if self.batchtui.read_only:
            return Keys(scale="", enable="", stop="")
        return Keys(
            scale=self.key_for("diagnosis.scale"),
            enable=self.key_for("diagnosis.enable"),
            stop=self.key_for("diagnosis.cancel"),
        )

    def highlighted(self) -> Finding | None:
        node = self.query_one(FindingTree).cursor_node
        if node is not None and node.data is None:
            node = node.parent  # an evidence or fix line: its finding
        return node.data if node is not None else None

    def actionable(self, action: Action) -> tuple[Finding, Fix] | None:
        """The finding the key of ``action`` acts on and its fix: the highlighted one when it
        has that fix (its own, or its cause's), else the most severe one that has it."""
        findings = self.diagnosis.findings if self.diagnosis else ()
        mine = self.highlighted()
        candidates = [mine] if mine is not None else []
        return next(
            (
                (f, fix)
                for f in (*candidates, *findings)
                for fix in fixes(f)
                if fix.action is action
            ),
            None,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if not allowed or action not in ACTIONS:
            return allowed
        # Shown in the footer only while a finding has that fix.
        return self.actionable(ACTIONS[action]) is not None

    def action_scale(self) -> None:
        found = self.actionable(Action.SCALE)
        if found is None:
            return
        finding, fix = found
        ce = self._ce(fix.target)
        if ce is not None:
            # The dialog opens with the maxvCpus the fix names: one key to accept it.
            account_actions.scale_compute_environment(self, ce, max_vcpus=finding.max_vcpus)

    def action_enable(self) -> None:
        found = self.actionable(Action.ENABLE)
        if found is None or self.facts is None:
            return
        _, fix = found
        # A queue and a compute environment may share a name: the code says which it is.
        queue = self.facts.queue
        if fix.code == "JOB_QUEUE_DISABLED" and queue is not None:
            if queue.state == "DISABLED":  # the toggle never disables from here
                account_actions.toggle_job_queue(self, queue)
            return
        ce = self._ce(fix.target)
        if ce is not None and ce.state == "DISABLED":
            account_actions.toggle_compute_environment(self, ce)

    def action_cancel(self) -> None:
        found = self.actionable(Action.CANCEL)
        if found is None or self.facts is None:
            return
        _, fix = found
        head = self.facts.related_jobs.get(fix.target)
        if head is None:
            self.notify(f"job {fix.target} is no longer known: r diagnoses again")
            return
        job_actions.stop_job(self, JobSummary(head.job_id, head.job_name, head.status))

    def _ce(self, name: str) -> ComputeEnvironment | None:
        ces = self.facts.compute_environments if self.facts else ()
        found = next((ce for ce in ces if name in (ce.name, ce.arn)), None)
        if found is None:
            self.notify(f"compute environment {name} is no longer known: r diagnoses again")
        return found

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        self.notify(message.text, title="Done")
        self.batchtui.load_account_worker(False)
        self.reload(full=True)  # the finding it fixed goes (or says why not)
