"""Building the workload and the planner's assumptions: how many images, how long each takes
(a distribution, from the parameters a user knows, such as a mean and a 95th percentile), and
what the planner assumes of scaling delays, spot interruptions and the spot mixes to try.
"""

from __future__ import annotations

import math
from typing import Any

from batchtui.model import PurchaseModel
from batchtui.profiles.schema import ASSUMPTIONS, SECONDS_PER_IMAGE, WORKLOAD
from batchtui.profiles.spec import Assumptions, Distribution
from batchtui.profiles.validation import Problems, check_table


def build_workload(d: Any, problems: Problems) -> dict[str, Any] | None:
    """The [workload] table's values, or None (see ``problems``).

    A dict, not yet a :class:`~batchtui.profiles.spec.WorkloadSpec`: the queue defaults to the
    profile's first job queue, which only the cross-table checks know.
    """
    v = check_table(d, WORKLOAD, "workload", problems)
    if v is None:
        return None
    dist = _distribution(v["seconds_per_image"], problems)
    if dist is None:
        return None
    v["seconds_per_image"] = dist
    v["deadline_hours"] = float(v["deadline_hours"])
    v["job_overhead_seconds"] = float(v["job_overhead_seconds"])
    if v["budget_usd"] is not None:
        v["budget_usd"] = float(v["budget_usd"])
    return v


def _distribution(d: Any, problems: Problems) -> Distribution | None:
    key = "workload.seconds_per_image"
    v = check_table(d, SECONDS_PER_IMAGE, key, problems)
    if v is None:
        return None
    kind = v["distribution"]
    need = {
        "fixed": ("value",),
        "uniform": ("min", "max"),
        "normal": ("mean", "stddev"),
        "lognormal": ("mean",),
    }[kind]
    allowed = set(need) | {"distribution"} | ({"p95", "stddev"} if kind == "lognormal" else set())
    ok = True
    for name in need:
        if v[name] is None:
            problems.add(f"{key}.{name}", f"required for a {kind} distribution")
            ok = False
    for name in SECONDS_PER_IMAGE:
        if name not in allowed and v[name] is not None:
            problems.add(f"{key}.{name}", f"not used by a {kind} distribution")
            ok = False
    if not ok:
        return None
    if kind == "fixed":
        return Distribution("fixed", float(v["value"]), 0.0)
    if kind == "uniform":
        lo, hi = float(v["min"]), float(v["max"])
        if hi < lo:
            problems.add(f"{key}.max", f"must be >= min ({hi:g} < {lo:g})")
            return None
        return Distribution("uniform", (lo + hi) / 2, (hi - lo) / math.sqrt(12), lo, hi)
    if kind == "normal":
        return Distribution("normal", float(v["mean"]), float(v["stddev"]))
    mean = float(v["mean"])
    if v["p95"] is not None and v["stddev"] is not None:
        problems.add(f"{key}.p95", "give p95 or stddev, not both")
        return None
    if v["p95"] is not None:
        p95 = float(v["p95"])
        if p95 <= mean:
            problems.add(f"{key}.p95", f"must be > mean ({p95:g} <= {mean:g})")
            return None
        sigma = _lognormal_sigma(mean, p95)
        sd = mean * math.sqrt(math.exp(sigma * sigma) - 1)
    else:
        sd = float(v["stddev"] or 0.0)
    return Distribution("lognormal", mean, sd)


def _lognormal_sigma(mean: float, p95: float) -> float:
    """sigma of a lognormal with this mean and 95th percentile (bisection; always converges)."""
    z = 1.6448536269514722
    # p95/mean = exp(z*s - s^2/2), increasing in s on (0, z).
    target = math.log(p95 / mean)
    lo, hi = 0.0, z
    for _ in range(60):
        mid = (lo + hi) / 2
        if z * mid - mid * mid / 2 < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def build_assumptions(d: Any, problems: Problems) -> Assumptions | None:
    """The [assumptions] table as :class:`Assumptions`, or None (see ``problems``)."""
    v = check_table(d, ASSUMPTIONS, "assumptions", problems)
    if v is None:
        return None
    rates: dict[PurchaseModel, float | None] = {}
    for pool_name, rate in v["interruption_rate_per_hour"].items():
        key = f"assumptions.interruption_rate_per_hour.{pool_name}"
        try:
            pool = PurchaseModel.parse(pool_name)
        except ValueError:
            problems.add(key, "unknown purchase pool; use SPOT, ON_DEMAND, FARGATE, FARGATE_SPOT")
            return None
        if rate == "advisor":
            rates[pool] = None
        elif isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 <= rate < 5:
            rates[pool] = float(rate)
        else:
            problems.add(
                key, f'must be interruptions per instance-hour (0..5) or "advisor" (got {rate!r})'
            )
            return None
    mixes = v["spot_mixes"]
    if not all(
        isinstance(m, (int, float)) and not isinstance(m, bool) and 0 <= m <= 1 for m in mixes
    ):
        problems.add("assumptions.spot_mixes", "must be fractions of vCPUs on spot, 0..1")
        return None
    return Assumptions(
        trials=v["trials"],
        confidence=float(v["confidence"]),
        scale_up_delay_seconds=float(v["scale_up_delay_seconds"]),
        fargate_start_seconds=float(v["fargate_start_seconds"]),
        scale_down_idle_seconds=float(v["scale_down_idle_seconds"]),
        interruption_rate_per_hour=rates,
        spot_mixes=tuple(sorted({float(m) for m in mixes})),
        seed=v["seed"],
    )
