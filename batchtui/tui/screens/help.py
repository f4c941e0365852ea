"""``?``: every key of the screen below, with its binding id (what the config's keymap names).

Keys come in three groups, the way a new user looks for them: what this screen does, how to
move in the focused list or pane, and the keys that work everywhere.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from batchtui.tui.config import config_path
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.widgets.reading_pane import ReadingPane

SECTIONS = ("This screen", "Moving around", "Everywhere")
#: Keys every batchtui screen has (BaseScreen's): listed under "Everywhere".
_COMMON_IDS = frozenset(b.id for b in BaseScreen.BINDINGS if isinstance(b, Binding) and b.id)


def listed_bindings(screen: Screen[Any]) -> list[tuple[str, str, str, str, str]]:
    """(section, keys, description, tooltip, binding id) of every key `?` lists: the active
    bindings with a description (read-only mode has already hidden the dangerous ones)."""
    seen: dict[tuple[str, str], list[str]] = {}
    order: list[tuple[str, str, str, str]] = []

    def section(active: Any) -> str:
        node, binding = active.node, active.binding
        if node is screen.app or binding.id in _COMMON_IDS:
            return SECTIONS[2]
        return SECTIONS[0] if node is screen else SECTIONS[1]

    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or not binding.description:
            continue
        ident = (binding.id or "", binding.description)
        display = screen.app.get_key_display(binding.with_key(key))
        if ident not in seen:
            seen[ident] = []
            order.append((section(active), ident[0], ident[1], binding.tooltip))
        seen[ident].append(display)
    order.sort(key=lambda row: SECTIONS.index(row[0]))
    return [
        (where, ", ".join(seen[(binding_id, description)]), description, tooltip, binding_id)
        for where, binding_id, description, tooltip in order
    ]


def bindings_table(screen: Screen[Any]) -> Group:
    """The listed keys, one table per section."""
    parts: list[Any] = []
    rows = listed_bindings(screen)
    # The key column fits its longest entry (a key, or a section's title), the same in every
    # section so they line up: a fixed 14 cut "pagedown, ctrl+f" to "pagedown, ctr".
    key_width = max(
        [cell_len(where) for where in SECTIONS] + [cell_len(keys) for _, keys, *_ in rows]
    )
    id_width = max([cell_len("BINDING ID")] + [cell_len(row[4]) for row in rows])
    for where in SECTIONS:
        mine = [r for r in rows if r[0] == where]
        if not mine:
            continue
        table = Table(
            box=None, header_style="bold", pad_edge=False, expand=True, title_justify="left"
        )
        # Outer columns sized to their longest entry over all sections: the sections line up.
        table.add_column(where.upper(), style="bold cyan", no_wrap=True, width=key_width)
        table.add_column("ACTION", ratio=1)
        table.add_column("BINDING ID", style="dim", no_wrap=True, width=id_width)
        for _, keys, description, tooltip, binding_id in mine:
            what = Text(description)
            if tooltip and tooltip != description:
                what.append(f" — {tooltip}", style="dim")
            table.add_row(keys, what, binding_id)
        if parts:
            parts.append(Text(""))
        parts.append(table)
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, target: Screen[Any]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        name = getattr(self.target, "HELP_NAME", "") or type(self.target).__name__.removesuffix(
            "Screen"
        )
        read_only = getattr(self.app, "read_only", False)
        config = getattr(getattr(self.app, "config", None), "path", None) or config_path()
        with ReadingPane(classes="dialog help"):
            yield Label(
                f"Keys of {name}"
                + ("   (READ-ONLY: actions that change AWS are hidden)" if read_only else ""),
                classes="dialog-title",
            )
            yield Static(bindings_table(self.target), id="keys")
            yield Static(
                Text(
                    f"esc / ? / q: close this.  Remap any key by its binding id in {config}, e.g.\n"
                    '[keymap]\n"jobs.stop" = "ctrl+k"\n"table.down" = "down,j,n"',
                    style="dim",
                )
            )

    def action_close(self) -> None:
        self.dismiss(None)
