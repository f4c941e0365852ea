"""Rules on what the compute environments' instances need around them: a route to ECS, an
instance profile with the ECS policy, a service role, spot bids above the price, launches that
succeed and instances that join the cluster.

A problem of one compute environment blocks a job only when every compute environment that
could run it has a problem; otherwise it is a warning (the others still run the job).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from batchtui import iam_policy
from batchtui.diagnose.context import DESCRIBE_CES, Context, ev
from batchtui.diagnose.facts import JobFacts, RolePolicy
from batchtui.diagnose.findings import Evidence, Finding, Severity
from batchtui.model import ComputeEnvironment

ECS_INSTANCE_POLICY = "AmazonEC2ContainerServiceforEC2Role"
BATCH_SERVICE_POLICY = "AWSBatchServiceRole"
#: Managed policies that grant the ECS agent what it needs beside the canonical one.
ECS_INSTANCE_POLICIES = frozenset({ECS_INSTANCE_POLICY, "AmazonEC2ContainerServiceforEC2Role2"})
#: The one action an ECS agent cannot join its cluster without.
REGISTER = "ecs:RegisterContainerInstance"
#: Actions a policy allows that a finding's evidence names before it counts the rest.
GRANTS_SHOWN = 6

#: Where a Spot Fleet request's launches and failures are read (:class:`ScalingActivity.source`).
SPOT_FLEET_HISTORY = "ec2:DescribeSpotFleetRequestHistory"
#: (code, title, evidence, fix) of one compute environment's problem, and whether it alone can
#: block (False: a warning whatever the other compute environments do).
Problem = tuple[str, str, tuple[Evidence, ...], str, bool]


def _ec2_ces(ctx: Context, job: JobFacts) -> list[ComputeEnvironment]:
    if job.status != "RUNNABLE":
        return []
    ces = ctx.usable_fitting_ces(job.request)
    return [ce for ce in ces if not ce.purchase_model.is_fargate and ce.status != "INVALID"]


def _per_ce(
    ctx: Context,
    job: JobFacts,
    name: str,
    check: Callable[[Context, ComputeEnvironment], Problem | None],
) -> Finding | None:
    """Run ``check`` on every CE that could run the job; blocking when all of them fail it."""
    ces = _ec2_ces(ctx, job)
    if not ces:
        return None
    found: list[Problem] = []
    for ce in ces:
        key = (name, ce.name)
        if key not in ctx.memo:
            ctx.memo[key] = check(ctx, ce)
        problem = cast("Problem | None", ctx.memo[key])
        if problem is not None:
            found.append(problem)
    if not found:
        return None
    code, title, evidence, fix, _ = found[0]
    blocks = len(found) == len(ces) and all(p[4] for p in found)
    severity = Severity.BLOCKING if blocks else Severity.WARNING
    return Finding(code, severity, title, evidence, fix, (job.job_id,))


def _joined(ctx: Context, ce: ComputeEnvironment) -> bool:
    """Instances of the CE have registered with ECS: whatever the route or the role's policies
    look like, the instances do reach ECS."""
    registered = ctx.facts.container_instances.get(ce.name)
    return registered is not None and registered[0] > 0


def _route(ctx: Context, ce: ComputeEnvironment) -> Problem | None:
    if _joined(ctx, ce):
        return None
    subnets = [ctx.facts.subnets.get(s) for s in ce.subnets]
    known = [s for s in subnets if s is not None]
    if not known or len(known) != len(subnets):
        return None
    if any(s.route_to_ecs for s in known):
        return None
    evidence = tuple(
        ev("ec2:DescribeRouteTables", "RouteTables[].Routes[0.0.0.0/0].GatewayId",
           f"{s.subnet_id}: {', '.join(s.default_route_targets) or 'no default route'}; "
           f"MapPublicIpOnLaunch {s.map_public_ip_on_launch}")
        for s in known
    )  # fmt: skip
    return (
        "NO_ROUTE_TO_ECS",
        f"instances of {ce.name} cannot reach the ECS endpoint: its subnets have no internet "
        "gateway with public IPs, no NAT gateway and no ECS VPC endpoints",
        (*evidence, ev("ec2:DescribeVpcEndpoints", "VpcEndpoints[].ServiceName", "no ecs / ecs-agent endpoint")),
        "give the subnets a route to a NAT gateway (private) or an internet gateway with "
        "public IP on launch, or create VPC endpoints for ecs, ecs-agent and ecs-telemetry",
        True,
    )  # fmt: skip


def no_route_to_ecs(ctx: Context, job: JobFacts) -> Finding | None:
    return _per_ce(ctx, job, "route", _route)


def _instance_role(ctx: Context, ce: ComputeEnvironment) -> Problem | None:
    role = ctx.facts.instance_roles.get(ce.instance_role)
    if role is None:
        return None
    call = "iam:GetInstanceProfile"
    if not role.exists:
        return ("INSTANCE_ROLE_MISSING", f"the instance profile {role.name} of {ce.name} does not exist",
                (ev(call, "InstanceProfile", f"{role.name}: NoSuchEntity"),),
                "create the instance profile (with a role that has AmazonEC2ContainerServiceforEC2Role) "
                "or point instanceRole at one", True)  # fmt: skip
    if not role.is_instance_profile:
        return ("INSTANCE_ROLE_NOT_AN_INSTANCE_PROFILE",
                f"instanceRole of {ce.name} names a role, not an instance profile: {role.name}",
                (ev(DESCRIBE_CES, "computeEnvironments[].computeResources.instanceRole", role.name),),
                "set instanceRole to the ARN of an instance profile (arn:...:instance-profile/...) "
                "that holds the role", True)  # fmt: skip
    attached = set(role.attached_policies)
    if _joined(ctx, ce) or attached & ECS_INSTANCE_POLICIES:
        return None
    who = role.role_name or role.name
    own = [p for p in role.policies if p.kind != "AWS managed"]
    if (role.has_customer_policies or role.has_inline_policies) and not own:
        return None  # it has policies of its own that were not read: no claim
    if any(p.document is None for p in role.policies):
        return None  # a policy that could not be read may grant ECS: no claim
    documents = [p.document for p in role.policies if p.document is not None]
    if iam_policy.allows(documents, REGISTER):
        return None
    if role.policies:
        instead = ", ".join(f"{p.name} ({p.kind})" for p in role.policies)
        lacks = f"{ECS_INSTANCE_POLICY}, and none of its policies allows {REGISTER}"
    else:
        instead = ", ".join(sorted(attached)) or "no policy at all"
        lacks = ECS_INSTANCE_POLICY
    inline = [p.name for p in role.policies if p.kind == "inline"]
    return ("INSTANCE_ROLE_WITHOUT_ECS_POLICY",
            f"the instance role {who} of {ce.name} lacks {lacks}: it has {instead}",
            (ev("iam:ListAttachedRolePolicies", "AttachedPolicies[].PolicyName",
                f"{who}: {', '.join(sorted(attached)) or 'none'}"),
             *((ev("iam:ListRolePolicies", "PolicyNames", f"{who}: {', '.join(inline)}"),) if inline else ()),
             *(ev(p.read_with, "PolicyVersion.Document" if p.kind != "inline" else "PolicyDocument",
                  _grants_text(p)) for p in role.policies if p.document is not None)),
            f"attach {ECS_INSTANCE_POLICY} to role {who} (instances without {REGISTER} never "
            "join the ECS cluster)", _launched_unjoined(ctx, ce))  # fmt: skip


def _grants_text(p: RolePolicy) -> str:
    """ "my-policy allows s3:GetObject, logs:*; not ecs:RegisterContainerInstance" """
    allowed = iam_policy.allowed_actions(p.document or {})
    shown = ", ".join(allowed[:GRANTS_SHOWN]) or "nothing"
    more = f" and {len(allowed) - GRANTS_SHOWN} more" if len(allowed) > GRANTS_SHOWN else ""
    denies = iam_policy.matches(p.document or {}, "Deny", REGISTER)
    return f"{p.name} allows {shown}{more}; " + (
        f"denies {REGISTER}" if denies else f"not {REGISTER}"
    )


def _launched_unjoined(ctx: Context, ce: ComputeEnvironment) -> bool:
    """Instances of the CE run past the grace time and none joined: the missing policy is why.
    Until then the policy alone is a warning (an account may grant ECS through a permissions
    boundary or a role batchtui cannot read)."""
    return _not_joining(ctx, ce) is not None


def instance_role(ctx: Context, job: JobFacts) -> Finding | None:
    return _per_ce(ctx, job, "instance_role", _instance_role)


def _service_role(ctx: Context, ce: ComputeEnvironment) -> Problem | None:
    if not ce.service_role or "AWSServiceRoleForBatch" in ce.service_role:
        return None
    role = ctx.facts.service_roles.get(ce.service_role)
    if role is None:
        return None
    if not role.exists:
        return ("MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS",
                f"the service role {role.name} of {ce.name} does not exist",
                (ev("iam:GetRole", "Role", f"{role.name}: NoSuchEntity"),),
                "use the service-linked role AWSServiceRoleForBatch (leave serviceRole empty), or "
                "recreate the role with AWSBatchServiceRole", True)  # fmt: skip
    return None


def service_role(ctx: Context, job: JobFacts) -> Finding | None:
    return _per_ce(ctx, job, "service_role", _service_role)


def _spot_bid(ctx: Context, ce: ComputeEnvironment) -> Problem | None:
    if not ce.purchase_model.is_spot or not ce.bid_percentage:
        return None
    types = ctx.types_of(ce)
    priced = [
        (it.name, ctx.facts.spot_prices[it.name], ctx.facts.on_demand_prices[it.name])
        for it in types
        if it.name in ctx.facts.spot_prices and it.name in ctx.facts.on_demand_prices
    ]
    if not priced or len(priced) != len(types):
        return None
    limit = ce.bid_percentage / 100
    if any(spot <= od * limit for _, spot, od in priced):
        return None
    name, spot, od = min(priced, key=lambda p: p[1] / p[2])
    return ("SPOT_BID_BELOW_PRICE",
            f"bidPercentage {ce.bid_percentage} of {ce.name} is below the spot price of every "
            f"instance type it may launch ({name}: ${spot:.4f}/h is {spot / od:.0%} of on-demand)",
            (ev(DESCRIBE_CES, "computeEnvironments[].computeResources.bidPercentage", f"{ce.name}: {ce.bid_percentage}"),
             ev("ec2:DescribeSpotPriceHistory", "SpotPriceHistory[].SpotPrice", f"{name}: ${spot:.4f}/h"),
             *_fleet_price_events(ctx, ce)),
            f"raise bidPercentage of {ce.name} to at least {int(spot / od * 100) + 1}, or leave it "
            "empty (up to the on-demand price)", True)  # fmt: skip


#: Where a launch failure's words are, by the call that read it.
_MESSAGE_FIELD = {
    "autoscaling:DescribeScalingActivities": "Activities[].StatusMessage",
    SPOT_FLEET_HISTORY: "HistoryRecords[].EventInformation.EventDescription",
}
_PRICE_WORDS = ("spot bid price is less than", "lower than the minimum required spot request")


def _fleet_price_events(ctx: Context, ce: ComputeEnvironment) -> tuple[Evidence, ...]:
    """The latest Spot Fleet event of the CE saying its bid is below the spot price, if any."""
    found = [a for a in ctx.facts.scaling_activities
             if a.compute_environment == ce.name and a.source == SPOT_FLEET_HISTORY
             and any(w in a.message.lower() for w in _PRICE_WORDS)]  # fmt: skip
    if not found:
        return ()
    last = max(found, key=lambda a: a.time_ms)
    return (
        ev(last.source, _MESSAGE_FIELD.get(last.source, "message"), f"{ce.name}: {last.message}"),
    )


def spot_bid(ctx: Context, job: JobFacts) -> Finding | None:
    return _per_ce(ctx, job, "spot_bid", _spot_bid)


def _not_joining(ctx: Context, ce: ComputeEnvironment) -> Problem | None:
    """More instances have run past the grace time than have registered: some of those never
    joined. Instances younger than the grace time are still booting and are left out of the
    count, whether or not they registered (they cannot make a stray of an older one)."""
    launched = ctx.facts.ec2_instances.get(ce.name)
    registered = ctx.facts.container_instances.get(ce.name)
    if launched is None or registered is None:
        return None
    grace_ms = ctx.settings.join_grace_seconds * 1000
    old = sorted(t for t in launched if ctx.now_ms - t >= grace_ms)
    if len(old) <= registered[0]:
        return None
    waited = (ctx.now_ms - old[0]) / 1000
    return ("INSTANCES_NOT_JOINING_CLUSTER",
            f"{len(old) - registered[0]} instances of {ce.name} run but never joined its ECS "
            f"cluster (the oldest for {int(waited // 60)} min)",
            (ev("ec2:DescribeInstances", "Reservations[].Instances[].State",
                f"{ce.name}: {len(launched)} running, {len(old)} of them for over "
                f"{int(ctx.settings.join_grace_seconds // 60)} min"),
             ev("ecs:ListContainerInstances", "containerInstanceArns", f"{ce.name}: {registered[0]} registered")),
            "check the subnets' route to ECS, the instance role's ECS policy, and that the AMI "
            "runs the ECS agent; then terminate the stray instances", True)  # fmt: skip


def not_joining(ctx: Context, job: JobFacts) -> Finding | None:
    return _per_ce(ctx, job, "joining", _not_joining)


_CAPACITY_WORDS = (
    "insufficientinstancecapacity",
    "insufficient capacity",
    "sufficient capacity",
    "do not have sufficient",  # EC2's "We currently do not have sufficient c5.24xlarge capacity"
)
_QUOTA_WORDS = frozenset(
    {
        "vcpulimitexceeded",
        "vcpu limit",
        "instancelimitexceeded",
        "max spot instance count",
        "spotinstancecountlimitexceeded",  # a Spot Fleet request's error event
    }
)


def _launches(ctx: Context, ce: ComputeEnvironment) -> Problem | None:
    mine = [a for a in ctx.facts.scaling_activities if a.compute_environment == ce.name]
    if not mine:
        return None
    mine.sort(key=lambda a: a.time_ms, reverse=True)
    last = mine[0]
    if last.status.lower() not in ("failed", "error", "cancelled"):
        return None
    low = last.message.lower()
    # The group retries a failing launch every few minutes: how long launches have failed is
    # the age of the first failure since the last success, not of the latest retry.
    failing = next((i for i, a in enumerate(mine) if a.status.lower() == "successful"), len(mine))
    age = (ctx.now_ms - mine[failing - 1].time_ms) / 1000
    field = _MESSAGE_FIELD.get(last.source, "message")
    evidence = (ev(last.source, field, f"{ce.name}: {last.message}"),)
    if any(w in low for w in _CAPACITY_WORDS):
        code = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
        if age < ctx.settings.dwell_seconds:
            code = "PROBABLY_TRANSIENT"
        return (code, f"EC2 has no capacity for {ce.name}'s instance types in its zones (launches "
                f"failing for {int(age // 60)} min)", evidence,
                "wait, or allow more instance types or subnets in other zones", True)  # fmt: skip
    if any(w in low for w in _QUOTA_WORDS):
        return ("VCPU_QUOTA_EXHAUSTED", f"launches of {ce.name} fail on the account's EC2 limit",
                evidence, "request a higher vCPU quota in Service Quotas", True)  # fmt: skip
    return ("LAUNCH_FAILED", f"the last instance launch of {ce.name} failed: {last.message}", evidence,
            "fix what the launch error names (launch template, AMI, instance profile, subnet)", True)  # fmt: skip


def launch_failures(ctx: Context, job: JobFacts) -> Finding | None:
    found = _per_ce(ctx, job, "launches", _launches)
    if found is not None and found.code == "PROBABLY_TRANSIENT":
        return Finding(
            found.code, Severity.INFO, found.title, found.evidence, found.fix, found.job_ids
        )
    return found
