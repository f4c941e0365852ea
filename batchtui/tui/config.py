"""The user's TUI settings: ``$XDG_CONFIG_HOME/batchtui/config.toml`` (``~/.config/...``).

::

    refresh_interval = 5        # seconds between automatic refreshes; 0 turns them off
    theme = "textual-dark"      # any Textual theme name

    [keymap]                    # binding id = key(s); `?` in the TUI shows every id
    "jobs.stop" = "ctrl+k"
    "app.quit" = "q,ctrl+q"

Strict like the planning profiles: an unknown key or binding id is an error naming the file,
the key and its line, so a misspelling never passes silently. No textual import here: the
known binding ids are passed in by the app.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batchtui.errors import UsageError
from batchtui.toml_positions import KeyLines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_REFRESH_S = 5.0
MIN_REFRESH_S = 1.0
_TOP_KEYS = ("refresh_interval", "theme", "keymap")
_KEY = re.compile(r"^[a-z0-9_+\-]+$|^.$")


class ConfigError(UsageError):
    title = "Invalid config"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class TuiConfig:
    refresh_interval: float = DEFAULT_REFRESH_S
    theme: str | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "batchtui" / "config.toml"


#: The binding ids the keymap may name, or a function giving them (called only when the file
#: has a [keymap]: finding them imports every screen).
KnownIds = Iterable[str] | Callable[[], Iterable[str]] | None


def load_config(
    path: Path | None = None,
    *,
    known_binding_ids: KnownIds = None,
    environ: Mapping[str, str] | None = None,
) -> TuiConfig:
    """Read and validate the config file; a missing file gives the defaults."""
    path = path or config_path(environ)
    if not path.exists():
        return TuiConfig()
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([f"{path}: not valid TOML: {e}"]) from None
    return parse_config(data, text=text, path=path, known_binding_ids=known_binding_ids)


def parse_config(
    data: dict[str, Any],
    *,
    text: str = "",
    path: Path | None = None,
    known_binding_ids: KnownIds = None,
) -> TuiConfig:
    problems: list[str] = []
    where = str(path) if path else "config"

    lines = KeyLines(text)

    def problem(key: str, message: str) -> None:
        problems.append(f"{where}:{lines.line_of(key)}: {key}: {message}")

    for key in data:
        if key not in _TOP_KEYS:
            problem(key, f"unknown setting (known: {', '.join(_TOP_KEYS)})")

    refresh = data.get("refresh_interval", DEFAULT_REFRESH_S)
    if isinstance(refresh, bool) or not isinstance(refresh, (int, float)):
        problem("refresh_interval", "must be a number of seconds")
        refresh = DEFAULT_REFRESH_S
    elif refresh != 0 and refresh < MIN_REFRESH_S:
        problem("refresh_interval", f"must be 0 (off) or at least {MIN_REFRESH_S:g} seconds")

    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        problem("theme", "must be a string")
        theme = None

    keymap: dict[str, str] = {}
    raw_keymap = data.get("keymap", {})
    if not isinstance(raw_keymap, dict):
        problem("keymap", "must be a table of binding id = key")
        raw_keymap = {}
    if callable(known_binding_ids):
        known_binding_ids = known_binding_ids() if raw_keymap else None
    known = set(known_binding_ids) if known_binding_ids is not None else None
    for binding_id, keys in raw_keymap.items():
        dotted = f"keymap.{binding_id}"
        if known is not None and binding_id not in known:
            close = difflib.get_close_matches(binding_id, sorted(known), n=1)
            hint = f"did you mean {close[0]}?" if close else "`?` in the TUI lists every id"
            problem(dotted, f"unknown binding id ({hint})")
            continue
        if not isinstance(keys, str) or not keys.strip():
            problem(dotted, 'must be a key such as "ctrl+k", or several: "k,up"')
            continue
        bad = [k for k in keys.split(",") if not _KEY.match(k.strip())]
        if bad:
            problem(dotted, f"not a key: {', '.join(map(repr, bad))}")
            continue
        keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))

    if problems:
        raise ConfigError(problems)
    return TuiConfig(refresh_interval=float(refresh), theme=theme, keymap=keymap, path=path)
