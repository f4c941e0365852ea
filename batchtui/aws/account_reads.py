"""The account reads behind a diagnosis, each a fixed number of calls whatever the job count:
instance types and offerings, subnets with routes and endpoints, ECS container instances, the
instance and service roles, scaling activity, prices, fair-share weights, consumable resources
and the jobs holding them.

Each returns the values :mod:`batchtui.diagnose` reads; failures propagate as batchtui errors
(the caller turns a denied read into "cannot tell").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from batchtui.aws.role_policies import AWS_MANAGED, role_policies
from batchtui.aws.session import Aws
from batchtui.capacity.fit import DEFAULT_ARM_FAMILIES, DEFAULT_X86_FAMILIES, OPTIMAL_FAMILIES
from batchtui.diagnose import (
    Consumable,
    ConsumableHolder,
    InstanceRole,
    ScalingActivity,
    ServiceRole,
    Subnet,
    TaskTimes,
)
from batchtui.diagnose.rules_infra import ECS_INSTANCE_POLICIES
from batchtui.errors import AwsError, NotFound
from batchtui.model import ComputeEnvironment, InstanceType

#: The call a Spot Fleet request's events come from.
FLEET_HISTORY = "ec2:DescribeSpotFleetRequestHistory"
#: Instance types per DescribeInstanceTypes filter (the API's limit of values per filter).
FILTER_VALUES = 200


def _pages(aws: Aws, service: str, operation: str, key: str, token: str = "NextToken",
           **params: Any) -> list[dict[str, Any]]:  # fmt: skip
    out: list[dict[str, Any]] = []
    while True:
        page = aws.call(service, operation, **params)
        out += page.get(key, [])
        nxt = page.get(token)
        if not nxt:
            return out
        params[token] = nxt


def instance_type_patterns(specs: Iterable[Sequence[str]]) -> list[str]:
    """DescribeInstanceTypes filter values for compute environments' ``instanceTypes``:
    exact names, ``family.*`` for families, and the families Batch's keywords stand for."""
    out: set[str] = set()
    keywords = {
        "optimal": tuple(f for group in OPTIMAL_FAMILIES for f in group),
        "default_x86_64": DEFAULT_X86_FAMILIES,
        "default_arm64": DEFAULT_ARM_FAMILIES,
    }
    for spec in specs:
        for item in spec:
            if item in keywords:
                out.update(f"{f}.*" for f in keywords[item])
            else:
                out.add(item if "." in item else f"{item}.*")
    return sorted(out)


def instance_types(aws: Aws, specs: Iterable[Sequence[str]]) -> dict[str, InstanceType]:
    patterns = instance_type_patterns(specs)
    out: dict[str, InstanceType] = {}
    for i in range(0, len(patterns), FILTER_VALUES):
        flt = [{"Name": "instance-type", "Values": patterns[i : i + FILTER_VALUES]}]
        for d in _pages(aws, "ec2", "DescribeInstanceTypes", "InstanceTypes", Filters=flt):
            gpus = sum(int(g.get("Count", 0)) for g in (d.get("GpuInfo") or {}).get("Gpus", ()))
            arch = (d.get("ProcessorInfo") or {}).get("SupportedArchitectures") or ["x86_64"]
            name = str(d["InstanceType"])
            out[name] = InstanceType(name, int(d["VCpuInfo"]["DefaultVCpus"]),
                                     int(d["MemoryInfo"]["SizeInMiB"]), gpus, str(arch[0]))  # fmt: skip
    return out


def offerings(aws: Aws, types: Sequence[str]) -> dict[str, frozenset[str]]:
    zones: dict[str, set[str]] = {}
    for i in range(0, len(types), FILTER_VALUES):
        flt = [{"Name": "instance-type", "Values": list(types[i : i + FILTER_VALUES])}]
        rows = _pages(aws, "ec2", "DescribeInstanceTypeOfferings", "InstanceTypeOfferings",
                      LocationType="availability-zone", Filters=flt)  # fmt: skip
        for row in rows:
            zones.setdefault(str(row["InstanceType"]), set()).add(str(row["Location"]))
    return {k: frozenset(v) for k, v in zones.items()}


def subnets(aws: Aws, subnet_ids: Sequence[str]) -> dict[str, Subnet]:
    """Subnets with their default routes and their VPCs' endpoints: three calls."""
    found = _pages(aws, "ec2", "DescribeSubnets", "Subnets",
                   Filters=[{"Name": "subnet-id", "Values": list(subnet_ids)}])  # fmt: skip
    vpcs = sorted({str(s["VpcId"]) for s in found})
    if not vpcs:
        return {}
    vpc_filter = [{"Name": "vpc-id", "Values": vpcs}]
    tables = _pages(aws, "ec2", "DescribeRouteTables", "RouteTables", Filters=vpc_filter)
    endpoints = _pages(aws, "ec2", "DescribeVpcEndpoints", "VpcEndpoints", Filters=vpc_filter)
    by_vpc: dict[str, list[str]] = {}
    for e in endpoints:
        by_vpc.setdefault(str(e.get("VpcId")), []).append(str(e.get("ServiceName", "")))
    explicit: dict[str, dict[str, Any]] = {}
    main: dict[str, dict[str, Any]] = {}
    for t in tables:
        for a in t.get("Associations") or ():
            if a.get("Main"):
                main[str(t.get("VpcId"))] = t
            elif a.get("SubnetId"):
                explicit[str(a["SubnetId"])] = t
    out: dict[str, Subnet] = {}
    for s in found:
        sid, vpc = str(s["SubnetId"]), str(s["VpcId"])
        table = explicit.get(sid) or main.get(vpc) or {}
        targets = tuple(
            str(r.get("NatGatewayId") or r.get("GatewayId") or r.get("TransitGatewayId") or "")
            for r in table.get("Routes") or ()
            if r.get("DestinationCidrBlock") == "0.0.0.0/0" and r.get("State", "active") == "active"
        )
        out[sid] = Subnet(sid, str(s.get("AvailabilityZone", "")), vpc,
                          bool(s.get("MapPublicIpOnLaunch")), targets, tuple(by_vpc.get(vpc, ())))  # fmt: skip
    return out


def container_instances(aws: Aws, ces: Sequence[ComputeEnvironment]) -> dict[str, tuple[int, int]]:
    """Per EC2 compute environment: ACTIVE container instances in its cluster, and their vCPUs."""
    out: dict[str, tuple[int, int]] = {}
    for ce in ces:
        if ce.purchase_model.is_fargate or not ce.ecs_cluster_arn:
            continue
        arns = _pages(aws, "ecs", "ListContainerInstances", "containerInstanceArns", "nextToken",
                      cluster=ce.ecs_cluster_arn, status="ACTIVE")  # fmt: skip
        vcpus = 0
        for i in range(0, len(arns), 100):
            described = aws.call("ecs", "DescribeContainerInstances", cluster=ce.ecs_cluster_arn,
                                 containerInstances=arns[i : i + 100])  # fmt: skip
            for ci in described.get("containerInstances", []):
                for r in ci.get("registeredResources") or ():
                    if r.get("name") == "CPU":
                        vcpus += int(r.get("integerValue", 0)) // 1024
        out[ce.name] = (len(arns), vcpus)
    return out


#: DescribeTasks takes at most this many tasks a call.
TASKS_PER_CALL = 100


def task_times(aws: Aws, task_arns: Iterable[str]) -> dict[str, TaskTimes]:
    """By task ARN: when each ECS task was created and pulled its image. One DescribeTasks call
    per cluster and 100 tasks, the cluster read from the ARN (``task/<cluster>/<id>``); a task
    of an ARN that names no cluster is not read."""
    by_cluster: dict[str, list[str]] = {}
    for arn in dict.fromkeys(task_arns):
        parts = arn.rpartition(":")[2].split("/")
        if len(parts) == 3 and parts[0] == "task":
            by_cluster.setdefault(parts[1], []).append(arn)
    out: dict[str, TaskTimes] = {}
    for cluster, arns in by_cluster.items():
        for i in range(0, len(arns), TASKS_PER_CALL):
            page = aws.call(
                "ecs", "DescribeTasks", cluster=cluster, tasks=arns[i : i + TASKS_PER_CALL]
            )
            for t in page.get("tasks") or ():
                created = _ms(t.get("createdAt"))
                if created is not None:
                    out[str(t.get("taskArn", ""))] = TaskTimes(
                        created, _ms(t.get("pullStartedAt")), _ms(t.get("pullStoppedAt"))
                    )
    return out


def _ms(when: Any) -> int | None:
    return int(when.timestamp() * 1000) if isinstance(when, dt.datetime) else None


def _ce_of_group(group: str, ces: Sequence[ComputeEnvironment]) -> ComputeEnvironment | None:
    """The compute environment whose Auto Scaling group this is: Batch names it
    ``<ce-name>-asg-<uuid>``; the longest name that prefixes it wins (ce-1 vs ce-12). A group
    of a CE not among ``ces`` matches none of them, even when a name of ``ces`` prefixes it
    (``demo-spot-render-asg-...`` is not ``demo-spot``'s)."""
    named = [c for c in ces if c.name and group.startswith(f"{c.name}-asg-")]
    return max(named, key=lambda c: len(c.name), default=None)


def ec2_instances(aws: Aws, ces: Sequence[ComputeEnvironment]) -> dict[str, tuple[int, ...]]:
    """Per compute environment: the launch times (epoch ms, oldest first) of its running EC2
    instances, found by their Auto Scaling group, whose name Batch derives from the compute
    environment's. Instances of spot fleets are not matched (no name to match them by)."""
    flt = [{"Name": "instance-state-name", "Values": ["running"]},
           {"Name": "tag-key", "Values": ["aws:autoscaling:groupName"]}]  # fmt: skip
    found: dict[str, list[int]] = {}
    for r in _pages(aws, "ec2", "DescribeInstances", "Reservations", Filters=flt, MaxResults=1000):
        for inst in r.get("Instances") or ():
            if (inst.get("State") or {}).get("Name", "running") != "running":
                continue  # the filter says so; an endpoint that ignores it must not count these
            tags = {t.get("Key"): str(t.get("Value", "")) for t in inst.get("Tags") or ()}
            ce = _ce_of_group(tags.get("aws:autoscaling:groupName", ""), ces)
            launched = inst.get("LaunchTime")
            if ce is None or not isinstance(launched, dt.datetime):
                continue
            found.setdefault(ce.name, []).append(int(launched.timestamp() * 1000))
    return {name: tuple(sorted(times)) for name, times in found.items()}


def _missing(e: AwsError) -> bool:
    return isinstance(e, NotFound) or "NoSuchEntity" in str(e)


def instance_roles(aws: Aws, ces: Sequence[ComputeEnvironment]) -> dict[str, InstanceRole]:
    out: dict[str, InstanceRole] = {}
    for ce in ces:
        ref = ce.instance_role
        if not ref or ref in out or ce.purchase_model.is_fargate:
            continue
        if ":role/" in ref:
            out[ref] = InstanceRole(ref, exists=True, is_instance_profile=False)
            continue
        name = ref.rpartition("/")[2]
        try:
            profile = aws.call("iam", "GetInstanceProfile", InstanceProfileName=name)[
                "InstanceProfile"
            ]
        except AwsError as e:
            if not _missing(e):
                raise
            out[ref] = InstanceRole(ref, exists=False)
            continue
        roles = profile.get("Roles") or []
        if not roles:
            out[ref] = InstanceRole(ref, exists=True, role_name="")
            continue
        role = str(roles[0]["RoleName"])
        attached = _pages(
            aws, "iam", "ListAttachedRolePolicies", "AttachedPolicies", "Marker", RoleName=role
        )
        inline = aws.call("iam", "ListRolePolicies", RoleName=role).get("PolicyNames") or []
        names = tuple(str(p["PolicyName"]) for p in attached)
        own = any(not str(p.get("PolicyArn", "")).startswith(AWS_MANAGED) for p in attached)
        # The documents only where the ECS policy is missing: what else might grant its actions.
        documents = (
            () if set(names) & ECS_INSTANCE_POLICIES else role_policies(aws, role, attached, inline)
        )
        out[ref] = InstanceRole(ref, True, True, role, names, bool(inline), own, documents)
    return out


def service_roles(aws: Aws, ces: Sequence[ComputeEnvironment]) -> dict[str, ServiceRole]:
    out: dict[str, ServiceRole] = {}
    for ce in ces:
        ref = ce.service_role
        if not ref or ref in out or "AWSServiceRoleForBatch" in ref:
            continue
        try:
            aws.call("iam", "GetRole", RoleName=ref.rpartition("/")[2])
            out[ref] = ServiceRole(ref, True)
        except AwsError as e:
            if not _missing(e):
                raise
            out[ref] = ServiceRole(ref, False)
    return out


def scaling_activities(aws: Aws, ces: Sequence[ComputeEnvironment]) -> tuple[ScalingActivity, ...]:
    """The account's latest Auto Scaling activities (one call), matched to compute environments
    by their Auto Scaling group's name, which Batch derives from the compute environment's."""
    page = aws.call("autoscaling", "DescribeScalingActivities", MaxRecords=100)
    out = []
    for a in page.get("Activities", []):
        ce = _ce_of_group(str(a.get("AutoScalingGroupName", "")), ces)
        if ce is None:
            continue
        when = a.get("EndTime") or a.get("StartTime")
        ms = int(when.timestamp() * 1000) if isinstance(when, dt.datetime) else 0
        out.append(ScalingActivity(ce.name, str(a.get("StatusCode", "")),
                                   str(a.get("StatusMessage") or a.get("Description", "")), ms))  # fmt: skip
    return tuple(out)


def launches_through_fleet(ce: ComputeEnvironment) -> bool:
    """Batch launches the CE's instances through a Spot Fleet request, not an Auto Scaling
    group: SPOT with a spotIamFleetRole and the BEST_FIT allocation strategy."""
    return (
        ce.purchase_model.is_spot
        and bool(ce.spot_iam_fleet_role)
        and ce.allocation_strategy in ("", "BEST_FIT")
    )


def spot_fleet_requests(aws: Aws, ces: Sequence[ComputeEnvironment]) -> dict[str, str]:
    """The Spot Fleet request of each compute environment that launches through one, by its
    name. DescribeComputeEnvironments names no fleet: Batch tags the request as it tags the
    instances, ``AWSBatchServiceTag`` = the compute environment's name (the newest one wins)."""
    names = {ce.name for ce in ces if launches_through_fleet(ce)}
    if not names:
        return {}
    found: dict[str, tuple[dt.datetime | str, str]] = {}
    for r in _pages(aws, "ec2", "DescribeSpotFleetRequests", "SpotFleetRequestConfigs"):
        tags = {t.get("Key"): t.get("Value") for t in r.get("Tags") or ()}
        ce = str(tags.get("AWSBatchServiceTag") or "")
        created = r.get("CreateTime") or ""
        if ce in names and (ce not in found or str(created) > str(found[ce][0])):
            found[ce] = (created, str(r.get("SpotFleetRequestId", "")))
    return {ce: request for ce, (_, request) in found.items()}


#: How far back a Spot Fleet request's history is read (AWS keeps 48 hours of it).
FLEET_HISTORY_SECONDS = 6 * 3600
#: Sub-types of ``information`` events that say a launch specification could not launch.
_UNUSABLE = frozenset({"launchSpecUnusable", "launchSpecTemporarilyBlacklisted"})


def spot_fleet_history(aws: Aws, fleets: dict[str, str], now: float) -> tuple[ScalingActivity, ...]:
    """The launches and launch failures in each Spot Fleet request's recent history (one page
    of DescribeSpotFleetRequestHistory per compute environment), as scaling activities: an
    ``error`` event, or an ``information`` one saying a launch specification is unusable, is a
    failure; an instance launched is a success."""
    start = dt.datetime.fromtimestamp(now - FLEET_HISTORY_SECONDS, tz=dt.timezone.utc)
    out: list[ScalingActivity] = []
    for ce, request in sorted(fleets.items()):
        page = aws.call("ec2", "DescribeSpotFleetRequestHistory", SpotFleetRequestId=request,
                        StartTime=start, MaxResults=1000)  # fmt: skip
        for record in page.get("HistoryRecords") or ():
            kind = str(record.get("EventType", ""))
            info = record.get("EventInformation") or {}
            sub = str(info.get("EventSubType", ""))
            if kind == "instanceChange" and sub == "launched":
                status = "Successful"
            elif kind == "error" or (kind == "information" and sub in _UNUSABLE):
                status = "error"
            else:
                continue
            when = record.get("Timestamp")
            ms = int(when.timestamp() * 1000) if isinstance(when, dt.datetime) else 0
            message = f"{sub}: {info.get('EventDescription', '')}".rstrip(": ")
            out.append(ScalingActivity(ce, status, message, ms, FLEET_HISTORY))
    return tuple(out)


def spot_prices(aws: Aws, types: Sequence[str]) -> dict[str, float]:
    from batchtui.aws.pricing import spot_prices as latest

    return latest(aws, types)


def on_demand_prices(region: str, types: Sequence[str]) -> dict[str, float]:
    """On-demand prices from the bundled snapshot (the Pricing API is slow and in few regions;
    a bid percentage compares against a rounded figure anyway)."""
    if not types:
        return {}
    from batchtui.pricing import snapshot_price_book

    try:
        book = snapshot_price_book(region)
    except Exception:  # a region the snapshot lacks: no comparison
        return {}
    return {t: book.on_demand[t] for t in types if t in book.on_demand}


def share_weights(aws: Aws, policy_arn: str) -> dict[str, float]:
    page = aws.call("batch", "DescribeSchedulingPolicies", arns=[policy_arn])
    out: dict[str, float] = {}
    for p in page.get("schedulingPolicies", []):
        for s in (p.get("fairsharePolicy") or {}).get("shareDistribution") or ():
            out[str(s["shareIdentifier"])] = float(s.get("weightFactor", 1.0))
    return out


def consumables(aws: Aws, names: Iterable[str]) -> dict[str, Consumable]:
    out: dict[str, Consumable] = {}
    for name in sorted(names):
        d = aws.call("batch", "DescribeConsumableResource", consumableResource=name)
        out[name] = Consumable(name, int(d.get("totalQuantity", 0)), int(d.get("inUseQuantity", 0)))
    return out


#: Holders named per consumable resource: one page of ListJobsByConsumableResource, so the calls
#: stay one per resource however many jobs need it.
HOLDERS_PAGE = 100
#: The statuses of the jobs that hold a consumable resource's quantity.
HOLDING_STATUSES = ("STARTING", "RUNNING")


def consumable_holders(aws: Aws, names: Iterable[str]) -> dict[str, tuple[ConsumableHolder, ...]]:
    """The jobs that hold each consumable resource (up to :data:`HOLDERS_PAGE` each): the
    STARTING and RUNNING ones, as AWS counts them in inUseQuantity (a job takes its quantity
    when it is placed, before its container runs)."""
    out: dict[str, tuple[ConsumableHolder, ...]] = {}
    for name in sorted(names):
        page = aws.call("batch", "ListJobsByConsumableResource", consumableResource=name,
                        filters=[{"name": "JOB_STATUS", "values": list(HOLDING_STATUSES)}],
                        maxResults=HOLDERS_PAGE)  # fmt: skip
        out[name] = tuple(
            ConsumableHolder(str(j.get("jobArn", "")).rpartition("/")[2], str(j.get("jobName", "")),
                             int(j.get("quantity", 0)), str(j.get("jobStatus", "")))
            for j in page.get("jobs") or ()
        )  # fmt: skip
    return out
