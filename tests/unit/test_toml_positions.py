"""Where each dotted key of a TOML text is set (the profiles' and the config's problem lines)."""

from __future__ import annotations

import sys

import pytest

from batchtui.toml_positions import KeyLines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@pytest.mark.parametrize(
    "text",
    [
        '[keymap]\n"jobs.stop" = "k"\n',  # basic string key
        "[keymap]\n'jobs.stop' = 'k'\n",  # literal string key
        'keymap."jobs.stop" = "k"\n',  # dotted key at the top
        "[keymap]\n\n  'jobs.stop'   =   'k'   # comment\n",
    ],
)
def test_a_quoted_key_is_found_whatever_its_quotes(text: str) -> None:
    assert tomllib.loads(text)["keymap"]["jobs.stop"] == "k"  # the texts are valid TOML
    last = text.rstrip("\n").count("\n") + 1
    assert KeyLines(text).line_of("keymap.jobs.stop") == last


def test_a_key_not_on_its_own_line_falls_back_to_its_table() -> None:
    text = 'refresh_interval = 5\nkeymap = { "jobs.stop" = 3 }\n'
    assert KeyLines(text).line_of("keymap.jobs.stop") == 2
    assert KeyLines(text).line_of("refresh_interval") == 1


def test_a_table_header_gives_its_line() -> None:
    text = "theme = 'x'\n\n[other]\nrefresh_interval = 2\n"
    lines = KeyLines(text)
    assert lines.line_of("other") == 3
    assert lines.line_of("other.refresh_interval") == 4
    assert lines.line_of("refresh_interval") == 0  # the top-level key is not set here


def test_keys_inside_a_multiline_array_are_not_keys() -> None:
    text = "a = [\n  'b = 1',\n]\nc = 2\n"
    lines = KeyLines(text)
    assert lines.line_of("c") == 4
    assert lines.line_of("b") == 0
