"""Batch's compute environment operations: Create, Describe, Update and Delete.

As AWS validates them: a MANAGED CE's computeResources (EC2, SPOT, FARGATE, FARGATE_SPOT; known
instance types; an instance profile that exists, else the CE is INVALID with AWS's words),
desiredvCpus that UpdateComputeEnvironment may raise but never lower, and scaling updates told
apart from infrastructure updates (which re-validate and pass through UPDATING).
"""

from __future__ import annotations

from typing import Any

from batchtui.capacity import expand_instance_types, is_known_instance_type
from batchtui.model import UPDATABLE_STRATEGIES, InstanceType, PurchaseModel, is_service_linked
from batchtui.sandbox import batch_views as views
from batchtui.sandbox import eks, fargate, moto_glue
from batchtui.sandbox.batch_errors import (
    BatchApiError,
    check_name,
    check_state,
    compute_environment_not_found,
    optional_int,
    rejected,
    require,
)
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.batch_tags import check_tags
from batchtui.sandbox.scheduler import Scheduler
from batchtui.sandbox.tokens import described

SCALING_KEYS = {"minvCpus", "maxvCpus", "desiredvCpus"}
#: What a Fargate compute environment changes in place besides maxvCpus.
FARGATE_UPDATABLE = {"subnets", "securityGroupIds"}
#: AWS's refusal of an infrastructure update it cannot do, in the words of its documentation
#: ("Perform infrastructure updates"); the exact ClientException text was not found.
INFRASTRUCTURE_UPDATE_REFUSED = (
    "Infrastructure updates require the AWSServiceRoleForBatch service-linked role and an "
    "allocation strategy of BEST_FIT_PROGRESSIVE, SPOT_CAPACITY_OPTIMIZED or "
    "SPOT_PRICE_CAPACITY_OPTIMIZED; compute environment {name} uses {what}. Use a blue/green "
    "update instead."
)
SCALE_DOWN_REFUSED = (
    "Manually scaling down compute environment is not supported.  Disconnecting job queues "
    "from compute environment will cause it to scale-down to minvCpus."
)


def compute_environment_named(store: BatchStore, ref: Any) -> ComputeEnvironmentRecord:
    """The CE a request names (by name or ARN), or AWS's not-found error."""
    ce = store.find_compute_environment(str(ref or ""))
    if ce is None:
        raise compute_environment_not_found(ref)
    return ce


class ComputeEnvironmentOperations:
    def __init__(
        self, store: BatchStore, scheduler: Scheduler, catalog: dict[str, InstanceType]
    ) -> None:
        self.store = store
        self.scheduler = scheduler
        self.catalog = catalog

    def create_compute_environment(self, body: dict[str, Any]) -> dict[str, Any]:
        name = require(body, "computeEnvironmentName")
        check_name("Compute environment", name)
        if name in self.store.compute_environments:
            raise BatchApiError(f"Object already exists: compute environment {name}")
        ce_type = require(body, "type")
        if ce_type not in ("MANAGED", "UNMANAGED"):
            raise BatchApiError(f"type must be MANAGED or UNMANAGED, not {ce_type}")
        ce = ComputeEnvironmentRecord(name, self.store.arn("compute-environment", name), ce_type)
        ce.state = check_state(body.get("state", "ENABLED"))
        # Without a serviceRole, Batch uses (and reports) its service-linked role.
        ce.service_role = body.get("serviceRole") or self._service_linked_role()
        ce.tags = check_tags(body.get("tags"))
        ce.uuid = self.store.new_uuid()
        ce.created_at = self.scheduler.now
        ce.ecs_cluster_arn = (
            f"arn:aws:ecs:{self.store.region}:{self.store.account}:cluster/"
            f"AWSBatch-{name}-{ce.uuid}"
        )
        invalid_reason = None
        if ce_type == "MANAGED":
            invalid_reason = self._apply_compute_resources(ce, body.get("computeResources"))
        if body.get("eksConfiguration") is not None:
            ce.eks_configuration = eks.check_eks_configuration(body["eksConfiguration"])
            if ce.purchase.is_fargate:
                raise BatchApiError("An EKS compute environment runs on EC2 or SPOT, not Fargate")
        self.store.compute_environments[name] = ce
        if invalid_reason:
            ce.status, ce.status_reason = "INVALID", invalid_reason
            self.scheduler.queue_changed()
        else:
            self.scheduler.set_valid_later("ce", name)
        return {"computeEnvironmentName": name, "computeEnvironmentArn": ce.arn}

    def _apply_compute_resources(self, ce: ComputeEnvironmentRecord, cr: Any) -> str | None:
        """Validate and store computeResources; returns an INVALID statusReason, if any."""
        if not isinstance(cr, dict):
            raise BatchApiError("computeResources is required for a MANAGED compute environment")
        try:
            purchase = PurchaseModel(str(cr.get("type", "")))
        except ValueError as e:
            raise BatchApiError(
                f"computeResources.type must be EC2, SPOT, FARGATE or FARGATE_SPOT, not "
                f"{cr.get('type')!r}"
            ) from e
        if purchase.is_fargate:
            fargate.check_compute_resources(cr)
        elif cr.get("instanceRole") in (None, ""):
            raise rejected("Instance role is required.")
        elif cr.get("minvCpus") is None:
            raise rejected("Resource minvCpus is required.")
        max_v = optional_int(cr, "maxvCpus")
        if max_v is None:
            raise rejected("Resource maxvCpus is required.")  # a guess, by analogy with minvCpus
        if max_v < 0:
            raise BatchApiError("computeResources.maxvCpus must be >= 0")
        min_v = optional_int(cr, "minvCpus", 0) or 0
        desired = optional_int(cr, "desiredvCpus", min_v)
        assert desired is not None
        if min_v < 0 or min_v > max_v:
            raise BatchApiError(f"minvCpus ({min_v}) must be between 0 and maxvCpus ({max_v})")
        if not min_v <= desired <= max_v:
            raise BatchApiError(
                f"desiredvCpus ({desired}) must be between minvCpus ({min_v}) and maxvCpus "
                f"({max_v})"
            )
        if not cr.get("subnets"):
            raise BatchApiError("computeResources.subnets is required")
        if ce.compute_resources and purchase.is_fargate != ce.purchase.is_fargate:
            raise BatchApiError("computeResources.type cannot change between EC2 and Fargate")
        ce.purchase = purchase
        ce.min_vcpus, ce.max_vcpus = min_v, max_v
        stored = {k: v for k, v in cr.items() if k not in SCALING_KEYS}
        if purchase.is_fargate:
            ce.compute_resources = stored
            return None
        ce.allocation_strategy = cr.get("allocationStrategy") or "BEST_FIT"
        stored.setdefault("allocationStrategy", ce.allocation_strategy)
        ce.compute_resources = stored
        types = cr.get("instanceTypes")
        if not isinstance(types, list) or not types:
            raise BatchApiError("computeResources.instanceTypes is required for EC2 and SPOT")
        unknown = [t for t in types if not self._known_instance_type(str(t))]
        if unknown:
            raise BatchApiError(f"Instance type(s) {', '.join(map(str, unknown))} not supported")
        ce.instance_types = expand_instance_types([str(t) for t in types], self.catalog)
        role = str(cr["instanceRole"])
        if not moto_glue.instance_profile_exists(role):
            return (
                f"CLIENT_ERROR - Value ({role}) for parameter iamInstanceProfile.name is invalid. "
                "Invalid IAM Instance Profile name"
            )
        return None

    def _service_linked_role(self) -> str:
        return (
            f"arn:aws:iam::{self.store.account}:role/aws-service-role/batch.amazonaws.com/"
            "AWSServiceRoleForBatch"
        )

    def _check_infrastructure_update(
        self, ce: ComputeEnvironmentRecord, body: dict[str, Any], other: dict[str, Any]
    ) -> None:
        """AWS's conditions for an infrastructure update (and for changing the service role)."""
        role = body.get("serviceRole")
        if role and is_service_linked(role) != is_service_linked(ce.service_role):
            raise BatchApiError(
                "A compute environment's service role cannot change between the "
                "AWSServiceRoleForBatch service-linked role and a regular IAM role."
            )
        if not other:
            return
        if ce.purchase.is_fargate:
            refused = sorted(set(other) - FARGATE_UPDATABLE)
            if refused:
                raise BatchApiError(
                    f"{', '.join(refused)} cannot be updated on a Fargate compute environment."
                )
            return
        what = []
        if not is_service_linked(ce.service_role):
            what.append("a regular service role")
        if ce.allocation_strategy not in UPDATABLE_STRATEGIES:
            what.append(f"allocationStrategy {ce.allocation_strategy}")
        new_strategy = other.get("allocationStrategy")
        if new_strategy is not None and new_strategy not in UPDATABLE_STRATEGIES:
            what.append(f"a new allocationStrategy {new_strategy}")
        if what:
            raise BatchApiError(
                INFRASTRUCTURE_UPDATE_REFUSED.format(name=ce.name, what=" and ".join(what))
            )

    def _known_instance_type(self, name: str) -> bool:
        return is_known_instance_type(name, self.catalog)

    def describe_compute_environments(self, body: dict[str, Any]) -> dict[str, Any]:
        refs = body.get("computeEnvironments")
        if refs:
            ces = [ce for r in refs if (ce := self.store.find_compute_environment(str(r)))]
        else:
            ces = list(self.store.compute_environments.values())
        return described("computeEnvironments", ces, body, views.compute_environment)

    def update_compute_environment(self, body: dict[str, Any]) -> dict[str, Any]:
        ce = compute_environment_named(self.store, require(body, "computeEnvironment"))
        cr = body.get("computeResources") or {}
        if not isinstance(cr, dict):
            raise BatchApiError("computeResources must be an object")
        if ce.purchase.is_fargate:
            fargate.check_compute_resources(cr)
        new_min = optional_int(cr, "minvCpus", ce.min_vcpus)
        new_max = optional_int(cr, "maxvCpus", ce.max_vcpus)
        desired = optional_int(cr, "desiredvCpus")
        assert new_min is not None and new_max is not None
        if new_min < 0 or new_min > new_max:
            raise BatchApiError(f"minvCpus ({new_min}) must be between 0 and maxvCpus ({new_max})")
        if desired is not None:
            if desired < ce.desired_vcpus:
                raise BatchApiError(SCALE_DOWN_REFUSED)
            if not new_min <= desired <= new_max:
                raise BatchApiError(
                    f"desiredvCpus ({desired}) must be between minvCpus ({new_min}) and "
                    f"maxvCpus ({new_max})"
                )
        other = {k: v for k, v in cr.items() if k not in SCALING_KEYS}
        self._check_infrastructure_update(ce, body, other)
        policy = body.get("updatePolicy")
        if policy is not None:
            ce.update_policy = _update_policy(policy, ce.update_policy)
        if "state" in body:
            ce.state = check_state(body["state"])
        if body.get("serviceRole"):
            ce.service_role = body["serviceRole"]
        ce.min_vcpus, ce.max_vcpus = new_min, new_max
        if other:  # an infrastructure update: AWS replaces instances; re-validate
            merged = {**ce.compute_resources, **other, "maxvCpus": new_max}
            if not ce.purchase.is_fargate:
                merged["minvCpus"] = new_min
            reason = self._apply_compute_resources(ce, merged)
            if reason:
                ce.status, ce.status_reason = "INVALID", reason
            else:
                ce.status, ce.status_reason = "UPDATING", "Compute environment is being updated"
                self.scheduler.set_valid_later("ce", ce.name)
        elif ce.status == "INVALID" and not ce.purchase.is_fargate:
            # Any update re-evaluates an INVALID compute environment: an instance profile made
            # again since makes it VALID, without an infrastructure update.
            role = str(ce.compute_resources.get("instanceRole", ""))
            if role and moto_glue.instance_profile_exists(role):
                ce.status, ce.status_reason = "UPDATING", "Compute environment is being updated"
                self.scheduler.set_valid_later("ce", ce.name)
        self.scheduler.compute_environment_changed(ce, floor=desired or 0)
        return {"computeEnvironmentName": ce.name, "computeEnvironmentArn": ce.arn}

    def delete_compute_environment(self, body: dict[str, Any]) -> dict[str, Any]:
        ce = compute_environment_named(self.store, require(body, "computeEnvironment"))
        if ce.state != "DISABLED":
            raise BatchApiError(f"Cannot delete compute environment {ce.name}: it is ENABLED")
        for q in self.store.job_queues.values():
            if q.status != "DELETING" and any(n == ce.name for _, n in q.ce_order):
                raise BatchApiError("Cannot delete, found existing JobQueue relationship.")
        self.scheduler.delete_compute_environment(ce)
        return {}


def _update_policy(policy: Any, current: dict[str, Any]) -> dict[str, Any]:
    """updatePolicy as AWS checks it: a boolean, and a timeout of 1 to 360 minutes."""
    if not isinstance(policy, dict):
        raise BatchApiError("updatePolicy must be an object")
    out = dict(current)
    if "terminateJobsOnUpdate" in policy:
        if not isinstance(policy["terminateJobsOnUpdate"], bool):
            raise BatchApiError("updatePolicy.terminateJobsOnUpdate must be a boolean")
        out["terminateJobsOnUpdate"] = policy["terminateJobsOnUpdate"]
    if "jobExecutionTimeoutMinutes" in policy:
        minutes = optional_int(policy, "jobExecutionTimeoutMinutes")
        if minutes is None or not 1 <= minutes <= 360:
            raise BatchApiError("updatePolicy.jobExecutionTimeoutMinutes must be 1 to 360")
        out["jobExecutionTimeoutMinutes"] = minutes
    return out
