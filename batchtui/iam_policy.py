"""What an IAM policy document allows, read the way IAM reads actions.

Only actions are evaluated (``*`` and ``?`` wildcards, case-insensitive, ``Action`` and
``NotAction``; an explicit Deny wins over any Allow); resources and conditions are taken to
hold, so a policy that may allow an action counts as allowing it and a claim that a role lacks
a permission is never made on a guess. Pure: the documents come as values (a parsed document,
or its JSON text, URL-encoded or not, as IAM's API returns it).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any


def statements(document: Mapping[str, Any] | str) -> list[Mapping[str, Any]]:
    """The statements of a policy document; none when it does not parse."""
    parsed: Any = document
    if isinstance(document, str):
        try:
            parsed = json.loads(document)
        except ValueError:
            try:
                parsed = json.loads(urllib.parse.unquote(document))
            except ValueError:
                return []
    found = parsed.get("Statement", []) if isinstance(parsed, Mapping) else []
    return [s for s in (found if isinstance(found, list) else [found]) if isinstance(s, Mapping)]


def _listed(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def covers(pattern: str, action: str) -> bool:
    """An IAM action pattern (``ecs:*``, ``ecs:Register*``, ``*``) covers ``action``."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, action, flags=re.IGNORECASE) is not None


def matches(document: Mapping[str, Any] | str, effect: str, action: str) -> bool:
    """A statement of ``document`` with ``effect`` (``Allow`` / ``Deny``) covers ``action``."""
    for st in statements(document):
        if st.get("Effect") != effect:
            continue
        if "Action" in st and any(covers(p, action) for p in _listed(st["Action"])):
            return True
        if "NotAction" in st and not any(covers(p, action) for p in _listed(st["NotAction"])):
            return True
    return False


def allows(documents: Iterable[Mapping[str, Any] | str], action: str) -> bool:
    """Some document allows ``action`` and none denies it."""
    docs = list(documents)
    if any(matches(d, "Deny", action) for d in docs):
        return False
    return any(matches(d, "Allow", action) for d in docs)


def allowed_actions(document: Mapping[str, Any] | str) -> list[str]:
    """The action patterns ``document`` allows, as written (``NotAction`` as ``all but X``)."""
    out: list[str] = []
    for st in statements(document):
        if st.get("Effect") != "Allow":
            continue
        if "Action" in st:
            out += _listed(st["Action"])
        if "NotAction" in st:
            out.append("all but " + " / ".join(_listed(st["NotAction"])))
    return list(dict.fromkeys(out))
