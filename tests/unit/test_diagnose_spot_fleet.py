"""A Spot Fleet request's history as evidence: its events read as launches and failures."""

from __future__ import annotations

from test_diagnose import NOW_MS, ce, facts, first

from batchtui.diagnose import Finding, ScalingActivity, diagnose
from batchtui.model import ComputeEnvironment, PurchaseModel

HISTORY = "ec2:DescribeSpotFleetRequestHistory"
FIELD = "HistoryRecords[].EventInformation.EventDescription"
NO_CAPACITY = (
    "allLaunchSpecsTemporarilyBlacklisted: InsufficientInstanceCapacity: We currently do not "
    "have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a)."
)
PRICE = "launchSpecUnusable: Spot bid price is less than Spot market price: price of 0.0010"


def event(status: str, message: str, minutes_ago: float, name: str = "ce") -> ScalingActivity:
    return ScalingActivity(name, status, message, NOW_MS - int(minutes_ago * 60_000), HISTORY)


def spot(**kw: object) -> ComputeEnvironment:
    return ce(purchase_model=PurchaseModel.SPOT, instance_types=("m5.large",),
              spot_iam_fleet_role="arn:aws:iam::1:role/fleet", **kw)  # fmt: skip


def test_a_fleets_capacity_errors_name_the_cause_with_the_history_as_evidence() -> None:
    failing = (event("error", NO_CAPACITY, 12), event("error", NO_CAPACITY, 2))
    f = first(facts(ces=(spot(),), scaling_activities=failing))
    assert f.code == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY" and "failing for 12 min" in f.title
    (e,) = f.evidence
    assert (e.call, e.field) == (HISTORY, FIELD) and "InsufficientInstanceCapacity" in e.value


def test_a_launch_since_the_errors_clears_them() -> None:
    history = (event("error", NO_CAPACITY, 12), event("Successful", "launched: i-1", 1))
    found = [x.code for x in facts_findings(history)]
    assert "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY" not in found


def test_the_spot_instance_limit_is_the_quota() -> None:
    limit = event("error", "spotInstanceCountLimitExceeded: Max spot instance count exceeded", 20)
    assert first(facts(ces=(spot(),), scaling_activities=(limit,))).code == "VCPU_QUOTA_EXHAUSTED"


def test_a_bid_below_the_price_shows_the_fleets_unusable_launch_spec() -> None:
    history = (event("error", PRICE, 5),)
    f = first(facts(ces=(spot(bid_percentage=1),), scaling_activities=history,
                    spot_prices={"m5.large": 0.04}, on_demand_prices={"m5.large": 0.096}))  # fmt: skip
    assert f.code == "SPOT_BID_BELOW_PRICE"
    assert [(e.call, e.field) for e in f.evidence][-1] == (HISTORY, FIELD)
    assert f.evidence[-1].value == f"ce: {PRICE}"


def facts_findings(history: tuple[ScalingActivity, ...]) -> list[Finding]:
    return list(diagnose(facts(ces=(spot(),), scaling_activities=history)).findings)
