"""The only boto3 user: clients, the read-only guard, retries within a time budget, checks
that an answer is whole, error translation, listers."""

from batchtui.aws.session import Aws, AwsTarget, CallCounter

__all__ = ["Aws", "AwsTarget", "CallCounter"]
