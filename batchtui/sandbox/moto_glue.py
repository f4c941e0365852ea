"""The only module that touches moto's internals (moto 5.2.x, pinned in pyproject.toml).

Everything else in the sandbox asks this module; it is longer than a module should be for that
reason: one place to look when moto changes. tests/integration/test_moto_glue.py checks each
assumption, so a moto upgrade that breaks one fails loudly there rather than somewhere obscure.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import moto
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict  # noqa: F401  (import proves the API exists)
from moto.dynamodb.models import dynamodb_backends
from moto.iam.models import SERVICE_NAME_CONVERSION, AWSManagedPolicy, iam_backends
from moto.logs.models import logs_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends
from moto.utilities.utils import load_resource

SUPPORTED_MOTO = "5.2."
ACCOUNT_ID: str = DEFAULT_ACCOUNT_ID


def check_moto_version() -> None:
    if not moto.__version__.startswith(SUPPORTED_MOTO):
        raise RuntimeError(
            f"batchtui's sandbox supports moto {SUPPORTED_MOTO}x, found {moto.__version__}"
        )


def moto_wsgi_app() -> Any:
    """moto's own WSGI application, which serves every service moto implements."""
    check_moto_version()
    # moto names a service-linked role after the service's lower-case name unless told its
    # spelling; AWS names Batch's AWSServiceRoleForBatch.
    SERVICE_NAME_CONVERSION.setdefault("batch", "Batch")
    refuse_lambda_code()
    route_s3_lambda_notifications()
    return DomainDispatcherApplication(create_backend_app)


#: What an invocation of a Lambda function answers in the sandbox (Invoke, and every service
#: that would call one: SNS, SQS, EventBridge, DynamoDB streams, log subscriptions).
LAMBDA_NOT_RUN = (
    "The batchtui sandbox does not run Lambda functions' code. S3 notifications to a function "
    "whose handler is batchtui_worker.s3_event.handler run that handler."
)


def _no_lambda_code(self: Any, event: Any = None) -> tuple[str, bool, str]:
    """LambdaFunction._invoke_lambda's stand-in: an error, never the function's code."""
    del self, event
    body = json.dumps({"errorType": "SandboxRefused", "errorMessage": LAMBDA_NOT_RUN})
    return body, True, LAMBDA_NOT_RUN


def refuse_lambda_code() -> None:
    """Never run a Lambda function's uploaded code: moto would run it in a Docker container,
    and anyone who reaches the sandbox's port can CreateFunction. Every way moto invokes a
    function ends in LambdaFunction._invoke_lambda, so that one method answers an error."""
    from moto.awslambda.models import LambdaFunction

    LambdaFunction._invoke_lambda = _no_lambda_code  # type: ignore[method-assign]


@functools.cache
def _aws_managed_policy_data() -> dict[str, Any]:
    # Half a second to parse moto's copy of every AWS managed policy: done on first need only.
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data: dict[str, Any] = json.loads(aws_managed_policies_data)
    return data


def ensure_aws_managed_policy(arn: str) -> bool:
    """Load the AWS managed policy ``arn`` into IAM when moto knows it; whether IAM has it.

    moto loads AWS's managed policies only when told to at start (all 1,600 of them, slowly);
    the sandbox adds the ones a request names, so attaching one works as it does on AWS.
    """
    backend = iam_backend()
    if arn in backend.managed_policies:
        return True
    name = arn.rsplit("/", 1)[-1]
    data = _aws_managed_policy_data().get(name)
    if data is None or not arn.startswith("arn:aws:iam::aws:policy/"):
        return False
    policy = AWSManagedPolicy.from_data(name, ACCOUNT_ID, "us-east-1", data)
    if policy.arn != arn:  # another path than the one asked for
        return False
    backend.managed_policies[arn] = policy
    return True


def logs_backend(region: str) -> Any:
    return logs_backends[ACCOUNT_ID][region]


def s3_backend() -> Any:
    return s3_backends[ACCOUNT_ID]["aws"]


def ec2_backend(region: str) -> Any:
    # Imported on first use, to keep the sandbox's start fast: moto's EC2 models take about a
    # second to import, and only the demo account's network needs them (not an empty sandbox).
    from moto.ec2.models import ec2_backends

    return ec2_backends[ACCOUNT_ID][region]


def iam_backend() -> Any:
    return iam_backends[ACCOUNT_ID]["global"]


def dynamodb_backend(region: str) -> Any:
    return dynamodb_backends[ACCOUNT_ID][region]


def ecs_backend(region: str) -> Any:
    # Imported on first use, to keep the sandbox's start fast: moto's ECS models import its EC2
    # models (about a second), and only ECS API calls need them.
    from moto.ecs.models import ecs_backends

    return ecs_backends[ACCOUNT_ID][region]


def instance_type_catalog() -> dict[str, dict[str, Any]]:
    """moto's EC2 instance-type data: name -> DescribeInstanceTypes entry.

    Read from moto's resource file, not from ``moto.ec2.models.instance_types``: importing that
    module imports all of moto's EC2 (1-2 s), which an account without a network never needs.
    """
    return dict(load_resource(INSTANCE_TYPES_RESOURCE))


INSTANCE_TYPES_RESOURCE = "ec2/resources/instance_types.json"
OFFERINGS_RESOURCE = "ec2/resources/instance_type_offerings/availability-zone/{region}.json"


def instance_type_zones(region: str) -> dict[str, set[str]]:
    """The zones that offer each instance type in the region: the table moto answers
    DescribeInstanceTypeOfferings (LocationType availability-zone) from. Empty for a region
    moto has no table of."""
    try:
        rows = load_resource(OFFERINGS_RESOURCE.format(region=region))
    except FileNotFoundError:
        return {}
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(str(row["InstanceType"]), set()).add(str(row["Location"]))
    return out


def reset_all_backends() -> None:
    """Forget every resource moto holds (used between sandbox sessions in one process)."""
    for name in ("s3", "ec2", "iam", "logs", "dynamodb"):
        for account in get_backend(name).values():
            for backend in account.values():
                backend.reset()


def append_log_events(region: str, group: str, stream: str, events: list[dict[str, Any]]) -> None:
    """Append events (``timestamp`` ms, ``message``) to a stream, creating group and stream.

    Goes below LogsBackend.put_log_events on purpose: that one drops events more than two hours
    from the real clock, and the sandbox's clock is simulated (it runs ahead at --speed).
    moto stamps ``ingestionTime`` with the real clock; each event is restamped as ingested at
    its own (simulated) timestamp, so ingestionTime >= timestamp on one clock, as at AWS.
    """
    backend = logs_backend(region)
    backend.ensure_log_group(group)
    log_group = backend.groups[group]
    if stream not in log_group.streams:
        backend.ensure_log_stream(group, stream)
    log_stream = log_group.streams[stream]
    before = len(log_stream.events)
    log_group.put_log_events(stream, events)
    added = log_stream.events[before:]
    for event in added:
        event.ingestion_time = event.timestamp


def instance_profile_exists(name: str) -> bool:
    """Whether IAM holds an instance profile of this name (CE instanceRole: name or ARN)."""
    profiles = iam_backend().instance_profiles
    tail = name.rsplit("/", 1)[-1]
    return any(p.name == tail for p in profiles.values())


def load_aws_managed_policies() -> None:
    """Make AWS's managed policies (``arn:aws:iam::aws:policy/...``) exist, as they do in every
    account. moto holds them only when told to (its ``iam.load_aws_managed_policies`` setting,
    which also has a reset backend load them again); a backend made before that gets them now."""
    from moto.core.config import default_user_config
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy

    default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True
    backend = iam_backend()
    if any(isinstance(p, AWSManagedPolicy) for p in backend.managed_policies.values()):
        return
    for name, data in json.loads(aws_managed_policies_data).items():
        policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
        backend.aws_managed_policies.append(policy)
        backend.managed_policies[policy.arn] = policy


def role_policies(role_name: str) -> tuple[dict[str, str], list[str]] | None:
    """The policies of an IAM role as JSON documents: its attached managed policies by ARN (each
    one's default version) and its inline ones; None when there is no such role."""
    for role in iam_backend().roles.values():
        if role.name == role_name:
            attached = {
                arn: next((v.document for v in policy.versions if v.is_default), "")
                for arn, policy in sorted(role.managed_policies.items())
            }
            return attached, [str(doc) for doc in role.policies.values()]
    return None


def instance_profile_roles(name: str) -> list[str] | None:
    """The role names an instance profile (name or ARN) holds, or None when it does not exist."""
    tail = name.rsplit("/", 1)[-1]
    for profile in iam_backend().instance_profiles.values():
        if profile.name == tail:
            return [role.name for role in profile.roles]
    return None


def attach_role_policy(role_name: str, policy_arn: str) -> None:
    iam_backend().attach_role_policy(policy_arn, role_name)


def s3_object_bytes(bucket: str, key: str, version_id: str | None = None) -> bytes | None:
    """An S3 object's bytes, or None when the bucket, the key or the version does not exist."""
    try:
        obj = s3_backend().get_object(bucket, key, version_id=version_id)
    except MissingBucket:
        return None
    except Exception:  # moto raises a few kinds for a bad version id; all mean "not there"
        return None
    return None if obj is None else bytes(obj.value)


# -- resources written straight into the backends (the demo account; no HTTP, no boto3) ------
# Each returns the id AWS would; a test in test_moto_glue.py reads each back over HTTP.


def create_vpc(region: str, cidr: str, name: str) -> str:
    backend = ec2_backend(region)
    vpc = backend.create_vpc(cidr)
    backend.create_tags([vpc.id], {"Name": name})
    return str(vpc.id)


@contextlib.contextmanager
def _next_id(module: Any, generator: str, resource_id: str | None) -> Iterator[None]:
    """moto draws a new resource's id from ``module.generator()``, with no way to ask for one:
    answer ``resource_id`` for the one resource created inside (or leave moto's draw alone)."""
    if resource_id is None:
        yield
        return
    with mock.patch.object(module, generator, lambda: resource_id):
        yield


def create_subnet(
    region: str, vpc_id: str, cidr: str, zone: str, name: str, subnet_id: str | None = None
) -> str:
    """A subnet; ``subnet_id`` gives it a fixed id (a profile can then name it), else moto's."""
    from moto.ec2.models import subnets

    backend = ec2_backend(region)
    with _next_id(subnets, "random_subnet_id", subnet_id):
        subnet = backend.create_subnet(vpc_id, cidr, availability_zone=zone)
    backend.create_tags([subnet.id], {"Name": name})
    return str(subnet.id)


def create_internet_gateway(region: str, vpc_id: str) -> str:
    """An internet gateway attached to the VPC."""
    backend = ec2_backend(region)
    igw = backend.create_internet_gateway()
    backend.attach_internet_gateway(igw.id, vpc_id)
    return str(igw.id)


def create_nat_gateway(region: str, subnet_id: str) -> str:
    """A NAT gateway in the (public) subnet, with an Elastic IP of its own."""
    backend = ec2_backend(region)
    eip = backend.allocate_address(domain="vpc")
    return str(backend.create_nat_gateway(subnet_id, eip.allocation_id).id)


def create_route_table(
    region: str,
    vpc_id: str,
    subnet_ids: list[str],
    *,
    gateway_id: str | None = None,
    nat_gateway_id: str | None = None,
) -> str:
    """A route table whose default route (0.0.0.0/0) leaves by the gateway, for the subnets."""
    backend = ec2_backend(region)
    table = backend.create_route_table(vpc_id)
    backend.create_route(
        table.id, "0.0.0.0/0", gateway_id=gateway_id, nat_gateway_id=nat_gateway_id
    )
    for subnet_id in subnet_ids:
        backend.associate_route_table(table.id, subnet_id=subnet_id)
    return str(table.id)


def create_security_group(
    region: str, vpc_id: str, name: str, description: str, group_id: str | None = None
) -> str:
    """A security group; ``group_id`` gives it a fixed id, else moto's."""
    from moto.ec2.models import security_groups

    with _next_id(security_groups, "random_security_group_id", group_id):
        group = ec2_backend(region).create_security_group(name, description, vpc_id=vpc_id)
    return str(group.id)


def ensure_role(name: str, trust_policy: str) -> str:
    """The ARN of the IAM role ``name``, created with the trust policy when missing."""
    backend = iam_backend()
    for role in backend.roles.values():
        if role.name == name:
            return str(role.arn)
    role = backend.create_role(
        role_name=name,
        assume_role_policy_document=trust_policy,
        path="/",
        permissions_boundary=None,
        description="",
        tags=[],
        max_session_duration=None,
    )
    return str(role.arn)


def ensure_instance_profile(name: str, role_name: str) -> str:
    """The ARN of the instance profile ``name`` holding ``role_name``, created when missing."""
    backend = iam_backend()
    profile = backend.instance_profiles.get(name)
    if profile is None:
        profile = backend.create_instance_profile(name, "/", role_names=[role_name])
    elif not profile.roles:
        backend.add_role_to_instance_profile(name, role_name)
    return str(profile.arn)


def ensure_bucket(name: str, region: str) -> None:
    backend = s3_backend()
    if name not in backend.buckets:
        backend.create_bucket(name, region)


def bucket_region(name: str) -> str | None:
    """The region a bucket was made in (S3's names are global: moto holds one bucket of a name
    for the whole process, whichever sandbox made it), None when there is none."""
    bucket = s3_backend().buckets.get(name)
    return None if bucket is None else str(bucket.region_name)


def put_object(bucket: str, key: str, body: bytes, content_type: str) -> None:
    s3_backend().put_object(bucket, key, body).set_metadata({"Content-Type": content_type})


def ensure_table(region: str, name: str, hash_key: str) -> None:
    """An on-demand DynamoDB table keyed by one string attribute."""
    backend = dynamodb_backend(region)
    if name in backend.tables:
        return
    backend.create_table(
        name,
        schema=[{"AttributeName": hash_key, "KeyType": "HASH"}],
        throughput=None,
        attr=[{"AttributeName": hash_key, "AttributeType": "S"}],
        global_indexes=None,
        indexes=None,
        streams=None,
        billing_mode="PAY_PER_REQUEST",
        sse_specification=None,
        tags=[],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )


def put_ecs_cluster(region: str, name: str, *, instances: int, running: int, pending: int) -> None:
    """An ECS cluster moto serves (ListClusters, DescribeClusters), with these counts.

    The sandbox keeps each compute environment's cluster here so that moto answers for it, and
    for clusters created through moto, in one DescribeClusters response.
    """
    backend = ecs_backend(region)
    cluster = backend.clusters.get(name)
    if cluster is None:
        cluster = backend.create_cluster(name)
    cluster.registered_container_instances_count = instances
    cluster.running_tasks_count = running
    cluster.pending_tasks_count = pending


def ecs_cluster_exists(region: str, name_or_arn: str) -> bool:
    return name_or_arn.rsplit("/", 1)[-1] in ecs_backend(region).clusters


def delete_ecs_cluster(region: str, name: str) -> None:
    ecs_backend(region).clusters.pop(name, None)


# -- EventBridge: events the sandbox's own services publish on a region's default bus ----------
#: Each region's EventBridge backend, looked up once: moto's BackendDict builds a fresh
#: account view on every lookup (tens of microseconds), and this is asked at every job status
#: change. A backend's reset re-initialises it in place, so the object stays valid.
_events_backends: dict[str, Any] = {}


def default_bus_rules(region: str) -> list[Any]:
    """The ENABLED rules of the region's default event bus (often none: callers stop early)."""
    backend = _events_backends.get(region)
    if backend is None:
        from moto.events.models import events_backends

        backend = _events_backends[region] = events_backends[ACCOUNT_ID][region]
    bus = backend.event_buses.get("default")
    if bus is None or not bus.rules:
        return []
    return [r for r in bus.rules.values() if r.state == "ENABLED"]


def deliver_event(region: str, rules: list[Any], event: dict[str, Any], time_ms: int) -> None:
    """Send ``event`` (EventBridge's envelope: source, detail-type, detail ...) to the targets of
    each rule whose pattern matches, as EventBridge does: SQS queues, SNS topics, log groups.

    Goes around EventsBackend.put_events on purpose: that one stamps the real clock's time on the
    event (the sandbox's clock is simulated) and has no SNS targets.
    """
    for rule in rules:
        if not rule.event_pattern.matches_event(event):
            continue
        for target in rule.targets:
            arn = str(target.get("Arn", ""))
            body = target.get("Input") or json.dumps(event)
            service, resource = arn.split(":")[2], arn.split(":", 5)[-1]
            if service == "sqs":
                from moto.sqs.models import sqs_backends

                group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
                sqs_backends[ACCOUNT_ID][region].send_message(
                    queue_name=resource, message_body=body, group_id=group_id
                )
            elif service == "sns":
                from moto.sns.models import sns_backends

                sns_backends[ACCOUNT_ID][region].publish(message=body, arn=arn)
            elif service == "logs" and resource.startswith("log-group:"):
                group = resource[len("log-group:") :].removesuffix(":*")
                append_log_events(
                    region, group, str(uuid.uuid4()), [{"timestamp": time_ms, "message": body}]
                )


# -- CloudFormation ------------------------------------------------------------------------


def route_cloudformation_types(models: dict[str, type]) -> None:
    """Have moto's CloudFormation create resources of these types with these classes.

    Each class offers what moto's CloudFormationModel does (cloudformation_type and _name_type,
    create_from_cloudformation_json, physical_resource_id, get_cfn_attribute, delete).
    """
    from moto.cloudformation.parsing import get_model_map

    get_model_map().update(models)


def cloudformation_validation_error(message: str) -> Exception:
    """The error moto's CloudFormation answers as AWS's ValidationError (HTTP 400)."""
    from moto.cloudformation.exceptions import ValidationError

    return ValidationError(message=message)


def discard_stack(region: str, stack_id: str) -> None:
    """Forget a stack whose creation failed, so it is not left CREATE_IN_PROGRESS."""
    from moto.cloudformation.models import cloudformation_backends

    cloudformation_backends[ACCOUNT_ID][region].stacks.pop(stack_id, None)


# -- EC2: the network compute environments' instances land in, and the instances themselves ----
def ec2_loaded() -> bool:
    """Whether moto's EC2 has been used in this process: until then no VPC, subnet or route
    exists, and the sandbox need not pay for importing it."""
    import sys

    return "moto.ec2.models" in sys.modules


def subnet_network(region: str, subnet_id: str) -> dict[str, Any] | None:
    """What decides whether an instance in the subnet reaches ECS: its zone, whether it maps
    public IPs on launch, the targets of its route table's default route, and the service
    names of its VPC's endpoints. None when EC2 holds no such subnet."""
    if not ec2_loaded() or not subnet_id.startswith("subnet-"):
        return None
    backend = ec2_backend(region)
    subnet = next((z[subnet_id] for z in backend.subnets.values() if subnet_id in z), None)
    if subnet is None:
        return None
    tables = [t for t in backend.route_tables.values() if t.vpc_id == subnet.vpc_id]
    table = next((t for t in tables if subnet_id in t._associations.values()), None)
    if table is None:
        table = next((t for t in tables if t.main_association_id is not None), None)
    targets = []
    for route in table.routes if table is not None else ():
        if route.destination_cidr_block == "0.0.0.0/0":
            gateway = route.nat_gateway or route.gateway or route.transit_gateway
            targets.append(str(getattr(gateway, "id", "") or ""))
    endpoints = [e.service_name for e in backend.vpc_end_points.values()
                 if e.vpc_id == subnet.vpc_id]  # fmt: skip
    return {
        "zone": str(subnet.availability_zone),
        "mapPublicIpOnLaunch": bool(subnet.map_public_ip_on_launch),
        "defaultRouteTargets": targets,
        "vpcEndpoints": endpoints,
    }


#: Region -> reservation id -> the reservations sandboxes wrote (see :func:`show_only`).
_written: dict[str, dict[str, Any]] = {}


def put_instance(
    region: str, instance_id: str, instance_type: str, subnet_id: str, zone: str,
    tags: dict[str, str], launched_at: float,
) -> str:  # fmt: skip
    """A running EC2 instance with this id, as the sandbox launched it (DescribeInstances shows
    it; ``launched_at`` is simulated epoch seconds). Returns its reservation's id."""
    import datetime as dt

    backend = ec2_backend(region)
    where: dict[str, Any] = {"subnet_id": subnet_id} if subnet_network(region, subnet_id) else {}
    if zone and not where:
        where["placement"] = zone
    reservation = backend.run_instances(
        "ami-0ecs0optimized0", 1, None, [], instance_type=instance_type,
        is_instance_type_default=False, region_name=region, **where,
    )  # fmt: skip
    instance = reservation.instances[0]
    instance.id = instance_id  # the sandbox's id: ECS's ec2InstanceId names it too
    instance.launch_time = dt.datetime.fromtimestamp(launched_at, tz=dt.timezone.utc)
    backend.create_tags([instance_id], tags)
    _written.setdefault(region, {})[reservation.id] = reservation
    return str(reservation.id)


def show_only(region: str, reservation_ids: set[str]) -> None:
    """Of the instances sandboxes wrote into moto's EC2, leave only these in it: sandboxes in
    one process share moto's backends, and one sandbox's instances (a demo's ``demo-*``
    compute environments, say) must not show in another's account."""
    written = _written.get(region)
    if not written:
        return
    backend = ec2_backend(region)
    for reservation_id, reservation in written.items():
        if reservation_id in reservation_ids:
            backend.reservations.setdefault(reservation_id, reservation)
        else:
            backend.reservations.pop(reservation_id, None)


def terminate_instance(region: str, instance_id: str) -> None:
    backend = ec2_backend(region)
    try:
        backend.terminate_instances([instance_id])
    except Exception:  # moto's InvalidInstanceID: terminated through EC2 already
        return


# -- S3 -> Lambda ----------------------------------------------------------------------------
#: Per request thread: where S3's notifications to a Lambda function go while the sandbox's
#: front hands that request to moto (:func:`s3_lambda_delivery`).
_delivery = threading.local()


def _deliver_s3_event_to_lambda(
    account_id: str, event_body: Any, fn_arn: str, region_name: str
) -> None:
    """moto.s3.notifications._invoke_awslambda's stand-in (same arguments): the event goes to
    the target of the sandbox whose server received the request that stored the object, never
    to moto's Lambda (which would run the function's uploaded code in Docker)."""
    del account_id, region_name  # the function's ARN names both
    target = getattr(_delivery, "target", None)
    if target is not None:
        target(str(fn_arn), dict(event_body))


def route_s3_lambda_notifications() -> None:
    """Send every S3 notification bound for a Lambda function (a bucket's
    LambdaFunctionConfiguration that matches a new object) to :func:`s3_lambda_delivery`'s
    target. moto builds the event (S3's notification structure) and matches the
    configuration's events and prefix/suffix filters; it calls this in the request's thread,
    after the object is stored. Objects written straight into the backend (the seed) notify
    no one."""
    from moto.s3 import notifications

    notifications._invoke_awslambda = _deliver_s3_event_to_lambda


@contextlib.contextmanager
def s3_lambda_delivery(target: Callable[[str, dict[str, Any]], None] | None) -> Iterator[None]:
    """While moto answers one request (in this thread), S3 -> Lambda notifications go to
    ``target(function_arn, event)``: moto's S3 is one per process, shared by every sandbox in
    it, and each delivers to the sandbox that was asked."""
    before = getattr(_delivery, "target", None)
    _delivery.target = target
    try:
        yield
    finally:
        _delivery.target = before


def lambda_function(arn: str) -> tuple[str, str, str, dict[str, str]] | None:
    """(region, name, handler, environment variables) of the function ``arn`` names in the
    sandbox's Lambda, or None when there is none."""
    from moto.awslambda.exceptions import UnknownFunctionException
    from moto.awslambda.models import lambda_backends

    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "lambda":
        return None
    region = parts[3]
    try:
        fn = lambda_backends[ACCOUNT_ID][region].get_function(arn)
    except UnknownFunctionException:
        return None
    if fn is None:
        return None
    env = {str(k): str(v) for k, v in (fn.environment_vars or {}).items()}
    return region, str(fn.function_name), str(fn.handler or ""), env


def ensure_lambda_function(
    region: str, name: str, role_arn: str, handler: str, environment: dict[str, str]
) -> str:
    """A Python Lambda function in the sandbox's Lambda (its code an empty zip: the sandbox
    never runs a function's code); its ARN."""
    import base64
    import io
    import zipfile

    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[ACCOUNT_ID][region]
    for fn in backend.list_functions():
        if fn.function_name == name:
            return str(fn.function_arn)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "The sandbox runs batchtui_worker.s3_event for this.\n")
    fn = backend.create_function(
        {
            "FunctionName": name,
            "Runtime": "python3.12",
            "Role": role_arn,
            "Handler": handler,
            "Code": {"ZipFile": base64.b64encode(buffer.getvalue()).decode()},
            "Environment": {"Variables": dict(environment)},
            "Timeout": 60,
            "MemorySize": 256,
        }
    )
    return str(fn.function_arn)


def put_bucket_lambda_notification(
    bucket: str, config_id: str, function_arn: str, prefix: str, events: list[str]
) -> None:
    """The bucket's notification configuration: one LambdaFunctionConfiguration on ``prefix``
    (what PutBucketNotificationConfiguration stores)."""
    rules = {"S3Key": {"FilterRule": [{"Name": "prefix", "Value": prefix}]}}
    s3_backend().put_bucket_notification_configuration(
        bucket,
        {"CloudFunctionConfiguration": [
            {"Id": config_id, "CloudFunction": function_arn, "Event": events, "Filter": rules}
        ]},
    )  # fmt: skip
