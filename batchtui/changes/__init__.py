"""Pure: a profile's Batch setup against the account's -> an ordered change set.

- :mod:`.state` holds the two sides as values (and finds blue/green generations by name);
- :mod:`.requests` turns a profile's resources into Batch requests and comparable fields;
- :mod:`.diff` computes the :class:`~.steps.ChangeSet`, with :mod:`.in_place` (scaling and
  infrastructure updates, and when AWS allows the latter), :mod:`.rules` (Batch's rules,
  checked before the first request) and :mod:`.scaling` (the scaling rules);
- :mod:`.simulate` applies a change set to a live state, as Batch would;
- :mod:`.fingerprint` tells whether a saved change set still fits the account.

The aws layer reads the live state and drives the steps (``batchtui.aws.apply``).
"""

from batchtui.changes.diff import compute_change_set
from batchtui.changes.fingerprint import changed_since, fingerprint
from batchtui.changes.simulate import simulate
from batchtui.changes.state import DesiredState, LiveState
from batchtui.changes.steps import ChangeSet, FieldChange, Step, StepKind, Wait

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
