"""Where each dotted key of a TOML text is set: tomllib gives values, not lines.

Strict readers (the planning profiles, the TUI's config file) name the line of every problem;
:class:`KeyLines` finds it with a light scan of the text. It imports nothing of batchtui, so any
layer may use it.
"""

from __future__ import annotations

import re


class KeyLines:
    """The line of each dotted key in a TOML text (``a[1].b`` for arrays of tables).

    A light scan, not a parser: table headers, ``[[array]]`` headers (with per-parent indexes)
    and ``key =`` lines outside multi-line strings and arrays. Enough to point a user at a line.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    #: A bare, "basic" or 'literal' key, or a dotted one made of those.
    _KEY = re.compile(r"""^\s*([A-Za-z0-9_\-."']+)\s*=""")

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        counts: dict[str, int] = {}
        current = ""
        depth = 0  # open brackets/braces of a multi-line value
        in_string = ""
        for lineno, raw in enumerate(text.splitlines(), start=1):
            if in_string:
                if in_string in raw:
                    in_string = ""
                continue
            if depth == 0:
                header = self._HEADER.match(raw)
                if header:
                    dotted = self._resolve(_unquoted(header.group(2)), counts)
                    if header.group(1) == "[[":
                        n = counts.get(dotted, 0)
                        counts[dotted] = n + 1
                        dotted = f"{dotted}[{n}]"
                    current = dotted
                    self.lines.setdefault(current, lineno)
                    continue
                key = self._KEY.match(raw)
                if key:
                    name = _unquoted(key.group(1))
                    full = f"{current}.{name}" if current else name
                    self.lines.setdefault(full, lineno)
            for quote in ('"""', "'''"):
                if raw.count(quote) % 2 == 1:
                    in_string = quote
            depth = max(0, depth + _bracket_balance(raw))

    @staticmethod
    def _resolve(dotted: str, counts: dict[str, int]) -> str:
        """``a.b`` inside the current element of array ``a`` becomes ``a[i].b``."""
        parts = dotted.split(".")
        out = ""
        for part in parts[:-1]:
            out = f"{out}.{part}" if out else part
            if out in counts:
                out = f"{out}[{counts[out] - 1}]"
        return f"{out}.{parts[-1]}" if out else parts[-1]

    def line_of(self, path: str) -> int:
        """The line of ``path`` or of its nearest enclosing table; 0 when unknown."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return 0


def _unquoted(key: str) -> str:
    """A dotted key without its quotes: ``keymap."jobs.stop"`` -> ``keymap.jobs.stop``."""
    return key.replace('"', "").replace("'", "")


def _bracket_balance(line: str) -> int:
    balance = 0
    quote = ""
    for ch in line:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            balance += 1
        elif ch in "]}":
            balance -= 1
    return balance
