"""The Pricing API (GetProducts for AmazonEC2 on-demand) and EC2 DescribeSpotPriceHistory,
served from the bundled price snapshot so ``plan --live`` against the sandbox agrees with it.

Spot history: per availability zone, a record every 12 hours for the week up to the snapshot
date, each price the snapshot's spot price with a small, deterministic per-zone drift. As AWS
does, a query also gets the record in effect at its StartTime.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

from batchtui import pricing
from batchtui.sandbox.server import ServiceRequest, ServiceResponse

_JSON = "application/x-amz-json-1.1"
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
HISTORY_DAYS = 7
HISTORY_STEP_HOURS = 12
ZONES = {"us-east-1": "abcdef"}
#: Windows prices: the snapshot holds Linux; the licence roughly adds this much per vCPU-hour.
WINDOWS_PER_VCPU_HOUR = 0.046
TENANCY_FACTOR = {"Shared": 1.0, "Dedicated": 1.1}
FILTER_FIELDS = {
    "availability-zone": "availabilityZone",
    "instance-type": "instanceType",
    "product-description": "productDescription",
}


def _jitter(*parts: str) -> float:
    """A stable number in [-1, 1) from its parts (the same sandbox serves the same prices)."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**31 - 1.0


# --------------------------------------------------------------------------- Pricing API


def _products(region_code: str | None) -> Iterator[dict[str, Any]]:
    doc = pricing.load_snapshot()
    date = doc["snapshot_date"]
    for region, r in doc["regions"].items():
        if region_code is not None and region != region_code:
            continue
        for itype, linux in r["on_demand_usd_per_hour"].items():
            spec = doc["instance_types"][itype]
            for os_name in ("Linux", "Windows"):
                for tenancy, factor in TENANCY_FACTOR.items():
                    price = linux * factor
                    if os_name == "Windows":
                        price += WINDOWS_PER_VCPU_HOUR * spec["vcpus"]
                    yield _product(
                        region, r["location"], itype, spec, os_name, tenancy, price, date
                    )


def _product(
    region: str,
    location: str,
    itype: str,
    spec: dict[str, Any],
    os_name: str,
    tenancy: str,
    price: float,
    date: str,
) -> dict[str, Any]:
    sku = hashlib.sha256(f"{region}/{itype}/{os_name}/{tenancy}".encode()).hexdigest()[:16].upper()
    term = "JRTCKXETXF"
    family = {"c": "Compute optimized", "m": "General purpose", "r": "Memory optimized",
              "g": "GPU instance"}.get(itype[0], "General purpose")  # fmt: skip
    attrs = {
        "servicecode": "AmazonEC2",
        "instanceType": itype,
        "instanceFamily": family,
        "regionCode": region,
        "location": location,
        "locationType": "AWS Region",
        "operatingSystem": os_name,
        "tenancy": tenancy,
        "capacitystatus": "Used",
        "preInstalledSw": "NA",
        "licenseModel": "No License required" if os_name == "Linux" else "License Included",
        "vcpu": str(spec["vcpus"]),
        "memory": f"{spec['memory_mib'] / 1024:g} GiB",
        "gpu": str(spec["gpus"]),
        "processorArchitecture": "64-bit",
        "usagetype": f"BoxUsage:{itype}",
        "operation": "RunInstances" if os_name == "Linux" else "RunInstances:0002",
    }
    return {
        "product": {"productFamily": "Compute Instance", "attributes": attrs, "sku": sku},
        "serviceCode": "AmazonEC2",
        "terms": {
            "OnDemand": {
                f"{sku}.{term}": {
                    "priceDimensions": {
                        f"{sku}.{term}.6YS6EN2CT7": {
                            "unit": "Hrs",
                            "endRange": "Inf",
                            "description": f"${price:.4f} per On Demand {os_name} {itype} "
                            "Instance Hour",
                            "appliesTo": [],
                            "rateCode": f"{sku}.{term}.6YS6EN2CT7",
                            "beginRange": "0",
                            "pricePerUnit": {"USD": f"{price:.10f}"},
                        }
                    },
                    "sku": sku,
                    "effectiveDate": f"{date}T00:00:00Z",
                    "offerTermCode": term,
                    "termAttributes": {},
                }
            }
        },
        "version": date.replace("-", "") + "000000",
        "publicationDate": f"{date}T00:00:00Z",
    }


def _pricing_error(code: str, message: str) -> ServiceResponse:
    return ServiceResponse.json(400, {"__type": code, "Message": message}, _JSON)


def pricing_handler(sandbox: Any) -> Any:
    """The pricing handler (GetProducts, DescribeServices) for one started sandbox."""
    del sandbox

    def handle(request: ServiceRequest) -> ServiceResponse | None:
        op = request.target
        body = request.json()
        if op == "DescribeServices":
            services = [
                {
                    "ServiceCode": "AmazonEC2",
                    "AttributeNames": [
                        "instanceType",
                        "regionCode",
                        "location",
                        "operatingSystem",
                        "tenancy",
                        "capacitystatus",
                        "preInstalledSw",
                        "instanceFamily",
                        "vcpu",
                        "memory",
                    ],
                }
            ]
            code = body.get("ServiceCode")
            if code:
                services = [s for s in services if s["ServiceCode"] == code]
            return ServiceResponse.json(
                200, {"Services": services, "FormatVersion": "aws_v1"}, _JSON
            )
        if op != "GetProducts":
            return _pricing_error("InvalidParameterException", f"unsupported operation {op}")
        if body.get("ServiceCode") != "AmazonEC2":
            return _pricing_error(
                "InvalidParameterException",
                f"Input Parameters are invalid. ServiceCode {body.get('ServiceCode')!r} is not "
                "modelled by the sandbox (AmazonEC2 is)",
            )
        filters = body.get("Filters") or []
        for f in filters:
            if f.get("Type") not in ("TERM_MATCH", "EQUALS") or "Field" not in f:
                return _pricing_error("InvalidParameterException", f"invalid filter {f!r}")
        wanted = {f["Field"]: str(f.get("Value", "")) for f in filters}
        size = int(body.get("MaxResults") or 100)
        if not 1 <= size <= 100:
            return _pricing_error("InvalidParameterException", "MaxResults must be 1..100")
        try:
            start = int(body.get("NextToken") or 0)
        except ValueError:
            return _pricing_error("InvalidNextTokenException", "The NextToken is invalid")
        matching = [
            p
            for p in _products(wanted.get("regionCode"))
            if all(_attr(p, k).lower() == v.lower() for k, v in wanted.items())
        ]
        page = matching[start : start + size]
        out: dict[str, Any] = {
            "FormatVersion": "aws_v1",
            "PriceList": [json.dumps(p) for p in page],  # AWS sends JSON strings
        }
        if start + size < len(matching):
            out["NextToken"] = str(start + size)
        return ServiceResponse.json(200, out, _JSON)

    return handle


def _attr(product: dict[str, Any], field: str) -> str:
    if field == "ServiceCode":
        return "AmazonEC2"
    return str(product["product"]["attributes"].get(field, ""))


# --------------------------------------------------------------------------- spot history


def _history(region: str) -> list[dict[str, Any]]:
    doc = pricing.load_snapshot()
    r = doc["regions"].get(region)
    if r is None:
        return []
    end = dt.datetime.fromisoformat(doc["snapshot_date"]).replace(tzinfo=dt.timezone.utc)
    steps = HISTORY_DAYS * 24 // HISTORY_STEP_HOURS
    rows = []
    for itype, od in r["on_demand_usd_per_hour"].items():
        base = pricing.spot_price(od, r["spot"][itype]["discount"])
        vcpus = doc["instance_types"][itype]["vcpus"]
        for zone in ZONES.get(region, "abc"):
            az = f"{region}{zone}"
            for i in range(steps + 1):
                when = end - dt.timedelta(hours=HISTORY_STEP_HOURS * i)
                drift = 1.0 + 0.08 * _jitter(az, itype, str(i))
                for desc, add in (("Linux/UNIX", 0.0), ("Windows", WINDOWS_PER_VCPU_HOUR * vcpus)):
                    rows.append(
                        {
                            "instanceType": itype,
                            "productDescription": desc,
                            "spotPrice": f"{(base + add) * drift:.6f}",
                            "timestamp": when,
                            "availabilityZone": az,
                        }
                    )
    rows.sort(
        key=lambda row: (
            -row["timestamp"].timestamp(),
            row["availabilityZone"],
            row["instanceType"],
        )
    )
    return rows


def spot_price_now(region: str, itype: str, zone: str) -> float | None:
    """The newest spot price (Linux) of the instance type in the zone, as DescribeSpotPriceHistory
    shows it; None when the snapshot has no price for it."""
    doc = pricing.load_snapshot()
    r = doc["regions"].get(region)
    if r is None or itype not in r["on_demand_usd_per_hour"] or itype not in r["spot"]:
        return None
    base = pricing.spot_price(r["on_demand_usd_per_hour"][itype], r["spot"][itype]["discount"])
    return float(f"{base * (1.0 + 0.08 * _jitter(zone, itype, '0')):.6f}")


def _list(form: dict[str, list[str]], prefix: str) -> list[str]:
    """Query-protocol lists: ``InstanceType.1``, ``InstanceType.2`` ..."""
    keys = [k for k in form if k.startswith(prefix + ".") and k[len(prefix) + 1 :].isdigit()]
    return [form[k][0] for k in sorted(keys, key=lambda k: int(k[len(prefix) + 1 :]))]


def _filters(form: dict[str, list[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    n = 1
    while f"Filter.{n}.Name" in form:
        name = form[f"Filter.{n}.Name"][0]
        out.setdefault(name, set()).update(_list(form, f"Filter.{n}.Value"))
        n += 1
    return out


def _time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _ec2_error(code: str, message: str) -> ServiceResponse:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error></Errors>"
        "<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
    )
    return ServiceResponse(400, body.encode(), {"Content-Type": "text/xml"})


def ec2_handler(sandbox: Any) -> Any:
    """The ec2 handler: DescribeSpotPriceHistory here, every other action to moto (None)."""
    del sandbox
    cache: dict[str, list[dict[str, Any]]] = {}

    def handle(request: ServiceRequest) -> ServiceResponse | None:
        form = request.form()
        if form.get("Action", [""])[0] != "DescribeSpotPriceHistory":
            return None
        rows = cache.get(request.region)
        if rows is None:
            rows = cache[request.region] = _history(request.region)
        try:
            start = _time(form["StartTime"][0]) if "StartTime" in form else None
            end = _time(form["EndTime"][0]) if "EndTime" in form else None
        except ValueError as e:
            return _ec2_error("InvalidParameterValue", f"invalid time: {e}")
        types = set(_list(form, "InstanceType"))
        descs = set(_list(form, "ProductDescription"))
        filters = _filters(form)
        zone = form.get("AvailabilityZone", [""])[0]
        try:
            size = int(form.get("MaxResults", ["1000"])[0])
            offset = int(form.get("NextToken", ["0"])[0] or 0)
        except ValueError:
            return _ec2_error("InvalidParameterValue", "invalid MaxResults or NextToken")
        if not 5 <= size <= 1000:
            return _ec2_error("InvalidParameterValue", "MaxResults must be between 5 and 1000")

        unknown = set(filters) - set(FILTER_FIELDS) - {"spot-price", "timestamp"}
        if unknown:
            return _ec2_error("InvalidParameterValue", f"unknown filter {sorted(unknown)[0]!r}")

        def keep(row: dict[str, Any]) -> bool:
            return (
                (not types or row["instanceType"] in types)
                and (not descs or row["productDescription"] in descs)
                and (not zone or row["availabilityZone"] == zone)
                and all(
                    row[FILTER_FIELDS[k]] in v for k, v in filters.items() if k in FILTER_FIELDS
                )
                and (end is None or row["timestamp"] <= end)
            )

        selected = [row for row in rows if keep(row)]
        if start is not None:
            # Records inside the window, plus the one in effect at StartTime (AWS does this).
            inside = [row for row in selected if row["timestamp"] >= start]
            in_effect: dict[tuple[str, str, str], dict[str, Any]] = {}
            for row in selected:
                if row["timestamp"] < start:
                    key = (row["instanceType"], row["availabilityZone"], row["productDescription"])
                    in_effect.setdefault(key, row)  # rows are newest first
            selected = inside + list(in_effect.values())
        page = selected[offset : offset + size]
        items = "".join(
            "<item>"
            f"<instanceType>{row['instanceType']}</instanceType>"
            f"<productDescription>{escape(row['productDescription'])}</productDescription>"
            f"<spotPrice>{row['spotPrice']}</spotPrice>"
            f"<timestamp>{row['timestamp'].strftime('%Y-%m-%dT%H:%M:%S.000Z')}</timestamp>"
            f"<availabilityZone>{row['availabilityZone']}</availabilityZone>"
            "</item>"
            for row in page
        )
        token = f"<nextToken>{offset + size}</nextToken>" if offset + size < len(selected) else ""
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<DescribeSpotPriceHistoryResponse '
            f'xmlns="{EC2_NS}"><requestId>5f1e6a3c-0000-4000-8000-000000000000</requestId>'
            f"<spotPriceHistorySet>{items}</spotPriceHistorySet>{token}"
            "</DescribeSpotPriceHistoryResponse>"
        )
        return ServiceResponse(200, body.encode(), {"Content-Type": "text/xml;charset=UTF-8"})

    return handle
