"""Whether a compute environment's instance can join its ECS cluster, as on AWS.

An instance registers as a container instance only if its ECS agent reaches the ECS endpoint
and may call it. The sandbox reads both from what the account holds (moto's EC2 and IAM):

- the route: its subnet's default route goes to a NAT gateway, or to an internet gateway with
  public IPs on launch, or its VPC has the ``ecs`` and ``ecs-agent`` interface endpoints;
- the permission: the instance profile's role has ``AmazonEC2ContainerServiceforEC2Role`` (or
  its successor) attached.

Where the account cannot say, the instance joins: a subnet id EC2 does not hold (scripts and
tests name made-up ones), and a role with no managed policy at all or with policies of the
account's own or inline ones, which may grant ECS in ways the sandbox does not evaluate. So a
role with only other AWS managed policies (``AmazonECSTaskExecutionRolePolicy``, a common
mix-up) keeps its instances out, as it would on AWS.
"""

from __future__ import annotations

from collections.abc import Sequence

from batchtui.sandbox import moto_glue

AWS_MANAGED = "arn:aws:iam::aws:policy/"
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
    """The instance profile's role may register container instances (see the module's note on
    what counts as "cannot tell", which allows)."""
    roles = moto_glue.instance_profile_roles(instance_profile)
    if not roles:
        return True  # no profile or no role: the CE is INVALID or the case is not modelled
    found = moto_glue.role_policies(roles[0])
    if found is None:
        return True
    attached, inline = found
    if inline or not attached or any(not arn.startswith(AWS_MANAGED) for arn in attached):
        return True
    return any(arn.rpartition("/")[2] in ECS_INSTANCE_POLICIES for arn in attached)


def subnet_zones(region: str, subnet_ids: Sequence[str]) -> dict[str, str]:
    """The zone of each subnet EC2 holds (subnets it does not hold are left out)."""
    out: dict[str, str] = {}
    for subnet_id in subnet_ids:
        net = moto_glue.subnet_network(region, subnet_id)
        if net is not None:
            out[subnet_id] = str(net["zone"])
    return out
