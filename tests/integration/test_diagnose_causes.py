"""Causes the sandbox really produces, diagnosed end to end.

Each fault is set up through the public API with boto3 (EC2 network, IAM roles and AWS managed
policies, spot bids, instance types a zone does not offer) or, where AWS has no API for it, on
the sandbox (EC2 running out of an instance type, a used-up vCPU quota); a job is submitted, the
scheduler stepped on its manual clock, and the account itself shows the symptom (instances in
DescribeInstances that never register with ECS, failed scaling activities, nothing launched),
before ``batchtui diagnose`` names the cause first, with its evidence, and exits 3.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from diagnose_seen import Run, Tui, evidence, first, submit

from batchtui.model import ON_DEMAND_STANDARD_QUOTA

EC2_ROLE = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
TASK_EXECUTION = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "ec2.amazonaws.com"}}]})  # fmt: skip


def status(batch: Any, job: str) -> str:
    return str(batch.describe_jobs(jobs=[job])["jobs"][0]["status"])


def instances_of(ec2: Any, ce: str) -> list[dict[str, Any]]:
    """The running EC2 instances of a compute environment, found as AWS Batch tags them."""
    pages = ec2.get_paginator("describe_instances").paginate(Filters=[
        {"Name": "tag:AWSBatchServiceTag", "Values": [ce]},
        {"Name": "instance-state-name", "Values": ["running"]}])  # fmt: skip
    return [i for page in pages for r in page["Reservations"] for i in r["Instances"]]


def registered(ecs: Any, batch: Any, ce: str) -> list[str]:
    cluster = batch.describe_compute_environments(computeEnvironments=[ce])["computeEnvironments"][
        0
    ]["ecsClusterArn"]
    return list(ecs.list_container_instances(cluster=cluster)["containerInstanceArns"])


@pytest.fixture
def isolated_subnet(aws_client: Any) -> str:
    """A subnet of a VPC with no internet gateway, no NAT gateway and no ECS endpoints."""
    ec2 = aws_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.91.1.0/24", AvailabilityZone="us-east-1a")
    return str(subnet["Subnet"]["SubnetId"])


@pytest.fixture
def ecs_profile(aws_client: Any, unique_name: Any) -> str:
    """An instance profile whose role has the ECS container-instance policy, as AWS's guides say."""
    return instance_profile_with(aws_client, unique_name, EC2_ROLE)


def instance_profile_with(aws_client: Any, unique_name: Any, *policies: str) -> str:
    iam = aws_client("iam")
    name = unique_name("instance-role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    for arn in policies:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    arn = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return str(arn)


# -- AWS managed policies ----------------------------------------------------------------------
def test_aws_managed_policies_exist_and_attach(aws_client: Any, unique_name: Any) -> None:
    iam = aws_client("iam")
    for arn in (
        EC2_ROLE,
        TASK_EXECUTION,
        "arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole",
    ):
        assert iam.get_policy(PolicyArn=arn)["Policy"]["Arn"] == arn
    profile = instance_profile_with(aws_client, unique_name, EC2_ROLE)
    role = profile.rpartition("/")[2]
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [EC2_ROLE]


def test_the_demo_roles_carry_the_policies_aws_guides_attach(
    demo_sandbox: Any, aws_client: Any
) -> None:
    iam = aws_client(demo_sandbox, "iam")
    attached = iam.list_attached_role_policies(RoleName="ecsInstanceRole")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonEC2ContainerServiceforEC2Role"]
    service = iam.list_attached_role_policies(RoleName="AWSBatchServiceRole")["AttachedPolicies"]
    assert [p["PolicyName"] for p in service] == ["AWSBatchServiceRole"]


def test_a_diagnosis_of_the_demo_finds_no_instance_role_to_fix(
    demo_sandbox: Any, diagnose_on: Callable[[Any], Run]
) -> None:
    rc, doc = diagnose_on(demo_sandbox)("--queue", "demo-batch-low")
    assert rc == 3 and doc["findings"]
    codes = {f["code"] for f in doc["findings"]}
    assert not codes & {"INSTANCE_ROLE_WITHOUT_ECS_POLICY", "INSTANCES_NOT_JOINING_CLUSTER"}


# -- instances that launch but never join the ECS cluster ---------------------------------------
def test_instances_in_subnets_without_a_route_to_ecs_never_register(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    isolated_subnet: str, ecs_profile: str, diagnose: Run, tui: Tui,
) -> None:  # fmt: skip
    names = batch_queue(ces=[{"subnets": [isolated_subnet], "instanceTypes": ["m5.large"],
                              "instanceRole": ecs_profile}])  # fmt: skip
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(sandbox.config.scale_up_seconds + 660)  # up, and past the join grace time
    launched = instances_of(aws_client("ec2"), names["ce0"])
    assert [i["SubnetId"] for i in launched] == [isolated_subnet]
    tags = {t["Key"]: t["Value"] for t in launched[0]["Tags"]}
    assert tags["aws:autoscaling:groupName"].startswith(f"{names['ce0']}-asg-")
    assert registered(aws_client("ecs"), batch, names["ce0"]) == []
    assert status(batch, job) == "RUNNABLE"
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "NO_ROUTE_TO_ECS" and f["severity"] == "blocking"
    assert f"{isolated_subnet}: no default route; MapPublicIpOnLaunch False" in evidence(f)
    joining = [g for g in doc["findings"] if g["code"] == "INSTANCES_NOT_JOINING_CLUSTER"]
    assert joining and f"{names['ce0']}: 1 running" in evidence(joining[0])
    assert f"{names['ce0']}: 0 registered" in evidence(joining[0])
    tui.assert_names(f, job=job)


def test_a_nat_gateway_route_lets_the_same_instances_join(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    isolated_subnet: str, ecs_profile: str,
) -> None:  # fmt: skip
    ec2 = aws_client("ec2")
    vpc = ec2.describe_subnets(SubnetIds=[isolated_subnet])["Subnets"][0]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.91.2.0/24", AvailabilityZone="us-east-1a")
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public["Subnet"]["SubnetId"], AllocationId=eip)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                     NatGatewayId=nat["NatGateway"]["NatGatewayId"])  # fmt: skip
    ec2.associate_route_table(RouteTableId=table, SubnetId=isolated_subnet)
    names = batch_queue(ces=[{"subnets": [isolated_subnet], "instanceTypes": ["m5.large"],
                              "instanceRole": ecs_profile}])  # fmt: skip
    job = submit(batch, names["queue"], job_definition(["sh", "-c", "sleep 600"]))
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    assert len(registered(aws_client("ecs"), batch, names["ce0"])) == 1
    assert status(batch, job) == "RUNNING"


def test_an_instance_role_with_the_task_execution_policy_instead_never_joins(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    unique_name: Any, diagnose: Run, tui: Tui,
) -> None:  # fmt: skip
    profile = instance_profile_with(aws_client, unique_name, TASK_EXECUTION)
    names = batch_queue(ces=[{"instanceRole": profile, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(sandbox.config.scale_up_seconds + 10)
    assert len(instances_of(aws_client("ec2"), names["ce0"])) == 1
    rc, early = diagnose(job)  # launched, not yet past the grace time: only a warning
    assert [f["severity"] for f in early["findings"]
            if f["code"] == "INSTANCE_ROLE_WITHOUT_ECS_POLICY"] == ["warning"]  # fmt: skip
    sandbox.advance(660)
    assert registered(aws_client("ecs"), batch, names["ce0"]) == []
    assert status(batch, job) == "RUNNABLE"
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "INSTANCE_ROLE_WITHOUT_ECS_POLICY"
    assert f["severity"] == "blocking" and "AmazonECSTaskExecutionRolePolicy" in f["title"]
    assert "iam:ListAttachedRolePolicies AttachedPolicies[].PolicyName" in evidence(f)
    assert "AmazonEC2ContainerServiceforEC2Role" in f["fix"]
    tui.assert_names(f, job=job)


def _policy(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})  # fmt: skip


def test_an_instance_role_with_only_its_own_policies_names_them_when_none_registers(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    unique_name: Any, diagnose: Run, tui: Tui,
) -> None:  # fmt: skip
    iam = aws_client("iam")
    app = unique_name("app-policy")
    arn = iam.create_policy(PolicyName=app, PolicyDocument=_policy("s3:GetObject"))["Policy"]["Arn"]
    profile = instance_profile_with(aws_client, unique_name, arn)
    role = profile.rpartition("/")[2]
    iam.put_role_policy(RoleName=role, PolicyName="logs-inline", PolicyDocument=_policy("logs:*"))
    names = batch_queue(ces=[{"instanceRole": profile, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(sandbox.config.scale_up_seconds + 10)
    rc, early = diagnose(job)  # launched, not yet past the grace time: only a warning
    assert [f["severity"] for f in early["findings"]
            if f["code"] == "INSTANCE_ROLE_WITHOUT_ECS_POLICY"] == ["warning"]  # fmt: skip
    sandbox.advance(660)
    assert registered(aws_client("ecs"), batch, names["ce0"]) == []
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "INSTANCE_ROLE_WITHOUT_ECS_POLICY"
    assert f["severity"] == "blocking"
    assert f["title"].endswith(
        "none of its policies allows ecs:RegisterContainerInstance: "
        f"it has {app} (customer managed), logs-inline (inline)"
    )
    seen = evidence(f)
    assert f"iam:ListAttachedRolePolicies AttachedPolicies[].PolicyName {role}: {app}" in seen
    assert f"iam:ListRolePolicies PolicyNames {role}: logs-inline" in seen
    assert (
        f"iam:GetPolicyVersion PolicyVersion.Document {app} allows s3:GetObject; "
        "not ecs:RegisterContainerInstance"
    ) in seen
    assert (
        "iam:GetRolePolicy PolicyDocument logs-inline allows logs:*; "
        "not ecs:RegisterContainerInstance"
    ) in seen
    tui.assert_names(f, job=job)


def test_an_own_policy_that_allows_the_ecs_actions_is_no_claim_and_the_instances_join(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    unique_name: Any, diagnose: Run,
) -> None:  # fmt: skip
    iam = aws_client("iam")
    ecs = _policy("ecs:*", "ecr:GetAuthorizationToken", "logs:*")
    arn = iam.create_policy(PolicyName=unique_name("ecs-policy"), PolicyDocument=ecs)["Policy"][
        "Arn"
    ]
    profile = instance_profile_with(aws_client, unique_name, arn)
    names = batch_queue(ces=[{"instanceRole": profile, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition(["sh", "-c", "sleep 600"]))
    sandbox.advance(10)
    rc, doc = diagnose(job)  # launching: its instance has not joined yet, and nothing blocks
    assert rc == 0 and "INSTANCE_ROLE_WITHOUT_ECS_POLICY" not in {
        f["code"] for f in doc["findings"]
    }, doc
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    assert status(batch, job) == "RUNNING"


def test_with_the_ecs_policy_attached_the_instances_join(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    unique_name: Any,
) -> None:  # fmt: skip
    profile = instance_profile_with(aws_client, unique_name, TASK_EXECUTION, EC2_ROLE)
    names = batch_queue(ces=[{"instanceRole": profile, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition(["sh", "-c", "sleep 600"]))
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    assert status(batch, job) == "RUNNING"


# -- launches that fail: the Auto Scaling group's activities ------------------------------------
def activities(autoscaling: Any, batch: Any, ce: str) -> list[dict[str, Any]]:
    """The scaling activities of the compute environment's Auto Scaling group, newest first."""
    found = autoscaling.describe_scaling_activities(MaxRecords=100)["Activities"]
    return [a for a in found if a["AutoScalingGroupName"].startswith(f"{ce}-asg-")]


@pytest.fixture
def ec2_short_of(sandbox: Any) -> Iterator[set[str]]:
    """Instance types EC2 has run out of (AWS has no API to cause it: the sandbox's knob)."""
    shortage: set[str] = sandbox.scheduler.fleet.launches.shortage
    yield shortage
    shortage.clear()


def test_ec2_out_of_capacity_fails_the_launches_in_aws_words(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    ec2_short_of: set[str], diagnose: Run, tui: Tui,
) -> None:  # fmt: skip
    ec2_short_of.add("c5.24xlarge")
    names = batch_queue(ces=[{"instanceTypes": ["c5.24xlarge"], "maxvCpus": 96}])
    job = submit(batch, names["queue"], job_definition(vcpus="64", memory="65536"))
    sandbox.advance(30)
    failed = activities(aws_client("autoscaling"), batch, names["ce0"])
    assert [a["StatusCode"] for a in failed] == ["Failed"]
    assert failed[0]["StatusMessage"].startswith(
        "We currently do not have sufficient c5.24xlarge capacity in the Availability Zone"
    )
    assert instances_of(aws_client("ec2"), names["ce0"]) == []
    rc, doc = diagnose(job)  # a failure of a minute ago: EC2 may have capacity again soon
    transient = [f for f in doc["findings"] if f["code"] == "PROBABLY_TRANSIENT"]
    assert transient and transient[0]["severity"] == "info"
    sandbox.advance(600)
    assert status(batch, job) == "RUNNABLE"
    assert len(activities(aws_client("autoscaling"), batch, names["ce0"])) >= 2  # it retries
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
    assert "autoscaling:DescribeScalingActivities Activities[].StatusMessage" in evidence(f)
    assert "sufficient c5.24xlarge capacity" in evidence(f)
    tui.assert_names(f, job=job)


def test_a_successful_launch_is_an_activity_too(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any
) -> None:
    names = batch_queue(ces=[{"instanceTypes": ["m5.large"]}])
    submit(batch, names["queue"], job_definition())
    sandbox.advance(5)
    (launch,) = activities(aws_client("autoscaling"), batch, names["ce0"])
    (instance,) = instances_of(aws_client("ec2"), names["ce0"])
    assert launch["StatusCode"] == "Successful"
    assert launch["Description"] == f"Launching a new EC2 instance: {instance['InstanceId']}"


@pytest.fixture
def on_demand_quota_used_up(sandbox: Any) -> Iterator[float]:
    saved = sandbox.quotas[ON_DEMAND_STANDARD_QUOTA]
    sandbox.quotas[ON_DEMAND_STANDARD_QUOTA] = float(sandbox.scheduler.fleet.pool_used[False])
    yield sandbox.quotas[ON_DEMAND_STANDARD_QUOTA]
    sandbox.quotas[ON_DEMAND_STANDARD_QUOTA] = saved


def test_a_used_up_vcpu_quota_fails_the_launches_in_aws_words(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    on_demand_quota_used_up: float, diagnose: Run, tui: Tui,
) -> None:  # fmt: skip
    names = batch_queue(ces=[{"instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(30)
    (failed,) = activities(aws_client("autoscaling"), batch, names["ce0"])
    assert failed["StatusCode"] == "Failed"
    assert failed["StatusMessage"].startswith(
        f"You have requested more vCPU capacity than your current vCPU limit of "
        f"{on_demand_quota_used_up:g} allows"
    )
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "VCPU_QUOTA_EXHAUSTED"
    launches = [g for g in doc["findings"] if "DescribeScalingActivities" in evidence(g)]
    assert launches and "vCPU limit" in evidence(launches[0])
    tui.assert_names(f, job=job)


# -- what EC2 will not launch: types a zone does not offer, spot bids under the price ----------
def test_an_instance_type_the_subnets_zone_does_not_offer_is_never_launched(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    ecs_profile: str, diagnose: Run, tui: Tui,
) -> None:  # fmt: skip
    ec2 = aws_client("ec2")
    offered = ec2.describe_instance_type_offerings(LocationType="availability-zone", Filters=[
        {"Name": "instance-type", "Values": ["m5.large"]}])["InstanceTypeOfferings"]  # fmt: skip
    assert "us-east-1e" not in {o["Location"] for o in offered}  # as on AWS
    vpc = ec2.create_vpc(CidrBlock="10.92.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.92.1.0/24", AvailabilityZone="us-east-1e")
    subnet_id = subnet["Subnet"]["SubnetId"]
    names = batch_queue(ces=[{"subnets": [subnet_id], "instanceTypes": ["m5.large"],
                              "instanceRole": ecs_profile}])  # fmt: skip
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(600)
    assert instances_of(ec2, names["ce0"]) == [] and status(batch, job) == "RUNNABLE"
    (failed, *_) = activities(aws_client("autoscaling"), batch, names["ce0"])
    assert failed["StatusMessage"].startswith(
        "Your requested instance type (m5.large) is not supported in your requested Availability "
        "Zone (us-east-1e)."
    )
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "INSTANCE_TYPE_NOT_OFFERED"
    assert "not in us-east-1e" in evidence(f)
    tui.assert_names(f, job=job)


def test_a_second_subnet_in_a_zone_that_offers_the_type_gets_the_instance(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    ecs_profile: str,
) -> None:  # fmt: skip
    ec2 = aws_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.93.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    subnets = []
    for cidr, zone in (("10.93.1.0/24", "us-east-1e"), ("10.93.2.0/24", "us-east-1b")):
        sid = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
        ec2.associate_route_table(RouteTableId=table, SubnetId=sid)
        subnets.append(sid)
    names = batch_queue(ces=[{"subnets": subnets, "instanceTypes": ["m5.large"],
                              "instanceRole": ecs_profile}])  # fmt: skip
    job = submit(batch, names["queue"], job_definition(["sh", "-c", "sleep 600"]))
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    (instance,) = instances_of(ec2, names["ce0"])
    assert instance["SubnetId"] == subnets[1]
    assert instance["Placement"]["AvailabilityZone"] == "us-east-1b"
    assert status(batch, job) == "RUNNING"


def test_a_spot_bid_under_the_spot_price_launches_nothing(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    diagnose: Run, tui: Tui,
) -> None:  # fmt: skip
    names = batch_queue(ces=[{"type": "SPOT", "bidPercentage": 20, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(600)
    assert instances_of(aws_client("ec2"), names["ce0"]) == [] and status(batch, job) == "RUNNABLE"
    (failed, *_) = activities(aws_client("autoscaling"), batch, names["ce0"])
    assert failed["StatusMessage"].startswith("Your Spot request price of ")
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "SPOT_BID_BELOW_PRICE" and "bidPercentage 20 " in f["title"]
    assert "ec2:DescribeSpotPriceHistory SpotPriceHistory[].SpotPrice m5.large" in evidence(f)
    tui.assert_names(f, job=job)


def test_a_spot_bid_over_the_spot_price_launches(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any
) -> None:
    names = batch_queue(ces=[{"type": "SPOT", "bidPercentage": 80, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition(["sh", "-c", "sleep 600"]))
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    assert len(instances_of(aws_client("ec2"), names["ce0"])) == 1
    assert status(batch, job) == "RUNNING"


# -- consumable resources -----------------------------------------------------------------------
def needs(resource: str, quantity: int) -> dict[str, Any]:
    return {"consumableResourceList": [{"consumableResource": resource, "quantity": quantity}]}


def test_consumable_resources_are_created_listed_updated_and_deleted(
    batch: Any, job_definition: Any, unique_name: Any
) -> None:
    name = unique_name("licences")
    arn = batch.create_consumable_resource(consumableResourceName=name, totalQuantity=4,
                                           tags={"team": "cfd"})["consumableResourceArn"]  # fmt: skip
    assert arn.endswith(f":consumable-resource/{name}")
    got = batch.describe_consumable_resource(consumableResource=arn)
    assert (got["totalQuantity"], got["inUseQuantity"], got["availableQuantity"]) == (4, 0, 4)
    assert got["resourceType"] == "REPLENISHABLE" and got["tags"] == {"team": "cfd"}
    listed = batch.list_consumable_resources(
        filters=[{"name": "CONSUMABLE_RESOURCE_NAME", "values": [name]}]
    )["consumableResources"]
    assert [r["consumableResourceName"] for r in listed] == [name]
    assert batch.update_consumable_resource(consumableResource=name, operation="ADD",
                                            quantity=2)["totalQuantity"] == 6  # fmt: skip
    jd = job_definition(consumableResourceProperties=needs(name, 2))
    (kept,) = batch.describe_job_definitions(jobDefinitionName=jd)["jobDefinitions"]
    assert kept["consumableResourceProperties"] == needs(arn, 2)
    batch.delete_consumable_resource(consumableResource=name)
    with pytest.raises(batch.exceptions.ClientException):
        batch.describe_consumable_resource(consumableResource=name)


def test_a_job_waits_while_other_jobs_hold_its_consumable_resource(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, unique_name: Any,
    diagnose: Run, tui: Tui,
) -> None:  # fmt: skip
    name = unique_name("licence")
    batch.create_consumable_resource(consumableResourceName=name, totalQuantity=1)
    q = batch_queue(ces=[{"instanceTypes": ["m5.large"]}])["queue"]
    jd = job_definition(["sh", "-c", "sleep 600"], consumableResourceProperties=needs(name, 1))
    holder, waiter = submit(batch, q, jd, "holder"), submit(batch, q, jd, "waiter")
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    assert (status(batch, holder), status(batch, waiter)) == ("RUNNING", "RUNNABLE")
    got = batch.describe_consumable_resource(consumableResource=name)
    assert (got["inUseQuantity"], got["availableQuantity"]) == (1, 0)
    (detail,) = batch.describe_jobs(jobs=[waiter])["jobs"]
    assert detail["consumableResourceProperties"]["consumableResourceList"][0]["quantity"] == 1
    rc, doc = diagnose(waiter)
    f = first(doc)
    assert rc == 0 and f["code"] == "CONSUMABLE_RESOURCE_IN_USE"
    assert f"batch:DescribeConsumableResource totalQuantity / inUseQuantity {name}: 1 of 1 in use" in evidence(f)  # fmt: skip
    tui.assert_names(f, job=waiter)
    batch.terminate_job(jobId=holder, reason="free the licence")
    sandbox.advance(sandbox.config.stop_seconds + sandbox.config.starting_seconds + 10)
    assert status(batch, waiter) == "RUNNING"


def test_a_starting_job_is_named_as_a_holder_of_the_consumable_resource(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, unique_name: Any,
    diagnose: Run,
) -> None:  # fmt: skip
    """AWS takes a job's quantity when it is placed: a STARTING job holds it already."""
    name = unique_name("licence")
    batch.create_consumable_resource(consumableResourceName=name, totalQuantity=1)
    q = batch_queue(ces=[{"instanceTypes": ["m5.large"]}])["queue"]
    jd = job_definition(["sh", "-c", "sleep 600"], consumableResourceProperties=needs(name, 1))
    holder, waiter = submit(batch, q, jd, "holder"), submit(batch, q, jd, "waiter")
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds / 3)
    assert (status(batch, holder), status(batch, waiter)) == ("STARTING", "RUNNABLE")
    rc, doc = diagnose(waiter)
    f = first(doc)
    assert rc == 0 and f["code"] == "CONSUMABLE_RESOURCE_IN_USE"
    assert (
        f"batch:ListJobsByConsumableResource jobs[].jobName / jobArn / quantity "
        f"{name}: holder ({holder}, STARTING) holds 1"
    ) in evidence(f)


def test_a_job_that_needs_more_than_a_consumable_resource_holds_is_blocked(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, unique_name: Any,
    diagnose: Run, tui: Tui,
) -> None:  # fmt: skip
    name = unique_name("db-connections")
    batch.create_consumable_resource(consumableResourceName=name, totalQuantity=2)
    q = batch_queue(ces=[{"instanceTypes": ["m5.large"]}])["queue"]
    jd = job_definition(consumableResourceProperties=needs(name, 1))
    job = str(batch.submit_job(jobName="greedy", jobQueue=q, jobDefinition=jd,
                               consumableResourcePropertiesOverride=needs(name, 3))["jobId"])  # fmt: skip
    sandbox.advance(600)
    assert status(batch, job) == "RUNNABLE"
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "CONSUMABLE_RESOURCE_TOO_SMALL" and "needs 3" in f["title"]
    assert f"{name}: 0 of 2 in use" in evidence(f)
    tui.assert_names(f, job=job)
