"""The diagnose rules over facts built by hand: each cause, its boundaries, and the invariant
that a job which only waits is never called blocked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchtui.capacity import schedulable_memory_mib
from batchtui.diagnose import (
    BatchFacts,
    Consumable,
    InstanceRole,
    JobFacts,
    QueuePosition,
    ScalingActivity,
    ServiceRole,
    Severity,
    Subnet,
    Unknown,
    diagnose,
)
from batchtui.model import (
    ComputeEnvironment,
    ComputeEnvironmentOrder,
    InstanceType,
    JobQueue,
    PurchaseModel,
    ResourceRequest,
)

NOW = 1_800_000_000.0
NOW_MS = int(NOW * 1000)
CATALOG = {
    it.name: it
    for it in (
        InstanceType("m5.large", 2, 8192),
        InstanceType("m5.xlarge", 4, 16384),
        InstanceType("m5.4xlarge", 16, 65536),
        InstanceType("g5.xlarge", 4, 16384, gpus=1),
    )
}


def ce(name: str = "ce", **kw: Any) -> ComputeEnvironment:
    base: dict[str, Any] = {
        "arn": f"arn:aws:batch:us-east-1:1:compute-environment/{name}", "state": "ENABLED",
        "status": "VALID", "max_vcpus": 64, "instance_types": ("m5",), "subnets": ("subnet-a",),
        "instance_role": "profile",
    }  # fmt: skip
    return ComputeEnvironment(name=name, **{**base, **kw})


def queue(*ces: str, **kw: Any) -> JobQueue:
    order = tuple(ComputeEnvironmentOrder(i, c) for i, c in enumerate(ces or ("ce",), 1))
    return JobQueue(name="q", arn="arn:q", state="ENABLED", status="VALID",
                    compute_environment_order=order, **kw)  # fmt: skip


def job(
    job_id: str = "j1", vcpus: float = 1, memory: int = 1024, gpus: int = 0, **kw: Any
) -> JobFacts:
    base: dict[str, Any] = {"job_name": f"name-{job_id}", "status": "RUNNABLE", "job_queue": "q",
                            "created_at_ms": NOW_MS - 60_000}  # fmt: skip
    return JobFacts(job_id=job_id, request=ResourceRequest(vcpus, memory, gpus), **{**base, **kw})


def facts(*jobs: JobFacts, ces: tuple[ComputeEnvironment, ...] = (), **kw: Any) -> BatchFacts:
    cs = ces or (ce(),)
    base: dict[str, Any] = {
        "queue": queue(*(c.name for c in cs)), "compute_environments": cs, "catalog": CATALOG,
        "quotas": {PurchaseModel.EC2: 1000.0, PurchaseModel.SPOT: 1000.0},
    }  # fmt: skip
    return BatchFacts(now=NOW, jobs=jobs or (job(),), **{**base, **kw})


def codes(f: BatchFacts) -> list[str]:
    return [x.code for x in diagnose(f).findings]


def first(f: BatchFacts) -> Any:
    return diagnose(f).findings[0]


# -- job size against instance types --------------------------------------------------------
BIGGEST = CATALOG["m5.4xlarge"]


def test_a_job_needing_exactly_the_schedulable_memory_fits() -> None:
    exact = job(memory=schedulable_memory_mib(BIGGEST))
    assert codes(facts(exact)) == ["WAITING"]


def test_one_mib_more_does_not_and_names_the_biggest_type_and_the_shortfall() -> None:
    over = job(memory=schedulable_memory_mib(BIGGEST) + 1)
    f = first(facts(over))
    assert f.code == "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    assert f.severity is Severity.BLOCKING
    assert "1 MiB more than m5.4xlarge leaves jobs" in f.title
    assert f"{schedulable_memory_mib(BIGGEST)} of its 65536 MiB" in f.title
    assert any(e.call == "ec2:DescribeInstanceTypes" for e in f.evidence)


def test_vcpus_beyond_every_type() -> None:
    f = first(facts(job(vcpus=17)))
    assert (
        f.code == "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
        and "1 more than m5.4xlarge" in f.title
    )


def test_gpu_job_on_cpu_only_ces_is_its_own_cause() -> None:
    f = first(facts(job(gpus=1)))
    assert f.code == "GPU_JOB_WITHOUT_GPU_INSTANCES" and "1 GPUs" in f.title
    assert codes(facts(job(gpus=1), ces=(ce(instance_types=("m5", "g5")),))) == ["WAITING"]


def test_max_vcpus_below_the_smallest_fitting_instance() -> None:
    ok = facts(job(vcpus=16), ces=(ce(max_vcpus=16),))
    assert codes(ok) == ["WAITING"]
    f = first(facts(job(vcpus=16), ces=(ce(max_vcpus=15),)))
    assert f.code == "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    assert f.action is not None and f.action.value == "scale" and f.target == "ce"
    assert "at least 16" in f.fix


# -- queue and compute environment states -------------------------------------------------
def test_queue_disabled_and_invalid() -> None:
    f = first(facts(queue=replace(queue(), state="DISABLED")))
    assert f.code == "JOB_QUEUE_DISABLED" and f.action is not None
    g = first(facts(queue=replace(queue(), status="INVALID", status_reason="CE gone")))
    assert g.code == "JOB_QUEUE_INVALID" and "CE gone" in g.title


def test_every_ce_disabled() -> None:
    f = first(facts(ces=(ce(state="DISABLED"),)))
    assert f.code == "COMPUTE_ENVIRONMENTS_DISABLED" and "ce is DISABLED" in f.title


def test_ce_invalid_names_its_status_reason_and_the_fix() -> None:
    bad = ce(status="INVALID", status_reason="CLIENT_ERROR - instance profile arn:x does not exist")
    f = first(facts(ces=(bad,)))
    assert f.code == "ACTION_REQUIRED" and "instance profile" in f.title
    assert "instance profile" in f.fix


def test_multinode_on_spot() -> None:
    f = first(facts(job(num_nodes=2), ces=(ce(purchase_model=PurchaseModel.SPOT),)))
    assert f.code == "MULTI_NODE_ON_SPOT"


# -- quotas -----------------------------------------------------------------------------
def test_quota_used_up_with_aws_capacity_reason_blocks_with_the_numbers() -> None:
    busy = ce("busy", desired_vcpus=60, purchase_model=PurchaseModel.SPOT)
    mine = ce(purchase_model=PurchaseModel.SPOT)
    stuck = job(vcpus=8, status_reason="CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - ...")
    f = facts(stuck, ces=(mine,), compute_environments=(mine, busy),
              quotas={PurchaseModel.SPOT: 64.0})  # fmt: skip
    top = first(f)
    assert top.code == "VCPU_QUOTA_EXHAUSTED" and "60 of 64 vCPUs" in top.title
    # The same numbers without AWS's reason: the job waits for vCPUs to free up.
    waiting = replace(f, jobs=(replace(stuck, status_reason=""),))
    assert not diagnose(waiting).blocking


def test_quota_below_one_instance_blocks_whatever_aws_says() -> None:
    f = first(facts(job(vcpus=8), quotas={PurchaseModel.EC2: 4.0}))
    assert f.code == "VCPU_QUOTA_EXHAUSTED" and "below one instance" in f.title


# -- network, roles, launches -------------------------------------------------------------
def test_no_route_to_ecs() -> None:
    private = Subnet("subnet-a", "us-east-1a", default_route_targets=("local",))
    f = first(facts(subnets={"subnet-a": private}))
    assert f.code == "NO_ROUTE_TO_ECS"
    for ok in (replace(private, default_route_targets=("nat-1",)),
               replace(private, default_route_targets=("igw-1",), map_public_ip_on_launch=True),
               replace(private, vpc_endpoints=("com.amazonaws.us-east-1.ecs", "com.amazonaws.us-east-1.ecs-agent"))):  # fmt: skip
        assert codes(facts(subnets={"subnet-a": ok})) == ["WAITING"]
    # An internet gateway without public IPs is no route.
    igw_only = replace(private, default_route_targets=("igw-1",))
    assert first(facts(subnets={"subnet-a": igw_only})).code == "NO_ROUTE_TO_ECS"


def test_no_route_on_one_of_two_ces_is_a_warning() -> None:
    subnets = {"subnet-a": Subnet("subnet-a", default_route_targets=()),
               "subnet-b": Subnet("subnet-b", default_route_targets=("nat-1",))}  # fmt: skip
    two = (ce("a"), ce("b", subnets=("subnet-b",)))
    f = first(facts(ces=two, subnets=subnets))
    assert f.code == "NO_ROUTE_TO_ECS" and f.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("role", "code", "words"),
    [
        (InstanceRole("profile", exists=False), "INSTANCE_ROLE_MISSING", "does not exist"),
        (InstanceRole("arn:role/x", exists=True, is_instance_profile=False),
         "INSTANCE_ROLE_NOT_AN_INSTANCE_PROFILE", "names a role"),
        (InstanceRole("profile", exists=True, role_name="r",
                      attached_policies=("AmazonECSTaskExecutionRolePolicy",)),
         "INSTANCE_ROLE_WITHOUT_ECS_POLICY", "it has AmazonECSTaskExecutionRolePolicy"),
    ],
)  # fmt: skip
def test_instance_role_problems(role: InstanceRole, code: str, words: str) -> None:
    f = first(facts(instance_roles={"profile": role}))
    assert f.code == code and words in f.title


def test_instance_role_with_the_ecs_policy_or_its_own_policies_is_no_claim() -> None:
    for role in (
        InstanceRole("profile", True, role_name="r", attached_policies=("AmazonEC2ContainerServiceforEC2Role",)),
        InstanceRole("profile", True, role_name="r", attached_policies=("my-ecs-policy",),
                     has_customer_policies=True),
    ):  # fmt: skip
        assert codes(facts(instance_roles={"profile": role})) == ["WAITING"]


def test_a_missing_ecs_policy_blocks_once_instances_fail_to_join() -> None:
    role = InstanceRole(
        "profile", True, role_name="r", attached_policies=("AmazonECSTaskExecutionRolePolicy",)
    )
    alone = first(facts(instance_roles={"profile": role}, container_instances={"ce": (0, 0)}))
    assert alone.severity is Severity.WARNING
    stray = facts(instance_roles={"profile": role}, container_instances={"ce": (0, 0)},
                  ec2_instances={"ce": (NOW_MS - 900_000,)})  # fmt: skip
    f = first(stray)
    assert (f.code, f.severity) == ("INSTANCE_ROLE_WITHOUT_ECS_POLICY", Severity.BLOCKING)
    joined = facts(instance_roles={"profile": role}, container_instances={"ce": (1, 2)})
    assert codes(joined) == ["WAITING"]


def test_service_role_missing() -> None:
    f = first(facts(ces=(ce(service_role="arn:role/batch"),),
                    service_roles={"arn:role/batch": ServiceRole("arn:role/batch", exists=False)}))  # fmt: skip
    assert f.code == "MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS"


def test_spot_bid_below_price() -> None:
    spot = ce(purchase_model=PurchaseModel.SPOT, bid_percentage=20, instance_types=("m5.large",))
    f = first(
        facts(ces=(spot,), spot_prices={"m5.large": 0.05}, on_demand_prices={"m5.large": 0.096})
    )
    assert f.code == "SPOT_BID_BELOW_PRICE" and "at least 53" in f.fix
    cheap = facts(ces=(spot,), spot_prices={"m5.large": 0.01}, on_demand_prices={"m5.large": 0.096})
    assert codes(cheap) == ["WAITING"]


def test_instances_not_joining_after_the_grace_time() -> None:
    late = facts(
        ec2_instances={"ce": (NOW_MS - 601_000, NOW_MS - 601_000)},
        container_instances={"ce": (0, 0)},
    )
    assert first(late).code == "INSTANCES_NOT_JOINING_CLUSTER"
    early = facts(
        ec2_instances={"ce": (NOW_MS - 599_000, NOW_MS - 599_000)},
        container_instances={"ce": (0, 0)},
    )
    assert codes(early) == ["WAITING"]


def test_instances_still_booting_are_no_strays_of_older_joined_ones() -> None:
    # The demo's case: 24 instances up for half an hour, all registered, and 2 launched a
    # minute ago that have not registered yet. Only instances past the grace time count.
    old, young = (NOW_MS - 29 * 60_000,) * 24, (NOW_MS - 60_000,) * 2
    booting = facts(ec2_instances={"ce": old + young}, container_instances={"ce": (24, 96)})
    assert "INSTANCES_NOT_JOINING_CLUSTER" not in codes(booting)
    stray = facts(ec2_instances={"ce": old + young}, container_instances={"ce": (23, 92)})
    f = first(stray)
    assert f.code == "INSTANCES_NOT_JOINING_CLUSTER"
    assert f.title.startswith("1 instances of ce run") and "the oldest for 29 min" in f.title


def test_insufficient_capacity_from_scaling_activity_is_transient_while_young() -> None:
    msg = (
        "Launching a new EC2 instance. Status Reason: We currently do not have sufficient capacity"
    )
    old = ScalingActivity("ce", "Failed", msg, NOW_MS - 600_000)
    assert first(facts(scaling_activities=(old,))).code == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
    young = replace(old, time_ms=NOW_MS - 60_000)
    f = first(facts(scaling_activities=(young,)))
    assert f.code == "PROBABLY_TRANSIENT" and f.severity is Severity.INFO


def test_not_offered_in_the_subnets_zones() -> None:
    offerings = {n: frozenset({"us-east-1b"}) for n in CATALOG}
    f = first(facts(subnets={"subnet-a": Subnet("subnet-a", "us-east-1a", default_route_targets=("nat-1",))},
                    offerings=offerings))  # fmt: skip
    assert f.code == "INSTANCE_TYPE_NOT_OFFERED" and "us-east-1a" in f.evidence[0].value


# -- order: dependencies, head, time limit, fair share, consumables -----------------------
def test_dependency_failed_blocked_or_unfinished() -> None:
    pending = job("child", status="PENDING", depends_on=("dep",))
    failed = job("dep", status="FAILED", status_reason="Essential container exited")
    assert first(facts(pending, related_jobs={"dep": failed})).code == "DEPENDENCY_FAILED"
    blocked = job("dep", vcpus=99)
    f = first(facts(pending, related_jobs={"dep": blocked}))
    assert f.code == "DEPENDENCY_BLOCKED" and "name-dep" in f.title
    running = job("dep", status="RUNNING")
    d = diagnose(facts(pending, related_jobs={"dep": running}))
    assert not d.blocking and "now RUNNING" in d.waiting[0].waits_for


def test_blocked_head_holds_back_the_jobs_behind_it() -> None:
    head = job("head", vcpus=99, status_reason="MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - ...")
    behind = [job(f"b{i}") for i in range(3)]
    front = tuple(
        QueuePosition(j.job_id, i + 1, NOW_MS - 1000) for i, j in enumerate([head, *behind])
    )
    d = diagnose(facts(head, *behind, front_of_queue=front, related_jobs={"head": head}))
    cause, held = d.findings  # the head's own cause first (tests/unit/test_diagnose_order.py)
    assert cause.code == "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT" and cause.job_ids == ("head",)
    assert held.code == "HEAD_OF_QUEUE_BLOCKED" and len(held.job_ids) == 3
    assert "releases the 3 jobs queued behind it" in held.fix and held.target == "head"


def test_a_queue_with_a_scheduling_policy_has_no_blocking_head() -> None:
    head = job("head", vcpus=99)
    front = (QueuePosition("head", 1, NOW_MS), QueuePosition("b", 2, NOW_MS))
    q = replace(queue(), scheduling_policy_arn="arn:policy")
    d = diagnose(facts(job("b"), queue=q, front_of_queue=front, related_jobs={"head": head}))
    assert not d.blocking


def test_time_limit_says_when_the_job_is_cancelled() -> None:
    reason = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    q = replace(queue(), job_state_time_limit_actions=(
        {"reason": reason, "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"},))  # fmt: skip
    stuck = job(vcpus=16, status_reason=reason + " - ...")
    front = (QueuePosition("j1", 1, NOW_MS - 120_000),)
    f = first(facts(stuck, ces=(ce(max_vcpus=8),), queue=q, front_of_queue=front))
    assert f.code == "JOB_STATE_TIME_LIMIT" and "in 8m00s" in f.title
    assert f.severity is Severity.BLOCKING
    # An hour and more away, it is a warning under the cause itself.
    far = replace(
        q,
        job_state_time_limit_actions=(
            {**q.job_state_time_limit_actions[0], "maxTimeSeconds": 3721},
        ),
    )
    d = diagnose(facts(stuck, ces=(ce(max_vcpus=8),), queue=far, front_of_queue=front))
    assert [(x.code, x.severity) for x in d.findings] == [
        ("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", Severity.BLOCKING),
        ("JOB_STATE_TIME_LIMIT", Severity.WARNING),
    ]


def test_fair_share_over_weight_is_waiting() -> None:
    q = replace(queue(), scheduling_policy_arn="arn:p")
    mine = job(share_identifier="a")
    d = diagnose(
        facts(mine, queue=q, share_weights={"a": 1.0, "b": 1.0}, share_usage={"a": 30, "b": 10})
    )
    assert not d.blocking and d.findings[0].code == "FAIR_SHARE_OVER_WEIGHT"


def test_consumable_in_use_waits_and_too_small_blocks() -> None:
    mine = job(consumable_resources=(("licenses", 2),))
    busy = diagnose(facts(mine, consumables={"licenses": Consumable("licenses", 3, 2)}))
    assert not busy.blocking and busy.findings[0].code == "CONSUMABLE_RESOURCE_IN_USE"
    small = first(facts(mine, consumables={"licenses": Consumable("licenses", 1, 0)}))
    assert small.code == "CONSUMABLE_RESOURCE_TOO_SMALL"


def test_starting_for_long_names_the_image() -> None:
    s = job(status="STARTING", image="huge:latest", starting_since_ms=NOW_MS - 601_000,
            pull_started_ms=NOW_MS - 601_000)  # fmt: skip
    f = first(facts(s))
    assert f.code == "STARTING_TOO_LONG" and "huge:latest" in f.title
    assert codes(facts(replace(s, starting_since_ms=NOW_MS - 599_000))) == []


def test_starting_is_counted_from_the_task_and_never_from_created_at() -> None:
    """A job that waited an hour RUNNABLE and just left it: no task time, no claim; its task
    created a minute ago, no claim either."""
    waited = job(status="STARTING", image="app:1", created_at_ms=NOW_MS - 3_600_000)
    assert codes(facts(waited)) == []
    assert codes(facts(replace(waited, starting_since_ms=NOW_MS - 60_000))) == []


# -- AWS's own reason and the dwell time --------------------------------------------------
def test_a_young_capacity_reason_while_instances_launch_is_probably_transient() -> None:
    reason = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill ..."
    launching = ce(desired_vcpus=4)
    young = job(status_reason=reason, created_at_ms=NOW_MS - 299_000)
    f = facts(young, ces=(launching,), container_instances={"ce": (0, 0)})
    assert first(f).code == "PROBABLY_TRANSIENT" and not diagnose(f).blocking
    old = replace(f, jobs=(replace(young, created_at_ms=NOW_MS - 301_000),))
    assert first(old).code == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
    idle = replace(f, container_instances={"ce": (1, 4)})  # nothing launching: not transient
    assert first(idle).code == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"


def test_undetermined_is_reported() -> None:
    f = first(facts(job(status_reason="UNDETERMINED - ...", created_at_ms=NOW_MS - 3_600_000)))
    assert f.code == "UNDETERMINED" and f.severity is Severity.BLOCKING


def test_a_denied_read_is_a_finding_not_a_crash() -> None:
    denied = Unknown("whether the subnets reach ECS", "ec2:DescribeRouteTables", "AccessDenied")
    d = diagnose(facts(unknowns=(denied,)))
    cannot = [f for f in d.findings if f.code == "CANNOT_TELL"]
    assert cannot[0].title == (
        "cannot tell whether the subnets reach ECS: AccessDenied on ec2:DescribeRouteTables"
    )
    assert not d.blocking


def test_waiting_has_position_and_an_estimate_while_instances_launch() -> None:
    front = (QueuePosition("other", 1, NOW_MS), QueuePosition("j1", 2, NOW_MS))
    d = diagnose(
        facts(front_of_queue=front, ces=(ce(desired_vcpus=4),), container_instances={"ce": (0, 0)})
    )
    w = d.waiting[0]
    assert w.position == 2 and "instances launching" in w.waits_for
    assert w.start_estimate_ms == NOW_MS + 180_000


def test_an_array_parent_is_diagnosed_as_its_runnable_children() -> None:
    parent = JobFacts.from_api({
        "jobId": "arr", "jobName": "render", "status": "PENDING", "jobQueue": "arn:q/q",
        "arrayProperties": {"size": 10, "statusSummary": {"RUNNABLE": 7, "RUNNING": 3}},
        "container": {"resourceRequirements": [{"type": "VCPU", "value": "99"}]},
    })  # fmt: skip
    assert parent.status == "RUNNABLE" and parent.runnable_children == 7
    assert first(facts(parent)).code == "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    fits = replace(parent, request=ResourceRequest(1, 1024))
    assert diagnose(facts(fits)).waiting[0].waits_for == "room for its 7 RUNNABLE array children"
    waiting_deps = JobFacts.from_api(
        {"jobId": "a2", "status": "PENDING", "arrayProperties": {"size": 3}}
    )
    assert waiting_deps.status == "PENDING"


def test_findings_group_by_cause_most_jobs_first() -> None:
    jobs = [job(f"big{i}", vcpus=99) for i in range(2)] + [job("q1", status="RUNNABLE", gpus=1)]
    d = diagnose(facts(*jobs))
    assert [(f.code, len(f.job_ids)) for f in d.findings] == [
        ("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", 2),
        ("GPU_JOB_WITHOUT_GPU_INSTANCES", 1),
    ]


# -- the invariant --------------------------------------------------------------------------
healthy_jobs = st.builds(
    lambda v, m, pos, launching, age: (job(vcpus=v, memory=m), pos, launching, age),
    st.sampled_from([0.25, 0.5, 1, 2, 4, 8, 16]),
    st.integers(1, schedulable_memory_mib(BIGGEST)),
    st.integers(1, 100),
    st.booleans(),
    st.integers(0, 86_400_000),
)


@settings(max_examples=200, deadline=None)
@given(
    healthy_jobs, st.sampled_from([PurchaseModel.EC2, PurchaseModel.SPOT]), st.integers(16, 4096)
)
def test_a_job_that_only_waits_is_never_blocking(
    case: tuple[JobFacts, int, bool, int], pool: PurchaseModel, max_vcpus: int
) -> None:
    """Healthy queue and CEs, a job that fits, quota room, no reason from AWS: whatever its
    place, age, and whether instances launch, it is waiting, never blocking."""
    j, pos, launching, age = case
    j = replace(j, created_at_ms=NOW_MS - age)
    c = ce(purchase_model=pool, max_vcpus=max_vcpus, desired_vcpus=8 if launching else 0)
    others = tuple(QueuePosition(f"o{i}", i + 1, NOW_MS) for i in range(pos - 1))
    d = diagnose(facts(j, ces=(c,), front_of_queue=(*others, QueuePosition(j.job_id, pos, NOW_MS)),
                       container_instances={"ce": (0, 0)}))  # fmt: skip
    assert not d.blocking
    assert [f.code for f in d.findings] == ["WAITING"]
    assert d.waiting[0].position == pos


def test_a_blocked_head_releases_array_children_one_by_one() -> None:
    head = job("head", vcpus=99, status_reason="MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - ...")
    array = replace(job("arr"), runnable_children=5)
    d = diagnose(facts(head, array, job("b1"), related_jobs={"head": head},
                       front_of_queue=(QueuePosition("head", 1, NOW_MS),)))  # fmt: skip
    held = next(f for f in d.findings if f.code == "HEAD_OF_QUEUE_BLOCKED")
    assert "releases the 6 jobs queued behind it" in held.fix


def test_an_array_job_stands_where_its_first_child_does() -> None:
    parent = replace(job("arr"), runnable_children=3)
    front = (QueuePosition("other", 1, NOW_MS), QueuePosition("arr:0", 2, NOW_MS),
             QueuePosition("arr:1", 3, NOW_MS))  # fmt: skip
    d = diagnose(facts(parent, front_of_queue=front))
    assert d.waiting[0].position == 2
    assert d.waiting[0].waits_for == "room for its 3 RUNNABLE array children"
