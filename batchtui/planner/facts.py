"""The facts a plan is computed from, as values: prices (with the instance types they cover)
and vCPU quotas. The prices' :class:`~batchtui.pricing.PriceBook` lives in :mod:`batchtui.pricing`,
below the planner, where the snapshot and the live Pricing API path both build it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from batchtui.model import PurchaseModel
from batchtui.pricing import PriceBook


@dataclass(frozen=True)
class Facts:
    """Everything outside the profile that a plan depends on."""

    prices: PriceBook
    #: vCPU quota per pool; a pool that is absent has no known quota (treated as unlimited).
    quotas: Mapping[PurchaseModel, float]
    quota_source: str  # "profile" | "Service Quotas (live)" | ...

    @property
    def source(self) -> str:
        return f"prices: {self.prices.source}; quotas: {self.quota_source}"
