"""Launch failures as an Auto Scaling group records them: it retries every few minutes, so how
long launches have failed is counted from the first failure since the last success."""

from __future__ import annotations

from batchtui.diagnose import (
    BatchFacts,
    JobFacts,
    ScalingActivity,
    Severity,
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
EC2_WORDS = (
    "We currently do not have sufficient c5.24xlarge capacity in the Availability Zone you "
    "requested (us-east-1a). Launching EC2 instance failed."
)


def facts(*activities: ScalingActivity) -> BatchFacts:
    ce = ComputeEnvironment(name="ce", arn="arn:ce", state="ENABLED", status="VALID",
                            max_vcpus=192, instance_types=("c5.24xlarge",), subnets=("subnet-a",),
                            instance_role="profile")  # fmt: skip
    queue = JobQueue(name="q", arn="arn:q", state="ENABLED", status="VALID", priority=1,
                     compute_environment_order=(ComputeEnvironmentOrder(1, "ce"),))  # fmt: skip
    job = JobFacts("j1", "wide", "RUNNABLE", "q", created_at_ms=NOW_MS - 3_600_000,
                   request=ResourceRequest(64, 65536))  # fmt: skip
    return BatchFacts(now=NOW, queue=queue, jobs=(job,), compute_environments=(ce,),
                      catalog={"c5.24xlarge": InstanceType("c5.24xlarge", 96, 196608)},
                      quotas={PurchaseModel.EC2: 1000.0, PurchaseModel.SPOT: 1000.0},
                      scaling_activities=activities)  # fmt: skip


def failed(minutes_ago: float) -> ScalingActivity:
    return ScalingActivity("ce", "Failed", EC2_WORDS, NOW_MS - int(minutes_ago * 60_000))


def test_a_shortage_retried_for_twenty_minutes_is_not_transient() -> None:
    f = diagnose(facts(failed(20), failed(15), failed(10), failed(5), failed(0.5))).findings[0]
    assert f.code == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY" and f.severity is Severity.BLOCKING
    assert "failing for 20 min" in f.title


def test_failures_after_a_success_count_from_the_success() -> None:
    ok = ScalingActivity("ce", "Successful", "Launching a new EC2 instance: i-1", NOW_MS - 240_000)
    f = diagnose(facts(failed(30), ok, failed(2))).findings[0]
    assert f.code == "PROBABLY_TRANSIENT" and f.severity is Severity.INFO
