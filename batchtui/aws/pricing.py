"""Live prices for ``plan --live``: the Pricing API (on-demand) and DescribeSpotPriceHistory.

Instance specs, Fargate prices and Spot Advisor interruption buckets have no API behind them that
batchtui can call, so they come from the bundled snapshot, and the price source says so.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections.abc import Iterable
from typing import Any

from batchtui.aws.session import Aws
from batchtui.capacity import expand_instance_types
from batchtui.errors import AwsError
from batchtui.pricing import PriceBook, snapshot_price_book
from batchtui.profiles import Profile

_FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "capacitystatus": "Used",
    "preInstalledSw": "NA",
}


def on_demand_price(aws: Aws, region: str, instance_type: str) -> float | None:
    """USD/hour of one instance type (Linux, shared tenancy), or None when AWS has none."""
    filters = [
        {"Type": "TERM_MATCH", "Field": k, "Value": v}
        for k, v in {"instanceType": instance_type, "regionCode": region, **_FILTERS}.items()
    ]
    params: dict[str, Any] = {"ServiceCode": "AmazonEC2", "Filters": filters, "MaxResults": 100}
    while True:
        page = aws.call("pricing", "GetProducts", **params)
        for item in page.get("PriceList", []):
            price = _hourly_usd(item)
            if price is not None:
                return price
        token = page.get("NextToken")
        if not token:
            return None
        params["NextToken"] = token


def _hourly_usd(item: str | dict[str, Any]) -> float | None:
    """The on-demand hourly USD price inside one PriceList entry (a JSON string in AWS's API)."""
    doc = json.loads(item) if isinstance(item, str) else item
    for term in (doc.get("terms", {}).get("OnDemand") or {}).values():
        for dim in (term.get("priceDimensions") or {}).values():
            if dim.get("unit") in ("Hrs", "Hours"):
                usd = dim.get("pricePerUnit", {}).get("USD")
                if usd is not None and float(usd) > 0:
                    return float(usd)
    return None


def spot_prices(aws: Aws, instance_types: Iterable[str]) -> dict[str, float]:
    """The latest spot price of each type: the median over the AZs of the region."""
    latest: dict[tuple[str, str], tuple[dt.datetime, float]] = {}
    names = sorted(set(instance_types))
    for start in range(0, len(names), 50):
        params: dict[str, Any] = {
            "InstanceTypes": names[start : start + 50],
            "ProductDescriptions": ["Linux/UNIX"],
            "StartTime": dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1),
            "MaxResults": 1000,
        }
        while True:
            page = aws.call("ec2", "DescribeSpotPriceHistory", **params)
            for row in page.get("SpotPriceHistory", []):
                key = (row["InstanceType"], row.get("AvailabilityZone", ""))
                when = row.get("Timestamp") or dt.datetime.min.replace(tzinfo=dt.timezone.utc)
                if key not in latest or when > latest[key][0]:
                    latest[key] = (when, float(row["SpotPrice"]))
            token = page.get("NextToken")
            if not token:
                break
            params["NextToken"] = token
    by_type: dict[str, list[float]] = {}
    for (itype, _az), (_when, price) in latest.items():
        by_type.setdefault(itype, []).append(price)
    return {k: statistics.median(v) for k, v in by_type.items()}


def live_price_book(aws: Aws, profile: Profile) -> PriceBook:
    """Prices of every instance type the profile's compute environments may launch."""
    snapshot = snapshot_price_book(profile.region)
    wanted = sorted(
        {
            it.name
            for ce in profile.compute_environments
            if not ce.purchase_model.is_fargate
            for it in expand_instance_types(ce.instance_types, snapshot.instance_types)
        }
    )
    region = aws.target.region if aws.target.sandbox else profile.region
    on_demand = {}
    for name in wanted:
        price = on_demand_price(aws, region, name)
        if price is not None:
            on_demand[name] = price
    if wanted and not on_demand:
        raise AwsError(f"the Pricing API returned no on-demand prices for {region}")
    spot = spot_prices(aws, wanted)
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    return PriceBook(
        region=profile.region,
        source=(
            f"live {today}: Pricing API and spot price history of {aws.target.describe}; "
            f"Fargate prices and interruption buckets from {snapshot.source}"
        ),
        date=today,
        instance_types=snapshot.instance_types,
        on_demand=on_demand,
        spot=spot,
        spot_interruption=snapshot.spot_interruption,
        interruption_bucket_monthly=snapshot.interruption_bucket_monthly,
        fargate=snapshot.fargate,
        fargate_spot=snapshot.fargate_spot,
    )
