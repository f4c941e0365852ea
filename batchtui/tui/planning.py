"""What the plan screen runs in its worker (no textual import): profile -> facts -> Plan.

Facts as ``batchtui plan`` gathers them without --live: the bundled, dated price snapshot and the
profile's vCPU quotas; quotas the profile leaves to ``"auto"`` are read from the connected account
(Service Quotas). The planner itself is pure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from batchtui.model import PurchaseModel
from batchtui.planner import Facts, Plan, run_plan
from batchtui.pricing import snapshot_price_book
from batchtui.profiles import PROFILE_DIRS, Profile, load_profile


def profile_names(cwd: Path | None = None) -> list[str]:
    """Planning profiles in ./profiles and the bundled ones, by name."""
    folders = ((cwd or Path.cwd()) / "profiles", *PROFILE_DIRS)
    return sorted({p.stem for d in folders if d.is_dir() for p in d.glob("*.toml")})


def plan_facts(profile: Profile, aws: Any) -> Facts:
    q = profile.quotas
    quotas = q.by_pool()
    source = "profile"
    if q.wants_auto and aws is not None:
        from batchtui.aws.quotas import vcpu_quotas

        live = vcpu_quotas(aws)
        for pool in (PurchaseModel.EC2, PurchaseModel.SPOT):
            quotas.setdefault(pool, live[pool])
        source = f"Service Quotas of {aws.target.describe}"
    return Facts(snapshot_price_book(profile.region), quotas, source)


def make_plan(name: str, aws: Any) -> Plan:
    profile = load_profile(name)
    return run_plan(profile, plan_facts(profile, aws))
