"""Which of a compute environment's instance types EC2 launches, where, and what its Auto
Scaling group records when a launch fails.

EC2 launches an instance type for a compute environment only when:

- it is offered in the zone of one of the CE's subnets (the table DescribeInstanceTypeOfferings
  answers from); subnets EC2 does not hold say nothing, so a CE with none of its subnets known
  launches every type;
- for a SPOT CE with ``bidPercentage``, its current spot price in that zone is at most that
  share of the on-demand price (the sandbox's prices, :mod:`pricing_api`);
- EC2 has capacity of it: :attr:`Launches.shortage` names the types it has run out of (set by
  tests and demos; EC2 has no API to cause it).

Each launch and each failure is an activity of the CE's Auto Scaling group, in AWS's words
(DescribeScalingActivities, :mod:`autoscaling_api`), or, for a CE that launches through a Spot
Fleet request, an event of that request's history (:mod:`spot_fleets`). A group retries a failing launch; the
sandbox records one failure per compute environment and cause every :data:`RETRY_SECONDS`.
Batch gives a job the ``CAPACITY:`` reason only once its CE's launches have failed for
:data:`CAPACITY_REASON_AFTER_SECONDS` (:meth:`Launches.failing_long`); the failures themselves are
recorded from the first attempt.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import uuid
from collections import deque
from dataclasses import dataclass

from batchtui import pricing
from batchtui.errors import UsageError
from batchtui.model import InstanceType
from batchtui.sandbox import joining, moto_glue
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord, Instance
from batchtui.sandbox.pricing_api import spot_price_now
from batchtui.sandbox.spot_fleets import SpotFleets, launches_through_fleet

RETRY_SECONDS = 300.0
#: How long a compute environment's launches fail before Batch tells its jobs
#: ``CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY``. AWS names no figure; it marks a queue blocked for
#: capacity only after launches have kept failing for some minutes (a shortage often clears at the
#: next retry). Two retries of the group, the first failure included: ten minutes.
CAPACITY_REASON_AFTER_SECONDS = 2 * RETRY_SECONDS
KEEP_ACTIVITIES = 1000
NO_CAPACITY = (
    "We currently do not have sufficient {itype} capacity in the Availability Zone you requested "
    "({zone}). Our system will be working on provisioning additional capacity. You can currently "
    "get {itype} capacity by not specifying an Availability Zone in your request or choosing "
    "{others}. Launching EC2 instance failed."
)
VCPU_LIMIT = (
    "You have requested more vCPU capacity than your current vCPU limit of {limit:g} allows for "
    "the instance bucket that the specified instance type belongs to. Please visit "
    "http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit. "
    "Launching EC2 instance failed."
)
NOT_OFFERED = (
    "Your requested instance type ({itype}) is not supported in your requested Availability "
    "Zone ({zone}). Please retry your request by not specifying an Availability Zone or choosing "
    "{others}. Launching EC2 instance failed."
)
PRICE_TOO_LOW = (
    "Your Spot request price of {bid:.4f} is lower than the minimum required Spot request "
    "fulfillment price of {price:.4f}. Launching EC2 instance failed."
)


@dataclass(frozen=True)
class Activity:
    """One Auto Scaling activity of a compute environment's group."""

    activity_id: str
    group: str
    status: str  # Successful | Failed
    description: str
    cause: str
    message: str
    time: float  # simulated epoch seconds
    subnet: str
    zone: str


@functools.lru_cache(maxsize=8)
def _offered(region: str) -> dict[str, frozenset[str]]:
    return {t: frozenset(z) for t, z in moto_glue.instance_type_zones(region).items()}


@functools.lru_cache(maxsize=8)
def _on_demand(region: str) -> dict[str, float]:
    try:
        return dict(pricing.snapshot_price_book(region).on_demand)
    except UsageError:  # a region the snapshot lacks: no price to bid against
        return {}


class Launches:
    def __init__(self, region: str) -> None:
        self.region = region
        # Activity ids of their own: drawing them from the store's random numbers would change
        # every job id and duration that follows (the demo is the same on every start).
        self._ids = itertools.count(1)
        #: Instance types EC2 has no capacity of, in every zone.
        self.shortage: set[str] = set()
        self.activities: deque[Activity] = deque(maxlen=KEEP_ACTIVITIES)
        fleet_ids = itertools.count(1)
        self.spot_fleets = SpotFleets(
            lambda: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{region}/sfr/{next(fleet_ids)}"))
        )
        self._last_failure: dict[tuple[str, str], float] = {}
        #: CE name -> when its launches began to fail (the first failure since a success).
        self._failing_since: dict[str, float] = {}
        #: A failure was recorded since the scheduler last asked: it retries the launch later.
        self.retry_wanted = False
        self._sorted: dict[
            tuple[object, ...], tuple[list[InstanceType], dict[str, tuple[str, str]]]
        ] = {}

    # -- where, and whether -------------------------------------------------------------
    def sort_out(
        self, ce: ComputeEnvironmentRecord
    ) -> tuple[list[InstanceType], dict[str, tuple[str, str]]]:
        """The CE's instance types EC2 launches, and why it refuses the others (by name).
        Remembered until the CE's types, subnets, bid or the shortage change."""
        cr = ce.compute_resources
        key = (ce.name, id(ce.instance_types), tuple(cr.get("subnets") or ()),
               cr.get("bidPercentage"), ce.purchase, frozenset(self.shortage))  # fmt: skip
        found = self._sorted.get(key)
        if found is None:
            allowed, refused = [], {}
            for itype in ce.instance_types:
                why = self.refusal(ce, itype)
                if why is None:
                    allowed.append(itype)
                else:
                    refused[itype.name] = why
            found = self._sorted[key] = (allowed, refused)
        return found

    def zones(self, ce: ComputeEnvironmentRecord) -> dict[str, str]:
        """The CE's subnets EC2 holds, with their zones, in the CE's order."""
        subnets = [str(s) for s in ce.compute_resources.get("subnets") or ()]
        return joining.subnet_zones(self.region, subnets)

    def refusal(self, ce: ComputeEnvironmentRecord, itype: InstanceType) -> tuple[str, str] | None:
        """Why EC2 will not launch ``itype`` for the CE, or None: (kind, AWS's message), kind
        "capacity" (the statusReason says so), "offering" or "price" (the job just waits)."""
        zones = self.zones(ce)
        where = list(dict.fromkeys(zones.values()))
        if itype.name in self.shortage:
            zone = where[0] if where else f"{self.region}a"
            offered = _offered(self.region).get(itype.name, frozenset())
            others = ", ".join(sorted(offered - {zone})) or "another instance type"
            return "capacity", NO_CAPACITY.format(itype=itype.name, zone=zone, others=others)
        if where:
            offered = _offered(self.region).get(itype.name, frozenset())
            where = [z for z in where if z in offered]
            if not where:
                zone = next(iter(zones.values()))
                others = ", ".join(sorted(offered - {zone})) or "another instance type"
                return "offering", NOT_OFFERED.format(itype=itype.name, zone=zone, others=others)
        bid = ce.compute_resources.get("bidPercentage")
        if ce.purchase.is_spot and bid:
            od = _on_demand(self.region).get(itype.name)
            zone_list = where or [f"{self.region}a"]
            prices = [p for z in zone_list
                      if (p := spot_price_now(self.region, itype.name, z)) is not None]  # fmt: skip
            if od and prices and min(prices) > od * int(bid) / 100:
                return "price", PRICE_TOO_LOW.format(bid=od * int(bid) / 100, price=min(prices))
        return None

    def subnet_for(self, ce: ComputeEnvironmentRecord, itype: InstanceType) -> tuple[str, str]:
        """(subnet, zone) a new instance lands in: the first of the CE's subnets whose zone
        offers the type; the CE's first subnet when EC2 holds none of them."""
        zones = self.zones(ce)
        offered = _offered(self.region).get(itype.name, frozenset())
        for subnet, zone in zones.items():
            if zone in offered:
                return subnet, zone
        subnets = ce.compute_resources.get("subnets") or [""]
        return str(subnets[0]), ""

    # -- what the group records ----------------------------------------------------------
    def launched(self, ce: ComputeEnvironmentRecord, inst: Instance, now: float) -> None:
        if launches_through_fleet(ce):
            self.spot_fleets.launched(ce, inst.id, now)
        else:
            self._record(ce, "Successful", f"Launching a new EC2 instance: {inst.id}", "", now,
                         inst.subnet, inst.zone)  # fmt: skip
        self._last_failure = {k: v for k, v in self._last_failure.items() if k[0] != ce.name}
        self._failing_since.pop(ce.name, None)

    def failing_long(self, ce_name: str, now: float) -> bool:
        """The CE's launches have failed for :data:`CAPACITY_REASON_AFTER_SECONDS` or more."""
        since = self._failing_since.get(ce_name)
        return since is not None and now - since >= CAPACITY_REASON_AFTER_SECONDS - 1e-6

    def failed(self, ce: ComputeEnvironmentRecord, kind: str, message: str, now: float) -> None:
        self._failing_since.setdefault(ce.name, now)
        last = self._last_failure.get((ce.name, kind))
        if last is not None and now - last < RETRY_SECONDS - 1e-6:  # 1e-6: float sums
            return
        self._last_failure[(ce.name, kind)] = now
        self.retry_wanted = True
        if launches_through_fleet(ce):
            self.spot_fleets.failed(ce, kind, message, now)
            return
        zones = self.zones(ce)
        subnet, zone = next(iter(zones.items()), ("", ""))
        description = f"Launching a new EC2 instance.  Status Reason: {message}"
        self._record(ce, "Failed", description, message, now, subnet, zone)

    def _record(self, ce: ComputeEnvironmentRecord, status: str, description: str, message: str,
                now: float, subnet: str, zone: str) -> None:  # fmt: skip
        when = dt.datetime.fromtimestamp(now, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        size = len(ce.instances)
        cause = (
            f"At {when} an instance was started in response to a difference between desired and "
            f"actual capacity, increasing the capacity from {max(size - 1, 0)} to {max(size, 1)}."
        )
        activity_id = str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"{ce.autoscaling_group}/{next(self._ids)}")
        )
        self.activities.append(Activity(activity_id, ce.autoscaling_group, status,
                                        description, cause, message, now, subnet, zone))  # fmt: skip


def details(activity: Activity) -> str:
    """The activity's Details, as AWS writes them (a JSON string)."""
    return json.dumps({"Subnet ID": activity.subnet, "Availability Zone": activity.zone})
