"""``?``: every key of the screen below, with its binding id (what the config's keymap names)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


def bindings_table(screen: Screen[Any]) -> Table:
    """Key, what it does, binding id: the active bindings (read-only hides dangerous ones)."""
    table = Table(box=None, header_style="bold", pad_edge=False, expand=True)
    table.add_column("KEY", style="bold cyan", no_wrap=True)
    table.add_column("ACTION")
    table.add_column("BINDING ID (config keymap)", style="dim", no_wrap=True)
    seen: dict[tuple[str, str], list[str]] = {}
    order: list[tuple[str, str, str]] = []

    def rank(item: tuple[str, Any]) -> int:
        node = item[1].node
        # This screen's own keys first, then the focused widget's, then the app's.
        return 0 if node is screen else 2 if node is screen.app else 1

    for key, active in sorted(screen.active_bindings.items(), key=rank):
        binding = active.binding
        if binding.system or not binding.description:
            continue
        ident = (binding.id or "", binding.description)
        display = screen.app.get_key_display(binding.with_key(key))
        if ident not in seen:
            seen[ident] = []
            order.append((ident[0], ident[1], binding.tooltip))
        seen[ident].append(display)
    for binding_id, description, tooltip in order:
        keys = ", ".join(seen[(binding_id, description)])
        what = Text(description)
        if tooltip and tooltip != description:
            what.append(f" — {tooltip}", style="dim")
        table.add_row(keys, what, binding_id or "(built in)")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, target: Screen[Any]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        name = type(self.target).__name__.removesuffix("Screen")
        read_only = getattr(self.app, "read_only", False)
        with VerticalScroll(classes="dialog help"):
            yield Label(
                f"Keys of {name}"
                + ("   (READ-ONLY: actions that change AWS are hidden)" if read_only else ""),
                classes="dialog-title",
            )
            yield Static(bindings_table(self.target), id="keys")
            yield Static(
                Text(
                    "Remap any key in ~/.config/batchtui/config.toml, e.g.\n"
                    '[keymap]\n"jobs.stop" = "ctrl+k"',
                    style="dim",
                )
            )

    def action_close(self) -> None:
        self.dismiss(None)
