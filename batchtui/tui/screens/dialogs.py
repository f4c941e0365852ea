"""Modal dialogs: confirm a dangerous action, scale a CE, a blocking error, the ``:`` line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Static

from batchtui.changes.scaling import ScalingRequest, check_scaling
from batchtui.model import ComputeEnvironment
from batchtui.tui.views import ViewRegistry, common_prefix, completions


class ConfirmScreen(ModalScreen[bool]):
    """Yes / no for a dangerous action; the question names what is acted on and its state."""

    # "No" has the focus: enter alone never confirms. (AUTO_FOCUS rather than a query in
    # on_mount: a key typed ahead can dismiss the dialog before it mounts.)
    AUTO_FOCUS = "#no"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape,q", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, question: Text | str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog danger"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Static(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ErrorScreen(ModalScreen[None]):
    """A blocking error: the user reads it, then leaves (or goes on, read-only, if they can)."""

    BINDINGS = [
        Binding("escape,enter", "close", "Close", id="error.close"),
        Binding("q", "app.quit", "Quit", id="error.quit"),
    ]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog danger"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Static(Text(self.message), id="message")
            yield Static(Text("enter: close   q: quit", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)


class CommandSuggester(Suggester):
    """The greyed rest of the line after ``:``: the first view name or account name (job
    queue, CE) that completes what is typed. Right arrow takes it; Tab completes (see
    :class:`CommandLineScreen`)."""

    def __init__(self, views: ViewRegistry, names: Callable[[str], Sequence[str]]) -> None:
        # Not cached: the names come from the account snapshot, which a refresh replaces.
        super().__init__(use_cache=False, case_sensitive=True)
        self.views = views
        self.names = names

    async def get_suggestion(self, value: str) -> str | None:
        found = completions(value, self.views, self.names)
        return found[0] if found and len(found[0]) > len(value) else None


class CommandLineScreen(ModalScreen[str | None]):
    """k9s's ``:`` prompt: a view name and an optional argument (``:jobs my-queue``).

    Tab completes the view name, then the job queue or CE name from the account: one match is
    written out, several complete to what they share, and Tab again cycles through them."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="command.cancel"),
        Binding(
            "tab",
            "complete",
            "Complete",
            id="command.complete",
            tooltip="The view, job queue or CE name typed so far; again: the next match",
        ),
    ]

    def __init__(
        self, views: ViewRegistry, names: Callable[[str], Sequence[str]] = lambda kind: ()
    ) -> None:
        super().__init__()
        self.views = views
        #: The account's names of a kind (views.QUEUE, views.COMPUTE_ENVIRONMENT).
        self.names = names
        self._cycle: list[str] = []  # the matches Tab goes through, once it has no more to add
        self._shown = ""  # the line Tab wrote last: another key typed ends the cycle

    def compose(self) -> ComposeResult:
        help_text = "   ".join(f":{v.name}{' ' + v.usage if v.usage else ''}" for v in self.views)
        with Vertical(classes="command-line"):
            yield Input(
                value=":",
                placeholder=":ce  :jq  :jobs [queue]  :plan [profile]",
                # Textual selects the text on focus: the first key typed replaced the ":".
                select_on_focus=False,
                suggester=CommandSuggester(self.views, self.names),
                id="command",
            )
            yield Static(Text(f"{help_text}   tab: complete", style="dim"), id="views")

    def action_complete(self) -> None:
        box = self.query_one("#command", Input)
        line = box.value
        if self._cycle and line == self._shown:
            at = self._cycle.index(line) if line in self._cycle else -1
            self._show(box, self._cycle[(at + 1) % len(self._cycle)])
            return
        found = completions(line, self.views, self.names)
        if not found:
            self.app.bell()
            return
        if len(found) == 1:
            self._cycle = []
            self._show(box, found[0])
            return
        shared = common_prefix(found)
        self._cycle = found
        # Several: first what they share; Tab again goes through them one by one.
        self._show(box, shared if len(shared) > len(line) else found[0])

    def _show(self, box: Input, line: str) -> None:
        self._shown = line
        box.value = line
        box.cursor_position = len(line)

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after ``:`` reach this screen before its input has the focus: they
        are typed into it rather than lost (a fast typist, a paste)."""
        box = self.query_one("#command", Input)
        if box.has_focus:
            return
        self.set_focus(box)
        if event.is_printable and event.character:
            box.insert_text_at_cursor(event.character)
            event.stop()
        elif event.key == "enter":
            event.stop()
            self.dismiss(box.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptScreen(ModalScreen[str | None]):
    """One line of input (an array child index, ...); escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScaleScreen(ModalScreen[ScalingRequest | None]):
    """min / max / desired vCPUs of a CE, checked against Batch's rules as the user types."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="scale.cancel")]

    def __init__(self, ce: ComputeEnvironment, *, max_vcpus: int | None = None) -> None:
        super().__init__()
        self.ce = ce
        #: The maxvCpus the field opens with (a fix that names one); the CE's own otherwise.
        self.max_vcpus = ce.max_vcpus if max_vcpus is None else max_vcpus

    def compose(self) -> ComposeResult:
        ce = self.ce
        with Vertical(classes="dialog"):
            yield Label(Text(f"Scale {ce.name}"), classes="dialog-title")
            yield Static(
                Text(
                    f"now: min {ce.min_vcpus} / desired {ce.desired_vcpus} / max {ce.max_vcpus} "
                    f"vCPUs ({ce.purchase_model.label}, {ce.status})"
                )
            )
            fargate = ce.purchase_model.is_fargate
            yield Static(
                Text(
                    "Fargate: only maxvCpus can change."
                    if fargate
                    else "Batch's rules: minvCpus <= desiredvCpus <= maxvCpus, and desiredvCpus "
                    "can only be raised (Batch lowers it itself as jobs finish).",
                    style="dim",
                )
            )
            # One row for the three numbers: the dialog (Apply included) fits 80x24.
            with Horizontal(classes="field"):
                for field, value in (
                    ("min", ce.min_vcpus),
                    ("desired", ce.desired_vcpus),
                    ("max", self.max_vcpus),
                ):
                    yield Label(f"{field}vCpus", classes="field-label")
                    yield Input(
                        str(value),
                        id=field,
                        type="integer",
                        disabled=fargate and field != "max",
                        select_on_focus=True,  # a number typed replaces the one shown
                    )
            yield Static("", id="problems")
            with Horizontal(classes="buttons"):
                yield Button("Apply", id="apply", variant="warning")
                yield Button("Cancel", id="cancel")

    AUTO_FOCUS = "#max"

    def on_mount(self) -> None:
        if self.query("#problems"):
            self._check()

    def request(self) -> ScalingRequest:
        def value(name: str) -> int | None:
            text = self.query_one(f"#{name}", Input).value.strip()
            try:
                return int(text)
            except ValueError:
                return None

        return check_scaling(
            self.ce, min_vcpus=value("min"), max_vcpus=value("max"), desired_vcpus=value("desired")
        )

    @on(Input.Changed)
    def _check(self) -> None:
        request = self.request()
        problems = self.query_one("#problems", Static)
        if request.problems:
            problems.update(Text("\n".join(f"✗ {p}" for p in request.problems), style="red"))
        elif not request.changes_anything:
            problems.update(Text("nothing to change", style="dim"))
        else:
            problems.update(Text(f"will set {request.summary()}"))
        self.query_one("#apply", Button).disabled = not (request.ok and request.changes_anything)

    @on(Input.Submitted)
    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        request = self.request()
        if request.ok and request.changes_anything:
            self.dismiss(request)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
