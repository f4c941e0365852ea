"""The one gatherer of a plan's facts, for ``batchtui plan`` and the TUI's plan screen alike.

Facts are prices and vCPU quotas. Without ``live`` they are the bundled, dated price snapshot and
the profile's quotas; quotas the profile leaves to ``"auto"`` are read from the account (Service
Quotas). With ``live`` the prices come from the Pricing API and the spot price history and the
quotas from Service Quotas. boto3 is imported only on the paths that read the account, so
``batchtui plan`` on a profile with fixed quotas never loads it. The planner itself is pure.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from batchtui.errors import UsageError
from batchtui.model import PurchaseModel
from batchtui.planner import Facts, Plan, run_plan
from batchtui.pricing import snapshot_price_book
from batchtui.profiles import PROFILE_DIRS, Profile, load_profile

if TYPE_CHECKING:
    from batchtui.aws.session import Aws


def profile_names(cwd: Path | None = None) -> list[str]:
    """Planning profiles in ./profiles and the bundled ones, by name."""
    folders = ((cwd or Path.cwd()) / "profiles", *PROFILE_DIRS)
    return sorted({p.stem for d in folders if d.is_dir() for p in d.glob("*.toml")})


def gather_plan_facts(
    profile: Profile,
    account: Callable[[], Aws] | None,
    *,
    live: bool = False,
    note: Callable[[str], None] | None = None,
) -> Facts:
    """Prices and quotas for ``profile``: the snapshot and its numbers, or the account's.

    ``account`` connects (the CLI starts the sandbox or builds clients only when called); None
    when there is no account yet (the TUI before it connects): then ``"auto"`` quotas stay
    unknown and the planner says so. ``note`` hears about a region that differs from the
    profile's."""
    q = profile.quotas
    quotas = q.by_pool()
    if account is None and live:
        raise UsageError("live prices and quotas need an account (or --sandbox)")
    if account is None or (not live and not q.wants_auto):
        return Facts(snapshot_price_book(profile.region), quotas, "profile")

    from batchtui.aws.quotas import vcpu_quotas  # boto3: only when the account is read

    aws = account()
    if note is not None and aws.target.region != profile.region and not aws.target.sandbox:
        note(f"note: the profile is for {profile.region}; reading {aws.target.region}")
    live_quotas = vcpu_quotas(aws)
    for pool in (PurchaseModel.EC2, PurchaseModel.SPOT):
        if live or pool not in quotas:
            quotas[pool] = live_quotas[pool]
    source = f"Service Quotas of {aws.target.describe}"
    if not live:
        return Facts(snapshot_price_book(profile.region), quotas, source)

    from batchtui.aws.pricing import live_price_book  # boto3 and the Pricing API: --live only

    return Facts(live_price_book(aws, profile), quotas, source)


def make_plan(name: str, aws: Aws | None) -> Plan:
    """The TUI's plan of the profile ``name`` (a name or a path), on the connected account."""
    profile = load_profile(name)
    return run_plan(profile, gather_plan_facts(profile, (lambda: aws) if aws is not None else None))
