"""Pure scheduler pieces: retryStrategy rules, blocked reasons, status index paging, workloads."""

from __future__ import annotations

import random

from batchtui.model import InstanceType, PurchaseModel, ResourceRequest
from batchtui.sandbox import placement, workload
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord, Job, JobDefinitionRecord
from batchtui.sandbox.batch_store import StatusIndex
from batchtui.sandbox.retry import should_retry

LOST = "Host EC2 (instance i-0123456789abcdef0) terminated."


def test_retry_first_matching_rule_wins() -> None:
    rules = {
        "attempts": 3,
        "evaluateOnExit": [
            {"onStatusReason": "Host EC2*", "action": "RETRY"},
            {"onExitCode": "1", "action": "EXIT"},
            {"onReason": "*", "action": "EXIT"},
        ],
    }
    assert should_retry(rules, 1, LOST, None, None)
    assert not should_retry(rules, 3, LOST, None, None)  # attempts spent
    assert not should_retry(rules, 1, "Essential container in task exited", None, 1)
    assert not should_retry(rules, 1, "x", "OutOfMemoryError", 137)  # onReason * matches
    assert should_retry(rules, 1, "x", None, 2)  # nothing matches: AWS retries


def test_retry_exit_code_patterns_and_no_strategy() -> None:
    rules = {"attempts": 2, "evaluateOnExit": [{"onExitCode": "13*", "action": "exit"}]}
    assert not should_retry(rules, 1, "x", None, 137)
    assert should_retry(rules, 1, "x", None, 1)
    assert should_retry(rules, 1, LOST, None, None)  # no exit code: the rule cannot match
    assert not should_retry(None, 1, "x", None, 1)


def _ce(
    types: list[InstanceType], max_vcpus: int, status: str = "VALID"
) -> ComputeEnvironmentRecord:
    ce = ComputeEnvironmentRecord("ce", "arn", "MANAGED")
    ce.instance_types, ce.max_vcpus, ce.status = types, max_vcpus, status
    ce.purchase = PurchaseModel.SPOT
    return ce


def test_blocked_reasons() -> None:
    small = InstanceType("m5.large", 2, 8192)
    big = InstanceType("m5.4xlarge", 16, 65536)
    fits = ResourceRequest(1, 2048)
    assert placement.misconfiguration(fits, [_ce([small], 4)]) is None
    assert placement.misconfiguration(ResourceRequest(1, 8192), [_ce([small], 4)]) == (
        placement.JOB_RESOURCE_REQUIREMENT  # the ECS agent's reservation leaves less than 8 GiB
    )
    assert placement.misconfiguration(ResourceRequest(12, 1024), [_ce([small, big], 8)]) == (
        placement.COMPUTE_ENVIRONMENT_MAX_RESOURCE
    )
    assert placement.misconfiguration(fits, [_ce([small], 4, "INVALID")]) == placement.INVALID_CE
    assert placement.capacity_reason(_ce([small, big], 4), ResourceRequest(4, 4096)) == (
        "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested "
        "for instance type m5.4xlarge"
    )
    assert placement.is_blocking(placement.INVALID_CE)
    assert not placement.is_blocking(None) and not placement.is_blocking("Essential container")


def test_status_index_pages_newest_first_and_compacts() -> None:
    idx = StatusIndex("RUNNING")
    jd = JobDefinitionRecord("jd", 1, "arn")
    jobs = []
    for i in range(3000):
        job = Job(f"j{i}", "n", "q", jd)
        job.status, job.seq = "RUNNING", i + 1
        idx.add(job)
        jobs.append(job)
    for job in jobs[:2000]:  # leave the status
        job.status = "SUCCEEDED"
        idx.remove(job)
    assert idx.live == 1000 and len(idx.jobs) < 3000  # compacted
    page = list(idx.newest_first())
    assert [j.job_id for j in page[:2]] == ["j2999", "j2998"]
    assert next(j.job_id for j in idx.newest_first(2500)) == "j2499"


def test_workload_reads_sleep_and_exit() -> None:
    rng = random.Random(0)
    plan = workload.plan_workload({"command": ["sh", "-c", "sleep 600; exit 3"]}, rng)
    assert (plan.duration, plan.exit_code) == (600.0, 3)
    env = {"environment": [{"name": "SANDBOX_EXIT_CODE", "value": "7"},
                           {"name": "SANDBOX_DURATION_SECONDS", "value": "42"}]}  # fmt: skip
    plan = workload.plan_workload(env, rng)
    assert (plan.duration, plan.exit_code) == (42.0, 7)
    plan = workload.plan_workload({"command": ["python", "job.py"]}, rng)
    assert workload.DEFAULT_MIN_SECONDS <= plan.duration <= workload.DEFAULT_MAX_SECONDS
    assert plan.exit_code == 0


def test_fargate_task_sizes_are_exact() -> None:
    from batchtui.sandbox import fargate

    def reason(cpu: float, memory: int, **legacy: int) -> str | None:
        return fargate.check_task_size(legacy, ResourceRequest(cpu, memory))

    assert reason(0.25, 512) is None and reason(16, 122880) is None and reason(4, 30720) is None
    assert reason(1, 1024) == "Fargate resource requirements (1.00 vCPU, 1024 MiB) not valid."
    assert reason(8, 20000) is not None  # 8 vCPUs take memory in 4 GiB steps
    assert reason(3, 8192) is not None  # no 3-vCPU size
    assert reason(1, 2048, vcpus=1) == (
        "vcpus is not applicable for Fargate. Use resource requirements instead."
    )
    assert fargate.check_task_size({}, ResourceRequest(1, 2048, 1)) is not None  # no GPUs


def test_fargate_misconfiguration_is_about_max_vcpus_only() -> None:
    from batchtui.sandbox import fargate

    ce = _ce([], 4)
    ce.purchase = PurchaseModel.FARGATE
    assert fargate.misconfiguration(ResourceRequest(4, 8192), [ce]) is None
    assert fargate.misconfiguration(ResourceRequest(8, 16384), [ce]) == (
        placement.COMPUTE_ENVIRONMENT_MAX_RESOURCE
    )
    ce.status = "INVALID"
    assert fargate.misconfiguration(ResourceRequest(1, 2048), [ce]) == placement.INVALID_CE
