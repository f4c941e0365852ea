"""``a`` on the plan screen: the planned profile's change set against the account (the diff
``batchtui apply`` prints), a confirmation naming what will change, then each step's progress.

What is applied is the profile as written (the change set ``batchtui apply --profile NAME``
shows) unless a scenario of the plan was chosen on the plan screen: then its vCPU settings (as
``batchtui apply --recommended`` applies the recommended one's); the title and the confirmation
name it. A scenario the profile cannot express (its compute
environments are not the profile's, e.g. Fargate ones) or whose jobs could never start is refused
with the reason, like a change set Batch's rules forbid: shown, and it cannot be confirmed. A
failed step is named with AWS's message and the steps done; ``a`` again continues from there (the
change set is computed afresh from what the account has then).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Static
from textual.worker import Worker, WorkerState

from batchtui.tui.bindings import ActionBinding
from batchtui.tui.host import Host
from batchtui.tui.widgets.reading_pane import ReadingPane

if TYPE_CHECKING:
    from batchtui.aws.apply import ApplyFailed
    from batchtui.changes import ChangeSet, DesiredState, Step
    from batchtui.planner import Plan
    from batchtui.profiles import Profile

#: How apply_change_set reports a step starting ("[2/3] ...") and ending ("[2/3] done: ...").
_PROGRESS = re.compile(r"^\[(\d+)/\d+\] (done: )?")
_STATE_STYLES = {"waiting": "dim", "doing": "bold yellow", "done": "green", "failed": "bold red"}
_VERBS = {
    "create": "create",
    "new-revision": "register a new revision of",
    "scaling-update": "update",
    "infrastructure-update": "update",
    "replace": "replace",
    "queue-update": "update",
    "retire": "disable",
    "delete": "delete",
    "adopt": "adopt",
}
_RESOURCES = {
    "computeEnvironment": "CE",
    "jobQueue": "queue",
    "jobDefinition": "job definition",
}


def confirmation_line(steps: tuple[Step, ...]) -> str:
    """``apply 3 steps: create CE x, update queue y, register a new revision of job
    definition z``: what a yes changes, in the order it is sent."""
    parts = [
        f"{_VERBS.get(s.kind.value, s.kind.value)} {_RESOURCES.get(s.resource, s.resource)} {s.name}"
        for s in steps
    ]
    return f"apply {len(steps)} step{'s' if len(steps) != 1 else ''}: " + ", ".join(parts)


def _skipped_deletions(cs: ChangeSet) -> str:
    """The deletions the dialog never sends (it does not delete): where they are done."""
    names = [s.name for s in cs.skipped if s.operation.startswith("Delete")]
    if not names:
        return ""
    return (
        f"; not deleting {', '.join(names)} (the profile no longer names them): "
        "`batchtui apply --allow-delete` does"
    )


@dataclass
class ChangeSetRead(Message):
    change_set: ChangeSet
    desired: DesiredState
    diff: str


@dataclass
class StepProgress(Message):
    line: str


@dataclass
class ApplyEnded(Message):
    failed: ApplyFailed | None
    #: Steps that still differ when the account is read again after the last one.
    remaining: tuple[Step, ...] = ()


class ApplyScreen(ModalScreen[bool]):
    """The change set, the confirmation, the progress; dismissed with whether anything was sent.

    Only ever opened where ``a`` is offered, which read-only mode hides; the aws layer would
    refuse the requests anyway."""

    BINDINGS = [
        ActionBinding(
            "y,enter",
            "confirm",
            "Apply",
            id="apply.confirm",
            tooltip="Send the change set, step by step",
            danger=True,
        ),
        Binding("n,escape,q", "cancel", "Close", id="apply.cancel", tooltip="Send nothing"),
    ]
    AUTO_FOCUS = "#apply-diff"

    def __init__(self, profile: str, plan: Plan, scenario: str | None = None) -> None:
        super().__init__()
        self.profile = profile
        self.plan = plan
        #: The scenario whose settings are applied; None: the profile as written.
        self.scenario = scenario
        self.change_set: ChangeSet | None = None
        self.desired: DesiredState | None = None
        #: "reading", "review", "forbidden", "empty", "applying", "applied", "failed".
        self.phase = "reading"
        self.states: list[str] = []
        self.sent = False

    @property
    def host(self) -> Host:
        return cast(Host, self.app)

    @property
    def recommended(self) -> bool:
        return self.scenario is not None and self.scenario == self.plan.recommendation.scenario

    @property
    def about(self) -> str:
        """The scenario applied, in words: ``scenario 'spot 25%' (chosen; ...)``."""
        rec = self.plan.recommendation.scenario
        if self.scenario is None:
            return "the profile as written"
        if self.recommended:
            return f"the recommended scenario {self.scenario!r}"
        other = f"the plan recommends {rec!r}" if rec else "the plan recommends none"
        return f"scenario {self.scenario!r} (chosen; {other})"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog danger apply", id="apply-dialog"):
            yield Label(
                Text(
                    f"Apply profile {self.profile} "
                    + ("as written" if self.scenario is None else f"with {self.about}")
                ),
                classes="dialog-title",
                id="apply-title",
            )
            with ReadingPane(id="apply-diff"):
                yield Static(Text("reading the account…", style="italic"), id="diff")
            yield Static("", id="apply-question")
            yield Static("", id="apply-steps")

    def on_mount(self) -> None:
        self.read_worker()

    @work(thread=True, exit_on_error=False, group="apply")
    def read_worker(self) -> None:
        # The profiles, the change engine and boto3 load when the user asks for a change set.
        from batchtui.aws.apply import read_live_state
        from batchtui.changes import DesiredState, compute_change_set  # the engine: see above
        from batchtui.profiles import load_profile  # the profiles: see above
        from batchtui.render.changes import render_change_set  # with the change engine

        aws = self.host.aws
        assert aws is not None, "the plan screen offers a only once connected"
        profile = load_profile(self.profile)
        desired = DesiredState.from_profile(profile)
        desired, problems, notes = self._with_scenario(profile, desired)
        cs = compute_change_set(desired, read_live_state(aws, desired), allow_delete=False)
        cs = replace(cs, problems=(*problems, *cs.problems), notes=(*notes, *cs.notes))
        header = f"apply: profile {profile.name} ({profile.path}) against {aws.target.describe}"
        self.post_message(ChangeSetRead(cs, desired, render_change_set(cs, header, colour=True)))

    def _with_scenario(
        self, profile: Profile, desired: DesiredState
    ) -> tuple[DesiredState, list[str], list[str]]:
        """The desired state with the chosen scenario's settings, the problems that refuse it
        and the notes that explain it."""
        from batchtui.planner import scenario_settings  # with the change engine: see above

        rec = self.plan.recommendation
        if self.scenario is None:
            return desired, [], []
        if self.recommended:
            settings = rec.settings
            notes = [f"recommended scenario {rec.scenario!r}: " + "; ".join(rec.reasons)]
            chosen = "the recommended scenario"
        else:
            result = self.plan.scenario(self.scenario)
            settings = scenario_settings(profile, result)
            notes = [
                f"chosen scenario {self.scenario!r}: expected cost ${result.cost_mean:,.2f}, by "
                f"the deadline in {result.p_deadline:.0%} of trials"
                + ("" if result.feasible else "; it does not meet the deadline and the budget")
                + (f"; the plan recommends {rec.scenario!r}" if rec.scenario else "")
            ]
            chosen = "the chosen scenario"
        problems: list[str] = []
        reason = self.plan.scenario(self.scenario).config.runnable_reason
        if reason:
            problems.append(f"{chosen} {self.scenario!r}: its jobs could never start: {reason}")
        try:
            desired, more = desired.with_recommendation(
                self.scenario, settings, profile.workload.queue, chosen=chosen
            )
        except ValueError as e:
            problems.append(f"{e} (add them to the profile, or choose another scenario)")
            more = []
        return desired, problems, [*notes, *more]

    @on(ChangeSetRead)
    def _read(self, message: ChangeSetRead) -> None:
        cs = self.change_set = message.change_set
        self.desired = message.desired
        self.query_one("#diff", Static).update(Text.from_ansi(message.diff))
        question = self.query_one("#apply-question", Static)
        if cs.problems:
            self.phase = "forbidden"
            question.update(
                Text(
                    f"{self.about} cannot be applied: {cs.problems[0]}"
                    + (
                        f" (and {len(cs.problems) - 1} more, see PROBLEMS)"
                        if len(cs.problems) > 1
                        else ""
                    )
                    + ".\nNothing is sent.   n/esc: close",
                    style="bold red",
                )
            )
        elif cs.empty:
            self.phase = "empty"
            question.update(
                Text(
                    "no changes: the account matches the profile"
                    + _skipped_deletions(cs)
                    + ".   n/esc: close"
                )
            )
        else:
            self.phase = "review"
            text = Text(
                f"{self.about}: " + confirmation_line(cs.steps) + _skipped_deletions(cs),
                style="bold",
            )
            text.append("\ny/enter: apply   n/esc: cancel (nothing is sent)", style="")
            question.update(text)
            self.states = ["waiting"] * len(cs.steps)
            self._show_steps()

    def action_confirm(self) -> None:
        if self.phase != "review" or self.change_set is None:
            return
        self.phase = "applying"
        self.sent = True
        self.query_one("#apply-question", Static).update(
            Text("applying… (the steps below; closing waits for the last one)", style="italic")
        )
        self.apply_worker(self.change_set.steps)

    @work(thread=True, exit_on_error=False, group="apply")
    def apply_worker(self, steps: tuple[Step, ...]) -> None:
        from batchtui.aws.apply import (
            POLL_S,
            SANDBOX_POLL_S,
            ApplyFailed,
            Waiter,
            apply_change_set,
            read_live_state,
        )
        from batchtui.changes import compute_change_set

        aws = self.host.aws
        assert aws is not None and self.desired is not None
        poll = SANDBOX_POLL_S if aws.target.sandbox else POLL_S

        def progress(line: str) -> None:
            self.post_message(StepProgress(line))

        try:
            apply_change_set(
                aws,
                steps,
                progress=progress,
                waiter=Waiter(clock=aws.clock, sleep=aws.sleep, poll_s=poll),
            )
        except ApplyFailed as e:
            self.post_message(ApplyEnded(e))
            return
        after = compute_change_set(
            self.desired, read_live_state(aws, self.desired, quotas=False), allow_delete=False
        )
        self.post_message(ApplyEnded(None, after.steps))

    @on(StepProgress)
    def _progress(self, message: StepProgress) -> None:
        found = _PROGRESS.match(message.line)
        if found is None:  # a wait's news ("waiting for ... VALID"): under the steps
            self._show_steps(message.line)
            return
        index = int(found.group(1)) - 1
        if 0 <= index < len(self.states):
            self.states[index] = "done" if found.group(2) else "doing"
        self._show_steps()

    @on(ApplyEnded)
    def _ended(self, message: ApplyEnded) -> None:
        question = self.query_one("#apply-question", Static)
        self.host.account_changed()
        if message.failed is not None:
            self.phase = "failed"
            failed = message.failed
            for i, state in enumerate(self.states):
                if state == "doing":
                    self.states[i] = "failed"
            self._show_steps()
            question.update(
                Text(
                    f"{failed.message}\npress a on the plan again: it continues from where it "
                    "stopped.   n/esc: close",
                    style="bold red",
                )
            )
            return
        self.phase = "applied"
        self._show_steps()
        if message.remaining:
            question.update(
                Text(
                    "applied, but the account does not match the profile yet: "
                    + "; ".join(s.title() for s in message.remaining)
                    + "\npress a on the plan again.   n/esc: close",
                    style="bold yellow",
                )
            )
        else:
            question.update(
                Text(
                    f"{len(self.states)} step{'s' if len(self.states) != 1 else ''} applied; "
                    f"the account matches profile {self.profile}"
                    + ("" if self.scenario is None else f" with scenario {self.scenario!r}")
                    + ".   n/esc: close",
                    style="bold green",
                )
            )

    def _show_steps(self, detail: str = "") -> None:
        if self.change_set is None:
            return
        text = Text()
        for state, step in zip(self.states, self.change_set.steps, strict=True):
            text.append(f"{state:<8}", style=_STATE_STYLES[state])
            text.append(f" {step.title()}\n")
        if detail and self.phase == "applying":
            text.append(f"  {detail}", style="dim")
        self.query_one("#apply-steps", Static).update(text)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        error: Any = event.worker.error
        self.phase = "failed" if self.sent else "forbidden"
        self.query_one("#apply-question", Static).update(
            Text(f"{getattr(error, 'message', None) or error}   n/esc: close", style="bold red")
        )
        self.host.report_error(error, group=event.worker.group)

    def action_cancel(self) -> None:
        if self.phase == "applying":
            self.notify("applying: the dialog closes once the step under way ends")
            return
        self.dismiss(self.sent)
