"""Translate botocore's exceptions into batchtui errors a user can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import botocore.exceptions as bx

from batchtui.errors import (
    AccessDenied,
    AwsError,
    BatchtuiError,
    CredentialsError,
    EndpointUnreachable,
    NotFound,
    Throttled,
    UsageError,
)

_THROTTLE = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "ProvisionedThroughputExceededException",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
_BAD_CREDS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "InvalidAccessKeyId",
}
_NOT_FOUND = {
    "ResourceNotFoundException",
    "NoSuchResource",
    "NoSuchKey",
    "NoSuchBucket",
    "NotFoundException",
}

#: IAM action prefixes that differ from botocore's service name.
_IAM_PREFIX = {"service-quotas": "servicequotas", "logs": "logs", "s3": "s3"}


def iam_action(service: str, operation: str) -> str:
    return f"{_IAM_PREFIX.get(service, service)}:{operation}"


@contextmanager
def translate(service: str, operation: str, *, endpoint: str | None = None) -> Iterator[None]:
    """Turn any botocore failure inside the block into a :class:`BatchtuiError`."""
    try:
        yield
    except BatchtuiError:
        raise
    except bx.ClientError as e:
        raise from_client_error(e, service, operation) from None
    except (bx.NoCredentialsError, bx.PartialCredentialsError) as e:
        if endpoint:  # a LocalStack / moto endpoint still signs requests: any keys will do
            raise CredentialsError(
                f"no AWS credentials found for {service}:{operation} at {endpoint}",
                hint="every request is signed, even to a local endpoint: set AWS_PROFILE, or "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values do for an emulator)",
            ) from e
        raise CredentialsError(
            f"no AWS credentials found for {service}:{operation}",
            hint="set AWS_PROFILE or pass --aws-profile, or try the sandbox with --sandbox",
        ) from e
    except bx.ProfileNotFound as e:
        raise UsageError(
            f"AWS profile not found: {e.kwargs.get('profile')}",
            hint="check --aws-profile / AWS_PROFILE and ~/.aws/config",
        ) from None
    except (bx.TokenRetrievalError, bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError) as e:
        raise CredentialsError(
            f"the SSO session has expired or is missing ({type(e).__name__})",
            hint="run `aws sso login` for this profile",
        ) from None
    except bx.NoRegionError:
        raise UsageError(
            "no AWS region configured", hint="pass --region or set AWS_REGION"
        ) from None
    except (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ConnectionClosedError) as e:
        url = getattr(e, "kwargs", {}).get("endpoint_url") or endpoint or "the AWS endpoint"
        raise EndpointUnreachable(
            f"cannot reach {url} for {service}:{operation}",
            hint="is the endpoint up and the region right?",
        ) from None
    except bx.ReadTimeoutError as e:
        url = getattr(e, "kwargs", {}).get("endpoint_url") or endpoint or "the AWS endpoint"
        raise EndpointUnreachable(f"{url} did not answer {service}:{operation} in time") from None
    except bx.ParamValidationError as e:
        raise UsageError(f"{service}:{operation}: {e}") from None
    except bx.BotoCoreError as e:
        raise AwsError(f"{service}:{operation} failed: {e}") from None


def from_client_error(e: bx.ClientError, service: str, operation: str) -> AwsError:
    err = e.response.get("Error", {})
    code = str(err.get("Code", ""))
    msg = str(err.get("Message", "")) or code
    if code in _THROTTLE:
        return Throttled(
            f"{service}:{operation} was throttled by AWS after retries ({code})",
            hint="wait and retry; lower the refresh rate",
        )
    if code in _EXPIRED:
        return CredentialsError(
            f"the AWS credentials have expired ({code})",
            hint="refresh them, e.g. `aws sso login`",
        )
    if code in _DENIED:
        return AccessDenied(
            f"access denied to {service}:{operation}: the caller needs IAM permission "
            f"{iam_action(service, operation)}"
        )
    if code in _BAD_CREDS:
        return CredentialsError(f"AWS rejected the credentials for {service}:{operation}: {msg}")
    if code in _NOT_FOUND:
        return NotFound(f"{service}:{operation}: {msg}")
    return AwsError(f"{service}:{operation} failed: {code}: {msg}")
