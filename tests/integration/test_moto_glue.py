"""Every assumption batchtui/sandbox/moto_glue.py makes about moto's internals, checked loudly.

When a moto upgrade breaks one of these, this file fails first, naming the assumption.
"""

from __future__ import annotations

import inspect
from typing import Any

import moto

from batchtui.sandbox import moto_glue


def test_moto_version_is_the_pinned_minor() -> None:
    assert moto.__version__.startswith(moto_glue.SUPPORTED_MOTO), moto.__version__
    moto_glue.check_moto_version()


def test_backends_are_where_the_glue_looks() -> None:
    assert hasattr(moto_glue.logs_backend("us-east-1"), "groups")
    assert hasattr(moto_glue.iam_backend(), "instance_profiles")
    assert moto_glue.ec2_backend("us-east-1") is not None
    assert moto_glue.s3_backend() is not None
    assert moto_glue.dynamodb_backend("us-east-1") is not None
    assert moto_glue.ACCOUNT_ID == "123456789012"


def test_log_events_bypass_the_real_clock_window(sandbox: Any, aws_client: Any) -> None:
    # Simulated time runs ahead of the wall clock; moto's PutLogEvents would drop these.
    far_future_ms = int((sandbox.now() + 30 * 86400) * 1000)
    moto_glue.append_log_events(
        "us-east-1", "/glue/test", "s", [{"timestamp": far_future_ms, "message": "later"}]
    )
    events = aws_client("logs").get_log_events(logGroupName="/glue/test", logStreamName="s")
    assert [(e["timestamp"], e["message"]) for e in events["events"]] == [(far_future_ms, "later")]


def test_instance_profile_lookup(sandbox: Any, aws_client: Any) -> None:
    aws_client("iam").create_instance_profile(InstanceProfileName="glue-profile")
    assert moto_glue.instance_profile_exists("glue-profile")
    assert moto_glue.instance_profile_exists(
        "arn:aws:iam::123456789012:instance-profile/glue-profile"
    )
    assert not moto_glue.instance_profile_exists("no-such-profile")


def test_instance_type_catalog_shape() -> None:
    from batchtui.sandbox.catalog import instance_types

    raw = moto_glue.instance_type_catalog()
    assert len(raw) > 1000
    m5 = raw["m5.large"]
    assert m5["VCpuInfo"]["DefaultVCpus"] == 2 and m5["MemoryInfo"]["SizeInMiB"] == 8192
    assert raw["g4dn.xlarge"]["GpuInfo"]["Gpus"][0]["Count"] == 1
    catalog = instance_types()
    assert catalog["m5.24xlarge"].vcpus == 96 and catalog["g4dn.12xlarge"].gpus == 4
    assert catalog["m6g.large"].arch == "arm64"
    # The resource file the glue reads is the one moto's EC2 serves DescribeInstanceTypes from.
    from moto.ec2.models.instance_types import INSTANCE_TYPES

    assert raw == INSTANCE_TYPES


def test_moto_wsgi_app_serves_through_our_front(sandbox: Any, aws_client: Any) -> None:
    # S3 and DynamoDB go to moto untouched: only Batch (and other listed services) are ours.
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="glue-bucket")
    assert "glue-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_network_written_into_ec2_reads_back_over_http(sandbox: Any, aws_client: Any) -> None:
    region = sandbox.region
    vpc = moto_glue.create_vpc(region, "10.77.0.0/16", "glue-vpc")
    public = moto_glue.create_subnet(region, vpc, "10.77.0.0/20", f"{region}a", "glue-public")
    private = moto_glue.create_subnet(region, vpc, "10.77.16.0/20", f"{region}b", "glue-private")
    igw = moto_glue.create_internet_gateway(region, vpc)
    public_rt = moto_glue.create_route_table(region, vpc, [public], gateway_id=igw)
    nat = moto_glue.create_nat_gateway(region, public)
    private_rt = moto_glue.create_route_table(region, vpc, [private], nat_gateway_id=nat)
    sg = moto_glue.create_security_group(region, vpc, "glue-sg", "glue")
    ec2 = aws_client("ec2")
    subnets = {
        s["SubnetId"]: s for s in ec2.describe_subnets(SubnetIds=[public, private])["Subnets"]
    }
    assert subnets[private]["VpcId"] == vpc and subnets[private]["AvailabilityZone"] == f"{region}b"
    assert {"Key": "Name", "Value": "glue-public"} in subnets[public]["Tags"]
    tables = {t["RouteTableId"]: t for t in ec2.describe_route_tables(
        RouteTableIds=[public_rt, private_rt])["RouteTables"]}  # fmt: skip
    default = {t: next(r for r in tables[t]["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")
               for t in tables}  # fmt: skip
    assert default[public_rt]["GatewayId"] == igw
    assert default[private_rt]["NatGatewayId"] == nat
    assert [a["SubnetId"] for a in tables[private_rt]["Associations"]] == [private]
    gateway = ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]
    assert gateway["SubnetId"] == public and gateway["NatGatewayAddresses"][0]["AllocationId"]
    assert ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0][
        "Attachments"] == [{"State": "available", "VpcId": vpc}]  # fmt: skip
    assert ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["VpcId"] == vpc


def test_roles_and_instance_profile_written_into_iam(aws_client: Any) -> None:
    trust = '{"Version": "2012-10-17", "Statement": []}'
    arn = moto_glue.ensure_role("glue-role", trust)
    assert moto_glue.ensure_role("glue-role", trust) == arn  # a second sandbox finds it
    iam = aws_client("iam")
    assert iam.get_role(RoleName="glue-role")["Role"]["Arn"] == arn
    profile = moto_glue.ensure_instance_profile("glue-role-profile", "glue-role")
    assert moto_glue.ensure_instance_profile("glue-role-profile", "glue-role") == profile
    got = iam.get_instance_profile(InstanceProfileName="glue-role-profile")["InstanceProfile"]
    assert got["Arn"] == profile and [r["RoleName"] for r in got["Roles"]] == ["glue-role"]
    assert moto_glue.instance_profile_exists(profile)


def test_bucket_objects_and_table_written_into_s3_and_dynamodb(
    sandbox: Any, aws_client: Any
) -> None:
    moto_glue.ensure_bucket("glue-images", sandbox.region)
    moto_glue.ensure_bucket("glue-images", sandbox.region)
    moto_glue.put_object("glue-images", "a/b.png", b"\x89PNG-bytes", "image/png")
    got = aws_client("s3").get_object(Bucket="glue-images", Key="a/b.png")
    assert got["Body"].read() == b"\x89PNG-bytes" and got["ContentType"] == "image/png"
    moto_glue.ensure_table(sandbox.region, "glue-labels", "image_key")
    moto_glue.ensure_table(sandbox.region, "glue-labels", "image_key")
    table = aws_client("dynamodb").describe_table(TableName="glue-labels")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "image_key", "KeyType": "HASH"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ddb = aws_client("dynamodb")
    ddb.put_item(TableName="glue-labels", Item={"image_key": {"S": "k"}})
    assert ddb.get_item(TableName="glue-labels", Key={"image_key": {"S": "k"}})["Item"]


def test_ecs_clusters_put_into_moto_answer_with_their_counts(sandbox: Any, aws_client: Any) -> None:
    moto_glue.put_ecs_cluster(sandbox.region, "glue-cluster", instances=3, running=5, pending=1)
    ecs = aws_client("ecs")
    ecs.create_cluster(clusterName="glue-own")  # one of moto's own, in the same answer
    assert any(a.endswith("/glue-cluster") for a in ecs.list_clusters()["clusterArns"])
    found = ecs.describe_clusters(clusters=["glue-cluster", "glue-own", "glue-missing"])
    by_name = {c["clusterName"]: c for c in found["clusters"]}
    mine = by_name["glue-cluster"]
    assert (mine["status"], mine["registeredContainerInstancesCount"]) == ("ACTIVE", 3)
    assert (mine["runningTasksCount"], mine["pendingTasksCount"]) == (5, 1)
    assert "glue-own" in by_name and found["failures"][0]["reason"] == "MISSING"
    assert moto_glue.ecs_cluster_exists(sandbox.region, "glue-own")
    assert moto_glue.ecs_cluster_exists(sandbox.region, by_name["glue-own"]["clusterArn"])
    assert not moto_glue.ecs_cluster_exists(sandbox.region, "glue-missing")
    moto_glue.put_ecs_cluster(sandbox.region, "glue-cluster", instances=0, running=0, pending=0)
    again = ecs.describe_clusters(clusters=["glue-cluster"])["clusters"][0]
    assert again["registeredContainerInstancesCount"] == 0
    moto_glue.delete_ecs_cluster(sandbox.region, "glue-cluster")
    assert ecs.describe_clusters(clusters=["glue-cluster"])["failures"][0]["reason"] == "MISSING"


def test_cloudformation_resolves_types_through_the_routed_model_map(sandbox: Any) -> None:
    # The sandbox routes AWS::Batch::* to its own models; moto must look types up in that map.
    from moto.cloudformation.parsing import resource_class_from_type

    from batchtui.sandbox import cloudformation_batch

    del sandbox  # started: its CloudFormation handler installed the routes
    routed = resource_class_from_type("AWS::Batch::JobQueue")
    assert routed is cloudformation_batch.JobQueue
    error = moto_glue.cloudformation_validation_error("reason")
    assert getattr(error, "code", "") == "ValidationError"
    moto_glue.discard_stack("us-east-1", "no-such-stack")  # a stack not there is no error


def test_aws_managed_policies_load_on_demand_and_batch_names_its_service_linked_role(
    sandbox: Any, aws_client: Any
) -> None:
    # moto's AWSManagedPolicy.from_data and its copy of AWS's managed policies, loaded one by one.
    arn = "arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole"
    assert moto_glue.ensure_aws_managed_policy(arn)
    assert moto_glue.ensure_aws_managed_policy(arn)  # a second time: already there
    assert not moto_glue.ensure_aws_managed_policy("arn:aws:iam::aws:policy/NoSuchPolicy")
    assert aws_client("iam").get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == (
        "AWSBatchServiceRole"
    )
    # moto.iam.models.SERVICE_NAME_CONVERSION spells the service in the role's name.
    iam = aws_client("iam")
    path = "/aws-service-role/batch.amazonaws.com/"
    if not iam.list_roles(PathPrefix=path)["Roles"]:
        iam.create_service_linked_role(AWSServiceName="batch.amazonaws.com")
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix=path)["Roles"]] == [
        "AWSServiceRoleForBatch"
    ]


def test_s3_notifications_to_lambda_go_through_the_function_the_glue_replaces(
    sandbox: Any,
) -> None:
    from moto.s3 import notifications

    assert notifications._invoke_awslambda is moto_glue._deliver_s3_event_to_lambda
    # send_event looks the function up by this name each time: replacing it reroutes delivery.
    assert "_invoke_awslambda(" in inspect.getsource(notifications.send_event)


def test_a_subnet_and_a_security_group_get_the_ids_asked_for(sandbox: Any, aws_client: Any) -> None:
    # The demo's network has fixed ids (profiles/sandbox.toml names them): moto draws ids from
    # module-level generators the glue answers for one creation.
    region = "ap-northeast-3"  # no other test's network here
    vpc = moto_glue.create_vpc(region, "10.77.0.0/16", "glue-fixed-ids")
    fixed = moto_glue.create_subnet(
        region, vpc, "10.77.0.0/24", f"{region}a", "glue-a", "subnet-0123456789abcdef0"
    )
    drawn = moto_glue.create_subnet(region, vpc, "10.77.1.0/24", f"{region}a", "glue-b")
    group = moto_glue.create_security_group(region, vpc, "glue", "glue", "sg-0123456789abcdef0")
    assert (fixed, group) == ("subnet-0123456789abcdef0", "sg-0123456789abcdef0")
    assert drawn.startswith("subnet-") and drawn != fixed
    import boto3

    ec2 = boto3.client("ec2", endpoint_url=sandbox.url, region_name=region,
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    subnets = ec2.describe_subnets(SubnetIds=[fixed])["Subnets"]
    assert [(s["SubnetId"], s["VpcId"]) for s in subnets] == [(fixed, vpc)]
    groups = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"]
    assert [g["VpcId"] for g in groups] == [vpc]


def test_role_policies_are_their_documents(sandbox: Any, aws_client: Any, unique_name: Any) -> None:
    import json

    iam = aws_client("iam")
    role = unique_name("glue-policies")
    ecs = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName=role, PolicyArn=ecs)
    inline = {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}  # fmt: skip
    iam.put_role_policy(RoleName=role, PolicyName="s3", PolicyDocument=json.dumps(inline))
    found = moto_glue.role_policies(role)
    assert found is not None
    attached, inlined = found
    assert list(attached) == [ecs]
    assert "ecs:RegisterContainerInstance" in json.loads(attached[ecs])["Statement"][0]["Action"]
    assert [json.loads(doc) for doc in inlined] == [inline]
    assert moto_glue.role_policies("no-such-role") is None
