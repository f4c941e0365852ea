"""Head-of-queue blocking, as AWS documents it ("Jobs stuck in a RUNNABLE status").

A RUNNABLE job at the head of a FIFO queue that is blocked for a MISCONFIGURATION, CAPACITY or
ACTION_REQUIRED reason carries that reason and holds back every job behind it (they stay RUNNABLE
without a statusReason) until it leaves RUNNABLE (cancelled, terminated, or by a
jobStateTimeLimitAction that counts from when it became blocked at the head) or its cause is
fixed. Jobs waiting for instances to launch are not blocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from batchtui.model import SPOT_STANDARD_QUOTA
from batchtui.sandbox.launches import CAPACITY_REASON_AFTER_SECONDS

TIME_LIMIT = "Canceled by JobStateTimeLimit action due to reason: "


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


def submit(batch: Any, queue: str, jd: str, name: str) -> str:
    return str(batch.submit_job(jobName=name, jobQueue=queue, jobDefinition=jd)["jobId"])


def jobs(batch: Any, *job_ids: str) -> list[dict[str, Any]]:
    return list(batch.describe_jobs(jobs=list(job_ids))["jobs"])


def states(batch: Any, *job_ids: str) -> list[tuple[str, str | None]]:
    """(status, statusReason) of each job, in the order given."""
    by_id = {j["jobId"]: j for j in jobs(batch, *job_ids)}
    return [(by_id[i]["status"], by_id[i].get("statusReason")) for i in job_ids]


def test_blocked_head_holds_back_the_queue_until_max_vcpus_is_raised(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])
    q, ce = names["queue"], names["ce0"]
    oversized = job_definition(["sh", "-c", "sleep 600"], vcpus="48", memory="8192")
    small = job_definition(["sh", "-c", "sleep 60"])
    head = submit(batch, q, oversized, "simulate-48-cores")
    behind = [submit(batch, q, small, f"small-{i}") for i in range(3)]
    sandbox.advance(60)
    reason = (
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue "
        "cannot meet the CPU requirement of the job."
    )
    assert states(batch, head, *behind) == [("RUNNABLE", reason)] + [("RUNNABLE", None)] * 3
    listed = batch.list_jobs(jobQueue=q, jobStatus="RUNNABLE")["jobSummaryList"]
    assert {j["jobId"]: j.get("statusReason") for j in listed} == {
        head: reason,
        **dict.fromkeys(behind),
    }
    front = batch.get_job_queue_snapshot(jobQueue=q)["frontOfQueue"]["jobs"]
    assert [j["jobArn"].rsplit("/", 1)[1] for j in front] == [head, *behind]
    ce_detail = batch.describe_compute_environments(computeEnvironments=[ce])
    assert ce_detail["computeEnvironments"][0]["computeResources"]["desiredvCpus"] == 0
    sandbox.advance(3600)
    assert [s for s, _ in states(batch, head, *behind)] == ["RUNNABLE"] * 4  # still held back

    batch.update_compute_environment(computeEnvironment=ce, computeResources={"maxvCpus": 64})
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 5)
    assert states(batch, head, *behind) == [("RUNNING", None)] * 4
    sandbox.advance(600)
    assert [s for s, _ in states(batch, head, *behind)] == ["SUCCEEDED"] * 4


def test_jobs_waiting_for_instances_or_room_are_not_blocked(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    # maxvCpus 4 holds two m5.large: the third job waits for room, the fourth behind it too.
    names = batch_queue(ces=[{"maxvCpus": 4, "instanceTypes": ["m5.large"]}])
    jd = job_definition(["sh", "-c", "sleep 120"], vcpus="2", memory="2048")
    ids = [submit(batch, names["queue"], jd, f"wave-{i}") for i in range(4)]
    sandbox.advance(5)
    assert states(batch, *ids) == [("RUNNABLE", None)] * 4  # instances launching: no reason
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds)
    assert states(batch, *ids) == [("RUNNING", None)] * 2 + [("RUNNABLE", None)] * 2
    sandbox.advance(150)  # the first two finish; the others take their room
    assert [s for s, _ in states(batch, *ids)] == ["SUCCEEDED"] * 2 + ["RUNNING"] * 2


def test_time_limit_counts_from_when_a_job_became_the_blocked_head(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    action = {
        "reason": "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
        "state": "RUNNABLE",
        "maxTimeSeconds": 600,
        "action": "CANCEL",
    }
    names = batch_queue(ces=[{"maxvCpus": 16}], jobStateTimeLimitActions=[action])
    q = names["queue"]
    too_big = job_definition(memory=str(2_000_000))  # more memory than any m5
    small = job_definition(["sh", "-c", "sleep 30"])
    first, second = (submit(batch, q, too_big, f"genome-{i}") for i in range(2))
    last = submit(batch, q, small, "report")
    sandbox.advance(60)
    assert states(batch, first, second, last)[1:] == [("RUNNABLE", None)] * 2
    sandbox.advance(600)  # the first was blocked at the head for 600 s: cancelled
    cancelled = jobs(batch, first)[0]
    assert (cancelled["status"], cancelled["statusReason"], cancelled["isCancelled"]) == (
        "FAILED",
        TIME_LIMIT + "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
        True,
    )
    # The second has been RUNNABLE for 660 s, but at the head only since the first left.
    status, reason = states(batch, second)[0]
    assert status == "RUNNABLE" and reason is not None
    assert reason.startswith("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - ")
    assert states(batch, last) == [("RUNNABLE", None)]
    sandbox.advance(600)
    assert states(batch, second)[0][0] == "FAILED"
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 60)
    assert states(batch, last) == [("SUCCEEDED", "Essential container in task exited")]


@pytest.fixture
def spot_quota_used_up(sandbox: Any) -> Iterator[None]:
    """No spot vCPU left in the account's quota (restored afterwards).

    The quota is 0, not what spot instances use now: instances other tests of the session left
    behind scale in while a test runs, which would free room under a quota set to their use."""
    saved = sandbox.quotas[SPOT_STANDARD_QUOTA]
    sandbox.quotas[SPOT_STANDARD_QUOTA] = 0.0
    try:
        yield
    finally:
        sandbox.quotas[SPOT_STANDARD_QUOTA] = saved


def test_capacity_blocked_head_cancelled_then_fixed_by_enabling_a_ce(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, spot_quota_used_up: None
) -> None:
    names = batch_queue(ces=[{"type": "SPOT"}, {"state": "DISABLED"}])
    q = names["queue"]
    jd = job_definition(["sh", "-c", "sleep 60"], vcpus="2", memory="2048")
    ids = [submit(batch, q, jd, f"spot-{i}") for i in range(3)]
    sandbox.advance(30)  # the launches fail at once; the reason comes only when they keep failing
    assert states(batch, *ids) == [("RUNNABLE", None)] * 3
    sandbox.advance(CAPACITY_REASON_AFTER_SECONDS)
    capacity = (
        "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested "
        "for instance type m5.large"
    )
    assert states(batch, *ids) == [("RUNNABLE", capacity), ("RUNNABLE", None), ("RUNNABLE", None)]
    batch.cancel_job(jobId=ids[0], reason="giving up on spot")
    sandbox.advance(1)
    assert states(batch, *ids) == [
        ("FAILED", "giving up on spot"),
        ("RUNNABLE", capacity),  # the next job is the head now, blocked for the same cause
        ("RUNNABLE", None),
    ]
    # The fix: enable the on-demand CE behind the spot one.
    batch.update_compute_environment(computeEnvironment=names["ce1"], state="ENABLED")
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 5)
    assert states(batch, *ids[1:]) == [("RUNNING", None)] * 2


def test_raising_the_quota_unblocks_the_head(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, spot_quota_used_up: None
) -> None:
    q = batch_queue(ces=[{"type": "SPOT"}])["queue"]
    jd = job_definition(["sh", "-c", "sleep 60"], vcpus="2", memory="2048")
    ids = [submit(batch, q, jd, f"quota-{i}") for i in range(2)]
    sandbox.advance(CAPACITY_REASON_AFTER_SECONDS + 30)
    assert [r is not None for _, r in states(batch, *ids)] == [True, False]
    # A quota increase granted: room for both jobs above what spot instances use now.
    sandbox.quotas[SPOT_STANDARD_QUOTA] = sandbox.scheduler.fleet.pool_used[True] + 16
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 1)
    assert states(batch, *ids) == [("RUNNING", None)] * 2


def test_a_queue_with_a_scheduling_policy_is_not_held_back(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, unique_name: Any
) -> None:
    policy = batch.create_scheduling_policy(name=unique_name("fair"))["arn"]
    q = batch_queue(ces=[{"maxvCpus": 16}], schedulingPolicyArn=policy)["queue"]
    share = {"shareIdentifier": "team", "schedulingPriorityOverride": 1}
    stuck = batch.submit_job(
        jobName="too-big", jobQueue=q, jobDefinition=job_definition(memory="2000000"), **share
    )["jobId"]
    runs = batch.submit_job(
        jobName="fits", jobQueue=q, jobDefinition=job_definition(["sh", "-c", "sleep 30"]), **share
    )["jobId"]
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 5)
    [(status, reason), running] = states(batch, stuck, runs)
    assert status == "RUNNABLE" and reason is not None
    assert reason.startswith("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")
    assert running == ("RUNNING", None)


def test_front_of_queue_times_are_when_each_job_reached_its_place(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    """earliestTimeAtPosition is "when the job transitioned to its current position": after
    the blocked head is cancelled, the next job's time at the front starts then (it said when
    that job became RUNNABLE, so a queue that had just moved on looked stuck for hours)."""
    names = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])
    q = names["queue"]
    oversized = job_definition(["sh", "-c", "sleep 600"], vcpus="48", memory="8192")
    head = submit(batch, q, oversized, "simulate-48-cores")
    second = submit(batch, q, oversized, "simulate-48-cores-again")
    sandbox.advance(60)
    third = submit(batch, q, oversized, "simulate-48-cores-late")
    sandbox.advance(3600)

    def front() -> dict[str, int]:
        jobs = batch.get_job_queue_snapshot(jobQueue=q)["frontOfQueue"]["jobs"]
        return {j["jobArn"].rsplit("/", 1)[1]: j["earliestTimeAtPosition"] for j in jobs}

    before = front()
    assert list(before) == [head, second, third]
    assert before[head] <= before[second] < before[third]  # when each joined
    batch.cancel_job(jobId=head, reason="oversized")
    cancelled_at = batch.describe_jobs(jobs=[head])["jobs"][0]["stoppedAt"]
    sandbox.advance(600)
    after = front()
    assert list(after) == [second, third]
    assert after[second] == after[third] == cancelled_at  # both moved up then
    assert after[second] > before[third]
