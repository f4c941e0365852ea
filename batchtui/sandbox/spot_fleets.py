"""The Spot Fleet requests that SPOT compute environments launch through, and their history.

AWS Batch launches a SPOT compute environment's instances through a Spot Fleet request when the
compute environment has a ``spotIamFleetRole`` and the BEST_FIT allocation strategy; it then has
no Auto Scaling group, and the request's history (DescribeSpotFleetRequestHistory) is where its
launches and their failures show. The sandbox makes the request on the compute environment's
first launch (events ``fleetRequestChange``: ``submitted``, ``active``), records each instance
launched (``instanceChange``: ``launched``) and each failure in EC2's event words:

- no capacity of the type: ``error`` / ``allLaunchSpecsTemporarilyBlacklisted``, described
  ``InsufficientInstanceCapacity: <EC2's message>``;
- the bid below the spot price: ``information`` / ``launchSpecUnusable``;
- the spot vCPU quota used up: ``error`` / ``spotInstanceCountLimitExceeded``;
- a type the subnets' zones do not offer: ``error`` / ``spotFleetRequestConfigurationInvalid``.

DescribeComputeEnvironments names no fleet: the sandbox tags the request as Batch tags the
compute environment's instances (``AWSBatchServiceTag`` = its name, and its own ``tags``), so a
client finds it in DescribeSpotFleetRequests by that tag. Both actions are answered here for the
requests the sandbox holds; requests made with RequestSpotFleet itself are moto's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from batchtui.sandbox.batch_records import ComputeEnvironmentRecord
from batchtui.sandbox.server import ServiceRequest, ServiceResponse

EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
#: Events kept per request (AWS keeps 48 hours of them).
KEEP_EVENTS = 1000
#: (event type, sub-type, description prefix) of a launch failure, by :mod:`launches`' kind.
FAILURE_EVENTS: dict[str, tuple[str, str, str]] = {
    "capacity": ("error", "allLaunchSpecsTemporarilyBlacklisted", "InsufficientInstanceCapacity: "),
    "price": (
        "information",
        "launchSpecUnusable",
        "Spot bid price is less than Spot market price: ",
    ),
    "quota": ("error", "spotInstanceCountLimitExceeded", ""),
    "offering": ("error", "spotFleetRequestConfigurationInvalid", ""),
}


def launches_through_fleet(ce: ComputeEnvironmentRecord) -> bool:
    """Batch launches the CE's instances through a Spot Fleet request (not an Auto Scaling
    group): a SPOT CE with a ``spotIamFleetRole`` and the BEST_FIT allocation strategy."""
    cr = ce.compute_resources
    return (
        ce.purchase.is_spot
        and bool(cr.get("spotIamFleetRole"))
        and ce.allocation_strategy == "BEST_FIT"
    )


@dataclass(frozen=True)
class FleetEvent:
    time: float  # simulated epoch seconds
    event_type: str  # fleetRequestChange | instanceChange | error | information
    sub_type: str
    description: str = ""
    instance_id: str = ""


class SpotFleetRequest:
    def __init__(self, request_id: str, ce: ComputeEnvironmentRecord, now: float) -> None:
        self.request_id = request_id
        self.ce_name = ce.name
        cr = ce.compute_resources
        self.iam_fleet_role = str(cr.get("spotIamFleetRole") or "")
        own = cr.get("tags") or {}
        self.tags = {str(k): str(v) for k, v in own.items()} if isinstance(own, dict) else {}
        self.tags["AWSBatchServiceTag"] = ce.name
        self.created_at = now
        self.history: deque[FleetEvent] = deque(maxlen=KEEP_EVENTS)
        self.history.append(FleetEvent(now, "fleetRequestChange", "submitted"))
        self.history.append(FleetEvent(now, "fleetRequestChange", "active"))


class SpotFleets:
    """One region's Spot Fleet requests, one per compute environment that launches through one."""

    def __init__(self, new_id: Callable[[], str]) -> None:
        self._new_id = new_id
        self.requests: dict[str, SpotFleetRequest] = {}  # by request id, oldest first
        self._of_ce: dict[str, str] = {}

    def of(self, ce: ComputeEnvironmentRecord, now: float) -> SpotFleetRequest:
        found = self.requests.get(self._of_ce.get(ce.name, ""))
        if found is None:
            found = SpotFleetRequest(f"sfr-{self._new_id()}", ce, now)
            self.requests[found.request_id] = found
            self._of_ce[ce.name] = found.request_id
        return found

    def launched(self, ce: ComputeEnvironmentRecord, instance_id: str, now: float) -> None:
        self.of(ce, now).history.append(FleetEvent(now, "instanceChange", "launched",
                                                   instance_id=instance_id))  # fmt: skip

    def failed(self, ce: ComputeEnvironmentRecord, kind: str, message: str, now: float) -> None:
        event_type, sub_type, prefix = FAILURE_EVENTS.get(kind, ("error", "launchSpecUnusable", ""))
        self.of(ce, now).history.append(FleetEvent(now, event_type, sub_type, prefix + message))

    # -- EC2's answers ---------------------------------------------------------------------
    def answer(self, request: ServiceRequest) -> ServiceResponse | None:
        """DescribeSpotFleetRequests and DescribeSpotFleetRequestHistory of the requests held
        here; None for every other action and for requests the sandbox does not hold."""
        form = request.form()
        action = form.get("Action", [""])[0]
        if action == "DescribeSpotFleetRequests":
            wanted = [v[0] for k, v in sorted(form.items()) if k.startswith("SpotFleetRequestId")]
            if wanted and not all(w in self.requests for w in wanted):
                return None
            chosen = [self.requests[w] for w in wanted] or list(self.requests.values())
            items = "".join(_request_item(r) for r in chosen)
            return _ok(action, f"<spotFleetRequestConfigSet>{items}</spotFleetRequestConfigSet>")
        if action != "DescribeSpotFleetRequestHistory":
            return None
        fleet = self.requests.get(form.get("SpotFleetRequestId", [""])[0])
        if fleet is None:
            return None
        try:
            start = _parse_time(form["StartTime"][0])
            size = int(form.get("MaxResults", ["1000"])[0])
            offset = int(form.get("NextToken", ["0"])[0] or 0)
        except (KeyError, ValueError):
            return _error("InvalidParameterValue", "StartTime is required; MaxResults and "
                          "NextToken must be numbers")  # fmt: skip
        if not 1 <= size <= 1000:
            return _error("InvalidParameterValue", "MaxResults must be between 1 and 1000")
        kind = form.get("EventType", [""])[0]
        events = [e for e in fleet.history
                  if e.time >= start and (not kind or e.event_type == kind)]  # fmt: skip
        page = events[offset : offset + size]
        token = f"<nextToken>{offset + size}</nextToken>" if offset + size < len(events) else ""
        last = events[-1].time if events else start
        body = (
            f"<spotFleetRequestId>{fleet.request_id}</spotFleetRequestId>"
            f"<startTime>{_time(start)}</startTime><lastEvaluatedTime>{_time(last)}"
            f"</lastEvaluatedTime><historyRecordSet>{''.join(map(_event_item, page))}"
            f"</historyRecordSet>{token}"
        )
        return _ok(action, body)


def _request_item(r: SpotFleetRequest) -> str:
    tags = "".join(f"<item><key>{escape(k)}</key><value>{escape(v)}</value></item>"
                   for k, v in sorted(r.tags.items()))  # fmt: skip
    return (
        f"<item><spotFleetRequestId>{r.request_id}</spotFleetRequestId>"
        "<spotFleetRequestState>active</spotFleetRequestState>"
        "<activityStatus>fulfilled</activityStatus>"
        f"<createTime>{_time(r.created_at)}</createTime>"
        f"<spotFleetRequestConfig><iamFleetRole>{escape(r.iam_fleet_role)}</iamFleetRole>"
        "<allocationStrategy>lowestPrice</allocationStrategy><targetCapacity>0</targetCapacity>"
        "<type>maintain</type></spotFleetRequestConfig>"
        f"<tagSet>{tags}</tagSet></item>"
    )


def _event_item(e: FleetEvent) -> str:
    instance = f"<instanceId>{e.instance_id}</instanceId>" if e.instance_id else ""
    description = (
        f"<eventDescription>{escape(e.description)}</eventDescription>" if e.description else ""
    )
    return (
        f"<item><timestamp>{_time(e.time)}</timestamp><eventType>{e.event_type}</eventType>"
        f"<eventInformation><eventSubType>{e.sub_type}</eventSubType>{description}{instance}"
        "</eventInformation></item>"
    )


def _time(t: float) -> str:
    return dt.datetime.fromtimestamp(t, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_time(text: str) -> float:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()


def _ok(action: str, inner: str) -> ServiceResponse:
    request_id = uuid.uuid5(uuid.NAMESPACE_URL, action)
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response xmlns="{EC2_NS}">'
        f"<requestId>{request_id}</requestId>{inner}</{action}Response>"
    )
    return ServiceResponse(200, body.encode(), {"Content-Type": "text/xml;charset=UTF-8"})


def _error(code: str, message: str) -> ServiceResponse:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error></Errors>"
        "<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
    )
    return ServiceResponse(400, body.encode(), {"Content-Type": "text/xml"})
