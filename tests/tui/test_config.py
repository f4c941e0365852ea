"""The user's config file: strict, with the file, key and line of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchtui.tui.app import known_binding_ids
from batchtui.tui.config import ConfigError, TuiConfig, config_path, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "batchtui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "nope.toml") == TuiConfig()


def test_xdg_config_home_is_honoured(tmp_path: Path) -> None:
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "batchtui" / "config.toml"
    assert config_path({"HOME": "/home/u"}) == Path("/home/u/.config/batchtui/config.toml")


def test_valid_config(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'refresh_interval = 10\n[keymap]\n"jobs.stop" = "ctrl+k"\n"app.quit" = "q, ctrl+q"\n',
    )
    config = load_config(path, known_binding_ids=known_binding_ids())
    assert config.refresh_interval == 10
    assert dict(config.keymap) == {"jobs.stop": "ctrl+k", "app.quit": "q,ctrl+q"}


def test_every_problem_names_file_key_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'refresh_intervall = 5\nrefresh_interval = 0.2\n[keymap]\n"jobs.stpo" = "ctrl+k"\n"jobs.filter" = ""\n',
    )
    with pytest.raises(ConfigError) as e:
        load_config(path, known_binding_ids=known_binding_ids())
    problems = e.value.problems
    assert f"{path}:1: refresh_intervall: unknown setting" in problems[0]
    assert f"{path}:2: refresh_interval: must be 0 (off) or at least 1" in problems[1]
    assert (
        f"{path}:4: keymap.jobs.stpo: unknown binding id (did you mean jobs.stop?)" in problems[2]
    )
    assert f"{path}:5: keymap.jobs.filter: must be a key" in problems[3]


def test_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "refresh_interval = \n"))


def test_a_problem_names_the_line_of_a_quoted_dotted_or_table_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "theme = 'x'\n[other]\nx = 1\n[keymap]\n'jobs.stop' = 5\n",
    )
    with pytest.raises(ConfigError) as e:
        load_config(path, known_binding_ids=known_binding_ids())
    assert e.value.problems == [
        f"{path}:2: other: unknown setting (known: refresh_interval, theme, keymap)",
        f'{path}:5: keymap.jobs.stop: must be a key such as "ctrl+k", or several: "k,up"',
    ]
    dotted = write(tmp_path, 'refresh_interval = 5\nkeymap."jobs.stop" = ""\n')
    with pytest.raises(ConfigError) as e:
        load_config(dotted, known_binding_ids=known_binding_ids())
    assert e.value.problems[0].startswith(f"{dotted}:2: keymap.jobs.stop: must be a key")
