"""The command palette's one provider: batchtui's entries first, then Textual's own.

Textual's SystemCommandsProvider lists every entry in alphabetical order, so "Change theme" and
"Quit" came before a queue's name and the screen's actions. This provider lists the app's
entries in the app's order (the screen's actions, the views, the account's queues and CEs) and
Textual's after them; when searching, Textual's entries score lower than an equal match of ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider

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
