"""The shared capacity model: fit, jobs per instance, budgets under shared pool quotas."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batchtui.capacity import (
    instances_within,
    jobs_per_instance,
    no_fit_reason,
    pool_budgets,
    shared_pool_budgets,
)
from batchtui.model import ComputeEnvironment, InstanceType, PurchaseModel, ResourceRequest

C5_LARGE = InstanceType("c5.large", 2, 4096)
M5_XLARGE = InstanceType("m5.xlarge", 4, 16384)


def ce(name: str, pool: PurchaseModel, max_vcpus: int) -> ComputeEnvironment:
    return ComputeEnvironment(
        name, "", "ENABLED", "VALID", purchase_model=pool, max_vcpus=max_vcpus
    )


def test_jobs_per_instance_counts_the_agent_reservation() -> None:
    assert jobs_per_instance(ResourceRequest(1, 1024), C5_LARGE) == 2
    assert jobs_per_instance(ResourceRequest(1, 2048), C5_LARGE) == 1  # 4096 nominal is not free
    assert jobs_per_instance(ResourceRequest(1, 4096), C5_LARGE) == 0
    assert jobs_per_instance(ResourceRequest(1, 1024, gpus=1), M5_XLARGE) == 0


def test_no_fit_reason_names_the_limit() -> None:
    reason = no_fit_reason(ResourceRequest(8, 1024), [C5_LARGE, M5_XLARGE])
    assert "8 vCPUs > 4 of m5.xlarge" in reason


def test_shared_budgets_split_a_pool_in_queue_order() -> None:
    quotas = {PurchaseModel.SPOT: 100.0, PurchaseModel.EC2: 64.0}
    ces = [
        ce("a", PurchaseModel.SPOT, 80),
        ce("b", PurchaseModel.SPOT, 80),
        ce("c", PurchaseModel.EC2, 256),
    ]
    alone = [b.effective_vcpus for b in pool_budgets(ces, quotas)]
    shared = shared_pool_budgets(ces, quotas)
    assert alone == [80, 80, 64]
    assert [b.effective_vcpus for b in shared] == [80, 20, 64]
    assert [b.limited_by for b in shared] == ["maxvCpus", "quota", "quota"]
    assert "shared" in shared[1].reason and "(64)" in shared[2].reason


def test_overshoot_by_one_instance_but_never_the_quota() -> None:
    assert instances_within(10, 4, "BEST_FIT", 100) == 2
    assert instances_within(10, 4, "BEST_FIT_PROGRESSIVE", 100) == 3
    assert instances_within(10, 4, "BEST_FIT_PROGRESSIVE", 10) == 2


@given(
    quota=st.integers(0, 1000),
    maxes=st.lists(st.integers(0, 2000), min_size=1, max_size=4),
    instance_vcpus=st.sampled_from([2, 4, 8, 16, 48, 96]),
    strategy=st.sampled_from(["BEST_FIT", "BEST_FIT_PROGRESSIVE", "SPOT_CAPACITY_OPTIMIZED"]),
)
def test_effective_capacity_never_exceeds_the_quota(
    quota: int, maxes: list[int], instance_vcpus: int, strategy: str
) -> None:
    ces = [ce(f"ce{i}", PurchaseModel.SPOT, m) for i, m in enumerate(maxes)]
    budgets = shared_pool_budgets(ces, {PurchaseModel.SPOT: float(quota)})
    assert sum(b.effective_vcpus for b in budgets) <= quota
    for b in budgets:
        room = quota - b.shared_vcpus
        n = instances_within(b.effective_vcpus, instance_vcpus, strategy, room)
        assert n * instance_vcpus <= room
    assert all(b.effective_vcpus <= b.max_vcpus for b in budgets)
