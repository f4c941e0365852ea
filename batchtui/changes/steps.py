"""A change set: the ordered steps that take the account from its live state to a profile's.

Each step is one AWS request (operation and parameters, exactly what will be sent), what it
changes field by field, why it is this kind of step, and what to wait for after it. Steps are
plain values that round-trip through JSON, so a reviewed change set can be saved and applied
later exactly as it was shown.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class StepKind(str, enum.Enum):
    """What a step does, in the words a plan shows (Terraform's marks: + ~ -/+ -)."""

    CREATE = "create"
    SCALING_UPDATE = "scaling-update"
    INFRASTRUCTURE_UPDATE = "infrastructure-update"
    #: The new compute environment of a blue/green replacement.
    REPLACE = "replace"
    NEW_REVISION = "new-revision"
    QUEUE_UPDATE = "queue-update"
    #: Disable a replaced compute environment (it is already out of every queue).
    RETIRE = "retire"
    DELETE = "delete"
    #: Tag a resource the profile names but did not make as the profile's (``--adopt``).
    ADOPT = "adopt"

    @property
    def mark(self) -> str:
        return {
            StepKind.CREATE: "+",
            StepKind.NEW_REVISION: "+",
            StepKind.REPLACE: "-/+",
            StepKind.DELETE: "-",
        }.get(self, "~")


class Wait(str, enum.Enum):
    """What the executor waits for after a step's request."""

    NOTHING = ""
    #: The compute environment or job queue named by the step is VALID (INVALID fails).
    VALID = "VALID"
    #: The compute environment has scaled in to 0 vCPUs (its jobs finished), before deletion.
    DRAINED = "DRAINED"
    #: The compute environment or queue is gone.
    GONE = "GONE"


@dataclass(frozen=True)
class FieldChange:
    """One field of a resource: ``old -> new`` (None: not set / does not exist)."""

    field: str
    old: Any
    new: Any

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Step:
    """One request of a change set.

    ``resource`` is ``computeEnvironment``, ``jobQueue`` or ``jobDefinition``; ``name`` the
    resource's name; ``operation`` and ``params`` the Batch request sent as is.
    """

    kind: StepKind
    resource: str
    name: str
    why: str
    operation: str
    params: Mapping[str, Any]
    changes: tuple[FieldChange, ...] = ()
    wait: Wait = Wait.NOTHING
    #: Compute environments that must be VALID before the request (a queue's order).
    needs_valid: tuple[str, ...] = ()

    def title(self) -> str:
        """``~ computeEnvironment demo-spot (scaling-update)``."""
        return f"{self.kind.mark} {self.resource} {self.name} ({self.kind.value})"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "resource": self.resource,
            "name": self.name,
            "why": self.why,
            "changes": [c.to_json() for c in self.changes],
            "request": {"operation": self.operation, "params": dict(self.params)},
            "wait": self.wait.value,
            "needsValid": list(self.needs_valid),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Step:
        request = d["request"]
        return cls(
            kind=StepKind(d["kind"]),
            resource=str(d["resource"]),
            name=str(d["name"]),
            why=str(d.get("why", "")),
            operation=str(request["operation"]),
            params=dict(request["params"]),
            changes=tuple(
                FieldChange(str(c["field"]), c.get("old"), c.get("new"))
                for c in d.get("changes", ())
            ),
            wait=Wait(d.get("wait", "")),
            needs_valid=tuple(str(n) for n in d.get("needsValid", ())),
        )


@dataclass(frozen=True)
class ChangeSet:
    """The ordered steps, the problems that forbid applying them (Batch's rules, checked before
    the first request), warnings worth reading, and notes on what is left as it is.

    ``skipped``: the steps that remove what the profile made and no longer names, held back
    because deleting was not allowed (``--allow-delete``): shown, never sent."""

    steps: tuple[Step, ...] = ()
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    skipped: tuple[Step, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.steps

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        """Steps per kind, in the order of :class:`StepKind`."""
        out: dict[str, int] = {}
        for kind in StepKind:
            n = sum(1 for s in self.steps if s.kind is kind)
            if n:
                out[kind.value] = n
        return out
