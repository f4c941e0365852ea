"""The plan's facts read from the account over HTTP (the sandbox): "auto" quotas come from its
Service Quotas, the profile's own numbers stay, and the region note is not said for the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from batchtui.account.plan_facts import gather_plan_facts
from batchtui.aws.session import Aws, AwsTarget
from batchtui.model import PurchaseModel
from batchtui.profiles import load_profile

BUNDLED = Path(__file__).parents[2] / "batchtui" / "data" / "profiles"


def test_auto_quotas_are_read_and_the_profiles_numbers_kept(sandbox: Any, tmp_path: Path) -> None:
    path = tmp_path / "auto.toml"
    text = (BUNDLED / "sandbox.toml").read_text()
    path.write_text(
        text.replace("spot_vcpus = 128", 'spot_vcpus = "auto"').replace(
            "on_demand_vcpus = 256", "on_demand_vcpus = 7"
        )
    )
    aws = Aws(AwsTarget(region=sandbox.region, endpoint_url=sandbox.url,
                        credentials=("testing", "testing")))  # fmt: skip
    notes: list[str] = []
    facts = gather_plan_facts(load_profile(str(path)), lambda: aws, note=notes.append)
    assert facts.quota_source.startswith("Service Quotas of ")
    assert facts.quotas == {PurchaseModel.EC2: 7, PurchaseModel.SPOT: 128.0}
    assert facts.prices.source.startswith("bundled snapshot")  # not live: the bundled prices
    live = gather_plan_facts(load_profile(str(path)), lambda: aws, live=True, note=notes.append)
    assert live.quotas == {PurchaseModel.EC2: 256.0, PurchaseModel.SPOT: 128.0}
    assert live.prices.source.startswith("live")
    assert notes == []  # the profile is for the region read
