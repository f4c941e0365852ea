"""Make a log line safe to show: no byte of it may act on the terminal or on the TUI's markup.

A container writes whatever it likes to its log, and an on-call engineer reads it in a terminal,
often through ``less -R``. A line carrying ``ESC ] 52 ; c ; ...`` writes their clipboard, ``ESC ]
0 ;`` retitles the window, ``ESC ] 8 ;`` plants a link, ``ESC [ 2 J`` wipes the screen, a
backspace or carriage return overwrites what came before it, and a right-to-left override
(U+202E) makes the text read differently from what it is. So every such character is replaced
by a visible escape (``\\x1b``, ``\\x07``, ``\\u202e``), never dropped silently: the reader sees
that the line carried it. Escaping ESC alone defuses every CSI/OSC/DCS sequence, since what
follows it is then plain text.

Replaced: C0 controls except TAB and LF, DEL, C1 controls (U+0080-U+009F, which some terminals
take as 8-bit CSI/OSC), the bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
U+2066-U+2069), the line and paragraph separators U+2028/U+2029, and lone surrogates (which a
JSON answer can carry and which would fail to encode). Everything else, emoji and ZWJ sequences
included, is kept.

Markup: the CLI prints plain text, where ``[link=...]`` is just text. In the TUI, put the line in
a ``Content``/``Text`` object (never parsed as markup), or pass it through
:func:`escape_textual_markup` before placing it in a markup string.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff]"
)
_UNSAFE_KEEP_NOTHING = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def _visible(m: re.Match[str]) -> str:
    ch = m.group(0)
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def sanitize_line(text: str, *, single_line: bool = False) -> str:
    """``text`` with every terminal-active character replaced by a visible escape.

    A trailing line break is removed. TAB and LF are kept (a multi-line event stays readable)
    unless ``single_line``, which escapes them too (one event, one row: what a table or the
    TUI's log view needs).
    """
    if text.endswith("\n"):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    pattern = _UNSAFE_KEEP_NOTHING if single_line else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_visible, text)


def is_terminal_safe(text: str) -> bool:
    """True when ``text`` holds no character :func:`sanitize_line` would replace (LF, TAB ok)."""
    return _UNSAFE.search(text) is None


def escape_textual_markup(text: str) -> str:
    """``text`` for a Textual markup string: every ``[`` escaped, so no tag, link, action
    (``[@click=...]``) or variable (``[$accent]``) can start inside it.

    Textual reads ``\\[`` as a literal ``[`` and leaves other backslashes alone, so this round-trips
    exactly: ``Content.from_markup(escape_textual_markup(s)).plain == s``. (Textual's own
    ``escape`` leaves ``[$var]`` and ``[[`` active.) Do not end a markup string with the result
    and then a tag of yours if ``text`` may end with a backslash: put it in a ``Content`` instead.
    """
    return text.replace("[", "\\[")
