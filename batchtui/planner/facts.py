"""The facts a plan is computed from, as values: prices, instance types and vCPU quotas."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from batchtui.model import InstanceType, Price, PurchaseModel

HOURS_PER_MONTH = 730.0


@dataclass(frozen=True)
class PriceBook:
    """Hourly prices of one region from one source (the bundled snapshot or the live account)."""

    region: str
    source: str  # "bundled snapshot 2026-11-01" | "live Pricing API + spot price history ..."
    date: str  # the date the prices are valid for (ISO)
    instance_types: Mapping[str, InstanceType]
    on_demand: Mapping[str, float]  # instance type -> USD/hour
    spot: Mapping[str, float]  # instance type -> USD/hour
    spot_interruption: Mapping[str, str] = field(default_factory=dict)  # type -> "<5%" ...
    #: Spot Advisor bucket -> the fraction of instances interrupted per month (bucket midpoint).
    interruption_bucket_monthly: Mapping[str, float] = field(default_factory=dict)
    fargate: tuple[float, float] = (0.0, 0.0)  # (USD per vCPU-hour, USD per GB-hour)
    fargate_spot: tuple[float, float] = (0.0, 0.0)

    def hourly(self, instance_type: str, pool: PurchaseModel) -> float | None:
        """USD/hour of one instance type in an EC2 pool, None when unpriced."""
        table = self.spot if pool is PurchaseModel.SPOT else self.on_demand
        return table.get(instance_type)

    def fargate_hourly(self, vcpus: float, memory_mib: int, pool: PurchaseModel) -> float:
        """USD/hour of one Fargate task of this size."""
        per_vcpu, per_gb = self.fargate_spot if pool is PurchaseModel.FARGATE_SPOT else self.fargate
        return vcpus * per_vcpu + memory_mib / 1024.0 * per_gb

    def interruption_rate_per_hour(self, instance_type: str) -> float:
        """Spot Advisor bucket of a type as a per-instance-hour hazard (0 when unknown)."""
        monthly = self.interruption_bucket_monthly.get(
            self.spot_interruption.get(instance_type, "")
        )
        if not monthly:
            return 0.0
        return -math.log(1.0 - monthly) / HOURS_PER_MONTH

    def scaled(self, factor: float) -> PriceBook:
        """Every price multiplied by ``factor`` (what-if analysis and the property tests)."""
        return replace(
            self,
            on_demand={k: v * factor for k, v in self.on_demand.items()},
            spot={k: v * factor for k, v in self.spot.items()},
            fargate=(self.fargate[0] * factor, self.fargate[1] * factor),
            fargate_spot=(self.fargate_spot[0] * factor, self.fargate_spot[1] * factor),
        )

    def prices(self) -> list[Price]:
        """The book as :class:`~batchtui.model.Price` rows."""
        out = [
            Price(self.region, k, PurchaseModel.EC2, v, self.source)
            for k, v in sorted(self.on_demand.items())
        ]
        out += [
            Price(
                self.region,
                k,
                PurchaseModel.SPOT,
                v,
                self.source,
                self.spot_interruption.get(k, ""),
            )
            for k, v in sorted(self.spot.items())
        ]
        return out


@dataclass(frozen=True)
class Facts:
    """Everything outside the profile that a plan depends on."""

    prices: PriceBook
    #: vCPU quota per pool; a pool that is absent has no known quota (treated as unlimited).
    quotas: Mapping[PurchaseModel, float]
    quota_source: str  # "profile" | "Service Quotas (live)" | ...

    @property
    def source(self) -> str:
        return f"prices: {self.prices.source}; quotas: {self.quota_source}"
