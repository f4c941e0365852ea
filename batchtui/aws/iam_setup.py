"""Creating a profile's IAM setup (:mod:`batchtui.changes.iam`) in the account, idempotently.

Each role, policy and instance profile is looked up by name first: what exists is brought to
the document (its trust policy, its inline policy replaced, missing managed policies attached),
what is missing is created, so a second run changes nothing and never makes a second copy.
In read-only mode the first write is refused before any request is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from batchtui.aws.session import Aws
from batchtui.changes.iam import SERVICE_LINKED_PATH, IamSetup, Role, policy_text
from batchtui.errors import AwsError, NotFound

#: Every write this module may send: read-only mode refuses the first before any request.
WRITES = ("CreateServiceLinkedRole", "CreateRole", "UpdateAssumeRolePolicy", "AttachRolePolicy",
          "PutRolePolicy", "CreateInstanceProfile", "AddRoleToInstanceProfile")  # fmt: skip


@dataclass(frozen=True)
class IamOutcome:
    """What happened to one resource: created, updated or unchanged."""

    kind: str  # service-linked role | role | managed policy | inline policy | instance profile
    name: str
    action: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "action": self.action}


def create_iam(aws: Aws, setup: IamSetup) -> list[IamOutcome]:
    """Make the account hold ``setup``; what was done to each resource, in order."""
    for operation in WRITES:
        aws.ensure_allowed("iam", operation)
    outcomes: list[IamOutcome] = []
    for service in setup.service_linked_roles:
        outcomes.append(_service_linked_role(aws, service))
    for role in setup.roles:
        outcomes += _role(aws, role)
    for profile in setup.instance_profiles:
        outcomes.append(_instance_profile(aws, profile.name, profile.role))
    return outcomes


def _service_linked_role(aws: Aws, service: str) -> IamOutcome:
    # Found by its path, the one AWS gives every service-linked role of the service.
    path = SERVICE_LINKED_PATH.replace("batch.amazonaws.com", service)
    roles = aws.call("iam", "ListRoles", PathPrefix=path).get("Roles", [])
    if roles:
        return IamOutcome("service-linked role", str(roles[0]["RoleName"]), "unchanged")
    created = aws.call("iam", "CreateServiceLinkedRole", AWSServiceName=service)
    return IamOutcome("service-linked role", str(created["Role"]["RoleName"]), "created")


def _role(aws: Aws, role: Role) -> list[IamOutcome]:
    existing = _get(aws, "GetRole", RoleName=role.name)
    if existing is None:
        aws.call("iam", "CreateRole", RoleName=role.name, Description=role.description,
                 AssumeRolePolicyDocument=policy_text(role.trust_policy))  # fmt: skip
        outcomes = [IamOutcome("role", role.name, "created")]
    elif _document(existing["Role"].get("AssumeRolePolicyDocument")) != role.trust_policy:
        aws.call("iam", "UpdateAssumeRolePolicy", RoleName=role.name,
                 PolicyDocument=policy_text(role.trust_policy))  # fmt: skip
        outcomes = [IamOutcome("role", role.name, "updated")]
    else:
        outcomes = [IamOutcome("role", role.name, "unchanged")]
    attached = {
        p["PolicyArn"]
        for p in aws.call("iam", "ListAttachedRolePolicies", RoleName=role.name).get(
            "AttachedPolicies", []
        )
    }
    for arn in role.managed_policy_arns:
        if arn in attached:
            outcomes.append(IamOutcome("managed policy", f"{role.name}: {arn}", "unchanged"))
            continue
        aws.call("iam", "AttachRolePolicy", RoleName=role.name, PolicyArn=arn)
        outcomes.append(IamOutcome("managed policy", f"{role.name}: {arn}", "created"))
    for name, document in role.inline_policies:
        current = _get(aws, "GetRolePolicy", RoleName=role.name, PolicyName=name)
        if current is not None and _document(current.get("PolicyDocument")) == document:
            outcomes.append(IamOutcome("inline policy", f"{role.name}: {name}", "unchanged"))
            continue
        aws.call("iam", "PutRolePolicy", RoleName=role.name, PolicyName=name,
                 PolicyDocument=policy_text(document))  # fmt: skip
        action = "created" if current is None else "updated"
        outcomes.append(IamOutcome("inline policy", f"{role.name}: {name}", action))
    return outcomes


def _instance_profile(aws: Aws, name: str, role: str) -> IamOutcome:
    existing = _get(aws, "GetInstanceProfile", InstanceProfileName=name)
    action = "unchanged"
    if existing is None:
        aws.call("iam", "CreateInstanceProfile", InstanceProfileName=name)
        roles: list[str] = []
        action = "created"
    else:
        roles = [r["RoleName"] for r in existing["InstanceProfile"].get("Roles", [])]
    if role in roles:
        return IamOutcome("instance profile", name, action)
    if roles:  # an instance profile holds one role; replacing it is the user's decision
        raise AwsError(
            f"instance profile {name!r} holds role {roles[0]!r}, not {role!r}",
            hint=f"remove it (aws iam remove-role-from-instance-profile) or set iam.instance_role "
            f"= {roles[0]!r} in the profile",
        )
    aws.call("iam", "AddRoleToInstanceProfile", InstanceProfileName=name, RoleName=role)
    return IamOutcome("instance profile", name, "created" if action == "created" else "updated")


def _get(aws: Aws, operation: str, **params: str) -> dict[str, Any] | None:
    """The answer of an IAM Get, None when the entity does not exist."""
    try:
        return aws.call("iam", operation, **params)
    except NotFound:
        return None


def _document(value: Any) -> Mapping[str, Any] | None:
    """A policy document as IAM returns it: botocore decodes most, some come URL-encoded."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value:
        try:
            decoded = json.loads(unquote(value))
        except ValueError:
            return None
        return decoded if isinstance(decoded, Mapping) else None
    return None
