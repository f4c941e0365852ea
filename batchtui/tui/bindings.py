"""Key bindings that say whether their action changes the account (k9s' Dangerous flag).

Read-only mode hides an action when a binding of it is marked ``danger``: the set is derived
from the bindings, so a new mutating key cannot be left out of it (tests/tui/test_read_only.py
checks that every binding whose action reaches a mutating AWS call is marked).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class ActionBinding(Binding):
    """A Textual binding with k9s' Dangerous flag: ``danger`` when its action changes AWS."""

    danger: bool = False


def declared_bindings(cls: type) -> list[Binding]:
    """The bindings ``cls`` and its bases declare (the class lists, not Textual's expansion,
    which rebuilds plain Bindings and drops ``danger``)."""
    out: list[Binding] = []
    for base in cls.__mro__:
        out += [b for b in base.__dict__.get("BINDINGS", ()) if isinstance(b, Binding)]
    return out


def dangerous_actions(cls: type) -> frozenset[str]:
    """The actions of ``cls`` bound by a binding marked ``danger``."""
    return frozenset(
        b.action for b in declared_bindings(cls) if isinstance(b, ActionBinding) and b.danger
    )


#: The app's own keys (every screen has them).
APP_BINDINGS: list[BindingType] = [
    # priority: the prompt opens before the keys typed after ":" are handed on (a paste)
    Binding(
        "colon",
        "command_line",
        "View",
        id="app.command",
        tooltip=":ce :jq :jobs :plan",
        priority=True,
    ),
    Binding("question_mark", "help", "Keys", id="app.help", tooltip="Every key of this screen"),
    # q closes the view (BaseScreen's "screen.close"; on the overview it quits), the way less,
    # tig and k9s users close one: the app itself has no q.
    Binding(
        "ctrl+q",
        "quit",
        "Quit",
        id="app.quit",
        tooltip="Leave batchtui from any screen, even a dialog or a text box",
        show=False,
        priority=True,
    ),
    # Not priority: with text selected, the focused text box or the screen copies it first
    # (Textual's ctrl+c); with nothing selected they pass, and ctrl+c quits as in a shell.
    Binding(
        "ctrl+c",
        "quit",
        "Quit",
        id="app.quit_ctrl_c",
        tooltip="Leave batchtui (copies instead while text is selected)",
        show=False,
    ),
    Binding(
        "ctrl+p",
        "command_palette",
        "Palette",
        id="app.palette",
        tooltip="Every action of this screen and every view, by name",
        show=False,
        priority=True,
    ),
]
