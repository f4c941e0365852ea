"""Whether a compute environment's instance can join its ECS cluster, as on AWS.

An instance registers as a container instance only if its ECS agent reaches the ECS endpoint
and may call it. The sandbox reads both from what the account holds (moto's EC2 and IAM):

- the route: its subnet's default route goes to a NAT gateway, or to an internet gateway with
  public IPs on launch, or its VPC has the ``ecs`` and ``ecs-agent`` interface endpoints;
- the permission: the instance profile's role has ``AmazonEC2ContainerServiceforEC2Role`` (or
  its successor) attached, or a policy (attached or inline) that allows
  ``ecs:RegisterContainerInstance`` and none that denies it. A profile without a role gives
  the agent no credentials at all, and a role with no policy grants nothing: neither joins.

Policies are read as IAM reads actions (``*`` and ``?`` wildcards, case-insensitive, ``Action``
and ``NotAction``, an explicit Deny wins); their resources and conditions are not evaluated.
Where the account cannot say, the instance joins: a subnet id EC2 does not hold (scripts and
tests name made-up ones), and an instance profile IAM does not hold (its compute environment is
INVALID, so it launches nothing anyway).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Sequence

from batchtui.sandbox import moto_glue

#: The one action an ECS agent cannot join without.
REGISTER = "ecs:RegisterContainerInstance"
ECS_INSTANCE_POLICIES = frozenset(
    {"AmazonEC2ContainerServiceforEC2Role", "AmazonEC2ContainerServiceforEC2Role2"}
)


def reaches_ecs(region: str, subnet_id: str) -> bool:
    """An instance in the subnet reaches the ECS endpoint (True when EC2 holds no such subnet)."""
    net = moto_glue.subnet_network(region, subnet_id)
    if net is None:
        return True
    targets: list[str] = net["defaultRouteTargets"]
    if any(t.startswith("nat-") for t in targets):
        return True
    if net["mapPublicIpOnLaunch"] and any(t.startswith("igw-") for t in targets):
        return True
    endpoints: list[str] = net["vpcEndpoints"]
    return any(e.endswith(".ecs") for e in endpoints) and any(
        e.endswith(".ecs-agent") for e in endpoints
    )


def role_allows_ecs(instance_profile: str) -> bool:
    """The instance profile's role may register container instances (see the module's note)."""
    roles = moto_glue.instance_profile_roles(instance_profile)
    if roles is None:
        return True  # no such profile: the CE is INVALID and launches nothing
    found = moto_glue.role_policies(roles[0]) if roles else None
    if found is None:
        return False  # a profile without a role (or with one IAM no longer holds)
    attached, inline = found
    documents = [*attached.values(), *inline]
    if any(_statements_match(doc, "Deny", REGISTER) for doc in documents):
        return False
    if any(arn.rpartition("/")[2] in ECS_INSTANCE_POLICIES for arn in attached):
        return True
    return any(_statements_match(doc, "Allow", REGISTER) for doc in documents)


def _statements_match(document: str, effect: str, action: str) -> bool:
    """Whether a statement of the policy ``document`` with ``effect`` covers ``action``."""
    try:
        parsed = json.loads(document)
    except ValueError:
        try:  # some clients send the document URL-encoded
            parsed = json.loads(urllib.parse.unquote(document))
        except ValueError:
            return False
    statements = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict) or st.get("Effect") != effect:
            continue
        if "Action" in st and any(_covers(p, action) for p in _listed(st["Action"])):
            return True
        if "NotAction" in st and not any(_covers(p, action) for p in _listed(st["NotAction"])):
            return True
    return False


def _listed(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _covers(pattern: str, action: str) -> bool:
    """An IAM action pattern (``ecs:*``, ``ecs:Register*``, ``*``) covers the action."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, action, flags=re.IGNORECASE) is not None


def subnet_zones(region: str, subnet_ids: Sequence[str]) -> dict[str, str]:
    """The zone of each subnet EC2 holds (subnets it does not hold are left out)."""
    out: dict[str, str] = {}
    for subnet_id in subnet_ids:
        net = moto_glue.subnet_network(region, subnet_id)
        if net is not None:
            out[subnet_id] = str(net["zone"])
    return out
