"""A scrolling pane of text (a job's or a CE's details, a plan) whose keys have binding ids.

VerticalScroll's own keys have none, so they could not be remapped; these can (``pane.*``).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll


class ReadingPane(VerticalScroll, inherit_bindings=False):
    BINDINGS = [
        Binding("up,k", "scroll_up", "Up", show=False, id="pane.up"),
        Binding("down,j", "scroll_down", "Down", show=False, id="pane.down"),
        Binding("left", "scroll_left", "Scroll left", show=False, id="pane.left"),
        Binding("right", "scroll_right", "Scroll right", show=False, id="pane.right"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="pane.page_up"),
        Binding("pagedown,ctrl+f,space", "page_down", "Page down", show=False, id="pane.page_down"),
        Binding("home,g", "scroll_home", "Top", show=False, id="pane.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="pane.bottom"),
    ]
