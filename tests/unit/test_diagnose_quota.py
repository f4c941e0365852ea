"""A used-up vCPU quota is one cause, however many rules see it: its fix names the compute
environments holding the pool's vCPUs, and stderr's one line names each code once."""

from __future__ import annotations

from test_diagnose import NOW_MS, ce, facts, job

from batchtui.diagnose import (
    BatchFacts,
    Diagnosis,
    Finding,
    JobFacts,
    ScalingActivity,
    Severity,
    diagnose,
)
from batchtui.model import PurchaseModel
from batchtui.render.diagnosis import blocked_line

LIMIT = (
    "You have requested more vCPU capacity than your current vCPU limit of 64 allows for the "
    "instance bucket that the specified instance type belongs to."
)
CAPACITY = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity"


def quota_facts(*jobs: JobFacts, launches: bool = True) -> BatchFacts:
    busy = ce("busy", desired_vcpus=40, purchase_model=PurchaseModel.SPOT)
    other = ce("other", desired_vcpus=20, purchase_model=PurchaseModel.SPOT)
    idle = ce("idle", purchase_model=PurchaseModel.SPOT)
    ondemand = ce("ondemand", desired_vcpus=30)
    mine = ce(purchase_model=PurchaseModel.SPOT, desired_vcpus=0)
    failed = (ScalingActivity("ce", "Failed", LIMIT, NOW_MS - 60_000),) if launches else ()
    return facts(*jobs, ces=(mine,), compute_environments=(mine, busy, other, idle, ondemand),
                 quotas={PurchaseModel.SPOT: 64.0, PurchaseModel.EC2: 1000.0},
                 scaling_activities=failed, container_instances={"ce": (0, 0)})  # fmt: skip


def test_the_pools_quota_and_the_launches_failing_on_it_are_one_finding() -> None:
    d = diagnose(quota_facts(job(vcpus=8, status_reason=CAPACITY)))
    quota = [f for f in d.findings if f.code == "VCPU_QUOTA_EXHAUSTED"]
    assert len(quota) == 1, d.findings
    (f,) = quota
    assert f.severity is Severity.BLOCKING and "60 of 64 vCPUs" in f.title
    calls = [e.call for e in f.evidence]
    assert "servicequotas:GetServiceQuota" in calls
    assert "autoscaling:DescribeScalingActivities" in calls  # the launch failure's words too
    assert blocked_line(d, "queue q") == "queue q: blocked by VCPU_QUOTA_EXHAUSTED"


def test_the_quota_fix_names_the_ces_holding_the_pools_vcpus_most_first() -> None:
    d = diagnose(quota_facts(job(vcpus=8, status_reason=CAPACITY), launches=False))
    f = d.findings[0]
    assert f.fix.endswith(
        "or lower maxvCpus of the compute environments that hold it: busy (40 vCPUs), "
        "other (20 vCPUs)"
    )
    assert "ondemand" not in f.fix and "idle" not in f.fix  # another pool; holds nothing


def test_one_code_on_several_targets_is_named_once_with_its_targets() -> None:
    def blocked(title: str, job_id: str, target: str) -> Finding:
        return Finding("CODE", Severity.BLOCKING, title, (), "fix", (job_id,), target=target)

    d = Diagnosis((blocked("on a", "j1", "ce-a"), blocked("on b", "j2", "ce-b")), 3)
    assert (
        blocked_line(d, "queue q")
        == "queue q: blocked by CODE on ce-a, ce-b (2 of the 3 jobs examined)"
    )
    same = Diagnosis((blocked("one way", "j1", ""), blocked("another", "j1", "")), 3)
    assert blocked_line(same, "queue q") == "queue q: blocked by CODE (1 of the 3 jobs examined)"
