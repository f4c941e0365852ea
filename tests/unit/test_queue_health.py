"""A queue's health from the overview's snapshot: no usable CE, a head blocked past the dwell
time (exactly at it included), a young reason, and what the snapshot cannot tell."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from batchtui.account.health import (
    BLOCKED,
    DWELL_S,
    NO_CE,
    OK,
    WAITING,
    QueueHealth,
    blocks_queue,
    needs_attention,
    queue_health,
)
from batchtui.account.snapshots import FirstPage
from batchtui.model import ComputeEnvironment, ComputeEnvironmentOrder, JobQueue

NOW_MS = 1_795_000_000_000
MAX_RESOURCE = (
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue "
    "cannot meet the CPU requirement of the job."
)


def ce(name: str, state: str = "ENABLED", status: str = "VALID") -> ComputeEnvironment:
    return ComputeEnvironment(name, f"arn:aws:batch:us-east-1:1:compute-environment/{name}", state, status)  # fmt: skip


def queue(*ces: str, state: str = "ENABLED", status: str = "VALID") -> JobQueue:
    order = tuple(ComputeEnvironmentOrder(i, c) for i, c in enumerate(ces, start=1))
    return JobQueue("q", "arn:q", state, status, compute_environment_order=order)


def job(name: str, created_ms: int, reason: str = "") -> dict[str, Any]:
    d: dict[str, Any] = {"jobId": name, "jobName": name, "createdAt": created_ms}
    if reason:
        d["statusReason"] = reason
    return d


def runnable(*jobs: dict[str, Any], next_token: str | None = None) -> dict[str, FirstPage]:
    return {"RUNNABLE": FirstPage(tuple(jobs), next_token, "q", 0.0)}


def test_a_queue_whose_only_ce_is_disabled_has_no_ce_and_says_who_waits() -> None:
    pages = runnable(job("train-model", NOW_MS - 1_730_000))
    health = queue_health(queue("gpu"), [ce("gpu", state="DISABLED")], pages, NOW_MS)
    assert health == QueueHealth(
        NO_CE, "gpu DISABLED; train-model waits 28m50s", head="train-model", for_s=1730.0
    )
    assert health.words == "NO CE gpu DISABLED; train-model waits 28m50s"


def test_an_invalid_ce_by_arn_and_a_disabled_one_leave_no_ce() -> None:
    ces = [ce("legacy", status="INVALID"), ce("old", state="DISABLED", status="INVALID")]
    q = queue(ces[0].arn, "old")
    assert queue_health(q, ces, {}, NOW_MS) == QueueHealth(
        NO_CE, "legacy INVALID, old DISABLED INVALID"
    )


def test_one_usable_ce_is_enough_and_an_unknown_ce_claims_nothing() -> None:
    ces = [ce("off", state="DISABLED"), ce("on")]
    assert queue_health(queue("off", "on"), ces, {}, NOW_MS).state == OK
    assert queue_health(queue("off", "gone"), ces, {}, NOW_MS).state == OK


def test_a_head_blocked_exactly_the_dwell_time_is_blocked_a_moment_less_is_waiting() -> None:
    at_dwell = runnable(
        job("newer", NOW_MS - 10_000),
        job("simulate-72-cores", NOW_MS - int(DWELL_S * 1000), MAX_RESOURCE),
    )
    health = queue_health(queue("ce"), [ce("ce")], at_dwell, NOW_MS)
    assert health == QueueHealth(
        BLOCKED,
        "5m00s simulate-72-cores COMPUTE_ENVIRONMENT_MAX_RESOURCE",
        head="simulate-72-cores",
        cause="MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
        for_s=300.0,
    )
    young = runnable(job("simulate-72-cores", NOW_MS - int(DWELL_S * 1000) + 1, MAX_RESOURCE))
    assert queue_health(queue("ce"), [ce("ce")], young, NOW_MS).state == WAITING


def test_the_blocked_head_is_the_oldest_job_with_a_blocking_reason() -> None:
    pages = runnable(
        job("late", NOW_MS - 400_000, "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - no c5"),
        job("head", NOW_MS - 9_360_000, "UNDETERMINED - no idea"),
        job("plain", NOW_MS - 99_000_000, "waiting for a dependency"),
    )
    health = queue_health(queue("ce"), [ce("ce")], pages, NOW_MS)
    assert (health.state, health.detail) == (BLOCKED, "2h36m head UNDETERMINED")


def test_runnable_jobs_without_a_blocking_reason_are_ok() -> None:
    pages = runnable(job("a", NOW_MS - 99_000_000), job("b", NOW_MS, "ACTIVE - queued"))
    assert queue_health(queue("ce"), [ce("ce")], pages, NOW_MS) == QueueHealth(OK)


def test_a_disabled_or_invalid_queue_says_so() -> None:
    assert queue_health(queue("ce", state="DISABLED"), [ce("ce")], {}, NOW_MS).state == "DISABLED"
    invalid = JobQueue("q", "", "ENABLED", "INVALID", "bad order")
    assert queue_health(invalid, [], {}, NOW_MS) == QueueHealth("INVALID", "bad order")


def test_blocking_reasons_are_diagnoses() -> None:
    assert blocks_queue(MAX_RESOURCE)
    assert blocks_queue("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - x")
    assert blocks_queue("ACTION_REQUIRED - CE(s) associated with the job queue are invalid.")
    assert blocks_queue("UNDETERMINED - x")
    assert not blocks_queue("")
    assert not blocks_queue("Essential container in task exited")


def test_the_worst_queues_come_first() -> None:
    healths = {
        "b": QueueHealth(BLOCKED),
        "ok": QueueHealth(OK),
        "w": QueueHealth(WAITING),
        "a": QueueHealth(BLOCKED),
        "n": QueueHealth(NO_CE),
    }
    assert [name for name, _ in needs_attention(healths)] == ["n", "a", "b", "w"]


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**7))
def test_blocked_exactly_when_the_reason_has_lasted_the_dwell_time(
    created_ago_ms: int, dwell_ms: int
) -> None:
    pages = runnable(job("head", NOW_MS - created_ago_ms, MAX_RESOURCE))
    health = queue_health(queue("ce"), [ce("ce")], pages, NOW_MS, dwell_s=dwell_ms / 1000)
    assert (health.state == BLOCKED) == (created_ago_ms >= dwell_ms)
    assert health.state in (BLOCKED, WAITING)
