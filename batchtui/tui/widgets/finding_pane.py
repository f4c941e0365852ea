"""The highlighted finding of the diagnosis, whole, under the list that gives it one line a node.

Its title, every piece of evidence with the API call and field it was read from, the fix, the
jobs it holds back and the keys that make the fix, wrapped to the pane's width and scrolled
with the pane's keys (``pane.*``); left goes back to the list of findings.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from batchtui.diagnose import Finding
from batchtui.tui.widgets.finding_tree import badge
from batchtui.tui.widgets.reading_pane import ReadingPane


def whole(f: Finding, jobs: Text | None, actions: list[Text]) -> Text:
    """A finding's code, title, evidence, fix, jobs and actions, to be wrapped rather than cut."""
    out = Text.assemble(badge(f.severity), " ", (f.code, "bold"), "\n", f.title)
    for e in f.evidence:
        out.append("\nevidence: ", style="dim")
        out.append(e.value)
        out.append(f"\n  read from {e.call} {e.field}", style="dim")
    out.append("\nfix: ", style="bold green")
    out.append(f.fix)
    if jobs is not None:
        out.append("\n")
        out.append_text(jobs)
    for action in actions:
        out.append("\n")
        out.append_text(action)
    return out


class FindingPane(ReadingPane):
    # With the text wrapped there is nothing to scroll sideways: left goes back to the list (the
    # widget before this one), as right on the list comes here.
    BINDINGS = [
        Binding("left", "app.focus_previous", "Findings", show=False, id="finding.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="finding-text")

    def show(self, text: Text) -> None:
        """Show ``text`` from its top (a new finding is read from its title)."""
        self.query_one("#finding-text", Static).update(text)
        self.scroll_home(animate=False)
