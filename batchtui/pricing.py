"""Prices: the :class:`PriceBook` value and the bundled, dated snapshot that fills one.

The planner gets prices as a :class:`PriceBook`; :func:`snapshot_price_book` builds one from
``batchtui/data/prices-<date>.json`` (EC2 on-demand and spot prices, Fargate prices, Spot Advisor
interruption buckets), and the live path in ``batchtui/aws/pricing.py`` builds the same value from
the Pricing API. The sandbox's Pricing and spot-price-history handlers serve the same file, so
``--live`` against the sandbox and the snapshot agree.

This module sits below the planner and the profiles (it imports only the model and the errors),
so the sandbox can serve the snapshot and a profile can check its instance types against the
catalog without loading either.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from batchtui.errors import UsageError
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


DATA_DIR = Path(__file__).parent / "data"
SNAPSHOT_FILE = DATA_DIR / "prices-2026-11-01.json"


@functools.lru_cache(maxsize=2)
def load_snapshot(path: str | None = None) -> dict[str, Any]:
    """The raw snapshot document (cached: the file is read once per process)."""
    with open(path or SNAPSHOT_FILE, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def snapshot_date() -> str:
    return str(load_snapshot()["snapshot_date"])


def snapshot_regions() -> tuple[str, ...]:
    return tuple(load_snapshot()["regions"])


def instance_catalog(doc: dict[str, Any] | None = None) -> dict[str, InstanceType]:
    """Every instance type the snapshot prices, as :class:`InstanceType` values."""
    doc = doc or load_snapshot()
    return {
        name: InstanceType(name, int(d["vcpus"]), int(d["memory_mib"]), int(d["gpus"]), d["arch"])
        for name, d in doc["instance_types"].items()
    }


def spot_price(on_demand: float, discount: float) -> float:
    """A spot price from the on-demand price and the snapshot's discount, rounded like AWS."""
    return round(on_demand * (1.0 - discount), 6)


def snapshot_price_book(region: str) -> PriceBook:
    """The bundled snapshot's prices for ``region`` (UsageError for a region it lacks)."""
    doc = load_snapshot()
    regions = doc["regions"]
    if region not in regions:
        raise UsageError(
            f"the bundled price snapshot has no prices for region {region!r}",
            hint=f"it covers {', '.join(sorted(regions))}; or use --live",
        )
    r = regions[region]
    on_demand = {k: float(v) for k, v in r["on_demand_usd_per_hour"].items()}
    spot = {k: spot_price(on_demand[k], float(v["discount"])) for k, v in r["spot"].items()}
    buckets = {k: str(v["interruption"]) for k, v in r["spot"].items()}
    return PriceBook(
        region=region,
        source=f"bundled snapshot {doc['snapshot_date']}",
        date=str(doc["snapshot_date"]),
        instance_types=instance_catalog(doc),
        on_demand=on_demand,
        spot=spot,
        spot_interruption=buckets,
        interruption_bucket_monthly={k: float(v) for k, v in doc["interruption_buckets"].items()},
        fargate=(float(r["fargate"]["vcpu_usd_per_hour"]), float(r["fargate"]["gb_usd_per_hour"])),
        fargate_spot=(
            float(r["fargate_spot"]["vcpu_usd_per_hour"]),
            float(r["fargate_spot"]["gb_usd_per_hour"]),
        ),
    )
