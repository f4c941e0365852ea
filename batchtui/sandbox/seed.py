"""The demo account: network, roles, a bucket of photos, Batch CEs and queues, history, and life.

Non-Batch resources (a network, roles, a bucket, a table) are written straight into moto's
backends through :mod:`moto_glue` (going through boto3 and HTTP cost seconds of every start).
Batch resources go straight through the Batch API's methods (same validation, no HTTP), and
historical jobs straight into the store (:mod:`history`), which is what makes 100,000 of them
take seconds. Active jobs are submitted half an hour of simulated time before "now" and the
scheduler runs forward, so the account starts mid-flight: instances up, jobs running, logs
written, and queues stuck for the reasons AWS reports: demo-batch-low's head asks for more vCPUs
than its CE's maxvCpus and holds back the nightly jobs queued behind it; demo-genomics' head asks
for more memory than any instance type; demo-render's head finds the spot vCPU quota used up;
demo-gpu's only CE is disabled and demo-legacy's is INVALID. demo-thumbnails runs small tasks on
Fargate Spot, then Fargate.
"""

from __future__ import annotations

import json
from typing import Any

from batchtui.sandbox import history, moto_glue
from batchtui.sandbox.batch_api import BatchApi
from batchtui.sandbox.clock import ManualClock
from batchtui.sandbox.history import SeedTarget
from batchtui.sandbox.images import sample_images
from batchtui.sandbox.scheduler import Scheduler

WARMUP_SECONDS = 1800.0
HISTORY_JOBS = 3000
BUCKET = "batchtui-demo-images"
LABELS_TABLE = "batchtui-demo-labels"
#: The image tagger's retry rules, keyed on its exit codes (worker_image/README.md): the same
#: rules as the image-tagging profile's job definition.
TAGGER_RETRY_STRATEGY: dict[str, Any] = {
    "attempts": 3,
    "evaluateOnExit": [
        {"onStatusReason": "Host EC2*", "action": "RETRY"},  # spot instance reclaimed
        {"onExitCode": "143", "action": "RETRY"},  # stopped by SIGTERM after its current image
        {"onExitCode": "1", "action": "RETRY"},  # throttling or service errors
        {"onExitCode": "2", "action": "EXIT"},  # misconfigured: a retry cannot help
        {"onReason": "*", "action": "EXIT"},
    ],
}
#: Where an upload starts a tagging job: the bucket's notification invokes the S3-event function
#: (the sandbox's stand-in for S3 -> Lambda, :mod:`.s3_lambda`) for new objects under it.
INCOMING_PREFIX = "incoming/"
S3_EVENT_FUNCTION = "batchtui-demo-s3-event"
BROKEN_PROFILE = "arn:aws:iam::123456789012:instance-profile/batch-instance-profile-deleted"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "Service": [
                        "ec2.amazonaws.com",
                        "batch.amazonaws.com",
                        "ecs-tasks.amazonaws.com",
                    ]
                },
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


#: The demo network's ids, fixed so that a profile can name them (profiles/sandbox.toml does):
#: subnet name -> id, and the security group's id. The CEs launch in the private subnets.
SUBNET_IDS = {
    "batchtui-demo-public-a": "subnet-0de300000000000a1",
    "batchtui-demo-private-a": "subnet-0de300000000000a2",
    "batchtui-demo-public-b": "subnet-0de300000000000b1",
    "batchtui-demo-private-b": "subnet-0de300000000000b2",
}
SECURITY_GROUP_ID = "sg-0de3000000000000b"


def network(sb: SeedTarget) -> tuple[list[str], list[str], str]:
    """A VPC with public and private subnets, an internet gateway and a NAT gateway.

    moto keeps EC2 for the whole process: a demo seeded again in the region (another sandbox of
    the same process) finds the network by its fixed ids and uses it, as it does the roles."""
    region = sb.region
    if moto_glue.subnet_network(region, SUBNET_IDS["batchtui-demo-private-a"]) is not None:
        return (
            [SUBNET_IDS[f"batchtui-demo-public-{az}"] for az in ("a", "b")],
            [SUBNET_IDS[f"batchtui-demo-private-{az}"] for az in ("a", "b")],
            SECURITY_GROUP_ID,
        )
    vpc = moto_glue.create_vpc(region, "10.42.0.0/16", "batchtui-demo")
    public: list[str] = []
    private: list[str] = []
    for i, az in enumerate(("a", "b")):
        for kind, bucket in (("public", public), ("private", private)):
            cidr = f"10.42.{i * 16 + (0 if kind == 'public' else 8)}.0/21"
            name = f"batchtui-demo-{kind}-{az}"
            bucket.append(
                moto_glue.create_subnet(region, vpc, cidr, f"{region}{az}", name, SUBNET_IDS[name])
            )
    igw = moto_glue.create_internet_gateway(region, vpc)
    moto_glue.create_route_table(region, vpc, public, gateway_id=igw)
    nat = moto_glue.create_nat_gateway(region, public[0])
    moto_glue.create_route_table(region, vpc, private, nat_gateway_id=nat)
    sg = moto_glue.create_security_group(
        region, vpc, "batchtui-demo-batch", "Batch", SECURITY_GROUP_ID
    )
    return public, private, sg


LAMBDA_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


AWS_POLICY = "arn:aws:iam::aws:policy/"
#: The demo's roles and the AWS managed policies AWS's setup guides attach to them.
ROLES = {
    "ecsInstanceRole": ("service-role/AmazonEC2ContainerServiceforEC2Role",),
    "AWSBatchServiceRole": ("service-role/AWSBatchServiceRole",),
    "ecsTaskExecutionRole": ("service-role/AmazonECSTaskExecutionRolePolicy",),
    "batchtui-demo-tagger-job-role": (),
}


def roles(sb: SeedTarget) -> dict[str, str]:
    arns = {name: moto_glue.ensure_role(name, TRUST) for name in ROLES}
    for name, policies in ROLES.items():
        for policy in policies:
            moto_glue.attach_role_policy(name, AWS_POLICY + policy)
    arns["instance-profile"] = moto_glue.ensure_instance_profile(
        "ecsInstanceRole", "ecsInstanceRole"
    )
    return arns


def data_stores(sb: SeedTarget) -> None:
    moto_glue.ensure_bucket(BUCKET, sb.region)
    for key, body in sample_images(50, seed=sb.config.random_seed):
        moto_glue.put_object(BUCKET, key, body, "image/png")
    moto_glue.ensure_table(sb.region, LABELS_TABLE, "image_key")


def upload_trigger(sb: SeedTarget) -> None:
    """New images under incoming/ start a tagging job on demo-main: S3 invokes the S3-event
    function, which writes a manifest and submits demo-image-tagger for it."""
    if moto_glue.bucket_region(BUCKET) != sb.region:
        # A bucket's notifications go to a function of its own region: a second demo of this
        # process in another region shares the first one's bucket, and its trigger.
        return
    role = moto_glue.ensure_role("batchtui-demo-s3-event-role", LAMBDA_TRUST)
    arn = moto_glue.ensure_lambda_function(
        sb.region,
        S3_EVENT_FUNCTION,
        role,
        "batchtui_worker.s3_event.handler",
        {"JOB_QUEUE": "demo-main", "JOB_DEFINITION": "demo-image-tagger",
         "LABELS_TABLE": LABELS_TABLE, "IMAGES_PER_JOB": "10"},
    )  # fmt: skip
    moto_glue.put_bucket_lambda_notification(
        BUCKET, "tag-new-images", arn, INCOMING_PREFIX, ["s3:ObjectCreated:*"]
    )


def _ce(api: BatchApi, name: str, kind: str, types: list[str], max_v: int, subnets: list[str],
        sg: str, role: str, service_role: str, *, min_v: int = 0, state: str = "ENABLED",
        strategy: str = "BEST_FIT_PROGRESSIVE", tags: dict[str, str] | None = None) -> None:  # fmt: skip
    api.compute_environments.create_compute_environment(
        {
            "computeEnvironmentName": name,
            "type": "MANAGED",
            "state": state,
            "serviceRole": service_role,
            "computeResources": {
                "type": kind,
                "allocationStrategy": strategy,
                "minvCpus": min_v,
                "maxvCpus": max_v,
                "instanceTypes": types,
                "subnets": subnets,
                "securityGroupIds": [sg],
                "instanceRole": role,
                "tags": {"project": "batchtui-demo"},
            },
            "tags": {"project": "batchtui-demo", **(tags or {})},
        }
    )


def _fargate_ce(api: BatchApi, name: str, kind: str, max_v: int, subnets: list[str], sg: str,
                service_role: str) -> None:  # fmt: skip
    api.compute_environments.create_compute_environment(
        {
            "computeEnvironmentName": name,
            "type": "MANAGED",
            "serviceRole": service_role,
            "computeResources": {
                "type": kind,
                "maxvCpus": max_v,
                "subnets": subnets,
                "securityGroupIds": [sg],
            },
            "tags": {"project": "batchtui-demo"},
        }
    )


def _queue(api: BatchApi, name: str, priority: int, ces: list[str], **extra: Any) -> None:
    api.create_job_queue(
        {
            "jobQueueName": name,
            "priority": priority,
            "computeEnvironmentOrder": [
                {"order": i + 1, "computeEnvironment": ce} for i, ce in enumerate(ces)
            ],
            **extra,
        }
    )


def _job_def(api: BatchApi, name: str, vcpus: str, memory: str, command: list[str],
             **extra: Any) -> None:  # fmt: skip
    props = {
        "image": extra.pop("image", "public.ecr.aws/docker/library/python:3.12-slim"),
        "command": command,
        "resourceRequirements": [
            {"type": "VCPU", "value": vcpus},
            {"type": "MEMORY", "value": memory},
            *extra.pop("more_resources", []),
        ],
        **extra.pop("container", {}),
    }
    api.register_job_definition(
        {"jobDefinitionName": name, "type": "container", "containerProperties": props, **extra}
    )


def batch(sb: SeedTarget, api: BatchApi, subnets: list[str], sg: str, arns: dict[str, str]) -> None:
    svc = arns["AWSBatchServiceRole"]
    profile = arns["instance-profile"]
    # What profiles/sandbox.toml names, as `batchtui apply --profile sandbox` would have made
    # it: tagged as that profile's, so apply manages it without adopting it first.
    ours = {"batchtui:profile": "sandbox"}
    _ce(api, "demo-spot", "SPOT", ["c5", "m5"], 256, subnets, sg, profile, svc,
        strategy="SPOT_CAPACITY_OPTIMIZED", tags=ours)  # fmt: skip
    _ce(api, "demo-ondemand", "EC2", ["m5", "r5"], 64, subnets, sg, profile, svc, min_v=2,
        tags=ours)  # fmt: skip
    _ce(api, "demo-spot-render", "SPOT", ["c5"], 256, subnets, sg, profile, svc,
        strategy="SPOT_CAPACITY_OPTIMIZED")  # fmt: skip
    _ce(api, "demo-gpu", "EC2", ["g4dn"], 32, subnets, sg, profile, svc, state="DISABLED")
    _ce(api, "demo-legacy", "EC2", ["m4"], 16, subnets, sg, BROKEN_PROFILE, svc)
    _fargate_ce(api, "demo-fargate-spot", "FARGATE_SPOT", 32, subnets, sg, svc)
    _fargate_ce(api, "demo-fargate", "FARGATE", 16, subnets, sg, svc)
    _queue(api, "demo-main", 10, ["demo-spot", "demo-ondemand"], tags=ours)
    _queue(api, "demo-batch-low", 1, ["demo-ondemand"])
    capacity_wait = {
        "reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
        "state": "RUNNABLE",
        "maxTimeSeconds": 86400,
        "action": "CANCEL",
    }
    _queue(api, "demo-render", 5, ["demo-spot-render"], jobStateTimeLimitActions=[capacity_wait])
    _queue(api, "demo-gpu", 5, ["demo-gpu"])
    _queue(api, "demo-legacy", 1, ["demo-legacy"])
    _queue(api, "demo-genomics", 1, ["demo-ondemand"])
    _queue(api, "demo-thumbnails", 8, ["demo-fargate-spot", "demo-fargate"])

    logs = {"logDriver": "awslogs", "options": {"awslogs-group": "/batchtui/demo/tagger",
                                                "awslogs-stream-prefix": "tagger"}}  # fmt: skip
    _job_def(api, "demo-etl", "1", "2048", ["python", "etl.py", "--date", "Ref::date"],
             parameters={"date": "today"})  # fmt: skip
    _job_def(api, "demo-stream", "8", "12288", ["sh", "-c", "consume-stream && sleep 172800"])
    _job_def(api, "demo-render", "4", "8192", ["render", "--scene", "Ref::scene"],
             parameters={"scene": "default"}, timeout={"attemptDurationSeconds": 7200})  # fmt: skip
    _job_def(api, "demo-image-tagger", "1", "2048", ["python", "-m", "batchtui_worker.tagger"],
             container={"jobRoleArn": arns["batchtui-demo-tagger-job-role"],
                        "logConfiguration": logs,
                        # A plain submission tags the photos; one from the S3-event function
                        # names a manifest instead (MANIFEST_KEY wins over IMAGE_PREFIX).
                        "environment": [{"name": "IMAGE_BUCKET", "value": BUCKET},
                                        {"name": "LABELS_TABLE", "value": LABELS_TABLE},
                                        {"name": "IMAGE_PREFIX", "value": "photos/"}]},
             retryStrategy=TAGGER_RETRY_STRATEGY)  # fmt: skip
    _job_def(api, "demo-train", "4", "16384", ["python", "train.py"],
             more_resources=[{"type": "GPU", "value": "1"}])  # fmt: skip
    _job_def(api, "demo-bigmem", "16", "900000", ["python", "assemble_genome.py"])
    _job_def(api, "demo-flaky", "1", "1024", ["sh", "-c", "transform && exit 1"],
             retryStrategy={"attempts": 2})  # fmt: skip
    _job_def(api, "demo-thumbnail", "0.25", "512", ["python", "thumbnail.py", "Ref::key"],
             parameters={"key": "photos/0001.png"}, platformCapabilities=["FARGATE"],
             container={"executionRoleArn": arns["ecsTaskExecutionRole"],
                        "networkConfiguration": {"assignPublicIp": "DISABLED"}},
             retryStrategy={"attempts": 3, "evaluateOnExit": [
                 {"onStatusReason": "Your Spot Task was interrupted*", "action": "RETRY"},
                 {"onReason": "*", "action": "EXIT"}]})  # fmt: skip


def submit(api: BatchApi, name: str, queue: str, job_def: str, **extra: Any) -> str:
    body = {"jobName": name, "jobQueue": queue, "jobDefinition": job_def, **extra}
    return str(api.jobs.submit_job(body)["jobId"])


def _sleep(seconds: int) -> dict[str, Any]:
    return {"containerOverrides": {"command": ["sh", "-c", f"work && sleep {seconds}"]}}


def active_jobs(sb: SeedTarget, api: BatchApi) -> None:
    """What is in flight when the demo opens, including jobs stuck for real reasons."""
    for i in range(12):
        submit(api, f"stream-processor-{i:02d}", "demo-main", "demo-stream")
    sb.scheduler.advance(60)
    # Stuck: the spot vCPU quota is taken by the stream processors (CAPACITY).
    submit(api, "render-4k-scene", "demo-render", "demo-render",
           containerOverrides={"resourceRequirements": [{"type": "VCPU", "value": "96"},
                                                        {"type": "MEMORY", "value": "65536"}]})  # fmt: skip
    # The 3 a.m. queue: its head fits an m5.24xlarge, whose 96 vCPUs exceed the CE's maxvCpus
    # of 64 (MISCONFIGURATION), so the nightly jobs behind it wait without a reason of their own,
    # and so does every job the trickle adds, until someone raises maxvCpus or cancels it.
    submit(api, "simulate-72-cores", "demo-batch-low", "demo-etl",
           containerOverrides={"resourceRequirements": [{"type": "VCPU", "value": "72"},
                                                        {"type": "MEMORY", "value": "65536"}]})  # fmt: skip
    for part in ("emea", "amer", "apac"):
        submit(api, f"nightly-rollup-{part}", "demo-batch-low", "demo-etl", **_sleep(300))
    # Stuck: more memory than any instance type of the queue's CEs (no maxvCpus fixes it).
    submit(api, "assemble-genome", "demo-genomics", "demo-bigmem")
    submit(api, "train-model", "demo-gpu", "demo-train")  # its only CE is DISABLED
    submit(api, "legacy-report", "demo-legacy", "demo-etl")  # its only CE is INVALID
    tagger = submit(api, "tag-images", "demo-main", "demo-image-tagger",
                    arrayProperties={"size": 50}, **_sleep(420))  # fmt: skip
    submit(api, "tag-images-report", "demo-main", "demo-etl", dependsOn=[{"jobId": tagger}])
    submit(api, "thumbnail-chain", "demo-main", "demo-etl", arrayProperties={"size": 5},
           dependsOn=[{"type": "SEQUENTIAL"}], **_sleep(240))  # fmt: skip
    for day in range(6):
        submit(api, f"nightly-etl-{day}", "demo-main", "demo-etl", parameters={"date": f"d{day}"},
               **_sleep(300 + 200 * day))  # fmt: skip
    submit(api, "flaky-transform", "demo-main", "demo-flaky", **_sleep(120))
    submit(api, "thumbnails-backfill", "demo-thumbnails", "demo-thumbnail",
           arrayProperties={"size": 24}, **_sleep(2400))  # fmt: skip


def _tag_the_photos(api: BatchApi) -> None:
    submit(api, "tag-new-photos", "demo-main", "demo-image-tagger")


def trickle(scheduler: Scheduler, api: BatchApi) -> None:
    """A few new jobs every simulated minute or so, so the demo account looks alive."""
    rng = scheduler.rng
    n = rng.randint(1, 3)
    for _ in range(n):
        roll = rng.random()
        if roll < 0.15:  # small tasks on Fargate Spot
            key = f"photos/{rng.randrange(1, 51):04d}.png"
            submit(api, f"thumbnail-{rng.randrange(10_000):04d}", "demo-thumbnails",
                   "demo-thumbnail", parameters={"key": key}, **_sleep(rng.randint(60, 600)))  # fmt: skip
            continue
        queue = "demo-main" if roll < 0.65 else "demo-batch-low"
        seconds = rng.randint(120, 900)
        command = f"work && sleep {seconds}" + (" && exit 1" if rng.random() < 0.08 else "")
        extra: dict[str, Any] = {"containerOverrides": {"command": ["sh", "-c", command]}}
        if rng.random() < 0.04:
            extra["arrayProperties"] = {"size": rng.randint(5, 25)}
        kind = rng.choice(("ingest", "transform", "report", "resize", "score"))
        submit(api, f"{kind}-{rng.randrange(10_000):04d}", queue, "demo-etl", **extra)
    if not scheduler.lifecycle.runnable.get("demo-render"):
        submit(api, "render-4k-scene", "demo-render", "demo-render",
               containerOverrides={"resourceRequirements": [
                   {"type": "VCPU", "value": "96"}, {"type": "MEMORY", "value": "65536"}]})  # fmt: skip
    scheduler.call_at(scheduler.now + rng.uniform(30, 90), lambda s: trickle(s, api))


def seed_demo(sb: SeedTarget) -> None:
    scheduler = sb.scheduler
    start = scheduler.now
    scheduler.clock = ManualClock(start - WARMUP_SECONDS)
    scheduler.now = start - WARMUP_SECONDS
    api = BatchApi(sb.store, scheduler, sb.catalog)
    _public, private, sg = network(sb)
    arns = roles(sb)
    data_stores(sb)
    upload_trigger(sb)
    with scheduler.lock:
        batch(sb, api, private, sg, arns)
        scheduler.advance(10)
        history.seed_history(sb, HISTORY_JOBS + sb.config.jobs, end=scheduler.now)
        active_jobs(sb, api)
        if sb.config.demo_trickle:
            scheduler.call_at(scheduler.now + 30, lambda s: trickle(s, api))
        if sb.config.tags_photos:
            # A minute in, the image tagger runs for real over the photos: the labels table
            # fills and its logs are the worker's own. (Tests step a manual clock: no process,
            # unless one asks for it.)
            scheduler.call_at(start + 60, lambda s: _tag_the_photos(api))
        scheduler.run_until(start)
