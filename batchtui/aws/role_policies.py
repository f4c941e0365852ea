"""The policy documents of a role, for a diagnosis to tell what the role allows.

Two calls per managed policy (GetPolicy for its default version, GetPolicyVersion) and one per
inline policy (GetRolePolicy). A document that cannot be read (the call denied, the policy gone
since it was listed) is left unread: the diagnosis then makes no claim on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from batchtui.aws.session import Aws
from batchtui.diagnose import RolePolicy
from batchtui.errors import AwsError, CredentialsError, EndpointUnreachable

#: ARN prefix of the policies AWS manages (AmazonEC2ContainerServiceforEC2Role ...).
AWS_MANAGED = "arn:aws:iam::aws:policy/"


def role_policies(
    aws: Aws, role: str, attached: Sequence[Mapping[str, Any]], inline: Sequence[str]
) -> tuple[RolePolicy, ...]:
    """Every policy of ``role`` with its document: the attached ones (ListAttachedRolePolicies'
    entries) first, then the inline ones by name."""
    out: list[RolePolicy] = []
    for p in attached:
        arn = str(p.get("PolicyArn", ""))
        kind = "AWS managed" if arn.startswith(AWS_MANAGED) else "customer managed"
        out.append(RolePolicy(str(p["PolicyName"]), kind, _managed_document(aws, arn)))
    for name in inline:
        document = _read(
            lambda name=name: aws.call("iam", "GetRolePolicy", RoleName=role, PolicyName=name)[
                "PolicyDocument"
            ]
        )
        out.append(RolePolicy(name, "inline", document))
    return tuple(out)


def _managed_document(aws: Aws, arn: str) -> Mapping[str, Any] | str | None:
    def read() -> Any:
        version = aws.call("iam", "GetPolicy", PolicyArn=arn)["Policy"]["DefaultVersionId"]
        answer = aws.call("iam", "GetPolicyVersion", PolicyArn=arn, VersionId=version)
        return answer["PolicyVersion"]["Document"]

    return _read(read)


def _read(call: Any) -> Mapping[str, Any] | str | None:
    try:
        document = call()
    except (EndpointUnreachable, CredentialsError):
        raise  # the account is out of reach: the diagnosis fails
    except AwsError:
        return None
    return document if isinstance(document, (str, Mapping)) else None
