"""Whether a compute environment's instance can join its ECS cluster, as on AWS.

An instance registers as a container instance only if its ECS agent reaches the ECS endpoint
and may call it. The sandbox reads both from what the account holds (moto's EC2 and IAM):

- the route: its subnet's default route goes to a NAT gateway, or to an internet gateway with
  public IPs on launch, or its VPC has the ``ecs`` and ``ecs-agent`` interface endpoints;
- the permission: the instance profile's role has ``AmazonEC2ContainerServiceforEC2Role`` (or
  its successor) attached, or a policy (attached or inline) that allows
  ``ecs:RegisterContainerInstance`` and none that denies it. A profile without a role gives
  the agent no credentials at all, and a role with no policy grants nothing: neither joins.

Policies are read as IAM reads actions (:mod:`batchtui.iam_policy`, as diagnose reads them);
their resources and conditions are not evaluated.
Where the account cannot say, the instance joins: a subnet id EC2 does not hold (scripts and
tests name made-up ones), and an instance profile IAM does not hold (its compute environment is
INVALID, so it launches nothing anyway).
"""

from __future__ import annotations

from collections.abc import Sequence

from batchtui import iam_policy
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
    if any(iam_policy.matches(doc, "Deny", REGISTER) for doc in documents):
        return False
    if any(arn.rpartition("/")[2] in ECS_INSTANCE_POLICIES for arn in attached):
        return True
    return any(iam_policy.matches(doc, "Allow", REGISTER) for doc in documents)


def subnet_zones(region: str, subnet_ids: Sequence[str]) -> dict[str, str]:
    """The zone of each subnet EC2 holds (subnets it does not hold are left out)."""
    out: dict[str, str] = {}
    for subnet_id in subnet_ids:
        net = moto_glue.subnet_network(region, subnet_id)
        if net is not None:
            out[subnet_id] = str(net["zone"])
    return out
