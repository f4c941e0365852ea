"""Views reachable with ``:name`` (k9s habit) and from the command palette.

A view is a name with how to open it; :mod:`batchtui.tui.navigation` lists them in one
:class:`ViewRegistry` the app holds and hands to the ``:`` prompt. Nothing is registered at import
time, and nothing here imports a screen or the app. The diagnose and apply screens join the
registry when they land; nothing is listed that does not work yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class View:
    name: str
    help: str
    #: Opens the view; gets the app and what followed the name (``:jobs my-queue`` -> "my-queue").
    open: Callable[[Any, str], None]  # (the app, the argument)
    aliases: tuple[str, ...] = ()
    usage: str = ""


class ViewRegistry:
    """The views, in the order ``:`` lists them."""

    def __init__(self, *views: View) -> None:
        self._views = {v.name: v for v in views}

    def __iter__(self) -> Iterator[View]:
        return iter(self._views.values())

    def find(self, name: str) -> View | None:
        name = name.strip().lower()
        for view in self._views.values():
            if name == view.name or name in view.aliases:
                return view
        return None


def parse_command(line: str) -> tuple[str, str]:
    """``":jobs  my-queue "`` -> ("jobs", "my-queue")."""
    line = line.strip().lstrip(":").strip()
    name, _, rest = line.partition(" ")
    return name.lower(), rest.strip()
