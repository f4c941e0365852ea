"""What a ``[keymap]`` in the config may name, and where it gives one key to two bindings.

Reads every screen's and widget's BINDINGS (and the app's, :data:`APP_BINDINGS`), so it imports
the screens; the app imports it, never the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding
from textual.keys import key_to_character
from textual.screen import Screen

from batchtui.tui.bindings import APP_BINDINGS
from batchtui.tui.screens import BINDING_OWNERS
from batchtui.tui.screens.base import BaseScreen


def known_binding_ids() -> set[str]:
    """Every binding id of every screen, widget and the app: what the keymap may name."""
    ids = {b.id for b in APP_BINDINGS if isinstance(b, Binding) and b.id}
    for cls in BINDING_OWNERS:
        for binding in getattr(cls, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def _own_bindings(cls: type) -> list[Binding]:
    """The bindings batchtui declares on ``cls`` and its batchtui bases (Textual's own are
    re-declared, with ids, wherever they are kept)."""
    out: list[Binding] = []
    for base in cls.__mro__:
        if base.__module__.startswith("batchtui."):
            out += [b for b in base.__dict__.get("BINDINGS", ()) if isinstance(b, Binding)]
    return out


def keymap_clashes(keymap: Mapping[str, str]) -> list[str]:
    """Keys the keymap gives to a binding while another binding active with it (same screen,
    or the app) keeps it: ``"s: jobs.filter, jobs.sort"``."""

    def canon(key: str) -> str:
        key = key.strip()
        return key_to_character(key) or key

    app_bindings = [b for b in APP_BINDINGS if isinstance(b, Binding)]
    groups = [
        _own_bindings(cls) + app_bindings for cls in BINDING_OWNERS if issubclass(cls, BaseScreen)
    ]
    groups += [_own_bindings(cls) for cls in BINDING_OWNERS if not issubclass(cls, Screen)]
    found: set[str] = set()
    for group in groups:
        owners: dict[str, set[str]] = {}
        for binding in group:
            if binding.id is None:
                continue
            for key in keymap.get(binding.id, binding.key).split(","):
                owners.setdefault(canon(key), set()).add(binding.id)
        for key, ids in owners.items():
            if len(ids) > 1 and ids & set(keymap):
                found.add(f"{key}: {', '.join(sorted(ids))}")
    return sorted(found)
