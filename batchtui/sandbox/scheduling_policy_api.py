"""Batch's scheduling policy operations, and the rules that tie a policy to a job queue.

A scheduling policy holds a fair-share policy (``shareDecaySeconds``, ``computeReservation``,
``shareDistribution``) that a job queue names by ARN; how such a queue schedules is
:mod:`fair_share`. The rules here are AWS's (botocore's model and the Batch user guide): a
queue created without a policy is FIFO for good, a queue's policy can be replaced but not
removed, and a policy that a queue uses cannot be deleted. Quota-share policies (SageMaker
Training job queues only) are not modelled and are refused as such.
"""

from __future__ import annotations

import re
from typing import Any

from batchtui.sandbox.batch_errors import BatchApiError, check_name, optional_int, require
from batchtui.sandbox.batch_records import JobQueueRecord, SchedulingPolicyRecord
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.tokens import decode_token, encode_token

#: AWS's bounds (FairsharePolicy and ShareAttributes in the Batch API reference).
MAX_SHARE_DECAY_SECONDS = 604_800
MAX_COMPUTE_RESERVATION = 99
MIN_WEIGHT, MAX_WEIGHT = 0.0001, 999.9999
MAX_DESCRIBE = 100
MAX_SCHEDULING_PRIORITY = 9999
#: A share identifier: up to 255 letters and digits, optionally followed by ``*``.
SHARE_IDENTIFIER = re.compile(r"^[A-Za-z0-9]{1,255}\*?$")


def policy_not_found(arn: Any) -> BatchApiError:
    # Worded after AWS's "JobQueue <ref> not found."; AWS's own text for a policy was not found.
    return BatchApiError(f"SchedulingPolicy {arn} not found.")


def check_fairshare_policy(policy: Any) -> dict[str, Any]:
    """A fairsharePolicy as AWS stores and returns it (absent fields at their defaults)."""
    if policy is None:
        policy = {}
    if not isinstance(policy, dict):
        raise BatchApiError("fairsharePolicy must be an object")
    decay = optional_int(policy, "shareDecaySeconds", 0) or 0
    if not 0 <= decay <= MAX_SHARE_DECAY_SECONDS:
        raise BatchApiError(
            f"fairsharePolicy.shareDecaySeconds must be 0 to {MAX_SHARE_DECAY_SECONDS}, got {decay}"
        )
    reservation = optional_int(policy, "computeReservation", 0) or 0
    if not 0 <= reservation <= MAX_COMPUTE_RESERVATION:
        raise BatchApiError(
            f"fairsharePolicy.computeReservation must be 0 to {MAX_COMPUTE_RESERVATION}, "
            f"got {reservation}"
        )
    distribution = policy.get("shareDistribution") or []
    if not isinstance(distribution, list):
        raise BatchApiError("fairsharePolicy.shareDistribution must be a list")
    shares: list[dict[str, Any]] = []
    for entry in distribution:
        if not isinstance(entry, dict):
            raise BatchApiError("fairsharePolicy.shareDistribution entries must be objects")
        ident = entry.get("shareIdentifier")
        if not isinstance(ident, str) or not SHARE_IDENTIFIER.match(ident):
            raise BatchApiError(
                f"shareIdentifier {ident!r} is not valid: use up to 255 letters and numbers, "
                "optionally followed by an asterisk (*)"
            )
        weight = entry.get("weightFactor", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise BatchApiError(f"weightFactor of share {ident} must be a number")
        if not MIN_WEIGHT <= float(weight) <= MAX_WEIGHT:
            raise BatchApiError(
                f"weightFactor of share {ident} must be {MIN_WEIGHT} to {MAX_WEIGHT}, got {weight}"
            )
        for other in shares:
            if _overlap(ident, other["shareIdentifier"]):
                raise BatchApiError(
                    f"Share identifiers {other['shareIdentifier']} and {ident} overlap"
                )
        shares.append({"shareIdentifier": ident, "weightFactor": float(weight)})
    return {
        "shareDecaySeconds": decay,
        "computeReservation": reservation,
        "shareDistribution": shares,
    }


def _overlap(a: str, b: str) -> bool:
    """AWS's rule: ``UserA*`` overlaps ``UserA1`` (and ``UserA*``); two exact names only if equal."""
    pa, pb = a.rstrip("*"), b.rstrip("*")
    if a.endswith("*") and pb.startswith(pa):
        return True
    if b.endswith("*") and pa.startswith(pb):
        return True
    return a == b


def _refuse_quota_share(body: dict[str, Any]) -> None:
    if body.get("quotaSharePolicy") is not None:
        if body.get("fairsharePolicy") is not None:
            raise BatchApiError("Only one of fairsharePolicy or quotaSharePolicy can be set")
        raise BatchApiError(
            "The sandbox does not model quotaSharePolicy (quota shares serve SageMaker Training "
            "job queues); use fairsharePolicy"
        )


def queue_policy(store: BatchStore, arn: Any) -> str:
    """CreateJobQueue's schedulingPolicyArn: empty for a FIFO queue, else an existing policy."""
    if arn in (None, ""):
        return ""
    if not isinstance(arn, str) or arn not in store.scheduling_policies:
        raise policy_not_found(arn)
    return arn


def replace_queue_policy(store: BatchStore, queue: JobQueueRecord, arn: Any) -> None:
    """UpdateJobQueue's schedulingPolicyArn: a fair-share queue's policy can be replaced but
    not removed; a FIFO queue cannot get one (AWS: "can't have a fair-share scheduling policy
    added")."""
    if arn in (None, ""):
        if queue.scheduling_policy_arn:
            raise BatchApiError(
                f"Job queue {queue.name} has a scheduling policy: it can be replaced, not removed"
            )
        return
    if not queue.scheduling_policy_arn:
        raise BatchApiError(
            f"Job queue {queue.name} is a FIFO job queue: a fair-share scheduling policy can "
            "only be set when a job queue is created"
        )
    queue.scheduling_policy_arn = queue_policy(store, arn)


def job_share(
    queue: JobQueueRecord, body: dict[str, Any], definition_priority: int | None
) -> tuple[str | None, int | None]:
    """SubmitJob's shareIdentifier and scheduling priority, as the queue's kind requires.

    A fair-share queue needs both (AWS's two messages, seen verbatim); a FIFO queue refuses a
    share identifier and ignores a priority ("This only affects jobs in job queues with a
    fair-share policy").
    """
    share = body.get("shareIdentifier")
    override = optional_int(body, "schedulingPriorityOverride")
    if not queue.scheduling_policy_arn:
        if share not in (None, ""):
            # AWS refuses this; its wording was not found.
            raise BatchApiError(
                f"Job queue {queue.name} has no fair-share scheduling policy: "
                "shareIdentifier is not supported"
            )
        return None, None
    if share in (None, ""):
        raise BatchApiError("shareIdentifier must be specified.")
    if not isinstance(share, str) or not SHARE_IDENTIFIER.match(share):
        raise BatchApiError(
            f"shareIdentifier {share!r} is not valid: use up to 255 letters and numbers, "
            "optionally followed by an asterisk (*)"
        )
    priority = override if override is not None else definition_priority
    if priority is None:
        raise BatchApiError(
            "Either schedulingPriority in job definition or schedulingPriorityOverride "
            "should be specified."
        )
    if not 0 <= priority <= MAX_SCHEDULING_PRIORITY:
        raise BatchApiError(
            f"schedulingPriorityOverride must be 0 to {MAX_SCHEDULING_PRIORITY}, got {priority}"
        )
    return share, priority


class SchedulingPolicyOperations:
    """CreateSchedulingPolicy, Describe/List/Update/DeleteSchedulingPolicy; tags go through
    the tag operations of :mod:`batch_api`."""

    def __init__(self, store: BatchStore) -> None:
        self.store = store

    def routes(self) -> dict[str, Any]:
        return {
            "createschedulingpolicy": self.create_scheduling_policy,
            "describeschedulingpolicies": self.describe_scheduling_policies,
            "listschedulingpolicies": self.list_scheduling_policies,
            "updateschedulingpolicy": self.update_scheduling_policy,
            "deleteschedulingpolicy": self.delete_scheduling_policy,
        }

    def _policy(self, arn: Any) -> SchedulingPolicyRecord:
        policy = self.store.scheduling_policies.get(str(arn or ""))
        if policy is None:
            raise policy_not_found(arn)
        return policy

    def create_scheduling_policy(self, body: dict[str, Any]) -> dict[str, Any]:
        name = require(body, "name")
        check_name("Scheduling policy", name)
        _refuse_quota_share(body)
        arn = self.store.arn("scheduling-policy", name)
        if arn in self.store.scheduling_policies:
            raise BatchApiError(f"Object already exists: scheduling policy {name}")
        tags = body.get("tags") or {}
        if not isinstance(tags, dict):
            raise BatchApiError("tags must be a map of keys to values")
        policy = SchedulingPolicyRecord(name, arn)
        policy.fairshare_policy = check_fairshare_policy(body.get("fairsharePolicy"))
        policy.tags = {str(k): str(v) for k, v in tags.items()}
        self.store.scheduling_policies[arn] = policy
        return {"name": name, "arn": arn}

    def describe_scheduling_policies(self, body: dict[str, Any]) -> dict[str, Any]:
        arns = require(body, "arns", list)
        if len(arns) > MAX_DESCRIBE:
            raise BatchApiError(f"arns can list at most {MAX_DESCRIBE} scheduling policies")
        found = (self.store.scheduling_policies.get(str(a)) for a in arns)
        return {"schedulingPolicies": [view(p) for p in found if p is not None]}

    def list_scheduling_policies(self, body: dict[str, Any]) -> dict[str, Any]:
        size = optional_int(body, "maxResults") or 100
        start = decode_token(body.get("nextToken")) or 0
        if not isinstance(start, int) or not 1 <= size <= 1000:
            raise BatchApiError("The nextToken or maxResults is not valid")
        arns = sorted(self.store.scheduling_policies)
        out: dict[str, Any] = {
            "schedulingPolicies": [{"arn": a} for a in arns[start : start + size]]
        }
        if start + size < len(arns):
            out["nextToken"] = encode_token(start + size)
        return out

    def update_scheduling_policy(self, body: dict[str, Any]) -> dict[str, Any]:
        policy = self._policy(require(body, "arn"))
        _refuse_quota_share(body)
        if "fairsharePolicy" in body:
            policy.fairshare_policy = check_fairshare_policy(body["fairsharePolicy"])
        return {}

    def delete_scheduling_policy(self, body: dict[str, Any]) -> dict[str, Any]:
        policy = self._policy(require(body, "arn"))
        users = sorted(
            q.name for q in self.store.job_queues.values() if q.scheduling_policy_arn == policy.arn
        )
        if users:  # AWS: "You can't delete a scheduling policy that's used in any job queues."
            raise BatchApiError(
                f"Cannot delete scheduling policy {policy.name}: job queue {users[0]} uses it"
            )
        del self.store.scheduling_policies[policy.arn]
        return {}


def view(policy: SchedulingPolicyRecord) -> dict[str, Any]:
    """A SchedulingPolicyDetail."""
    out: dict[str, Any] = {
        "name": policy.name,
        "arn": policy.arn,
        "fairsharePolicy": {
            **policy.fairshare_policy,
            "shareDistribution": [dict(s) for s in policy.fairshare_policy["shareDistribution"]],
        },
    }
    if policy.tags:
        out["tags"] = dict(policy.tags)
    return out
