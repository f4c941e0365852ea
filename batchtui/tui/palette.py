"""The command palette's one provider: batchtui's entries first, then Textual's own.

Textual's SystemCommandsProvider lists every entry in alphabetical order, so "Change theme" and
"Quit" came before a queue's name and the screen's actions. This provider lists the app's
entries in the app's order (the screen's actions, the views, the account's queues and CEs) and
Textual's after them; when searching, Textual's entries score lower than an equal match of ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any, cast

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import Screen

#: How much a Textual entry's match counts against one of batchtui's.
TEXTUAL_WEIGHT = 0.5


class PaletteCommands(Provider):
    """``BatchtuiApp.COMMANDS``: reads the app's ``palette_commands(screen)`` (ours) and
    ``textual_commands(screen)`` (Textual's, minus the ones ours replace)."""

    def _entries(self) -> Iterator[tuple[bool, SystemCommand]]:
        app = cast(Any, self.app)  # the batchtui app (which imports this module)
        ours: Iterable[SystemCommand] = app.palette_commands(self.screen)
        theirs: Iterable[SystemCommand] = app.textual_commands(self.screen)
        yield from ((True, c) for c in ours)
        yield from ((False, c) for c in sorted(theirs, key=lambda c: c.title))

    async def discover(self) -> Hits:
        for _, command in self._entries():
            if command.discover:
                yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for ours, command in self._entries():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score if ours else score * TEXTUAL_WEIGHT,
                    matcher.highlight(command.title),
                    command.callback,
                    help=command.help,
                )


def screen_actions(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """The palette's entries for ``screen``'s own keys (not the app's, not moving about in a
    table): the most important first (the screen's ``FOOTER_ORDER``, then its other keys, then
    those every screen has), one entry per description ("Back": esc and q)."""
    order = tuple(getattr(screen, "FOOTER_ORDER", ()))
    entries: dict[str, tuple[tuple[int, int], Binding, list[str], DOMNode]] = {}
    for at, (key, active) in enumerate(screen.active_bindings.items()):
        binding = active.binding
        if not active.enabled or not binding.description or active.node is not screen:
            continue
        if binding.action in order:
            rank = (0, order.index(binding.action))
        elif (binding.id or "").startswith("screen."):  # BaseScreen's, on every screen
            rank = (2, at)
        else:
            rank = (1, at)
        keys = app.get_key_display(binding.with_key(key))
        found = entries.get(binding.description)
        if found is None:
            entries[binding.description] = (rank, binding, [keys], active.node)
        elif keys not in found[2]:
            found[2].append(keys)
    for _, binding, shown, node in sorted(entries.values(), key=lambda entry: entry[0]):
        # The palette reads help (and titles) as markup: a key like "/" in brackets ("[/]")
        # crashed it. Escape, and no brackets.
        yield SystemCommand(
            escape(binding.description),
            escape(f"{binding.tooltip or binding.description}   key: {', '.join(shown)}"),
            partial(app.run_action, binding.action, node),
        )
