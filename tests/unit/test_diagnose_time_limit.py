"""The queue's time limit names the cause to fix in time, wherever the report prints it."""

from __future__ import annotations

from dataclasses import replace

from test_diagnose import NOW_MS, ce, facts, job, queue

from batchtui.diagnose import QueuePosition, diagnose
from batchtui.model import ComputeEnvironment

MAX_RESOURCE = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
CAPACITY = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"


def limited(reason: str, seconds: int, c: ComputeEnvironment) -> list[tuple[str, str]]:
    q = replace(queue(), job_state_time_limit_actions=(
        {"reason": reason, "state": "RUNNABLE", "maxTimeSeconds": seconds, "action": "CANCEL"},))  # fmt: skip
    stuck = job(vcpus=16, status_reason=reason + " - ...")
    front = (QueuePosition("j1", 1, NOW_MS - 120_000),)
    d = diagnose(facts(stuck, ces=(c,), queue=q, front_of_queue=front))
    return [(f.code, f.fix) for f in d.findings]


def test_a_far_limit_printed_below_its_cause_names_it() -> None:
    found = limited(MAX_RESOURCE, 7200, ce(max_vcpus=8))
    assert [code for code, _ in found] == [MAX_RESOURCE, "JOB_STATE_TIME_LIMIT"]
    assert found[1][1] == (
        f"fix its cause ({MAX_RESOURCE}) before then, or raise maxTimeSeconds of the queue's action"
    )


def test_a_near_limit_printed_above_its_cause_names_it_too() -> None:
    found = limited(MAX_RESOURCE, 600, ce(max_vcpus=8))
    assert [code for code, _ in found] == ["JOB_STATE_TIME_LIMIT", MAX_RESOURCE]
    assert found[0][1].startswith(f"fix its cause ({MAX_RESOURCE}) before then")


def test_without_a_rule_of_its_own_the_cause_is_awss_reason() -> None:
    found = limited(CAPACITY, 7200, ce())
    limit = dict(found)["JOB_STATE_TIME_LIMIT"]
    assert limit.startswith(f"fix what AWS's reason {CAPACITY} names before then")
    assert all("below" not in fix and "above" not in fix for _, fix in found)
