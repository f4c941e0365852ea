"""The small validation framework of the profiles: a table checked against its schema.

Each key of a schema is a :class:`Field` (its TOML type, required or its default, a value check);
:func:`check_table` checks one TOML table and reports into :class:`Problems`, which words every
problem as ``file:line: dotted.key: message`` and raises them all at once, in line order, as one
:class:`~batchtui.errors.ProfileError`. Unknown keys are problems, with a did-you-mean.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from batchtui.errors import ProfileError
from batchtui.toml_positions import KeyLines

#: AWS takes minvCpus, maxvCpus, priority, memory ... as 32-bit integers.
INT32_MAX = 2**31 - 1


class Problems:
    """Every problem found in one profile, each placed at the line of its dotted key."""

    def __init__(self, path: str, lines: KeyLines) -> None:
        self.path = path
        self.lines = lines
        self.items: list[tuple[int, str]] = []

    def add(self, key: str, message: str) -> None:
        """One problem with ``key`` (a dotted key: ``job_queues[0].priority``)."""
        line = self.lines.line_of(key)
        where = f"{self.path}:{line}" if line else self.path
        self.items.append((line, f"{where}: {key}: {message}"))

    def raise_if_any(self) -> None:
        """Raise every problem, in line order, as one :class:`ProfileError`."""
        if self.items:
            raise ProfileError([m for _, m in sorted(self.items, key=lambda t: t[0])])


#: A value check: what is wrong with a value, or None when it is fine.
Check = Callable[[Any], "str | None"]
#: The kinds a number may have: TOML integers are fine where a float is wanted.
NUMBER = (int, float)


@dataclass(frozen=True)
class Field:
    """One key of a schema: its TOML type, required or its default, and a check of its value."""

    kind: type | tuple[type, ...]
    required: bool = False
    default: Any = None
    check: Check | None = None
    strings: bool = False  # an array whose items must all be strings


def positive(v: Any) -> str | None:
    """A number above zero."""
    return None if v > 0 else f"must be > 0 (got {v})"


def non_negative(v: Any) -> str | None:
    """A number of zero or more."""
    return None if v >= 0 else f"must be >= 0 (got {v})"


def one_of(*choices: str) -> Check:
    """One of ``choices``; a near miss gets a did-you-mean."""

    def check(v: Any) -> str | None:
        if v in choices:
            return None
        close = difflib.get_close_matches(str(v), choices, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"must be one of {', '.join(choices)} (got {v!r}){hint}"

    return check


def aws_int(check: Check) -> Check:
    """``check``, for a value AWS takes as a 32-bit integer."""

    def checked(v: Any) -> str | None:
        if v > INT32_MAX:
            return f"must be at most {INT32_MAX} (AWS takes a 32-bit integer; got {v})"
        return check(v)

    return checked


def in_range(lo: float, hi: float) -> Check:
    """A number from ``lo`` to ``hi``, both included."""

    def check(v: Any) -> str | None:
        return None if lo <= v <= hi else f"must be between {lo:g} and {hi:g} (got {v})"

    return check


def is_scheduling_policy_arn(v: Any) -> str | None:
    """A fair-share scheduling policy's ARN (CreateJobQueue takes an ARN, not a name)."""
    if v == "" or (str(v).startswith("arn:") and ":scheduling-policy/" in str(v)):
        return None
    return (
        f"must be a scheduling policy ARN, arn:aws:batch:REGION:ACCOUNT:scheduling-policy/NAME "
        f"(got {v!r})"
    )


def is_quota(v: Any) -> str | None:
    """A vCPU quota: a number of vCPUs, or ``"auto"`` to read it from Service Quotas."""
    if v == "auto":
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0:
        return None
    return f'must be a number of vCPUs >= 0 or "auto" (got {v!r})'


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        bool: "true or false",
        int: "an integer",
        float: "a number",
        str: "a string",
        dict: "a table",
        list: "an array",
    }
    if isinstance(kind, tuple):
        return " or ".join(dict.fromkeys(names[k] for k in kind))
    return names[kind]


def check_table(
    data: Any, schema: Mapping[str, Field], key: str, problems: Problems
) -> dict[str, Any] | None:
    """Check one table against its schema; the values with defaults filled, or None."""
    if not isinstance(data, dict):
        problems.add(key, f"must be a table (got {type(data).__name__})")
        return None
    out: dict[str, Any] = {}
    ok = True
    prefix = f"{key}." if key else ""
    suggested: set[str] = set()  # a missing key a misspelt one is taken for: said once, there
    for name in data:
        if name not in schema:
            close = difflib.get_close_matches(name, list(schema), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            suggested.update(c for c in close if c not in data)
            problems.add(f"{prefix}{name}", f"unknown key{hint}")
            ok = False
    for name, spec in schema.items():
        full = f"{prefix}{name}"
        if name not in data:
            if spec.required and name not in suggested:
                problems.add(full, "required key is missing")
                ok = False
            out[name] = spec.default
            continue
        value: Any = data[name]
        kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
        # TOML integers are fine where a float is wanted; booleans are never numbers.
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            problems.add(full, f"must be {_kind_name(spec.kind)} (got {value!r})")
            ok = False
            continue
        if isinstance(value, float) and not math.isfinite(value):  # TOML's inf and nan
            problems.add(full, f"must be a finite number (got {value})")
            ok = False
            continue
        items: list[Any] = value if isinstance(value, list) else []
        if spec.strings and not all(isinstance(v, str) for v in items):
            problems.add(full, "must be an array of strings")
            ok = False
            continue
        if spec.check is not None:
            message = spec.check(value)
            if message:
                problems.add(full, message)
                ok = False
                continue
        out[name] = value
    return out if ok else None
