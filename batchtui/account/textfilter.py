"""The ``/`` filter every list shares (k9s): a case-insensitive substring, ``!`` inverts.

No textual import: the jobs index and the overview both use it, and it is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextFilter:
    """What the user typed after ``/``: ``"spot"`` keeps what contains it, ``"!spot"`` the rest."""

    text: str = ""

    @property
    def inverted(self) -> bool:
        return self.text.startswith("!")

    @property
    def needle(self) -> str:
        return (self.text[1:] if self.inverted else self.text).strip().lower()

    @property
    def active(self) -> bool:
        return bool(self.needle)

    def matches(self, *fields: str) -> bool:
        """Whether a row whose searchable fields are ``fields`` is shown."""
        needle = self.needle
        if not needle:
            return True
        found = any(needle in f.lower() for f in fields)
        return found != self.inverted
