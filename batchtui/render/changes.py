"""A change set as a diff people know from Terraform (``+`` create, ``~`` update in place,
``-/+`` replace, ``-`` delete: field, old -> new, and the kind of step), and as the JSON
document that ``--output json`` prints and ``--out`` saves (``apply.schema.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from batchtui.changes import ChangeSet, Step, StepKind

SCHEMA_VERSION = 1

_COLOURS = {"+": "32", "~": "33", "-/+": "35", "-": "31"}
_WORDS = {
    StepKind.CREATE: "to create",
    StepKind.NEW_REVISION: "new revision",
    StepKind.SCALING_UPDATE: "scaling update",
    StepKind.INFRASTRUCTURE_UPDATE: "infrastructure update",
    StepKind.REPLACE: "to replace",
    StepKind.QUEUE_UPDATE: "queue update",
    StepKind.RETIRE: "to retire",
    StepKind.DELETE: "to delete",
    StepKind.ADOPT: "to adopt",
}


def value_text(v: Any) -> str:
    """A field's value in one line: lists joined, objects as compact JSON."""
    if v is None:
        return "(none)"
    if isinstance(v, (list, tuple)):
        if all(isinstance(x, (str, int, float)) for x in v):
            return "[" + ", ".join(str(x) for x in v) + "]"
        return json.dumps(list(v), separators=(",", ":"), sort_keys=True)
    if isinstance(v, Mapping):
        return json.dumps(dict(v), separators=(",", ":"), sort_keys=True)
    return str(v)


def _paint(text: str, mark: str, colour: bool) -> str:
    return f"\x1b[{_COLOURS[mark]}m{text}\x1b[0m" if colour else text


def step_lines(step: Step, *, colour: bool = False) -> list[str]:
    mark = step.kind.mark
    lines = [_paint(step.title(), mark, colour)]
    width = max((len(c.field) for c in step.changes), default=0)
    for c in step.changes:
        if c.old is None:
            change = value_text(c.new)
        elif c.new is None:
            change = f"{value_text(c.old)} -> (gone)"
        else:
            change = f"{value_text(c.old)} -> {value_text(c.new)}"
        lines.append(f"    {c.field.ljust(width)}  {change}")
    lines.append(f"    why: {step.why}")
    return lines


def _counted(n: int, words: str) -> str:
    """``2 scaling updates``, ``1 new revision``, ``3 to create`` (a verb takes no plural)."""
    plural = n != 1 and not words.startswith("to ")
    return f"{n} {words}{'s' if plural else ''}"


def summary_line(cs: ChangeSet) -> str:
    """``3 steps: 2 to create, 1 queue update``; ``refused: ...`` when nothing is sent because
    of a problem; and the deletions skipped for want of ``--allow-delete``."""
    if cs.problems:  # refused: whatever the steps, none is sent
        n = len(cs.problems)
        return f"refused: {n} problem{'s' if n != 1 else ''} below, nothing is sent"
    if cs.empty:
        line = "no changes"
    else:
        counts = cs.counts()
        parts = [_counted(n, _WORDS[StepKind(k)]) for k, n in counts.items()]
        line = f"{len(cs.steps)} step{'s' if len(cs.steps) != 1 else ''}: " + ", ".join(parts)
    deletions = sum(1 for s in cs.skipped if s.kind is StepKind.DELETE)
    if deletions:
        line += (
            f"; skipped: {deletions} deletion{'s' if deletions != 1 else ''} of what the "
            "profile no longer names (needs --allow-delete)"
        )
    return line


def render_change_set(cs: ChangeSet, header: str, *, colour: bool = False) -> str:
    """The diff, the summary line, then problems, warnings and notes."""
    lines = [header, ""]
    for step in cs.steps:
        lines += step_lines(step, colour=colour)
        lines.append("")
    if cs.skipped:
        lines += ["SKIPPED (needs --allow-delete; not sent)", ""]
        for step in cs.skipped:
            lines += step_lines(step, colour=colour)
            lines.append("")
    lines.append(summary_line(cs))
    for title, items in (
        ("PROBLEMS (nothing is sent; each says what to change)", cs.problems),
        ("WARNINGS", cs.warnings),
        ("NOTES", cs.notes),
    ):
        if items:
            lines += ["", title]
            lines += [f"  - {item}" for item in items]
    return "\n".join(lines)


def change_set_document(
    cs: ChangeSet,
    *,
    profile: Mapping[str, str],
    fingerprint: Mapping[str, str],
    allow_delete: bool,
    recommended: bool = False,
    outcome: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON document of a change set (what ``--out`` saves and ``--plan-file`` reads)."""
    doc: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "profile": dict(profile),
        "allowDelete": allow_delete,
        "recommended": recommended,
        "fingerprint": dict(fingerprint),
        "summary": summary_line(cs),
        "steps": [s.to_json() for s in cs.steps],
        "skipped": [s.to_json() for s in cs.skipped],
        "problems": list(cs.problems),
        "warnings": list(cs.warnings),
        "notes": list(cs.notes),
    }
    if outcome is not None:
        doc["outcome"] = dict(outcome)
    return doc
