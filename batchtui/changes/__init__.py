"""Pure: a profile's Batch setup against the account's -> an ordered change set.

- :mod:`.state` holds the two sides as values (and finds blue/green generations by name);
- :mod:`.requests` turns a profile's resources into Batch requests and comparable fields;
- :mod:`.diff` computes the :class:`~.steps.ChangeSet`, with :mod:`.in_place` (scaling and
  infrastructure updates, and when AWS allows the latter), :mod:`.rules` (Batch's rules,
  checked before the first request), :mod:`.scaling` (the scaling rules) and :mod:`.removals`
  (removing what the profile made and no longer names);
- :mod:`.simulation` applies a change set to a live state, as Batch would;
- :mod:`.fingerprints` tells whether a saved change set still fits the account.

The aws layer reads the live state and drives the steps (``batchtui.aws.apply``).

The names below load their module on first use: the TUI's scale dialog imports
:mod:`.scaling` alone, and must not pull in the profiles and the price catalog with it.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from batchtui.changes.diff import compute_change_set
    from batchtui.changes.fingerprints import changed_since, fingerprint
    from batchtui.changes.simulation import simulate
    from batchtui.changes.state import DesiredState, LiveState
    from batchtui.changes.steps import ChangeSet, FieldChange, Step, StepKind, Wait

_MODULES = {
    "compute_change_set": "diff",
    "changed_since": "fingerprints",
    "fingerprint": "fingerprints",
    "simulate": "simulation",
    "DesiredState": "state",
    "LiveState": "state",
    "ChangeSet": "steps",
    "FieldChange": "steps",
    "Step": "steps",
    "StepKind": "steps",
    "Wait": "steps",
}

__all__ = [
    "ChangeSet",
    "DesiredState",
    "FieldChange",
    "LiveState",
    "Step",
    "StepKind",
    "Wait",
    "changed_since",
    "compute_change_set",
    "fingerprint",
    "simulate",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
