"""The jobs a job detail links to (dependencies, dependents, array parent, children), as a list
whose highlighted line ``enter`` opens. Enter is the screen's (``detail.open``), so it can be
remapped; the list only moves the highlight, with keys that have binding ids."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList


class RelatedJobs(OptionList, inherit_bindings=False):
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
    ]

    def show(self, lines: Sequence[Text]) -> None:
        """Show ``lines`` (one per related job, in the screen's order), the first highlighted."""
        self.clear_options()
        self.add_options(lines)
        self.highlighted = 0 if lines else None
