"""`batchtui diagnose` end to end: each cause set up with boto3 in the sandbox, a job submitted,
and the command names that cause first, with its evidence, and exits 3 (0 when a job only
waits). The JSON is checked against its schema."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from diagnose_seen import Run, evidence, first, submit

from batchtui.capacity import schedulable_memory_mib
from batchtui.cli import main
from batchtui.model import SPOT_STANDARD_QUOTA


def test_queue_disabled(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    q = batch_queue()["queue"]
    job = submit(batch, q, job_definition())
    batch.update_job_queue(jobQueue=q, state="DISABLED")
    sandbox.advance(10)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "JOB_QUEUE_DISABLED" and f["action"] == "enable"
    assert "batch:DescribeJobQueues jobQueues[].state" in evidence(f)


def test_every_ce_disabled(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    names = batch_queue(ces=[{"state": "DISABLED"}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(30)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "COMPUTE_ENVIRONMENTS_DISABLED" and f["target"] == names["ce0"]
    assert f"{names['ce0']}: DISABLED" in evidence(f)


def test_ce_invalid(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    gone = "arn:aws:iam::123456789012:instance-profile/deleted-profile"
    names = batch_queue(ces=[{"instanceRole": gone}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(30)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "ACTION_REQUIRED" and "INVALID" in f["title"]
    assert "instance profile" in f["fix"]


def test_max_vcpus_below_the_jobs_vcpus(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])
    job = submit(batch, names["queue"], job_definition(vcpus="48", memory="8192"))
    sandbox.advance(60)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    assert f["action"] == "scale" and f["target"] == names["ce0"] and "at least 48" in f["fix"]
    assert f"{names['ce0']}: 16" in evidence(f)


def test_memory_beyond_every_instance_type_names_the_biggest_and_the_shortfall(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    m5 = [it for it in sandbox.catalog.values() if it.family == "m5"]
    biggest = max(m5, key=lambda it: (schedulable_memory_mib(it), it.name))
    names = batch_queue(ces=[{"maxvCpus": 512, "instanceTypes": ["m5"]}])
    need = schedulable_memory_mib(biggest) + 1
    job = submit(batch, names["queue"], job_definition(vcpus="2", memory=str(need)))
    sandbox.advance(60)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    assert f"1 MiB more than {biggest.name} leaves jobs" in f["title"]


def test_vcpus_beyond_every_instance_type(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 512, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition(vcpus="4", memory="1024"))
    sandbox.advance(60)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    assert "4 vCPUs, 2 more than m5.large has (2)" in f["title"]


def _gpu_definition(job_definition: Any, gpus: str) -> str:
    reqs = [
        {"type": "VCPU", "value": "1"},
        {"type": "MEMORY", "value": "1024"},
        {"type": "GPU", "value": gpus},
    ]
    return str(job_definition(container={"resourceRequirements": reqs}))


def test_gpu_job_on_a_ce_without_gpus(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    names = batch_queue(ces=[{"instanceTypes": ["m5"]}])
    job = submit(batch, names["queue"], _gpu_definition(job_definition, "1"))
    sandbox.advance(60)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "GPU_JOB_WITHOUT_GPU_INSTANCES"


def test_more_gpus_than_any_gpu_type(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    g4dn = [it for it in sandbox.catalog.values() if it.family == "g4dn"]
    most = max(it.gpus for it in g4dn)
    names = batch_queue(ces=[{"maxvCpus": 512, "instanceTypes": ["g4dn"]}])
    job = submit(batch, names["queue"], _gpu_definition(job_definition, str(most + 1)))
    sandbox.advance(60)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    assert f"{most + 1} GPUs, 1 more than" in f["title"]


@pytest.fixture
def spot_quota_used_up(sandbox: Any) -> Iterator[float]:
    saved = sandbox.quotas[SPOT_STANDARD_QUOTA]
    sandbox.quotas[SPOT_STANDARD_QUOTA] = float(sandbox.scheduler.fleet.pool_used[True])
    try:
        yield sandbox.quotas[SPOT_STANDARD_QUOTA]
    finally:
        sandbox.quotas[SPOT_STANDARD_QUOTA] = saved


def test_spot_vcpu_quota_used_up(
    sandbox: Any,
    batch: Any,
    batch_queue: Any,
    job_definition: Any,
    diagnose: Run,
    spot_quota_used_up: float,
) -> None:
    names = batch_queue(ces=[{"type": "SPOT"}])
    job = submit(batch, names["queue"], job_definition(vcpus="2", memory="2048"))
    sandbox.advance(30)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "VCPU_QUOTA_EXHAUSTED"
    assert f"SPOT vCPUs: {spot_quota_used_up:g}" in evidence(f)


def test_multi_node_job_on_spot(
    sandbox: Any, batch: Any, batch_queue: Any, unique_name: Any, diagnose: Run
) -> None:
    names = batch_queue(ces=[{"state": "DISABLED"}, {"type": "SPOT", "maxvCpus": 64}])
    container = {"image": "busybox", "command": ["sh", "-c", "sleep 60"],
                 "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "1024"}]}  # fmt: skip
    jd = unique_name("mnp")
    batch.register_job_definition(jobDefinitionName=jd, type="multinode", nodeProperties={
        "numNodes": 2, "mainNode": 0, "nodeRangeProperties": [{"targetNodes": "0:", "container": container}]})  # fmt: skip
    job = submit(batch, names["queue"], jd, "mpi-solver")
    # The on-demand CE the job was submitted beside leaves the queue: only spot is left.
    order = [{"order": 1, "computeEnvironment": names["ce1"]}]
    batch.update_job_queue(jobQueue=names["queue"], computeEnvironmentOrder=order)
    sandbox.advance(60)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "MULTI_NODE_ON_SPOT"
    assert "nodeProperties.numNodes" in evidence(f) and names["ce1"] in f["title"]


def test_dependency_unfinished_and_blocked(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    q = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])["queue"]
    blocked = submit(batch, q, job_definition(vcpus="48", memory="8192"), "first-step")
    after = submit(batch, q, job_definition(), "second-step", dependsOn=[{"jobId": blocked}])
    sandbox.advance(60)
    rc, doc = diagnose(after)
    f = first(doc)
    assert rc == 3 and f["code"] == "DEPENDENCY_BLOCKED" and "first-step" in f["title"]
    assert "RUNNABLE" in f["title"] and "maxvCpus" in f["title"]


def test_dependency_running_is_waiting(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    q = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])["queue"]
    running = submit(batch, q, job_definition(["sh", "-c", "sleep 3600"]), "long-step")
    after = submit(batch, q, job_definition(), "next-step", dependsOn=[{"jobId": running}])
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    rc, doc = diagnose(after)
    assert rc == 0 and first(doc)["code"] == "DEPENDENCY_UNFINISHED"
    assert (
        "long-step" in doc["waiting"][0]["waitsFor"] and "RUNNING" in doc["waiting"][0]["waitsFor"]
    )


def test_head_of_queue_blocking_names_the_head_and_what_cancelling_releases(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    q = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])["queue"]
    head = submit(batch, q, job_definition(vcpus="48", memory="8192"), "too-wide")
    small = job_definition(["sh", "-c", "sleep 60"])
    behind = [submit(batch, q, small, f"small-{i}") for i in range(3)]
    sandbox.advance(60)
    rc, doc = diagnose("--queue", q)
    # The head's own cause first: it is what to fix; the jobs it holds back right after it.
    cause, f = doc["findings"][:2]
    assert rc == 3 and cause["code"] == "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    assert cause["jobIds"] == [head] and cause["action"] == "scale"
    assert f["code"] == "HEAD_OF_QUEUE_BLOCKED"
    assert sorted(f["jobIds"]) == sorted(behind) and f["action"] == "cancel" and f["target"] == head
    assert "releases the 3 jobs queued behind it" in f["fix"] and "too-wide" in f["title"]
    assert f"blocked by {cause['code']}: {cause['title']}" in f["title"]
    rc, one = diagnose(behind[1])
    assert rc == 3 and first(one)["code"] == "HEAD_OF_QUEUE_BLOCKED"


def test_time_limit_about_to_cancel(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    reason = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    q = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}], jobStateTimeLimitActions=[
        {"reason": reason, "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"}])["queue"]  # fmt: skip
    job = submit(batch, q, job_definition(vcpus="48", memory="8192"))
    sandbox.advance(60)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "JOB_STATE_TIME_LIMIT" and f["severity"] == "blocking"
    assert "cancels the job at about" in f["title"] and "(in 9m" in f["title"]
    assert doc["findings"][1]["code"] == reason


def test_a_healthy_job_queued_behind_running_work_is_waiting_with_its_position(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    # maxvCpus 4 holds two m5.large: two jobs run, the next two wait their turn.
    q = batch_queue(ces=[{"maxvCpus": 4, "instanceTypes": ["m5.large"]}])["queue"]
    jd = job_definition(["sh", "-c", "sleep 600"], vcpus="2", memory="2048")
    ids = [submit(batch, q, jd, f"batch-{i}") for i in range(4)]
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    rc, doc = diagnose(ids[3])
    assert rc == 0 and not doc["blocking"]
    assert [f["severity"] for f in doc["findings"] if f["severity"] == "blocking"] == []
    assert doc["waiting"][0]["jobId"] == ids[3] and doc["waiting"][0]["position"] == 2
    rc, whole = diagnose("--queue", q)
    assert rc == 0 and {w["jobId"]: w["position"] for w in whole["waiting"]} == {
        ids[2]: 1,
        ids[3]: 2,
    }


def test_no_route_from_the_subnets_to_ecs(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any, diagnose: Run
) -> None:
    ec2 = aws_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    isolated = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.77.1.0/24", AvailabilityZone="us-east-1a"
    )["Subnet"]["SubnetId"]
    names = batch_queue(ces=[{"subnets": [isolated]}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(5)  # RUNNABLE, its instance launching
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "NO_ROUTE_TO_ECS" and names["ce0"] in f["title"]
    assert (
        f"ec2:DescribeRouteTables RouteTables[].Routes[0.0.0.0/0].GatewayId {isolated}"
        in evidence(f)
    )


def test_instance_types_not_offered_in_the_subnets_zone(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any, diagnose: Run
) -> None:
    # us-east-1e offers no m5 (as on AWS): a CE of m5 with a subnet only there launches nothing.
    ec2 = aws_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.78.1.0/24", AvailabilityZone="us-east-1e")
    names = batch_queue(ces=[{"subnets": [subnet["Subnet"]["SubnetId"]], "instanceTypes": ["m5"]}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(5)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "INSTANCE_TYPE_NOT_OFFERED"
    assert "not in us-east-1e" in evidence(f) and "ec2:DescribeInstanceTypeOfferings" in evidence(f)


def test_instance_profile_deleted_after_the_ce_was_made(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    unique_name: Any, diagnose: Run,
) -> None:  # fmt: skip
    iam = aws_client("iam")
    name = unique_name("short-lived-profile")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Statement": []}))
    arn = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    names = batch_queue(ces=[{"instanceRole": arn}])
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=name)
    iam.delete_instance_profile(InstanceProfileName=name)
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(5)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "INSTANCE_ROLE_MISSING" and name in f["title"]
    assert "iam:GetInstanceProfile InstanceProfile" in evidence(f)


def test_service_role_that_does_not_exist(
    sandbox: Any, batch: Any, job_definition: Any, instance_profile: str, unique_name: Any,
    diagnose: Run,
) -> None:  # fmt: skip
    role = f"arn:aws:iam::123456789012:role/{unique_name('gone-batch-role')}"
    ce, q = unique_name("ce-service-role"), unique_name("queue-service-role")
    batch.create_compute_environment(computeEnvironmentName=ce, type="MANAGED", serviceRole=role,
        computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 16, "instanceTypes": ["m5"],
                          "subnets": ["subnet-1234"], "instanceRole": instance_profile})  # fmt: skip
    batch.create_job_queue(
        jobQueueName=q, priority=1, computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}]
    )
    job = submit(batch, q, job_definition())
    sandbox.advance(5)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS"
    assert "does not exist" in f["title"] and "iam:GetRole Role" in evidence(f)


def test_spot_bid_below_the_spot_price(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    names = batch_queue(ces=[{"type": "SPOT", "bidPercentage": 1, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(5)
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "SPOT_BID_BELOW_PRICE" and "bidPercentage 1 " in f["title"]
    assert "ec2:DescribeSpotPriceHistory" in evidence(f)


def test_a_denied_read_is_a_finding_not_a_failure(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any,
    monkeypatch: pytest.MonkeyPatch, diagnose_on: Any, unique_name: Any,
) -> None:  # fmt: skip
    # The caller may not read scheduling policies (a proxy answers AccessDenied for it): the
    # weights cannot be read, and the diagnosis says so instead of failing.
    from faultproxy import FaultProxy, Rule

    policy = batch.create_scheduling_policy(
        name=unique_name("fair"), fairsharePolicy={"shareDistribution": [
            {"shareIdentifier": "teama", "weightFactor": 1.0}]})["arn"]  # fmt: skip
    q = batch_queue(ces=[{"maxvCpus": 16}], schedulingPolicyArn=policy)["queue"]
    job = submit(batch, q, job_definition(), shareIdentifier="teama",
                 schedulingPriorityOverride=1)  # fmt: skip
    sandbox.advance(5)
    with FaultProxy(sandbox.url) as proxy:
        proxy.rules = [Rule("deny", ops={"DescribeSchedulingPolicies"})]
        run = diagnose_on(sandbox)
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        rc, doc = run(job)
        assert proxy.faults("deny") >= 1
    cannot = [f for f in doc["findings"] if f["code"] == "CANNOT_TELL"]
    assert rc == 0 and cannot and cannot[0]["severity"] == "warning", doc
    assert cannot[0]["title"].startswith("cannot tell the fair-share weights: ")
    assert cannot[0]["title"].endswith(" on batch:DescribeSchedulingPolicies")


def test_bad_input_and_unknown_jobs(diagnose: Run, capsys: pytest.CaptureFixture[str]) -> None:
    assert diagnose()[0] == 2
    assert diagnose("some-id", "--queue", "q")[0] == 2
    assert diagnose("no-such-job")[0] == 1
    assert diagnose("--queue", "no-such-queue")[0] == 1


def test_table_output_names_the_cause_and_the_fix(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    names = batch_queue(ces=[{"state": "DISABLED"}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(30)
    capsys.readouterr()
    assert main(["diagnose", job]) == 3
    out, err = capsys.readouterr()
    assert "[BLOCKING] COMPUTE_ENVIRONMENTS_DISABLED" in out
    assert f"e on {names['ce0']} in the overview" in out
    assert err.strip() == (
        f"batchtui: job {job}: blocked by COMPUTE_ENVIRONMENTS_DISABLED "
        "(the report on stdout has the evidence and the fix of each)"
    )
    assert main(["diagnose", job, "--output", "json"]) == 3
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("(the JSON document on stdout has the evidence and the fix of each)")
    )


# -- the demo account ------------------------------------------------------------------------
DEMO_CAUSES = {
    "simulate-72-cores": "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
    "nightly-rollup-emea": "HEAD_OF_QUEUE_BLOCKED",
    "assemble-genome": "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
    "render-4k-scene": "VCPU_QUOTA_EXHAUSTED",
    "train-model": "COMPUTE_ENVIRONMENTS_DISABLED",
    "legacy-report": "ACTION_REQUIRED",
}


@pytest.fixture
def demo_diagnose(diagnose_on: Callable[[Any], Run], demo_sandbox: Any) -> Run:
    return diagnose_on(demo_sandbox)


def test_each_stuck_demo_job_is_named_with_its_real_cause(
    demo_diagnose: Run, demo_sandbox: Any, aws_client: Any
) -> None:
    batch = aws_client(demo_sandbox, "batch")
    found: dict[str, str] = {}
    for q in ("demo-batch-low", "demo-genomics", "demo-render", "demo-gpu", "demo-legacy"):
        for page in batch.get_paginator("list_jobs").paginate(jobQueue=q, jobStatus="RUNNABLE"):
            for j in page["jobSummaryList"]:
                found.setdefault(j["jobName"], j["jobId"])
    for name, code in DEMO_CAUSES.items():
        rc, doc = demo_diagnose(found[name])
        assert (name, rc, first(doc)["code"]) == (name, 3, code)


def _instances_by_ce(sb: Any) -> dict[str, tuple[dict[str, float], set[str]]]:
    """Per EC2 compute environment: its running EC2 instances (id -> launch time) and the EC2
    ids of its ACTIVE container instances in ECS."""
    import boto3

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=sb.url, region_name=sb.region,
                            aws_access_key_id=sb.credentials[0],
                            aws_secret_access_key=sb.credentials[1])  # fmt: skip

    ec2, ecs, batch = client("ec2"), client("ecs"), client("batch")
    running: dict[str, dict[str, float]] = {}
    alive = [{"Name": "instance-state-name", "Values": ["running"]}]
    for page in ec2.get_paginator("describe_instances").paginate(Filters=alive):
        for r in page["Reservations"]:
            for i in r["Instances"]:
                tags = {t["Key"]: t["Value"] for t in i.get("Tags", [])}
                ce = tags["aws:autoscaling:groupName"].rsplit("-asg-", 1)[0]
                running.setdefault(ce, {})[i["InstanceId"]] = i["LaunchTime"].timestamp()
    out: dict[str, tuple[dict[str, float], set[str]]] = {}
    for ce in batch.describe_compute_environments()["computeEnvironments"]:
        cluster = ce.get("ecsClusterArn")
        if not cluster:
            continue
        arns = ecs.list_container_instances(cluster=cluster, status="ACTIVE")
        ids = {
            c["ec2InstanceId"]
            for i in range(0, len(arns["containerInstanceArns"]), 100)
            for c in ecs.describe_container_instances(
                cluster=cluster, containerInstances=arns["containerInstanceArns"][i : i + 100]
            )["containerInstances"]
        }
        out[ce["computeEnvironmentName"]] = (running.get(ce["computeEnvironmentName"], {}), ids)
    return out


def test_the_demo_keeps_ec2_and_ecs_in_step_and_never_reports_instances_not_joining(
    diagnose_on: Callable[[Any], Run],
) -> None:
    """The demo account is healthy apart from its stuck queues: over a simulated hour every
    running instance past its boot time is registered in ECS, every registered one runs, and
    diagnose finds no instance that never joined on any queue. A sandbox of its own: the hour
    would move the shared demo's clock under the other tests."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(seed="demo", manual_clock=True, random_seed=3)) as sb:
        run = diagnose_on(sb)
        boot = sb.config.scale_up_seconds
        queues = sorted(sb.store.job_queues)
        launched_any = False
        for minute in range(0, 61, 5):
            if minute:
                sb.advance(300)
            now = sb.now()
            for ce, (running, registered) in _instances_by_ce(sb).items():
                assert registered <= set(running), (minute, ce, "registered but not running")
                late = {i for i, t in running.items() if now - t > boot + 1e-6} - registered
                assert not late, (
                    minute,
                    ce,
                    f"{len(late)} running past the boot time unregistered",
                )
                launched_any = launched_any or len(running) > len(registered)
            if minute % 20:
                continue
            for q in queues:
                rc, doc = run("--queue", q)
                assert rc in (0, 3), (minute, q, doc)
                found = [f["code"] for f in doc["findings"]]
                assert "INSTANCES_NOT_JOINING_CLUSTER" not in found, (minute, q, doc["findings"])
        assert launched_any  # the hour did catch instances still booting: the check compared them
