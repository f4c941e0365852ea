"""The plan against what the sandbox's scheduler measures for the same small workload.

The planner and the sandbox share batchtui/capacity (placement, BEST_FIT, jobs per instance); the
rest is independent: the sandbox runs every job on its simulated clock, the planner estimates.
Expected makespan and cost must agree within 15%: on demand, and on spot with interruptions on
(in a second sandbox of this module: the session's has them off).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from typing import Any

import pytest

from batchtui.model import PurchaseModel
from batchtui.planner import Facts, run_plan
from batchtui.pricing import snapshot_price_book
from batchtui.profiles import parse_profile

PROFILE = """\
name = "validation"
region = "us-east-1"
[quotas]
on_demand_vcpus = 256
spot_vcpus = 128
[[compute_environments]]
name = "{ce}"
purchase_model = "ON_DEMAND"
allocation_strategy = "BEST_FIT"
instance_types = ["c5"]
max_vcpus = 16
[[job_queues]]
name = "{queue}"
compute_environments = ["{ce}"]
[job_definition]
name = "sleeper"
image = "busybox"
vcpus = {vcpus}
memory_mib = {memory}
[workload]
images = {jobs}
images_per_job = 1
array_size = {jobs}
deadline_hours = 2
job_overhead_seconds = {starting}
[workload.seconds_per_image]
distribution = "fixed"
value = {seconds}
[assumptions]
scale_up_delay_seconds = {scale_up}
scale_down_idle_seconds = {idle}
"""
STEP = 5.0
ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


@pytest.mark.parametrize(
    ("jobs", "vcpus", "memory", "seconds"),
    [(20, "2", "3072", 300), (12, "1", "1024", 240)],
)
def test_plan_matches_the_sandbox_within_15_percent(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any,
    jobs: int, vcpus: str, memory: str, seconds: int,
) -> None:  # fmt: skip
    batch = aws_client("batch")
    names = batch_queue(ces=[{"type": "EC2", "allocationStrategy": "BEST_FIT",
                              "instanceTypes": ["c5"], "maxvCpus": 16}])  # fmt: skip
    jd = job_definition(["sh", "-c", f"sleep {seconds}"], vcpus=vcpus, memory=memory)
    book = snapshot_price_book(sandbox.region)

    start = sandbox.now()
    parent = batch.submit_job(jobName="validate", jobQueue=names["queue"], jobDefinition=jd,
                              arrayProperties={"size": jobs})["jobId"]  # fmt: skip
    ce = sandbox.store.compute_environments[names["ce0"]]
    cost = 0.0
    finished = None
    for _ in range(int(3 * 3600 / STEP)):
        # Bill every instance the CE holds (launching, running or idle) for this step.
        cost += sum(book.on_demand[i.itype.name] for i in ce.instances.values()) * STEP / 3600
        if finished is None:
            status = batch.describe_jobs(jobs=[parent])["jobs"][0]["status"]
            if status == "SUCCEEDED":
                finished = sandbox.now() - start
            assert status != "FAILED"
        elif not ce.instances:
            break
        sandbox.advance(STEP)
    assert finished is not None and not ce.instances

    cfg = sandbox.config
    profile = parse_profile(PROFILE.format(
        ce=names["ce0"], queue=names["queue"], vcpus=vcpus, memory=memory, jobs=jobs,
        seconds=seconds, starting=cfg.starting_seconds, scale_up=cfg.scale_up_seconds,
        idle=cfg.scale_down_idle_seconds))  # fmt: skip
    quotas = {PurchaseModel.EC2: 256.0, PurchaseModel.SPOT: 128.0}
    plan = run_plan(profile, Facts(book, quotas, "test"), trials=50, seed=1)
    own = plan.scenarios[0]
    assert own.makespan_mean == pytest.approx(finished, rel=0.15)
    assert own.cost_mean == pytest.approx(cost, rel=0.15)


# ---------------------------------------------------------------- spot, interruptions on

SPOT_PROFILE = """\
name = "validation-spot"
region = "us-east-1"
[quotas]
on_demand_vcpus = 256
spot_vcpus = {quota}
[[compute_environments]]
name = "{ce}"
purchase_model = "SPOT"
allocation_strategy = "BEST_FIT"
instance_types = ["c5"]
max_vcpus = {max_vcpus}
[[job_queues]]
name = "{queue}"
compute_environments = ["{ce}"]
[job_definition]
name = "sleeper"
image = "busybox"
vcpus = 1
memory_mib = 1024
[job_definition.retry_strategy]
attempts = {attempts}
[[job_definition.retry_strategy.evaluate_on_exit]]
on_status_reason = "Host EC2*"
action = "RETRY"
[[job_definition.retry_strategy.evaluate_on_exit]]
on_reason = "*"
action = "EXIT"
[workload]
images = {jobs}
images_per_job = 1
array_size = {jobs}
deadline_hours = 4
job_overhead_seconds = {starting}
[workload.seconds_per_image]
distribution = "fixed"
value = {seconds}
[assumptions]
scale_up_delay_seconds = {scale_up}
scale_down_idle_seconds = {idle}
[assumptions.interruption_rate_per_hour]
SPOT = {rate}
"""
#: Interruptions per spot instance-hour: high, so that a small run sees several (a realistic
#: rate would leave this test unable to tell a model of interruptions from none).
SPOT_RATE = 1.0
#: Runs of the workload, one after another from a cold compute environment; their averages are
#: what the plan's expectations are compared with.
RUNS = 20
SPOT_MAX_VCPUS = 16
ATTEMPTS = 5  # so that interrupted jobs are retried, not failed: this test is about time and cost
HOST_TERMINATED = re.compile(r"^Host EC2 \(instance (i-[0-9a-f]+)\) terminated")


@pytest.fixture
def spot_sandbox() -> Iterator[Any]:
    """A second sandbox beside the session's, with spot interruptions on, stopped after.

    One per test: the interruptions are drawn from the sandbox's seeded random stream, so a
    test sharing it would measure different interruptions depending on which test ran first."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        seed="empty",
        manual_clock=True,
        random_seed=5,
        spot_interruption_rate_per_hour=SPOT_RATE,
        resource_transition_seconds=0.0,
    )
    with Sandbox(config) as sb:
        yield sb


@pytest.fixture
def spot_instance_profile(spot_sandbox: Any, aws_client: Any) -> str:
    """IAM is moto's, shared by every sandbox of the process: made once, found after."""
    iam = aws_client(spot_sandbox, "iam")
    try:
        profile = iam.get_instance_profile(InstanceProfileName="plan-validation-spot")
        return str(profile["InstanceProfile"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        pass
    iam.create_role(RoleName="plan-validation-spot", AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName="plan-validation-spot", PolicyArn=ECS_INSTANCE_POLICY)
    arn = iam.create_instance_profile(InstanceProfileName="plan-validation-spot")
    iam.add_role_to_instance_profile(
        InstanceProfileName="plan-validation-spot", RoleName="plan-validation-spot"
    )
    return str(arn["InstanceProfile"]["Arn"])


def test_two_sandboxes_in_one_process_are_apart(
    sandbox: Any, spot_sandbox: Any, aws_client: Any
) -> None:
    assert sandbox.url != spot_sandbox.url
    assert spot_sandbox.config.spot_interruption_rate_per_hour == SPOT_RATE
    assert sandbox.config.spot_interruption_rate_per_hour == 0.0
    before = sandbox.now()
    spot_sandbox.advance(600)
    assert sandbox.now() == before
    props = {"image": "busybox", "vcpus": 1, "memory": 512}
    aws_client(spot_sandbox, "batch").register_job_definition(
        jobDefinitionName="only-in-the-spot-sandbox", type="container", containerProperties=props
    )
    session = aws_client("batch").describe_job_definitions(
        jobDefinitionName="only-in-the-spot-sandbox"
    )
    assert session["jobDefinitions"] == []


@pytest.mark.parametrize(
    ("jobs", "seconds"),
    [(48, 600), (40, 600)],  # the last wave full (every shift reaches the end), half empty
)
def test_spot_plan_with_interruptions_matches_the_sandbox_within_15_percent(
    spot_sandbox: Any, spot_instance_profile: str, aws_client: Any, jobs: int, seconds: int
) -> None:
    sb = spot_sandbox
    batch = aws_client(sb, "batch")
    name = f"spot-validation-{jobs}"
    batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED", state="ENABLED",
        computeResources={"type": "SPOT", "allocationStrategy": "BEST_FIT", "minvCpus": 0,
                          "maxvCpus": SPOT_MAX_VCPUS, "instanceTypes": ["c5"],
                          "subnets": ["subnet-12345678"], "instanceRole": spot_instance_profile},
    )  # fmt: skip
    batch.create_job_queue(jobQueueName=name, priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": name}])  # fmt: skip
    batch.register_job_definition(
        jobDefinitionName=name, type="container",
        containerProperties={"image": "busybox", "command": ["sh", "-c", f"sleep {seconds}"],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "1024"}]},
        retryStrategy={"attempts": ATTEMPTS, "evaluateOnExit": [
            {"onStatusReason": "Host EC2*", "action": "RETRY"},
            {"onReason": "*", "action": "EXIT"}]},
    )  # fmt: skip
    book = snapshot_price_book(sb.region)
    ce = sb.store.compute_environments[name]

    parents, costs = [], []
    for _ in range(RUNS):
        # One run after another, each from a cold compute environment as the plan assumes.
        parent = batch.submit_job(jobName=name, jobQueue=name, jobDefinition=name,
                                  arrayProperties={"size": jobs})["jobId"]  # fmt: skip
        cost = 0.0
        for _ in range(int(4 * 3600 / STEP)):
            # Bill every instance the CE holds (launching, running, idle) until it scales in.
            cost += sum(book.spot[i.itype.name] for i in ce.instances.values()) * STEP / 3600
            if not ce.instances and sb.store.jobs[parent].status in ("SUCCEEDED", "FAILED"):
                break
            sb.advance(STEP)
        parents.append(parent)
        costs.append(cost)
    done = batch.describe_jobs(jobs=parents)["jobs"]
    assert [d["status"] for d in done] == ["SUCCEEDED"] * RUNS
    makespans = [(d["stoppedAt"] - d["createdAt"]) / 1000 for d in done]
    hosts: set[str] = set()  # busy instances reclaimed, from the children's attempts
    children = [f"{p}:{i}" for p in parents for i in range(jobs)]
    for at in range(0, len(children), 100):
        for child in batch.describe_jobs(jobs=children[at : at + 100])["jobs"]:
            for attempt in child["attempts"]:
                if m := HOST_TERMINATED.match(attempt.get("statusReason", "")):
                    hosts.add(m.group(1))

    cfg = sb.config

    def plan(rate: float) -> Any:
        profile = parse_profile(SPOT_PROFILE.format(
            ce=name, queue=name, quota=cfg.spot_vcpu_quota, max_vcpus=SPOT_MAX_VCPUS,
            attempts=ATTEMPTS, jobs=jobs, seconds=seconds, starting=cfg.starting_seconds,
            scale_up=cfg.scale_up_seconds, idle=cfg.scale_down_idle_seconds, rate=rate))  # fmt: skip
        quotas = {PurchaseModel.EC2: 256.0, PurchaseModel.SPOT: cfg.spot_vcpu_quota}
        return run_plan(profile, Facts(book, quotas, "test"), trials=400, seed=1).scenarios[0]

    own, calm = plan(SPOT_RATE), plan(0.0)
    measured = statistics.fmean(makespans)
    # The interruptions matter more than the tolerance: a plan that ignored them would fail.
    assert measured > 1.15 * calm.makespan_mean
    assert own.makespan_mean == pytest.approx(measured, rel=0.15)
    assert own.cost_mean == pytest.approx(statistics.fmean(costs), rel=0.15)
    assert own.interruptions_mean == pytest.approx(len(hosts) / RUNS, rel=0.35)


def test_two_spot_compute_environments_of_one_queue_both_scale_out(
    spot_sandbox: Any, spot_instance_profile: str, aws_client: Any
) -> None:
    sb = spot_sandbox
    batch = aws_client(sb, "batch")
    names = ["two-spot-a", "two-spot-b"]
    for name in names:
        batch.create_compute_environment(
            computeEnvironmentName=name, type="MANAGED", state="ENABLED",
            computeResources={"type": "SPOT", "allocationStrategy": "BEST_FIT", "minvCpus": 0,
                              "maxvCpus": 16, "instanceTypes": ["c5"],
                              "subnets": ["subnet-12345678"], "instanceRole": spot_instance_profile},
        )  # fmt: skip
    batch.create_job_queue(jobQueueName="two-spot", priority=1, computeEnvironmentOrder=[
        {"order": i + 1, "computeEnvironment": n} for i, n in enumerate(names)])  # fmt: skip
    batch.register_job_definition(
        jobDefinitionName="two-spot", type="container",
        containerProperties={"image": "busybox", "command": ["sh", "-c", "sleep 600"],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "1024"}]},
    )  # fmt: skip
    batch.submit_job(jobName="two-spot", jobQueue="two-spot", jobDefinition="two-spot",
                     arrayProperties={"size": 32})  # fmt: skip
    sb.advance(5)
    launched = [
        sum(i.itype.vcpus for i in sb.store.compute_environments[n].instances.values())
        for n in names
    ]
    second_ce = """
[[compute_environments]]
name = "two-spot-b"
purchase_model = "SPOT"
allocation_strategy = "BEST_FIT"
instance_types = ["c5"]
max_vcpus = 16
"""
    text = SPOT_PROFILE.format(
        ce="two-spot-a", queue="two-spot", quota=sb.config.spot_vcpu_quota, max_vcpus=16,
        attempts=1, jobs=32, seconds=600, starting=15, scale_up=180, idle=300, rate=0.0,
    ).replace('compute_environments = ["two-spot-a"]',
              'compute_environments = ["two-spot-a", "two-spot-b"]')  # fmt: skip
    profile = parse_profile(text.replace("[[job_queues]]", second_ce + "[[job_queues]]"))
    quotas = {PurchaseModel.EC2: 256.0, PurchaseModel.SPOT: sb.config.spot_vcpu_quota}
    plan = run_plan(profile, Facts(snapshot_price_book(sb.region), quotas, "test"), trials=2)
    planned = [ln.effective_vcpus for ln in plan.scenarios[0].config.lines]
    assert planned == [16, 16]
    assert launched == planned
