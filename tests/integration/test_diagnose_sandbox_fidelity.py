"""Causes the sandbox produces as AWS does, diagnosed end to end: an instance role with no
policy, capacity reasons that come only after launches have failed a while, the jobs that hold a
consumable resource, and a Spot Fleet request's history for spot launches that fail.

Each fault is set up through the public API with boto3 (or, where AWS has no API for it, on the
sandbox's own knob), a job is submitted, the sandbox's manual clock stepped, and
``batchtui diagnose`` must name the cause first, with its evidence, and exit 3.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from diagnose_seen import Run, evidence, first, submit

from batchtui.sandbox.launches import CAPACITY_REASON_AFTER_SECONDS, RETRY_SECONDS

ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "ec2.amazonaws.com"}}]})  # fmt: skip
#: Instances run this long without joining before diagnose calls it a problem.
JOIN_GRACE = 660


def status(batch: Any, job: str) -> str:
    return str(batch.describe_jobs(jobs=[job])["jobs"][0]["status"])


def running_instances(ec2: Any, ce: str) -> list[str]:
    """The running EC2 instances of a compute environment, found as AWS Batch tags them."""
    found = ec2.describe_instances(Filters=[
        {"Name": "tag:AWSBatchServiceTag", "Values": [ce]},
        {"Name": "instance-state-name", "Values": ["running"]}])  # fmt: skip
    return [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]]


def registered(ecs: Any, batch: Any, ce: str) -> list[str]:
    (described,) = batch.describe_compute_environments(computeEnvironments=[ce])[
        "computeEnvironments"
    ]
    return list(
        ecs.list_container_instances(cluster=described["ecsClusterArn"])["containerInstanceArns"]
    )


# -- 1. the instance role -----------------------------------------------------------------------
@pytest.fixture
def instance_profile_of(aws_client: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """``instance_profile_of(attached=[...], inline={...}, role=True)``: an instance profile whose
    role has those policies (none by default), or no role at all; returns its ARN."""
    iam = aws_client("iam")

    def make(
        attached: tuple[str, ...] = (), inline: dict[str, Any] | None = None, role: bool = True
    ) -> str:
        name = unique_name("fidelity-role")
        arn = str(iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Arn"])
        if not role:
            return arn
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
        for policy in attached:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy)
        for policy_name, document in (inline or {}).items():
            iam.put_role_policy(RoleName=name, PolicyName=policy_name,
                                PolicyDocument=json.dumps(document))  # fmt: skip
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        return arn

    return make


def allow(*actions: str, effect: str = "Allow") -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": effect, "Action": list(actions), "Resource": "*"}]}  # fmt: skip


def test_a_role_with_no_policy_at_all_never_joins_and_diagnose_names_it(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    instance_profile_of: Callable[..., str], diagnose: Run,
) -> None:  # fmt: skip
    profile = instance_profile_of()
    names = batch_queue(ces=[{"instanceRole": profile, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(sandbox.config.scale_up_seconds + 10)
    assert len(running_instances(aws_client("ec2"), names["ce0"])) == 1
    rc, early = diagnose(job)  # launched, within the grace time: a warning only
    assert [f["severity"] for f in early["findings"]
            if f["code"] == "INSTANCE_ROLE_WITHOUT_ECS_POLICY"] == ["warning"]  # fmt: skip
    sandbox.advance(JOIN_GRACE)
    assert registered(aws_client("ecs"), batch, names["ce0"]) == []
    assert status(batch, job) == "RUNNABLE"
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "INSTANCE_ROLE_WITHOUT_ECS_POLICY"
    assert f["severity"] == "blocking" and "no policy at all" in f["title"]
    assert "iam:ListAttachedRolePolicies AttachedPolicies[].PolicyName" in evidence(f)
    assert "AmazonEC2ContainerServiceforEC2Role" in f["fix"]


def test_an_instance_profile_without_a_role_never_joins(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    instance_profile_of: Callable[..., str], diagnose: Run,
) -> None:  # fmt: skip
    names = batch_queue(ces=[{"instanceRole": instance_profile_of(role=False),
                              "instanceTypes": ["m5.large"]}])  # fmt: skip
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(sandbox.config.scale_up_seconds + JOIN_GRACE)
    assert len(running_instances(aws_client("ec2"), names["ce0"])) == 1
    assert registered(aws_client("ecs"), batch, names["ce0"]) == []
    rc, doc = diagnose(job)
    assert rc == 3 and first(doc)["severity"] == "blocking"


@pytest.mark.parametrize(
    "inline",
    [allow("ecs:RegisterContainerInstance", "ecs:Poll"), allow("ecs:*"), allow("*")],
    ids=["the-action", "ecs-wildcard", "everything"],
)
def test_an_inline_policy_that_allows_registering_lets_the_instances_join(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any,
    instance_profile_of: Callable[..., str], inline: dict[str, Any],
) -> None:  # fmt: skip
    profile = instance_profile_of(inline={"ecs-agent": inline})
    names = batch_queue(ces=[{"instanceRole": profile, "instanceTypes": ["m5.large"]}])
    job = submit(batch, names["queue"], job_definition(["sh", "-c", "sleep 600"]))
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    assert status(batch, job) == "RUNNING"


def test_policies_that_do_not_allow_registering_keep_the_instances_out(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    instance_profile_of: Callable[..., str], diagnose: Run,
) -> None:  # fmt: skip
    """A role whose only policy allows something else is named for it (its policy read); one
    with the ECS policy and a Deny of the action beside it shows as instances not joining."""
    denied = allow("ecs:RegisterContainerInstance", effect="Deny")
    profiles = [
        (instance_profile_of(inline={"s3-only": allow("s3:GetObject")}),
         "INSTANCE_ROLE_WITHOUT_ECS_POLICY", "it has s3-only (inline)"),
        (instance_profile_of(attached=(ECS_INSTANCE_POLICY,), inline={"no-ecs": denied}),
         "INSTANCES_NOT_JOINING_CLUSTER", "never joined its ECS cluster"),
    ]  # fmt: skip
    for profile, code, words in profiles:
        names = batch_queue(ces=[{"instanceRole": profile, "instanceTypes": ["m5.large"]}])
        job = submit(batch, names["queue"], job_definition())
        sandbox.advance(sandbox.config.scale_up_seconds + JOIN_GRACE)
        assert len(running_instances(aws_client("ec2"), names["ce0"])) == 1
        assert registered(aws_client("ecs"), batch, names["ce0"]) == []
        rc, doc = diagnose(job)
        f = first(doc)
        assert rc == 3 and f["code"] == code and f["severity"] == "blocking", f
        assert words in f["title"], f
        assert "INSTANCES_NOT_JOINING_CLUSTER" in {g["code"] for g in doc["findings"]}


# -- 2. capacity reasons come after the launches have failed a while ---------------------------
@pytest.fixture
def ec2_short_of(sandbox: Any) -> Iterator[set[str]]:
    """Instance types EC2 has run out of (AWS has no API to cause it: the sandbox's knob)."""
    shortage: set[str] = sandbox.scheduler.fleet.launches.shortage
    yield shortage
    shortage.clear()


def failed_activities(autoscaling: Any, ce: str) -> list[dict[str, Any]]:
    found = autoscaling.describe_scaling_activities(MaxRecords=100)["Activities"]
    return [a for a in found
            if a["AutoScalingGroupName"].startswith(f"{ce}-asg-") and a["StatusCode"] == "Failed"]  # fmt: skip


def test_the_capacity_reason_comes_only_after_launches_keep_failing(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, aws_client: Any,
    ec2_short_of: set[str], diagnose: Run,
) -> None:  # fmt: skip
    ec2_short_of.add("c5.24xlarge")
    names = batch_queue(ces=[{"instanceTypes": ["c5.24xlarge"], "maxvCpus": 96}])
    job = submit(batch, names["queue"], job_definition(vcpus="64", memory="65536"))
    sandbox.advance(5)
    # The group's launches fail from the first attempt; Batch says nothing yet.
    assert len(failed_activities(aws_client("autoscaling"), names["ce0"])) == 1
    (described,) = batch.describe_jobs(jobs=[job])["jobs"]
    assert described["status"] == "RUNNABLE" and "statusReason" not in described
    rc, early = diagnose(job)
    assert rc == 0 and first(early)["code"] == "PROBABLY_TRANSIENT"
    sandbox.advance(CAPACITY_REASON_AFTER_SECONDS - 10)  # just before the retry that says it
    assert "statusReason" not in batch.describe_jobs(jobs=[job])["jobs"][0]
    sandbox.advance(10)
    reason = batch.describe_jobs(jobs=[job])["jobs"][0]["statusReason"]
    assert (
        reason.startswith("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - ") and "c5.24xlarge" in reason
    )
    assert len(failed_activities(aws_client("autoscaling"), names["ce0"])) == 3  # it retried
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", f
    assert f["severity"] == "blocking" and "failing for 10 min" in f["title"]
    assert "autoscaling:DescribeScalingActivities Activities[].StatusMessage" in evidence(f)
    assert "sufficient c5.24xlarge capacity" in evidence(f)


def test_a_capacity_reason_clears_when_a_launch_succeeds(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, ec2_short_of: set[str],
) -> None:  # fmt: skip
    ec2_short_of.add("c5.large")
    names = batch_queue(ces=[{"instanceTypes": ["c5.large"]}])
    job = submit(batch, names["queue"], job_definition(["sh", "-c", "sleep 600"]))
    sandbox.advance(CAPACITY_REASON_AFTER_SECONDS + 5)
    assert batch.describe_jobs(jobs=[job])["jobs"][0]["statusReason"].startswith("CAPACITY:")
    ec2_short_of.clear()  # EC2 has the type again: the next retry launches it
    sandbox.advance(
        RETRY_SECONDS + sandbox.config.scale_up_seconds + sandbox.config.starting_seconds
    )
    assert status(batch, job) == "RUNNING"
    # Short again: a new job's launches start failing afresh, without a reason at first.
    ec2_short_of.add("c5.large")
    second = submit(batch, names["queue"], job_definition(vcpus="2", memory="3072"))
    sandbox.advance(30)
    (described,) = batch.describe_jobs(jobs=[second])["jobs"]
    assert described["status"] == "RUNNABLE" and "statusReason" not in described


# -- 3. the jobs that hold a consumable resource ------------------------------------------------
def needs(name: str, quantity: int) -> dict[str, Any]:
    return {"consumableResourceList": [{"consumableResource": name, "quantity": quantity}]}


def test_list_jobs_by_consumable_resource_in_aws_shape(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, unique_name: Any
) -> None:
    name = unique_name("tokens")
    arn = batch.create_consumable_resource(consumableResourceName=name, totalQuantity=2)[
        "consumableResourceArn"
    ]
    q = batch_queue(ces=[{"instanceTypes": ["m5.large"]}])["queue"]
    jd = job_definition(["sh", "-c", "sleep 600"], consumableResourceProperties=needs(name, 1))
    ids = [submit(batch, q, jd, f"tok-{i}") for i in range(3)]
    other = submit(batch, q, job_definition(["sh", "-c", "sleep 600"]), "no-tokens")
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    everyone = batch.list_jobs_by_consumable_resource(consumableResource=arn)["jobs"]
    assert [j["jobArn"].rpartition("/")[2] for j in everyone] == ids  # oldest first; not `other`
    assert other not in {j["jobArn"].rpartition("/")[2] for j in everyone}
    holder = everyone[0]
    assert holder["jobName"] == "tok-0" and holder["jobStatus"] == "RUNNING"
    assert holder["quantity"] == 1 and holder["jobQueueArn"].endswith(f":job-queue/{q}")
    assert holder["jobDefinitionArn"].split("/")[-1].startswith(jd)
    assert holder["createdAt"] <= holder["startedAt"]
    assert holder["consumableResourceProperties"]["consumableResourceList"] == [
        {"consumableResource": arn, "quantity": 1}
    ]
    assert everyone[2]["jobStatus"] == "RUNNABLE" and "startedAt" not in everyone[2]
    running = batch.list_jobs_by_consumable_resource(
        consumableResource=name, filters=[{"name": "JOB_STATUS", "values": ["RUNNING"]}]
    )["jobs"]
    assert [j["jobName"] for j in running] == ["tok-0", "tok-1"]
    named = batch.list_jobs_by_consumable_resource(
        consumableResource=name, filters=[{"name": "JOB_NAME", "values": ["TOK-2"]}]
    )["jobs"]
    assert [j["jobName"] for j in named] == ["tok-2"]
    pages = batch.get_paginator("list_jobs_by_consumable_resource").paginate(
        consumableResource=name, PaginationConfig={"PageSize": 2}
    )
    assert [len(p["jobs"]) for p in pages] == [2, 1]
    with pytest.raises(batch.exceptions.ClientException):
        batch.list_jobs_by_consumable_resource(consumableResource=unique_name("no-such"))
    with pytest.raises(batch.exceptions.ClientException):
        batch.list_jobs_by_consumable_resource(
            consumableResource=name, filters=[{"name": "JOB_QUEUE", "values": [q]}]
        )


def test_a_job_waiting_for_a_consumable_resource_names_the_jobs_holding_it(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, unique_name: Any,
    sandbox_faults: Any, diagnose: Run,
) -> None:  # fmt: skip
    name = unique_name("licence")
    batch.create_consumable_resource(consumableResourceName=name, totalQuantity=2)
    q = batch_queue(ces=[{"instanceTypes": ["m5.large"]}])["queue"]
    jd = job_definition(["sh", "-c", "sleep 600"], consumableResourceProperties=needs(name, 1))
    holders = [submit(batch, q, jd, f"holder-{i}") for i in range(2)]
    waiters = [submit(batch, q, jd, f"waiter-{i}") for i in range(3)]
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    assert [status(batch, j) for j in holders + waiters] == ["RUNNING"] * 2 + ["RUNNABLE"] * 3
    # Count the calls: a fault on the 1,000th call never fires, but the sandbox counts them all.
    sandbox_faults.inject_fault("batch", "ListJobsByConsumableResource", nth=1000,
                                code="ThrottlingException")  # fmt: skip
    rc, doc = diagnose(waiters[0])
    f = first(doc)
    assert rc == 0 and f["code"] == "CONSUMABLE_RESOURCE_IN_USE", f
    assert f"batch:DescribeConsumableResource totalQuantity / inUseQuantity {name}: 2 of 2 in use" in evidence(f)  # fmt: skip
    assert (
        "batch:ListJobsByConsumableResource jobs[].jobName / jobArn / quantity "
        f"{name}: holder-0 ({holders[0]}) holds 1, holder-1 ({holders[1]}) holds 1"
    ) in evidence(f)
    rc, queue_doc = diagnose("--queue", q)
    in_use = [x for x in queue_doc["findings"] if x["code"] == "CONSUMABLE_RESOURCE_IN_USE"]
    assert in_use and f"holder-0 ({holders[0]}) holds 1" in evidence(in_use[0])
    (counted,) = sandbox_faults.faults()
    assert counted["calls"] == 2  # one per diagnosis: one per resource, not one per waiting job


def test_a_denied_holders_read_is_a_cannot_tell_not_a_failure(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, unique_name: Any,
    sandbox_faults: Any, diagnose: Run,
) -> None:  # fmt: skip
    name = unique_name("seat")
    batch.create_consumable_resource(consumableResourceName=name, totalQuantity=1)
    q = batch_queue(ces=[{"instanceTypes": ["m5.large"]}])["queue"]
    jd = job_definition(["sh", "-c", "sleep 600"], consumableResourceProperties=needs(name, 1))
    submit(batch, q, jd, "holder")
    waiter = submit(batch, q, jd, "waiter")
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    sandbox_faults.inject_fault("batch", "ListJobsByConsumableResource", code="AccessDeniedException",
                                status=403, times=10)  # fmt: skip
    rc, doc = diagnose(waiter)
    assert rc == 0 and [x["code"] for x in doc["findings"]][:2] == [
        "CANNOT_TELL",  # a warning comes before the information
        "CONSUMABLE_RESOURCE_IN_USE",
    ]
    f = doc["findings"][1]
    assert f"{name}: 1 of 1 in use" in evidence(f)
    assert "ListJobsByConsumableResource" not in evidence(f)
    cannot = [x["title"] for x in doc["findings"] if x["code"] == "CANNOT_TELL"]
    assert cannot == ["cannot tell which jobs hold the consumable resources: AccessDenied on "
                      "batch:ListJobsByConsumableResource"], doc  # fmt: skip


# -- 4. spot launches through a Spot Fleet request ----------------------------------------------
@pytest.fixture
def fleet_ce(
    batch_queue: Any, aws_client: Any, unique_name: Callable[[str], str]
) -> Callable[..., dict[str, str]]:
    """``fleet_ce(instanceTypes=[...], bidPercentage=...)``: a queue over a SPOT compute
    environment that launches through a Spot Fleet request (spotIamFleetRole, BEST_FIT)."""
    iam = aws_client("iam")
    role = unique_name("fleet-role")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "spotfleet.amazonaws.com"}}]}  # fmt: skip
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    def make(**spec: Any) -> dict[str, str]:
        return batch_queue(ces=[{"type": "SPOT", "allocationStrategy": "BEST_FIT",
                                 "spotIamFleetRole": arn, **spec}])  # fmt: skip

    return make


def fleet_of(ec2: Any, ce: str) -> str:
    """The compute environment's Spot Fleet request, found by the tag Batch puts on it."""
    configs = ec2.describe_spot_fleet_requests()["SpotFleetRequestConfigs"]
    (found,) = [c["SpotFleetRequestId"] for c in configs
                if {"Key": "AWSBatchServiceTag", "Value": ce} in c.get("Tags", [])]  # fmt: skip
    return str(found)


def history(ec2: Any, request: str) -> list[tuple[str, str, str]]:
    records = ec2.describe_spot_fleet_request_history(
        SpotFleetRequestId=request, StartTime="2000-01-01T00:00:00Z"
    )["HistoryRecords"]
    return [(r["EventType"], r["EventInformation"]["EventSubType"],
             r["EventInformation"].get("EventDescription", "")) for r in records]  # fmt: skip


def test_a_fleet_launch_is_an_event_of_its_request_not_a_scaling_activity(
    sandbox: Any, batch: Any, fleet_ce: Callable[..., dict[str, str]], job_definition: Any,
    aws_client: Any,
) -> None:  # fmt: skip
    names = fleet_ce(instanceTypes=["m5.large"])
    job = submit(batch, names["queue"], job_definition(["sh", "-c", "sleep 600"]))
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)
    assert status(batch, job) == "RUNNING"
    ec2 = aws_client("ec2")
    (instance,) = running_instances(ec2, names["ce0"])
    events = history(ec2, fleet_of(ec2, names["ce0"]))
    assert [e[:2] for e in events] == [("fleetRequestChange", "submitted"),
                                       ("fleetRequestChange", "active"),
                                       ("instanceChange", "launched")]  # fmt: skip
    records = ec2.describe_spot_fleet_request_history(
        SpotFleetRequestId=fleet_of(ec2, names["ce0"]), StartTime="2000-01-01T00:00:00Z",
        EventType="instanceChange")["HistoryRecords"]  # fmt: skip
    assert [r["EventInformation"]["InstanceId"] for r in records] == [instance]
    found = aws_client("autoscaling").describe_scaling_activities(MaxRecords=100)["Activities"]
    assert not [a for a in found if a["AutoScalingGroupName"].startswith(f"{names['ce0']}-asg-")]


def test_a_fleet_bid_below_the_spot_price_is_named_with_the_fleets_event(
    sandbox: Any, batch: Any, fleet_ce: Callable[..., dict[str, str]], job_definition: Any,
    aws_client: Any, diagnose: Run,
) -> None:  # fmt: skip
    names = fleet_ce(instanceTypes=["m5.large"], bidPercentage=1)
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(30)
    ec2 = aws_client("ec2")
    assert running_instances(ec2, names["ce0"]) == []
    (unusable,) = [e for e in history(ec2, fleet_of(ec2, names["ce0"])) if e[0] == "information"]
    assert unusable[1] == "launchSpecUnusable" and "less than Spot market price" in unusable[2]
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "SPOT_BID_BELOW_PRICE", f
    assert "ec2:DescribeSpotPriceHistory SpotPriceHistory[].SpotPrice" in evidence(f)
    assert (
        "ec2:DescribeSpotFleetRequestHistory HistoryRecords[].EventInformation.EventDescription "
        f"{names['ce0']}: launchSpecUnusable: Spot bid price is less than Spot market price"
    ) in evidence(f)


def test_a_fleet_out_of_capacity_is_named_with_the_fleets_error_events(
    sandbox: Any, batch: Any, fleet_ce: Callable[..., dict[str, str]], job_definition: Any,
    aws_client: Any, ec2_short_of: set[str], diagnose: Run,
) -> None:  # fmt: skip
    ec2_short_of.add("c5.xlarge")
    names = fleet_ce(instanceTypes=["c5.xlarge"])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(30)
    ec2 = aws_client("ec2")
    errors = [e for e in history(ec2, fleet_of(ec2, names["ce0"])) if e[0] == "error"]
    assert [e[1] for e in errors] == ["allLaunchSpecsTemporarilyBlacklisted"]
    assert errors[0][2].startswith("InsufficientInstanceCapacity: We currently do not have")
    rc, early = diagnose(job)
    assert rc == 0 and first(early)["code"] == "PROBABLY_TRANSIENT"
    sandbox.advance(CAPACITY_REASON_AFTER_SECONDS)
    assert batch.describe_jobs(jobs=[job])["jobs"][0]["statusReason"].startswith("CAPACITY:")
    rc, doc = diagnose(job)
    f = first(doc)
    assert rc == 3 and f["code"] == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", f
    assert (
        "ec2:DescribeSpotFleetRequestHistory HistoryRecords[].EventInformation.EventDescription "
        f"{names['ce0']}: allLaunchSpecsTemporarilyBlacklisted: InsufficientInstanceCapacity"
    ) in evidence(f)


@pytest.mark.parametrize("denied", ["DescribeSpotFleetRequests", "DescribeSpotFleetRequestHistory"])
def test_a_denied_fleet_read_is_a_cannot_tell_not_a_failure(
    sandbox: Any, batch: Any, fleet_ce: Callable[..., dict[str, str]], job_definition: Any,
    ec2_short_of: set[str], sandbox_faults: Any, diagnose: Run, denied: str,
) -> None:  # fmt: skip
    ec2_short_of.add("c5.2xlarge")
    names = fleet_ce(instanceTypes=["c5.2xlarge"])
    job = submit(batch, names["queue"], job_definition())
    sandbox.advance(30)
    sandbox_faults.inject_fault("ec2", denied, code="UnauthorizedOperation", status=403, times=10)
    rc, doc = diagnose(job)
    cannot = [x["title"] for x in doc["findings"] if x["code"] == "CANNOT_TELL"]
    assert rc in (0, 3) and len(cannot) == 1 and cannot[0].endswith(f" on ec2:{denied}"), doc
    assert not [
        x for x in doc["findings"] if x["code"] == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
    ]
