"""The sandbox's Service Quotas, Pricing GetProducts and DescribeSpotPriceHistory, over HTTP."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchtui import pricing
from batchtui.model import ON_DEMAND_STANDARD_QUOTA, SPOT_STANDARD_QUOTA

Client = Callable[..., Any]


def test_get_service_quota_reads_the_sandbox_quotas(sandbox: Any, aws_client: Client) -> None:
    sq = aws_client("service-quotas")
    q = sq.get_service_quota(ServiceCode="ec2", QuotaCode=ON_DEMAND_STANDARD_QUOTA)["Quota"]
    assert q["Value"] == sandbox.quotas[ON_DEMAND_STANDARD_QUOTA]
    assert q["QuotaArn"].endswith(f":ec2/{ON_DEMAND_STANDARD_QUOTA}")
    old = sandbox.quotas[SPOT_STANDARD_QUOTA]
    sandbox.quotas[SPOT_STANDARD_QUOTA] = 5.0
    try:
        spot = sq.get_service_quota(ServiceCode="ec2", QuotaCode=SPOT_STANDARD_QUOTA)["Quota"]
        assert spot["Value"] == 5.0
    finally:
        sandbox.quotas[SPOT_STANDARD_QUOTA] = old


def test_unknown_quota_code_is_aws_error(aws_client: Client) -> None:
    sq = aws_client("service-quotas")
    with pytest.raises(ClientError) as e:
        sq.get_service_quota(ServiceCode="ec2", QuotaCode="L-00000000")
    assert e.value.response["Error"]["Code"] == "NoSuchResourceException"
    with pytest.raises(ClientError):
        sq.list_service_quotas(ServiceCode="nope")


def test_list_and_default_quotas(aws_client: Client) -> None:
    sq = aws_client("service-quotas")
    pages = list(sq.get_paginator("list_service_quotas").paginate(
        ServiceCode="ec2", PaginationConfig={"PageSize": 1}))  # fmt: skip
    assert len(pages) == 2
    codes = {q["QuotaCode"] for p in pages for q in p["Quotas"]}
    assert codes == {ON_DEMAND_STANDARD_QUOTA, SPOT_STANDARD_QUOTA}
    d = sq.get_aws_default_service_quota(ServiceCode="ec2", QuotaCode=SPOT_STANDARD_QUOTA)
    assert d["Quota"]["Value"] == 5.0


def _filters(**kv: str) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in kv.items()]


def test_get_products_matches_the_snapshot(aws_client: Client) -> None:
    p = aws_client("pricing")
    result = p.get_products(ServiceCode="AmazonEC2", Filters=_filters(
        instanceType="c5.large", regionCode="eu-west-1", operatingSystem="Linux", tenancy="Shared",
        capacitystatus="Used", preInstalledSw="NA"))  # fmt: skip
    (item,) = result["PriceList"]
    assert isinstance(item, str)  # AWS sends each product as a JSON string
    doc = json.loads(item)
    assert doc["product"]["attributes"]["location"] == "EU (Ireland)"
    (term,) = doc["terms"]["OnDemand"].values()
    (dim,) = term["priceDimensions"].values()
    snapshot = pricing.load_snapshot()["regions"]["eu-west-1"]["on_demand_usd_per_hour"]
    assert float(dim["pricePerUnit"]["USD"]) == pytest.approx(snapshot["c5.large"])
    assert dim["unit"] == "Hrs"


def test_get_products_filters_and_pages(aws_client: Client) -> None:
    p = aws_client("pricing")
    pages = list(p.get_paginator("get_products").paginate(
        ServiceCode="AmazonEC2", Filters=_filters(regionCode="us-west-2", instanceType="m5.large"),
        PaginationConfig={"PageSize": 3}))  # fmt: skip
    items = [json.loads(i) for page in pages for i in page["PriceList"]]
    assert len(pages) == 2 and len(items) == 4  # Linux/Windows x Shared/Dedicated
    assert {i["product"]["attributes"]["operatingSystem"] for i in items} == {"Linux", "Windows"}
    none = p.get_products(ServiceCode="AmazonEC2", Filters=_filters(instanceType="x9.huge"))
    assert none["PriceList"] == []
    with pytest.raises(ClientError):
        p.get_products(ServiceCode="AmazonFoo")


def test_spot_price_history_per_az_with_filters_and_paging(
    sandbox: Any, aws_client: Client
) -> None:
    ec2 = aws_client("ec2")
    start = dt.datetime(2026, 10, 31, tzinfo=dt.timezone.utc)
    pages = list(ec2.get_paginator("describe_spot_price_history").paginate(
        InstanceTypes=["c5.large", "m5.xlarge"], ProductDescriptions=["Linux/UNIX"],
        StartTime=start, EndTime=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc),
        PaginationConfig={"PageSize": 5}))  # fmt: skip
    rows = [r for page in pages for r in page["SpotPriceHistory"]]
    assert len(pages) > 1
    assert {r["InstanceType"] for r in rows} == {"c5.large", "m5.xlarge"}
    assert {r["AvailabilityZone"] for r in rows} == {f"us-east-1{z}" for z in "abcdef"}
    snap = pricing.snapshot_price_book("us-east-1")
    for r in rows:
        assert float(r["SpotPrice"]) == pytest.approx(snap.spot[r["InstanceType"]], rel=0.081)
        assert float(r["SpotPrice"]) < snap.on_demand[r["InstanceType"]]
    one = ec2.describe_spot_price_history(
        Filters=[{"Name": "availability-zone", "Values": ["us-east-1b"]},
                 {"Name": "instance-type", "Values": ["r5.large"]}],
        ProductDescriptions=["Linux/UNIX"], StartTime=dt.datetime(2030, 1, 1))  # fmt: skip
    # After the last record: only the price in effect at StartTime, as AWS answers.
    assert [(r["AvailabilityZone"], r["InstanceType"]) for r in one["SpotPriceHistory"]] == [
        ("us-east-1b", "r5.large")
    ]


def test_other_ec2_actions_still_reach_moto(aws_client: Client) -> None:
    assert "Vpcs" in aws_client("ec2").describe_vpcs()


def test_live_price_book_through_the_aws_layer(sandbox: Any) -> None:
    from pathlib import Path

    from batchtui.aws.pricing import live_price_book
    from batchtui.aws.quotas import vcpu_quotas
    from batchtui.aws.session import Aws, AwsTarget
    from batchtui.model import PurchaseModel
    from batchtui.profiles import load_profile

    aws = Aws(AwsTarget(region=sandbox.region, endpoint_url=sandbox.url, sandbox=True,
                        credentials=("testing", "testing")))  # fmt: skip
    profile = load_profile(str(Path(__file__).resolve().parents[2] / "profiles" / "sandbox.toml"))
    book = live_price_book(aws, profile)
    snap = pricing.snapshot_price_book("us-east-1")
    assert book.on_demand["m5.large"] == pytest.approx(snap.on_demand["m5.large"])
    assert book.spot["c5.large"] == pytest.approx(snap.spot["c5.large"], rel=0.081)
    assert book.source.startswith("live ")
    assert vcpu_quotas(aws)[PurchaseModel.SPOT] == sandbox.quotas[SPOT_STANDARD_QUOTA]
    assert aws.counter.get("pricing", "GetProducts") == len(book.on_demand)
