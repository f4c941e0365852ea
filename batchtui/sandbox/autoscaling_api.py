"""Auto Scaling's DescribeScalingActivities for the compute environments' groups.

Batch launches a managed EC2 compute environment's instances from an Auto Scaling group named
after it (``<ce-name>-asg-<uuid>``); its activities say which launches succeeded and, in EC2's
words, why the others failed (:mod:`launches`). Activities are listed newest first, up to
``MaxRecords`` (1 to 100) a page, optionally of named groups. A request that names only groups
the sandbox does not hold, and every other Auto Scaling action, goes to moto.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

from batchtui.sandbox.batch_errors import BatchApiError
from batchtui.sandbox.launches import Activity, details
from batchtui.sandbox.regions import RegionalAccount
from batchtui.sandbox.server import ServiceRequest, ServiceResponse, error_response
from batchtui.sandbox.tokens import decode_token, encode_token

NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"


def _time(t: float) -> str:
    return dt.datetime.fromtimestamp(t, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _member(a: Activity, region: str, account: str) -> str:
    arn = f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{a.activity_id}:autoScalingGroupName/{a.group}"
    message = f"<StatusMessage>{escape(a.message)}</StatusMessage>" if a.message else ""
    return (
        f"<member><ActivityId>{a.activity_id}</ActivityId>"
        f"<AutoScalingGroupName>{escape(a.group)}</AutoScalingGroupName>"
        f"<AutoScalingGroupARN>{escape(arn)}</AutoScalingGroupARN>"
        f"<Description>{escape(a.description)}</Description><Cause>{escape(a.cause)}</Cause>"
        f"<StartTime>{_time(a.time)}</StartTime><EndTime>{_time(a.time)}</EndTime>"
        f"<StatusCode>{a.status}</StatusCode>{message}<Progress>100</Progress>"
        f"<Details>{escape(details(a))}</Details></member>"
    )


class AutoScalingApi:
    def __init__(self, account: RegionalAccount) -> None:
        self.account = account

    def __call__(self, request: ServiceRequest) -> ServiceResponse | None:
        form = request.form()
        if form.get("Action", [""])[0] != "DescribeScalingActivities":
            return None
        scheduler = self.account.scheduler
        with scheduler.lock:
            scheduler.catch_up()
            activities = list(scheduler.fleet.launches.activities)
        groups = {v[0] for k, v in form.items() if k.startswith("AutoScalingGroupName")}
        ours = {a.group for a in activities}
        if groups and not groups & ours:
            return None  # groups made through Auto Scaling itself: moto's
        wanted = {v[0] for k, v in form.items() if k.startswith("ActivityIds.member.")}
        rows = [a for a in reversed(activities)
                if (not groups or a.group in groups) and (not wanted or a.activity_id in wanted)]  # fmt: skip
        try:
            size = int(form.get("MaxRecords", ["100"])[0])
            start: Any = decode_token(form.get("NextToken", [None])[0]) or 0
        except (ValueError, BatchApiError):
            return error_response(400, "ValidationError", "Invalid MaxRecords or NextToken.",
                                  "autoscaling")  # fmt: skip
        if not 1 <= size <= 100 or not isinstance(start, int) or start < 0:
            return error_response(400, "ValidationError", "MaxRecords must be between 1 and 100.",
                                  "autoscaling")  # fmt: skip
        page = rows[start : start + size]
        token = (f"<NextToken>{encode_token(start + size)}</NextToken>"
                 if start + size < len(rows) else "")  # fmt: skip
        store = self.account.store
        members = "".join(_member(a, store.region, store.account) for a in page)
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<DescribeScalingActivitiesResponse '
            f'xmlns="{NS}"><DescribeScalingActivitiesResult><Activities>{members}</Activities>'
            f"{token}</DescribeScalingActivitiesResult><ResponseMetadata><RequestId>"
            "7a3c1f52-0000-4000-8000-000000000000</RequestId></ResponseMetadata>"
            "</DescribeScalingActivitiesResponse>"
        )
        return ServiceResponse(200, body.encode(), {"Content-Type": "text/xml"})


def handler(account: RegionalAccount) -> AutoScalingApi:
    """The services.py factory (regional): one region's compute environments' groups."""
    return AutoScalingApi(account)
