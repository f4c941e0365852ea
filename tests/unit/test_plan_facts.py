"""The one gatherer of a plan's facts: which paths read the account and which never do."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchtui.account.plan_facts import gather_plan_facts, profile_names
from batchtui.errors import UsageError
from batchtui.model import PurchaseModel
from batchtui.profiles import load_profile

BUNDLED = Path(__file__).parents[2] / "batchtui" / "data" / "profiles"


def no_account():  # type: ignore[no-untyped-def]
    raise AssertionError("the account was read")


def auto_spot_profile(tmp_path: Path) -> Path:
    text = (BUNDLED / "sandbox.toml").read_text()
    path = tmp_path / "auto.toml"
    path.write_text(text.replace("spot_vcpus = 128", 'spot_vcpus = "auto"'))
    return path


def test_fixed_quotas_never_read_the_account() -> None:
    facts = gather_plan_facts(load_profile(str(BUNDLED / "sandbox.toml")), no_account)
    assert facts.quota_source == "profile"
    assert facts.quotas == {PurchaseModel.EC2: 256, PurchaseModel.SPOT: 128}


def test_auto_quotas_without_an_account_stay_unknown(tmp_path: Path) -> None:
    """The TUI before it connects: the plan says the quota is unknown rather than failing."""
    facts = gather_plan_facts(load_profile(str(auto_spot_profile(tmp_path))), None)
    assert facts.quota_source == "profile"
    assert facts.quotas == {PurchaseModel.EC2: 256}


def test_live_needs_an_account() -> None:
    with pytest.raises(UsageError, match="need an account"):
        gather_plan_facts(load_profile(str(BUNDLED / "sandbox.toml")), None, live=True)


def test_profile_names_include_the_bundled_ones(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mine.toml").write_text("")
    assert {"mine", "sandbox", "new-account"} <= set(profile_names(tmp_path))
