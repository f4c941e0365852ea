"""A fingerprint of the live state a change set was computed against, resource by resource.

A saved change set carries it; applying the file later re-reads the account and refuses when
a resource it touches has changed since, naming which. What Batch moves by itself
(desiredvCpus, status and statusReason) is left out, or every saved plan would go stale within
minutes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from batchtui.changes.state import DesiredState, LiveState

#: Fields Batch changes on its own: not part of what the user reviewed.
_MOVING = ("desired_vcpus", "status", "status_reason", "api")


def fingerprint(desired: DesiredState, live: LiveState) -> dict[str, str]:
    """``{"computeEnvironment:demo-spot": digest, ...}`` of every live resource the desired
    state names (a compute environment's blue/green generations included) and of the queues
    and compute environments its profile made and no longer names; a resource that does not exist yet is ``"absent"``."""
    out: dict[str, str] = {}
    for spec in desired.compute_environments:
        generations = live.generations(spec.name)
        if not generations:
            out[f"computeEnvironment:{spec.name}"] = "absent"
        for ce in generations:
            out[f"computeEnvironment:{ce.name}"] = _digest(asdict(ce))
    for q in desired.job_queues:
        queue = live.job_queue(q.name)
        out[f"jobQueue:{q.name}"] = _digest(asdict(queue)) if queue else "absent"
    for removed in live.removed_queues(desired):  # what --allow-delete would delete
        out[f"jobQueue:{removed.name}"] = _digest(asdict(removed))
    for gone in live.removed_compute_environments(desired):
        out[f"computeEnvironment:{gone.name}"] = _digest(asdict(gone))
    for jd in desired.job_definitions:
        found = live.job_definition(jd.name)
        out[f"jobDefinition:{jd.name}"] = (
            _digest({"arn": found.arn, "revision": found.revision}) if found else "absent"
        )
    return out


def changed_since(saved: dict[str, str], now: dict[str, str]) -> list[str]:
    """The resources whose fingerprint differs: ``computeEnvironment demo-spot (changed)``."""
    out = []
    for key in sorted(set(saved) | set(now)):
        before, after = saved.get(key), now.get(key)
        if before == after:
            continue
        kind, _, name = key.partition(":")
        if before in (None, "absent"):
            what = "created since"
        elif after in (None, "absent"):
            what = "gone since"
        else:
            what = "changed since"
        out.append(f"{kind} {name} ({what})")
    return out


def _digest(d: dict[str, Any]) -> str:
    kept = {k: v for k, v in d.items() if k not in _MOVING}
    text = json.dumps(kept, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
