"""Placement under maxvCpus and shared quotas, blocked-job reasons, spot interruptions, retries."""

from __future__ import annotations

from typing import Any

import pytest

from batchtui.model import SPOT_STANDARD_QUOTA
from batchtui.sandbox.launches import CAPACITY_REASON_AFTER_SECONDS


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


def describe(batch: Any, job_id: str) -> dict[str, Any]:
    return dict(batch.describe_jobs(jobs=[job_id])["jobs"][0])


def submit(batch: Any, queue: str, jd: str, name: str = "job", **extra: Any) -> str:
    return str(batch.submit_job(jobName=name, jobQueue=queue, jobDefinition=jd, **extra)["jobId"])


def test_spot_interruption_retried_by_evaluate_on_exit(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue(ces=[{"type": "SPOT"}])
    retry = {
        "attempts": 3,
        "evaluateOnExit": [
            {"onStatusReason": "Host EC2*", "action": "RETRY"},
            {"onReason": "*", "action": "EXIT"},
        ],
    }
    jd = job_definition(["sh", "-c", "sleep 300"], retryStrategy=retry)
    job_id = submit(batch, names["queue"], jd)
    sandbox.advance(250)
    job = describe(batch, job_id)
    assert job["status"] == "RUNNING"
    instance = sandbox.store.instances
    victim = next(i for i in instance.values() if job_id in i.jobs)
    assert sandbox.scheduler.interrupt_instance(victim.id)
    job = describe(batch, job_id)
    assert job["status"] == "RUNNABLE"  # retried, not failed
    [first] = job["attempts"]
    assert first["statusReason"] == f"Host EC2 (instance {victim.id}) terminated."
    assert "exitCode" not in first["container"]
    assert first["container"]["logStreamName"]
    assert first["container"]["containerInstanceArn"]
    sandbox.advance(700)
    job = describe(batch, job_id)
    assert job["status"] == "SUCCEEDED"
    assert len(job["attempts"]) == 2
    assert job["attempts"][1]["container"]["exitCode"] == 0
    assert job["attempts"][0]["container"]["taskArn"] != job["attempts"][1]["container"]["taskArn"]


def test_evaluate_on_exit_exit_rule_stops_retries(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue()
    retry = {
        "attempts": 5,
        "evaluateOnExit": [
            {"onExitCode": "3*", "action": "EXIT"},
            {"onExitCode": "*", "action": "RETRY"},
        ],
    }
    exits_1 = job_definition(["sh", "-c", "sleep 30; exit 1"], retryStrategy=retry)
    exits_3 = job_definition(["sh", "-c", "sleep 30; exit 3"], retryStrategy=retry)
    retried = submit(batch, names["queue"], exits_1)
    stopped = submit(batch, names["queue"], exits_3)
    sandbox.advance(3000)
    assert len(describe(batch, retried)["attempts"]) == 5  # attempts bounds RETRY
    job = describe(batch, stopped)
    assert (job["status"], len(job["attempts"])) == ("FAILED", 1)


def test_random_spot_interruptions_use_the_configured_rate() -> None:
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        seed="empty", manual_clock=True, spot_interruption_rate_per_hour=60.0, random_seed=5
    )
    with Sandbox(config) as sb:
        import boto3

        iam = boto3.client("iam", endpoint_url=sb.url, region_name=sb.region,
                           aws_access_key_id="t", aws_secret_access_key="t")  # fmt: skip
        iam.create_role(RoleName="p", AssumeRolePolicyDocument="{}")
        iam.attach_role_policy(  # without it the instances never join ECS
            RoleName="p",
            PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
        )
        iam.create_instance_profile(InstanceProfileName="p")
        iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="p")
        batch = boto3.client("batch", endpoint_url=sb.url, region_name=sb.region,
                             aws_access_key_id="t", aws_secret_access_key="t")  # fmt: skip
        batch.create_compute_environment(
            computeEnvironmentName="spot", type="MANAGED",
            computeResources={"type": "SPOT", "minvCpus": 0, "maxvCpus": 8, "instanceTypes": ["m5.large"],
                              "subnets": ["s"], "instanceRole": "p"})  # fmt: skip
        sb.advance(10)
        batch.create_job_queue(jobQueueName="q", priority=1,
                               computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "spot"}])  # fmt: skip
        batch.register_job_definition(
            jobDefinitionName="long", type="container",
            containerProperties={"image": "x", "vcpus": 1, "memory": 512,
                                 "command": ["sleep", "3600"]},
            retryStrategy={"attempts": 10})  # fmt: skip
        sb.advance(10)
        job_id = batch.submit_job(jobName="long", jobQueue="q", jobDefinition="long")["jobId"]
        sb.advance(4 * 3600)
        attempts = batch.describe_jobs(jobs=[job_id])["jobs"][0]["attempts"]
        lost = [a for a in attempts if a["statusReason"].startswith("Host EC2 (instance i-")]
        assert lost  # one an hour is expected; an hour-long job cannot dodge them all


def test_blocked_jobs_carry_aws_status_reasons(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    huge_memory = job_definition(memory=str(2_000_000))
    too_many = job_definition(vcpus="48", memory="4096")  # fits m5.12xlarge; maxvCpus is 16
    q = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])["queue"]
    mem_job = submit(batch, q, huge_memory, "mem")
    cpu_q = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])["queue"]
    cpu_job = submit(batch, cpu_q, too_many, "cpu")
    invalid = batch_queue(ces=[{"instanceRole": "arn:aws:iam::123456789012:instance-profile/gone"}])
    invalid_job = submit(batch, invalid["queue"], job_definition(), "invalid")
    disabled = batch_queue(ces=[{"state": "DISABLED"}])
    disabled_job = submit(batch, disabled["queue"], job_definition(), "disabled")
    sandbox.advance(60)
    reasons = {j: describe(batch, j).get("statusReason") for j in (mem_job, cpu_job, invalid_job)}
    assert reasons[mem_job].startswith("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job")
    assert reasons[cpu_job].startswith("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - ")
    assert reasons[invalid_job] == (
        "ACTION_REQUIRED - CE(s) associated with the job queue are invalid."
    )
    disabled_detail = describe(batch, disabled_job)
    assert disabled_detail["status"] == "RUNNABLE" and "statusReason" not in disabled_detail
    ce = batch.describe_compute_environments(computeEnvironments=[invalid["ce0"]])
    assert ce["computeEnvironments"][0]["status"] == "INVALID"
    listed = batch.list_jobs(jobQueue=q, jobStatus="RUNNABLE")["jobSummaryList"]
    assert {j["jobId"]: j["statusReason"] for j in listed} == {mem_job: reasons[mem_job]}


def test_shared_spot_quota_blocks_and_time_limit_action_cancels(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    # Two spot CEs share the spot quota; whichever launches first takes it.
    saved = sandbox.quotas[SPOT_STANDARD_QUOTA]
    used = sandbox.scheduler.fleet.pool_used[True]
    sandbox.quotas[SPOT_STANDARD_QUOTA] = used + 8
    try:
        first = batch_queue(ces=[{"type": "SPOT", "maxvCpus": 64}])
        action = {
            "reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
            "state": "RUNNABLE",
            "maxTimeSeconds": 600,
            "action": "CANCEL",
        }
        second = batch_queue(
            ces=[{"type": "SPOT", "maxvCpus": 64}], jobStateTimeLimitActions=[action]
        )
        jd = job_definition(["sh", "-c", "sleep 3000"], vcpus="8", memory="8192")
        hog = submit(batch, first["queue"], jd, "hog")
        sandbox.advance(2)
        blocked = submit(batch, second["queue"], jd, "blocked")
        sandbox.advance(60)
        assert describe(batch, hog)["status"] == "RUNNABLE"  # its instance is launching
        assert "statusReason" not in describe(batch, blocked)  # launches failing, not for long
        sandbox.advance(CAPACITY_REASON_AFTER_SECONDS)
        job = describe(batch, blocked)
        assert job["statusReason"] == (  # AWS's words; the instance type BEST_FIT would launch
            "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity "
            "requested for instance type m5.2xlarge"
        )
        assert sandbox.scheduler.fleet.pool_used[True] <= used + 8
        sandbox.advance(600)
        job = describe(batch, blocked)
        assert job["status"] == "FAILED"
        assert job["statusReason"] == (
            "Canceled by JobStateTimeLimit action due to reason: "
            "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
        )
        assert describe(batch, hog)["status"] == "RUNNING"
    finally:
        sandbox.quotas[SPOT_STANDARD_QUOTA] = saved


def test_max_vcpus_is_never_exceeded_and_queue_priority_wins(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, unique_name: Any
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 8, "instanceTypes": ["m5.large"]}], priority=1)
    ce = names["ce0"]
    high = unique_name("high")
    batch.create_job_queue(
        jobQueueName=high,
        priority=100,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}],
    )
    jd = job_definition(["sh", "-c", "sleep 100"], vcpus="2", memory="2048")
    low_jobs = [submit(batch, names["queue"], jd, f"low{i}") for i in range(6)]
    high_jobs = [submit(batch, high, jd, f"high{i}") for i in range(4)]
    sandbox.advance(2)
    desired = batch.describe_compute_environments(computeEnvironments=[ce])
    assert desired["computeEnvironments"][0]["computeResources"]["desiredvCpus"] == 8
    placed = [j for j in high_jobs + low_jobs if sandbox.store.jobs[j].instance_id]
    assert sorted(placed) == sorted(high_jobs)  # the higher-priority queue goes first
    snapshot = batch.get_job_queue_snapshot(jobQueue=names["queue"])["frontOfQueue"]
    assert [j["jobArn"].rsplit("/", 1)[-1] for j in snapshot["jobs"]] == low_jobs
    sandbox.advance(2000)
    assert all(describe(batch, j)["status"] == "SUCCEEDED" for j in low_jobs + high_jobs)
