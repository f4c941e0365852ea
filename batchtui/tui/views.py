"""Views reachable with ``:name`` (k9s habit) and from the command palette.

A view is a name with how to open it; :mod:`batchtui.tui.navigation` lists them in one
:class:`ViewRegistry` the app holds and hands to the ``:`` prompt. Nothing is registered at import
time, and nothing here imports a screen or the app. The diagnose and apply screens join the
registry when they land; nothing is listed that does not work yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

#: What a view's argument names, for completion: the account's job queues or CEs.
QUEUE = "queue"
COMPUTE_ENVIRONMENT = "compute environment"


@dataclass(frozen=True)
class View:
    name: str
    help: str
    #: Opens the view; gets the app and what followed the name (``:jobs my-queue`` -> "my-queue").
    open: Callable[[Any, str], None]  # (the app, the argument)
    aliases: tuple[str, ...] = ()
    usage: str = ""
    #: What the argument names (:data:`QUEUE`, :data:`COMPUTE_ENVIRONMENT`): Tab completes
    #: it from the account; "" when it is not completed.
    argument: str = ""


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


def completions(line: str, views: ViewRegistry, names: Callable[[str], Sequence[str]]) -> list[str]:
    """Every whole line ``line`` completes to: a view's name (``":jo"`` -> ``":jobs"``), or
    after a view and a space the account's names its argument takes (``":jobs demo-b"`` ->
    ``":jobs demo-batch-low"``; ``names(view.argument)`` gives them). Case is ignored; the view
    name as typed (an alias) is kept."""
    lead = ":" if line.lstrip().startswith(":") else ""  # the completion starts as the line
    body = line.lstrip().lstrip(":")
    typed, space, rest = body.partition(" ")
    if not space:
        # One line per view: its name, or the alias typed (":computeenv" is not ":ce").
        found: list[str] = []
        for view in views:
            name = next(
                (n for n in (view.name, *view.aliases) if n.startswith(typed.lower())), None
            )
            if name is not None:
                found.append(f"{lead}{name}")
        return found
    chosen = views.find(typed)
    if chosen is None or not chosen.argument:
        return []
    prefix = rest.strip().lower()
    return [f"{lead}{typed} {n}" for n in names(chosen.argument) if n.lower().startswith(prefix)]


def common_prefix(lines: Sequence[str]) -> str:
    """The longest start ``lines`` share (``""`` for none), compared without case, in the
    first line's spelling."""
    if not lines:
        return ""
    first, *others = [line.lower() for line in lines]
    size = len(first)
    for other in others:
        same = 0
        while same < min(size, len(other)) and first[same] == other[same]:
            same += 1
        size = same
    return lines[0][:size]
