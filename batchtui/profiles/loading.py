"""Finding and reading a profile: a path or a name -> text -> :class:`Profile`."""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

from batchtui.errors import ProfileError
from batchtui.profiles.builders import build_profile
from batchtui.profiles.spec import Profile
from batchtui.profiles.validation import Problems
from batchtui.toml_positions import KeyLines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Where ``--profile NAME`` looks after ./profiles: the bundled profiles. In a checkout
#: ``data/profiles`` is a link to the repository's ``profiles/``; a wheel carries copies.
PROFILE_DIRS = (Path(__file__).parent.parent / "data" / "profiles",)


#: What to do when no profile is found where --profile points.
FIND_A_PROFILE = "give a path to a .toml file, or the NAME of profiles/NAME.toml"


def resolve_profile_path(name_or_path: str, cwd: Path | None = None) -> Path:
    """A path as given, else ``profiles/NAME.toml`` under cwd, else the bundled copy."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or "/" in name_or_path or candidate.exists():
        if candidate.is_file():
            return candidate
        if candidate.is_dir():
            raise ProfileError(
                [f"{name_or_path}: is a directory, not a profile file"], hint=FIND_A_PROFILE
            )
        raise ProfileError([f"{name_or_path}: no such profile file"], hint=FIND_A_PROFILE)
    folders = ((cwd or Path.cwd()) / "profiles", *PROFILE_DIRS)
    for folder in folders:
        path = folder / f"{name_or_path}.toml"
        if path.is_file():
            return path
    known = sorted({p.stem for d in folders if d.is_dir() for p in d.glob("*.toml")})
    close = difflib.get_close_matches(name_or_path, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return_msg = f"{name_or_path}: no profile of that name in ./profiles or the bundled profiles"
    raise ProfileError(
        [f"{return_msg} (known: {', '.join(known) or 'none'}){hint}"], hint=FIND_A_PROFILE
    )


def load_profile(name_or_path: str, cwd: Path | None = None) -> Profile:
    """Read and validate a profile; :class:`ProfileError` lists every problem found."""
    path = resolve_profile_path(name_or_path, cwd)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileError([f"{path}: cannot read: {e}"]) from None
    return parse_profile(text, str(path))


def parse_profile(text: str, path: str = "<profile>") -> Profile:
    """Parse and validate profile text (``path`` names it in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None) or _line_from_message(str(e))
        raise ProfileError([f"{path}:{line}: not valid TOML: {e}"]) from None
    problems = Problems(path, KeyLines(text))
    profile = build_profile(data, path, problems)
    problems.raise_if_any()
    assert profile is not None
    return profile


def _line_from_message(message: str) -> int:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else 0
