"""The bundled, dated price snapshot: EC2 on-demand and spot prices, Fargate prices.

The planner gets prices as a :class:`~batchtui.planner.facts.PriceBook` value; this module builds
one from ``batchtui/data/prices-<date>.json`` (the live path in ``batchtui/aws/pricing.py`` builds
the same value from the Pricing API). The sandbox's Pricing and spot-price-history handlers serve
the same file, so ``--live`` against the sandbox and the snapshot agree.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from batchtui.errors import UsageError
from batchtui.model import InstanceType
from batchtui.planner.facts import PriceBook

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
