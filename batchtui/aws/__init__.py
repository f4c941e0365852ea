"""The only boto3 user: clients, the read-only guard, error translation, listers."""

from batchtui.aws.session import Aws, AwsTarget, CallCounter

__all__ = ["Aws", "AwsTarget", "CallCounter"]
