"""Views reachable with ``:name`` (k9s habit) and from the command palette.

A view is registered by name with how to open it. The diagnose and apply screens register
themselves here when their issues land; nothing is registered that does not work yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from batchtui.tui.app import BatchtuiApp


@dataclass(frozen=True)
class View:
    name: str
    help: str
    #: Opens the view; gets the app and what followed the name (``:jobs my-queue`` -> "my-queue").
    open: Callable[[BatchtuiApp, str], None]
    aliases: tuple[str, ...] = ()
    usage: str = ""


_VIEWS: dict[str, View] = {}


def register(view: View) -> View:
    _VIEWS[view.name] = view
    return view


def views() -> list[View]:
    return list(_VIEWS.values())


def find(name: str) -> View | None:
    name = name.strip().lower()
    for view in _VIEWS.values():
        if name == view.name or name in view.aliases:
            return view
    return None


def parse_command(line: str) -> tuple[str, str]:
    """``":jobs  my-queue "`` -> ("jobs", "my-queue")."""
    line = line.strip().lstrip(":").strip()
    name, _, rest = line.partition(" ")
    return name.lower(), rest.strip()
