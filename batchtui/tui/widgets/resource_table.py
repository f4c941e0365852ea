"""The DataTable of compute environments and job queues, with keys the keymap can remap.

Textual's DataTable binds enter (select) and its cursor keys without binding ids, and a focused
widget's keys run before the screen's, so the screen's own ``enter`` could never be remapped.
This table declares its keys itself, each with an id (vi keys too, like the jobs table), and
leaves ``enter`` to the screen (``overview.open``, ``ce.open_queue``).
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import DataTable


class ResourceTable(DataTable[Any], inherit_bindings=False):
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("left", "cursor_left", "Scroll left", show=False, id="table.left"),
        Binding("right", "cursor_right", "Scroll right", show=False, id="table.right"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "scroll_top", "First row", show=False, id="table.first"),
        Binding("end,G", "scroll_bottom", "Last row", show=False, id="table.last"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
