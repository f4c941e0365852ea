"""vCPU budgets: maxvCpus of each compute environment under the quota of its purchase pool."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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

    @property
    def reason(self) -> str:
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
