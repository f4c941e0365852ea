"""How often each purchase pool is interrupted, and where the plan took that rate from.

EC2 Spot rates come from the Spot Advisor bucket of each instance type (the share of instances
interrupted in a month), read as a constant hazard over a 730-hour month: an instance that ran
the whole month would be interrupted with the bucket's probability. That is a rate per
*instance*, whatever its size, so a large instance is interrupted no more often than a small one
but takes all of its jobs with it. AWS publishes no rate for Fargate Spot; batchtui assumes one
per *task* (one job), which a profile can replace. The plan shows each rate with its source.
"""

from __future__ import annotations

from dataclasses import dataclass

from batchtui.model import PurchaseModel
from batchtui.planner.facts import Facts
from batchtui.pricing import HOURS_PER_MONTH
from batchtui.profiles import Profile

#: Interruptions per instance-hour when the profile says nothing (None: the Spot Advisor bucket).
DEFAULT_INTERRUPTION_RATES: dict[PurchaseModel, float | None] = {
    PurchaseModel.SPOT: None,
    PurchaseModel.FARGATE_SPOT: 0.02,
}


@dataclass(frozen=True)
class InterruptionRate:
    """Interruptions per instance-hour (per task-hour on Fargate) and where the figure is from."""

    per_hour: float
    source: str


def interruption_rate(
    profile: Profile, facts: Facts, pool: PurchaseModel, itype: str
) -> InterruptionRate:
    """The rate of one instance type (``""`` for a Fargate task) in one pool, with its source."""
    if not pool.is_spot:
        return InterruptionRate(0.0, "")
    key = f"assumptions.interruption_rate_per_hour.{pool.label}"
    configured = profile.assumptions.interruption_rate_per_hour
    rate = configured.get(pool, DEFAULT_INTERRUPTION_RATES.get(pool))
    if rate is not None:
        if pool in configured:
            return InterruptionRate(rate, f"the profile's {key}")
        return InterruptionRate(rate, f"assumed, AWS publishes none: {key} sets it")
    if pool is not PurchaseModel.SPOT:
        return InterruptionRate(0.0, "no Spot Advisor bucket for Fargate Spot: assumed 0")
    bucket = facts.prices.spot_interruption.get(itype, "")
    per_hour = facts.prices.interruption_rate_per_hour(itype)
    if not bucket or not per_hour:
        return InterruptionRate(0.0, f"no Spot Advisor bucket for {itype}: assumed 0")
    return InterruptionRate(
        per_hour,
        f"Spot Advisor: {bucket} of {itype} interrupted a month "
        f"({facts.prices.interruption_bucket_monthly[bucket]:.1%} over {HOURS_PER_MONTH:g} h)",
    )
