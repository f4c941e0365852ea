"""The bundled price snapshot: dated, three regions or more, sane prices and buckets."""

from __future__ import annotations

import pytest

from batchtui.errors import UsageError
from batchtui.model import PurchaseModel
from batchtui.pricing import instance_catalog, snapshot_date, snapshot_price_book, snapshot_regions

FAMILIES = ("c5", "c6i", "c7i", "m5", "m6i", "m7i", "r5", "r6i", "r7i", "g4dn", "g5")


def test_snapshot_is_dated_and_covers_regions_and_families() -> None:
    assert snapshot_date() == "2026-11-01"
    assert {"us-east-1", "us-west-2", "eu-west-1"} <= set(snapshot_regions())
    catalog = instance_catalog()
    for family in FAMILIES:
        assert any(name.startswith(family + ".") for name in catalog), family
    assert catalog["g4dn.12xlarge"].gpus == 4
    assert catalog["c5.large"].vcpus == 2 and catalog["c5.large"].memory_mib == 4096


@pytest.mark.parametrize("region", ["us-east-1", "us-west-2", "eu-west-1"])
def test_prices_are_sane(region: str) -> None:
    book = snapshot_price_book(region)
    assert book.source == "bundled snapshot 2026-11-01"
    assert set(book.on_demand) == set(book.spot) == set(book.instance_types)
    for name, od in book.on_demand.items():
        assert 0 < book.spot[name] < od
        assert book.spot_interruption[name] in ("<5%", "5-10%", "10-15%", "15-20%", ">20%")
        assert 0 < book.interruption_rate_per_hour(name) < 0.001
    assert book.fargate_spot[0] < book.fargate[0]
    assert book.hourly("c5.large", PurchaseModel.SPOT) == book.spot["c5.large"]
    # Bigger sizes of one family cost proportionally more (per vCPU the same).
    assert book.on_demand["m5.2xlarge"] == pytest.approx(4 * book.on_demand["m5.large"], rel=1e-3)


def test_eu_costs_more_than_us() -> None:
    us, eu = snapshot_price_book("us-east-1"), snapshot_price_book("eu-west-1")
    assert eu.on_demand["c6i.xlarge"] > us.on_demand["c6i.xlarge"]


def test_unknown_region_is_usage_error() -> None:
    with pytest.raises(UsageError) as e:
        snapshot_price_book("ap-south-9")
    assert "--live" in str(e.value)
