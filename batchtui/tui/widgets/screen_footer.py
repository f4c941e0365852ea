"""The footer: a screen's important keys, in the order that screen gives, fitted to the width.

Textual's Footer shows every binding with ``show`` in declaration order and cuts the line at the
terminal's edge: at 80 columns the overview lost `:`, `?` and `q`. This footer keeps the keys
that work everywhere (``:``, ``?``, ``q``) and drops the screen's least important ones (the end
of its ``FOOTER_ORDER``, then of its other keys) until the line fits. Every key is still listed
by `?` and found in the palette.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

#: The keys every screen keeps in its footer, in this order, after the screen's own.
EVERYWHERE = ("command_line", "help", "close")
#: Shown only when there is room: every screen has them, and escape is folded into q's entry.
LAST = ("refresh",)
#: Cells a key takes beyond its key and description: the space between them and the margin.
KEY_GAP = 2
#: The palette key docked at the right edge ("▏^p Palette").
PALETTE_WIDTH = 12


def footer_keys(shown: Iterable[tuple[str, int]], order: Iterable[str], width: int) -> list[str]:
    """Which actions the footer shows, in order: ``shown`` is each shown binding's action and
    width (key and description), in declaration order; ``order`` the screen's most important
    actions first. The keys of :data:`EVERYWHERE` always stay; the screen's are dropped from
    the least important until the line fits in ``width``."""
    widths = dict(shown)
    first = [a for a in order if a in widths and a not in EVERYWHERE]
    rest = [a for a in widths if a not in first and a not in EVERYWHERE and a not in LAST]
    own = first + rest + [a for a in LAST if a in widths]
    kept = [a for a in EVERYWHERE if a in widths]

    def cost(actions: list[str]) -> int:
        return sum(widths[a] + KEY_GAP for a in actions)

    budget = width - cost(kept)
    while own and cost(own) > budget:
        own.pop()
    return own + kept


class ScreenFooter(Footer):
    """Textual's compact footer with the screen's keys ordered and pruned to fit (see the
    module docstring). On screens below the first, q's entry also names escape ("q/esc")."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._width = 0

    def compose(self) -> ComposeResult:
        keys: list[Any] = []
        palette: list[Widget] = []
        # Textual builds one key widget per shown action (batchtui's bindings use no groups);
        # they are read through their public attributes (action, key_display, description).
        for widget in super().compose():
            (palette if widget.has_class("-command-palette") else keys).append(cast(Any, widget))
        by_action = {str(w.action): w for w in keys}
        back = by_action.pop("back", None)
        close = by_action.get("close")
        if back is not None and close is not None:
            # One entry for going back: q (what less users press) and escape (k9s's).
            close.key_display = f"{close.key_display}/{back.key_display}"
        elif back is not None:
            by_action["back"] = back
        shown = [
            (action, len(w.key_display) + 1 + len(w.description)) for action, w in by_action.items()
        ]
        order = getattr(self.screen, "FOOTER_ORDER", ())
        width = (self.screen.size.width or self.app.size.width) - PALETTE_WIDTH
        self._width = self.screen.size.width
        for action in footer_keys(shown, order, width):
            yield by_action[action]
        yield from palette

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.call_after_refresh(self.recompose)
