"""The account's EC2 vCPU quotas from Service Quotas (what Batch's instances draw on)."""

from __future__ import annotations

from batchtui.aws.session import Aws
from batchtui.errors import AwsError, NotFound
from batchtui.model import ON_DEMAND_STANDARD_QUOTA, SPOT_STANDARD_QUOTA, PurchaseModel, Quota

QUOTA_CODES = {PurchaseModel.EC2: ON_DEMAND_STANDARD_QUOTA, PurchaseModel.SPOT: SPOT_STANDARD_QUOTA}


def get_quota(aws: Aws, code: str) -> Quota:
    """One EC2 quota: the account's applied value, else AWS's default for it."""
    try:
        result = aws.call("service-quotas", "GetServiceQuota", ServiceCode="ec2", QuotaCode=code)
    except (NotFound, AwsError) as e:
        # Service Quotas says NoSuchResourceException when no value was ever applied.
        if not isinstance(e, NotFound) and "NoSuchResource" not in str(e):
            raise
        result = aws.call(
            "service-quotas", "GetAWSDefaultServiceQuota", ServiceCode="ec2", QuotaCode=code
        )
    q = result.get("Quota") or {}
    if "Value" not in q:
        raise AwsError(f"Service Quotas returned no value for ec2 {code}")
    pool = PurchaseModel.SPOT if code == SPOT_STANDARD_QUOTA else PurchaseModel.EC2
    return Quota(code=code, name=str(q.get("QuotaName", code)), value=float(q["Value"]), pool=pool)


def vcpu_quotas(aws: Aws) -> dict[PurchaseModel, float]:
    """On-demand (L-1216C47A) and spot (L-34B43A08) vCPU quotas, by pool."""
    return {pool: get_quota(aws, code).value for pool, code in QUOTA_CODES.items()}
