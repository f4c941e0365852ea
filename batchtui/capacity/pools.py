"""vCPU budgets: maxvCpus of each compute environment under the quota of its purchase pool."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from batchtui.model import ComputeEnvironment, PurchaseModel


@dataclass(frozen=True)
class PoolBudget:
    """What one compute environment can reach, and why."""

    compute_environment: str
    pool: PurchaseModel
    max_vcpus: int  # what the CE asks for
    quota_vcpus: float | None  # the pool's quota, None when unknown or unlimited
    effective_vcpus: int  # min(max_vcpus, quota) for this CE alone
    limited_by: str  # "maxvCpus" | "quota" | "disabled"
    #: vCPUs of the pool's quota that CEs earlier in the queue's order already draw on.
    shared_vcpus: float = 0.0

    @property
    def reason(self) -> str:
        if self.limited_by == "quota" and self.shared_vcpus:
            return (
                f"{self.compute_environment}: maxvCpus {self.max_vcpus}, but the account's "
                f"{self.pool.label} vCPU quota ({self.quota_vcpus:g}) is shared with compute "
                f"environments before it that take {self.shared_vcpus:g}; it can reach "
                f"{self.effective_vcpus} vCPUs"
            )
        if self.limited_by == "quota":
            return (
                f"{self.compute_environment}: maxvCpus {self.max_vcpus} is above the account's "
                f"{self.pool.label} vCPU quota ({self.quota_vcpus:g}); it can reach "
                f"{self.effective_vcpus} vCPUs"
            )
        if self.limited_by == "disabled":
            return f"{self.compute_environment}: disabled or not VALID; it launches nothing"
        return f"{self.compute_environment}: limited by its maxvCpus ({self.max_vcpus})"


def effective_max_vcpus(max_vcpus: int, quota_vcpus: float | None) -> int:
    """The vCPUs one compute environment can reach: min(maxvCpus, its pool's quota)."""
    if quota_vcpus is None:
        return max_vcpus
    return max(0, min(max_vcpus, int(quota_vcpus)))


def pool_budgets(
    compute_environments: Iterable[ComputeEnvironment],
    quotas: Mapping[PurchaseModel, float],
) -> list[PoolBudget]:
    """Budgets of every compute environment; the quota is shared by all CEs of a pool.

    A CE that is disabled or not VALID launches nothing. The quota bounds each CE alone and the
    sum of the pool: ``sum(effective) <= quota`` is not enforced here because the split between
    CEs of one pool depends on which one scales first (the scheduler and the planner decide it
    in time); each CE's own bound is min(maxvCpus, quota).
    """
    out: list[PoolBudget] = []
    for ce in compute_environments:
        quota = quotas.get(ce.purchase_model)
        if ce.state != "ENABLED" or ce.status not in ("VALID", "UPDATING"):
            out.append(PoolBudget(ce.name, ce.purchase_model, ce.max_vcpus, quota, 0, "disabled"))
            continue
        eff = effective_max_vcpus(ce.max_vcpus, quota)
        limited = "quota" if quota is not None and eff < ce.max_vcpus else "maxvCpus"
        out.append(PoolBudget(ce.name, ce.purchase_model, ce.max_vcpus, quota, eff, limited))
    return out


def shared_pool_budgets(
    compute_environments: Sequence[ComputeEnvironment],
    quotas: Mapping[PurchaseModel, float],
) -> list[PoolBudget]:
    """Budgets when the CEs scale out together, in ``compute_environments`` order.

    This is what a job queue with a deep backlog does: the first CE takes min(maxvCpus, quota)
    and each later CE of the same pool gets what the quota has left. So the budgets of one pool
    never add up to more than its quota.
    """
    used: dict[PurchaseModel, float] = {}
    out: list[PoolBudget] = []
    for alone in pool_budgets(compute_environments, quotas):
        if alone.limited_by == "disabled" or alone.quota_vcpus is None:
            out.append(alone)
            continue
        taken = used.get(alone.pool, 0.0)
        eff = effective_max_vcpus(alone.max_vcpus, max(0.0, alone.quota_vcpus - taken))
        used[alone.pool] = taken + eff
        limited = "quota" if eff < alone.max_vcpus else "maxvCpus"
        out.append(replace(alone, effective_vcpus=eff, limited_by=limited, shared_vcpus=taken))
    return out


def instances_within(
    vcpus: int, instance_vcpus: int, allocation_strategy: str, quota_room: float | None
) -> int:
    """Instances of one type a CE launches to reach ``vcpus``.

    BEST_FIT never exceeds maxvCpus. The other strategies may overshoot it by one instance
    (AWS: "might exceed maxvCpus to meet your capacity requirements ... by at most one
    instance"), but never the pool's quota, which EC2 enforces.
    """
    if instance_vcpus <= 0 or vcpus <= 0:
        return 0
    count = vcpus // instance_vcpus
    if allocation_strategy != "BEST_FIT" and vcpus % instance_vcpus:
        room = float("inf") if quota_room is None else quota_room
        if (count + 1) * instance_vcpus <= room:
            count += 1
    return count
