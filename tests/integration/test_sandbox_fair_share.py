"""Scheduling policies and fair-share queues, through boto3 against the sandbox over HTTP.

The operations and their rules are AWS's (botocore's model, the Batch user guide); a fair-share
queue takes jobs by share usage times weightFactor, holds back computeReservation for shares not
yet running, and orders each share's jobs by schedulingPriority.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

AWS = shutil.which("aws") or "/root/.pyenv/shims/aws"


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


@pytest.fixture
def policy(batch: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """Create a scheduling policy with this fairsharePolicy; returns its ARN."""

    def make(**fairshare: Any) -> str:
        return str(
            batch.create_scheduling_policy(name=unique_name("policy"), fairsharePolicy=fairshare)[
                "arn"
            ]
        )

    return make


def error_of(call: Callable[..., Any], **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["Error"]["Code"] == "ClientException"
    return str(info.value.response["Error"]["Message"])


def started(batch: Any, array_job_id: str) -> int:
    """Children of an array job that got capacity (STARTING, RUNNING or SUCCEEDED)."""
    [parent] = batch.describe_jobs(jobs=[array_job_id])["jobs"]
    summary = parent["arrayProperties"]["statusSummary"]
    return int(sum(summary.get(s, 0) for s in ("STARTING", "RUNNING", "SUCCEEDED")))


# -- the policy operations -----------------------------------------------------------------------
def test_scheduling_policy_lifecycle_and_tags(
    batch: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("policy")
    created = batch.create_scheduling_policy(
        name=name,
        fairsharePolicy={
            "shareDecaySeconds": 3600,
            "computeReservation": 10,
            "shareDistribution": [{"shareIdentifier": "A1*", "weightFactor": 0.5}],
        },
        tags={"team": "imaging"},
    )
    arn = created["arn"]
    assert arn == f"arn:aws:batch:us-east-1:123456789012:scheduling-policy/{name}"
    assert created["name"] == name
    [detail] = batch.describe_scheduling_policies(arns=[arn, arn + "-missing"])[
        "schedulingPolicies"
    ]
    assert detail["fairsharePolicy"] == {
        "shareDecaySeconds": 3600,
        "computeReservation": 10,
        "shareDistribution": [{"shareIdentifier": "A1*", "weightFactor": 0.5}],
    }
    assert detail["tags"] == {"team": "imaging"}
    listed = [p["arn"] for p in batch.list_scheduling_policies()["schedulingPolicies"]]
    assert arn in listed

    batch.update_scheduling_policy(arn=arn, fairsharePolicy={"computeReservation": 50})
    [detail] = batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"]
    assert detail["fairsharePolicy"] == {
        "shareDecaySeconds": 0,
        "computeReservation": 50,
        "shareDistribution": [],
    }

    batch.tag_resource(resourceArn=arn, tags={"cost-center": "42"})
    tags = batch.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == {"team": "imaging", "cost-center": "42"}
    batch.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"cost-center": "42"}

    batch.delete_scheduling_policy(arn=arn)
    assert batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"] == []
    assert "not found" in error_of(batch.delete_scheduling_policy, arn=arn)


def test_list_scheduling_policies_pages(batch: Any, policy: Callable[..., str]) -> None:
    made = {policy() for _ in range(3)}
    seen: list[str] = []
    kwargs: dict[str, Any] = {"maxResults": 2}
    while True:
        page = batch.list_scheduling_policies(**kwargs)
        assert len(page["schedulingPolicies"]) <= 2
        seen += [p["arn"] for p in page["schedulingPolicies"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert made <= set(seen) and len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("fairshare", "words"),
    [
        ({"computeReservation": 100}, "computeReservation must be 0 to 99"),
        ({"shareDecaySeconds": 604_801}, "shareDecaySeconds must be 0 to 604800"),
        (
            {
                "shareDistribution": [
                    {"shareIdentifier": "UserA*"},
                    {"shareIdentifier": "UserA1"},
                ]
            },
            "overlap",
        ),
        ({"shareDistribution": [{"shareIdentifier": "a-b"}]}, "shareIdentifier 'a-b'"),
        (
            {"shareDistribution": [{"shareIdentifier": "a", "weightFactor": 1000.0}]},
            "weightFactor of share a must be",
        ),
    ],
)
def test_invalid_fairshare_policies_are_refused(
    batch: Any, unique_name: Callable[[str], str], fairshare: dict[str, Any], words: str
) -> None:
    message = error_of(
        batch.create_scheduling_policy, name=unique_name("policy"), fairsharePolicy=fairshare
    )
    assert words in message


def test_quota_share_policies_are_refused_as_not_modelled(
    batch: Any, unique_name: Callable[[str], str]
) -> None:
    message = error_of(
        batch.create_scheduling_policy,
        name=unique_name("policy"),
        quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"},
    )
    assert "quotaSharePolicy" in message


# -- queues and their policy -------------------------------------------------------------------
def test_a_queues_policy_can_be_replaced_not_removed_nor_added(
    batch: Any, batch_queue: Any, policy: Callable[..., str]
) -> None:
    first, second = policy(), policy()
    fair = batch_queue(schedulingPolicyArn=first)["queue"]
    fifo = batch_queue()["queue"]

    batch.update_job_queue(jobQueue=fair, schedulingPolicyArn=second)
    [q] = batch.describe_job_queues(jobQueues=[fair])["jobQueues"]
    assert q["schedulingPolicyArn"] == second
    assert "replaced, not removed" in error_of(
        batch.update_job_queue, jobQueue=fair, schedulingPolicyArn=""
    )
    assert "FIFO job queue" in error_of(
        batch.update_job_queue, jobQueue=fifo, schedulingPolicyArn=first
    )
    missing = first + "-missing"
    assert "not found" in error_of(
        batch.update_job_queue, jobQueue=fair, schedulingPolicyArn=missing
    )
    assert "uses it" in error_of(batch.delete_scheduling_policy, arn=second)


def test_a_queue_needs_an_existing_policy(batch: Any, batch_queue: Any) -> None:
    missing = "arn:aws:batch:us-east-1:123456789012:scheduling-policy/never-made"
    with pytest.raises(ClientError, match="not found"):
        batch_queue(schedulingPolicyArn=missing)


# -- SubmitJob on fair-share and FIFO queues -----------------------------------------------------
def test_submit_job_takes_a_share_on_fair_share_queues_only(
    batch: Any, batch_queue: Any, job_definition: Any, policy: Callable[..., str]
) -> None:
    fair = batch_queue(schedulingPolicyArn=policy())["queue"]
    fifo = batch_queue()["queue"]
    jd = job_definition()
    base = {"jobName": "share", "jobDefinition": jd}

    assert error_of(batch.submit_job, jobQueue=fair, **base) == "shareIdentifier must be specified."
    assert error_of(batch.submit_job, jobQueue=fair, shareIdentifier="a", **base) == (
        "Either schedulingPriority in job definition or schedulingPriorityOverride should be "
        "specified."
    )
    assert "shareIdentifier" in error_of(
        batch.submit_job, jobQueue=fifo, shareIdentifier="a", **base
    )
    job_id = batch.submit_job(
        jobQueue=fair, shareIdentifier="teamA", schedulingPriorityOverride=7, **base
    )["jobId"]
    [job] = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert (job["shareIdentifier"], job["schedulingPriority"]) == ("teamA", 7)

    prioritised = job_definition(schedulingPriority=3)  # the definition's priority serves too
    job_id = batch.submit_job(
        jobQueue=fair, jobName="p", jobDefinition=prioritised, shareIdentifier="teamB"
    )["jobId"]
    [job] = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert (job["shareIdentifier"], job["schedulingPriority"]) == ("teamB", 3)


def test_list_jobs_filters_by_share_identifier_with_or_without_status(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, policy: Callable[..., str]
) -> None:
    q = batch_queue(ces=[{"state": "DISABLED"}], schedulingPolicyArn=policy())["queue"]
    jd = job_definition()
    ids = {
        share: [
            batch.submit_job(
                jobName=f"{share}-{i}",
                jobQueue=q,
                jobDefinition=jd,
                shareIdentifier=share,
                schedulingPriorityOverride=1,
            )["jobId"]
            for i in range(2)
        ]
        for share in ("alpha", "beta")
    }
    sandbox.advance(5)  # SUBMITTED -> RUNNABLE; the CE is disabled, so they stay there

    def listed(**kwargs: Any) -> list[str]:
        filters = [{"name": "SHARE_IDENTIFIER", "values": ["alpha"]}]
        summaries = batch.list_jobs(jobQueue=q, filters=filters, **kwargs)["jobSummaryList"]
        assert {s["shareIdentifier"] for s in summaries} <= {"alpha"}
        return [s["jobId"] for s in summaries]

    assert listed() == ids["alpha"][::-1]  # newest first
    assert listed(jobStatus="RUNNABLE") == ids["alpha"][::-1]
    assert listed(jobStatus="RUNNING") == []


# -- fair-share scheduling -----------------------------------------------------------------------
def test_shares_of_weights_1_and_3_run_jobs_3_to_1_under_contention(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, policy: Callable[..., str]
) -> None:
    arn = policy(
        shareDecaySeconds=600,
        shareDistribution=[
            {"shareIdentifier": "heavy", "weightFactor": 1.0},
            {"shareIdentifier": "light", "weightFactor": 3.0},
        ],
    )
    # 16 one-vCPU slots on four m5.xlarge, far fewer than the jobs waiting.
    q = batch_queue(
        ces=[{"maxvCpus": 16, "instanceTypes": ["m5.xlarge"]}], schedulingPolicyArn=arn
    )["queue"]
    jd = job_definition(["sh", "-c", "sleep 60"])
    arrays = {
        share: batch.submit_job(
            jobName=share,
            jobQueue=q,
            jobDefinition=jd,
            shareIdentifier=share,
            schedulingPriorityOverride=1,
            arrayProperties={"size": 400},
        )["jobId"]
        for share in ("light", "heavy")  # the lighter share first: order does not decide
    }
    sandbox.advance(1800)
    heavy, light = started(batch, arrays["heavy"]), started(batch, arrays["light"])
    assert heavy + light > 200  # capacity was in use all along ...
    assert heavy < 400 and light < 400  # ... and both shares still had jobs waiting
    assert 2.5 <= heavy / light <= 3.5

    utilization = batch.get_job_queue_snapshot(jobQueue=q)["queueUtilization"]
    assert utilization["totalCapacityUsage"] == [{"capacityUnit": "VCPU", "quantity": 16.0}]
    fairshare = utilization["fairshareUtilization"]
    assert fairshare["activeShareCount"] == 2
    by_share = {
        u["shareIdentifier"]: u["capacityUsage"][0]["quantity"]
        for u in fairshare["topCapacityUtilization"]
    }
    assert by_share["heavy"] + by_share["light"] == 16.0
    assert by_share["heavy"] > by_share["light"]
    assert [u["shareIdentifier"] for u in fairshare["topCapacityUtilization"]] == [
        "heavy",
        "light",
    ]


def test_compute_reservation_holds_capacity_back_for_shares_not_running(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, policy: Callable[..., str]
) -> None:
    arn = policy(computeReservation=50)  # one share active: half of maxvCpus held back
    q = batch_queue(
        ces=[{"maxvCpus": 16, "instanceTypes": ["m5.xlarge"]}], schedulingPolicyArn=arn
    )["queue"]
    jd = job_definition(["sh", "-c", "sleep 3600"])
    common = {"jobQueue": q, "jobDefinition": jd, "schedulingPriorityOverride": 1}
    first = batch.submit_job(
        jobName="first", shareIdentifier="first", arrayProperties={"size": 20}, **common
    )["jobId"]
    sandbox.advance(600)
    assert started(batch, first) == 8

    late = batch.submit_job(jobName="late", shareIdentifier="late", **common)["jobId"]
    sandbox.advance(600)
    [job] = batch.describe_jobs(jobs=[late])["jobs"]
    assert job["status"] == "RUNNING"  # it used the reserve
    # Two shares active: a quarter (4 vCPUs) held back, so the first share grows to 11.
    assert started(batch, first) == 11


def test_front_of_a_fair_share_queue_follows_priority_within_a_share_and_usage_across(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, policy: Callable[..., str]
) -> None:
    q = batch_queue(ces=[{"state": "DISABLED"}], schedulingPolicyArn=policy())["queue"]
    jd = job_definition()

    def submit(share: str, priority: int) -> str:
        return str(
            batch.submit_job(
                jobName=f"{share}-{priority}",
                jobQueue=q,
                jobDefinition=jd,
                shareIdentifier=share,
                schedulingPriorityOverride=priority,
            )["jobId"]
        )

    a_low, a_high, b = submit("a", 1), submit("a", 9), submit("b", 1)
    sandbox.advance(5)
    front = batch.get_job_queue_snapshot(jobQueue=q)["frontOfQueue"]["jobs"]
    assert [j["jobArn"].rsplit("/", 1)[1] for j in front] == [a_high, b, a_low]


def test_a_fifo_queue_reports_the_vcpus_its_jobs_hold_and_no_shares(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    q = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5.xlarge"]}])["queue"]
    jd = job_definition(["sh", "-c", "sleep 600"], vcpus="2", memory="2048")
    ids = [
        batch.submit_job(jobName=f"fifo-{i}", jobQueue=q, jobDefinition=jd)["jobId"]
        for i in range(3)
    ]
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 5)
    utilization = batch.get_job_queue_snapshot(jobQueue=q)["queueUtilization"]
    assert utilization["totalCapacityUsage"] == [{"capacityUnit": "VCPU", "quantity": 6.0}]
    assert "fairshareUtilization" not in utilization
    for job_id in ids:
        batch.terminate_job(jobId=job_id, reason="test over")
    sandbox.advance(sandbox.config.stop_seconds)  # their containers stop, then they fail
    utilization = batch.get_job_queue_snapshot(jobQueue=q)["queueUtilization"]
    assert utilization["totalCapacityUsage"] == [{"capacityUnit": "VCPU", "quantity": 0.0}]


# -- the aws CLI ---------------------------------------------------------------------------------
@pytest.mark.skipif(not os.path.exists(AWS), reason="awscli is not installed")
def test_the_aws_cli_makes_a_fair_share_queue_and_lists_a_share(
    sandbox: Any, batch_queue: Any, job_definition: Any, unique_name: Callable[[str], str]
) -> None:
    env = os.environ | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": sandbox.url,
    }

    def aws(*args: str) -> Any:
        done = subprocess.run(
            [AWS, "batch", *args, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(done.stdout) if done.stdout.strip() else {}

    weights = json.dumps({"shareDistribution": [{"shareIdentifier": "cli", "weightFactor": 0.5}]})
    arn = aws(
        "create-scheduling-policy", "--name", unique_name("policy"), "--fairshare-policy", weights
    )["arn"]
    q = batch_queue(ces=[{"state": "DISABLED"}], schedulingPolicyArn=arn)["queue"]
    job_id = aws(
        "submit-job",
        "--job-name",
        "by-cli",
        "--job-queue",
        q,
        "--job-definition",
        job_definition(),
        "--share-identifier",
        "cli",
        "--scheduling-priority-override",
        "5",
    )["jobId"]
    listed = aws("list-jobs", "--job-queue", q, "--filters", "name=SHARE_IDENTIFIER,values=cli")[
        "jobSummaryList"
    ]
    assert [(j["jobId"], j["shareIdentifier"]) for j in listed] == [(job_id, "cli")]
    [policy] = aws("describe-scheduling-policies", "--arns", arn)["schedulingPolicies"]
    assert policy["fairsharePolicy"]["shareDistribution"] == [
        {"shareIdentifier": "cli", "weightFactor": 0.5}
    ]
