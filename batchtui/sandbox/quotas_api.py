"""Service Quotas for the sandbox: the EC2 vCPU quotas Batch draws on, as AWS answers them.

Values come from the sandbox's live ``quotas`` (so a test that changes them sees the change at
once); AWS's defaults answer GetAWSDefaultServiceQuota. Any other code is AWS's
NoSuchResourceException.
"""

from __future__ import annotations

from typing import Any

from batchtui.model import ON_DEMAND_STANDARD_QUOTA, SPOT_STANDARD_QUOTA
from batchtui.sandbox import moto_glue
from batchtui.sandbox.server import ServiceRequest, ServiceResponse

NAMES = {
    ON_DEMAND_STANDARD_QUOTA: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
    SPOT_STANDARD_QUOTA: "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests",
}
#: What a new account gets (AWS's default values of these quotas).
AWS_DEFAULTS = {ON_DEMAND_STANDARD_QUOTA: 5.0, SPOT_STANDARD_QUOTA: 5.0}
EC2_SERVICE_NAME = "Amazon Elastic Compute Cloud (Amazon EC2)"
_JSON = "application/x-amz-json-1.1"


def _error(code: str, message: str, status: int = 400) -> ServiceResponse:
    return ServiceResponse.json(status, {"__type": code, "Message": message}, _JSON)


def _quota(region: str, code: str, value: float) -> dict[str, Any]:
    return {
        "ServiceCode": "ec2",
        "ServiceName": EC2_SERVICE_NAME,
        "QuotaArn": f"arn:aws:servicequotas:{region}:{moto_glue.ACCOUNT_ID}:ec2/{code}",
        "QuotaCode": code,
        "QuotaName": NAMES[code],
        "Value": float(value),
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
        "UsageMetric": {
            "MetricNamespace": "AWS/Usage",
            "MetricName": "ResourceCount",
            "MetricDimensions": {
                "Class": "Standard/OnDemand"
                if code == ON_DEMAND_STANDARD_QUOTA
                else "Standard/Spot",
                "Resource": "vCPU",
                "Service": "EC2",
                "Type": "Resource",
            },
            "MetricStatisticRecommendation": "Maximum",
        },
        "QuotaAppliedAtLevel": "ACCOUNT",
    }


def handler(sandbox: Any) -> Any:
    """The servicequotas handler for one started sandbox."""

    def handle(request: ServiceRequest) -> ServiceResponse | None:
        op = request.target
        try:
            body = request.json()
        except ValueError:
            return _error("IllegalArgumentException", "request body is not JSON")
        service = body.get("ServiceCode")
        if op in ("GetServiceQuota", "GetAWSDefaultServiceQuota"):
            code = body.get("QuotaCode")
            if not service or not code:
                return _error("IllegalArgumentException", "ServiceCode and QuotaCode are required")
            if service != "ec2" or code not in NAMES:
                return _error(
                    "NoSuchResourceException",
                    f"The request failed because the specified quota {code} of service "
                    f"{service} does not exist.",
                )
            values = sandbox.quotas if op == "GetServiceQuota" else AWS_DEFAULTS
            return ServiceResponse.json(
                200, {"Quota": _quota(request.region, code, values[code])}, _JSON
            )
        if op in ("ListServiceQuotas", "ListAWSDefaultServiceQuotas"):
            if not service:
                return _error("IllegalArgumentException", "ServiceCode is required")
            if service != "ec2":
                return _error("NoSuchResourceException", f"The service {service} does not exist.")
            values = sandbox.quotas if op == "ListServiceQuotas" else AWS_DEFAULTS
            codes = sorted(NAMES)
            start = int(body.get("NextToken") or 0)
            size = int(body.get("MaxResults") or 100)
            if size < 1 or size > 100:
                return _error("IllegalArgumentException", "MaxResults must be 1..100")
            page = codes[start : start + size]
            out: dict[str, Any] = {"Quotas": [_quota(request.region, c, values[c]) for c in page]}
            if start + size < len(codes):
                out["NextToken"] = str(start + size)
            return ServiceResponse.json(200, out, _JSON)
        return _error("InvalidAction", f"the sandbox does not model servicequotas {op}")

    return handle
