"""An instance role without the ECS instance policy: its own policies' documents are read, and
when none allows ecs:RegisterContainerInstance the finding names every policy it has."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from test_diagnose import NOW_MS, codes, facts, first

from batchtui import iam_policy as grants
from batchtui.diagnose import InstanceRole, RolePolicy, Severity

REGISTER = "ecs:RegisterContainerInstance"
CODE = "INSTANCE_ROLE_WITHOUT_ECS_POLICY"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(*actions: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": "*"}


TASK_EXECUTION = doc(allow("ecr:GetAuthorizationToken", "ecr:BatchGetImage", "logs:PutLogEvents"))


def role(*policies: RolePolicy) -> InstanceRole:
    managed = tuple(p.name for p in policies if p.kind != "inline")
    return InstanceRole(
        "profile", True, role_name="r", attached_policies=managed,
        has_inline_policies=any(p.kind == "inline" for p in policies),
        has_customer_policies=any(p.kind == "customer managed" for p in policies),
        policies=policies,
    )  # fmt: skip


def diagnosed(r: InstanceRole, **kw: Any) -> Any:
    return first(facts(instance_roles={"profile": r}, **kw))


def test_a_custom_policy_without_the_ecs_actions_is_named_with_what_it_allows() -> None:
    custom = RolePolicy("my-app-policy", "customer managed", doc(allow("s3:GetObject")))
    inline = RolePolicy("logs-inline", "inline", doc(allow("logs:*")))
    f = diagnosed(role(custom, inline))
    assert f.code == CODE and f.severity is Severity.WARNING
    assert f.title == (
        "the instance role r of ce lacks AmazonEC2ContainerServiceforEC2Role, and none of its "
        f"policies allows {REGISTER}: it has my-app-policy (customer managed), "
        "logs-inline (inline)"
    )
    assert [(e.call, e.value) for e in f.evidence] == [
        ("iam:ListAttachedRolePolicies", "r: my-app-policy"),
        ("iam:ListRolePolicies", "r: logs-inline"),
        ("iam:GetPolicyVersion", f"my-app-policy allows s3:GetObject; not {REGISTER}"),
        ("iam:GetRolePolicy", f"logs-inline allows logs:*; not {REGISTER}"),
    ]
    assert "AmazonEC2ContainerServiceforEC2Role" in f.fix and REGISTER in f.fix


def test_only_the_task_execution_policy_is_named_as_what_the_role_has() -> None:
    r = role(RolePolicy("AmazonECSTaskExecutionRolePolicy", "AWS managed", TASK_EXECUTION))
    f = diagnosed(r)
    assert f.code == CODE
    assert f.title.endswith(
        f"allows {REGISTER}: it has AmazonECSTaskExecutionRolePolicy (AWS managed)"
    )
    assert f.evidence[-1].value.startswith(
        "AmazonECSTaskExecutionRolePolicy allows ecr:GetAuthorizationToken, ecr:BatchGetImage"
    )


def test_it_blocks_once_instances_run_without_joining() -> None:
    r = role(RolePolicy("my-app-policy", "customer managed", doc(allow("s3:GetObject"))))
    f = diagnosed(r, container_instances={"ce": (0, 0)}, ec2_instances={"ce": (NOW_MS - 900_000,)})
    assert (f.code, f.severity) == (CODE, Severity.BLOCKING)


def test_a_deny_of_the_register_action_is_said() -> None:
    both = doc(allow("ecs:*"), {"Effect": "Deny", "Action": REGISTER, "Resource": "*"})
    f = diagnosed(role(RolePolicy("guard", "inline", both)))
    assert f.code == CODE and f.evidence[-1].value == f"guard allows ecs:*; denies {REGISTER}"


@pytest.mark.parametrize(
    "policy",
    [
        RolePolicy("ecs-all", "customer managed", doc(allow("ecs:*"))),
        RolePolicy("ecs-register", "inline", doc(allow("ECS:Register*"))),
        RolePolicy("all-but-iam", "inline", doc({"Effect": "Allow", "NotAction": "iam:*"})),
        RolePolicy("AdministratorAccess", "AWS managed", doc(allow("*"))),
        # Its document could not be read: it may allow the action.
        RolePolicy("unreadable", "customer managed", None),
        # An AWS managed one too (GetPolicy denied): AdministratorAccess reads the same.
        RolePolicy("AdministratorAccess", "AWS managed", None),
    ],
)  # fmt: skip
def test_no_claim_when_a_policy_allows_the_action_or_cannot_be_read(policy: RolePolicy) -> None:
    assert codes(facts(instance_roles={"profile": role(policy)})) == ["WAITING"]


def test_a_document_as_iam_sends_it_url_encoded_is_read() -> None:
    text = urllib.parse.quote(json.dumps(doc(allow("ecs:RegisterContainerInstance"))))
    assert grants.allows([text], REGISTER)
    assert not grants.allows(["not json"], REGISTER)
    assert grants.allowed_actions(doc({"Effect": "Allow", "NotAction": ["iam:*", "s3:*"]})) == [
        "all but iam:* / s3:*"
    ]


@pytest.mark.parametrize(
    ("pattern", "covered"),
    [("ecs:*", True), ("*", True), ("ecs:Register*", True), ("ecs:registercontainerinstance", True),
     ("ecs:Register?ontainerInstance", True), ("ecs:Poll", False), ("ec2:*", False),
     ("ecs:RegisterContainer", False)],
)  # fmt: skip
def test_action_patterns(pattern: str, covered: bool) -> None:
    assert grants.covers(pattern, REGISTER) is covered
