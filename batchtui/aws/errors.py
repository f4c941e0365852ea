"""Translate botocore's exceptions into batchtui errors a user can act on, and tell which
failures are worth another try (:func:`fault_of`) and what to say when the tries ran out
(:func:`gave_up`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import botocore.exceptions as bx
from botocore.parsers import ResponseParserError

from batchtui.aws.answers import IncompleteAnswer
from batchtui.aws.retries import Fault
from batchtui.errors import (
    AccessDenied,
    AnswerCutShort,
    AwsError,
    BatchtuiError,
    CircuitOpen,
    CredentialsError,
    EndpointUnreachable,
    NotFound,
    ServiceFailing,
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
    "NoSuchEntity",  # IAM's
}

#: Error codes AWS uses for a failure on its side, whatever the HTTP status says.
_SERVER = {
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServerException",
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
}

#: The environment variable that gives a slow link more time (see RetryPolicy.with_budget).
TIMEOUT_VARIABLE = "BATCHTUI_AWS_TIMEOUT"

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
        raise EndpointUnreachable(
            f"{url} did not answer {service}:{operation} in time",
            hint=f"check the network; on a slow link set {TIMEOUT_VARIABLE}=60",
        ) from None
    except (IncompleteAnswer, ResponseParserError) as e:
        raise AnswerCutShort(f"{service}:{operation}: the answer was incomplete: {e}") from None
    except bx.ParamValidationError as e:
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        raise UsageError(f"{service}:{operation}: {'; '.join(lines)}") from None
    except bx.BotoCoreError as e:
        raise AwsError(f"{service}:{operation} failed: {e}") from None


def fault_of(e: BaseException) -> Fault | None:
    """What went wrong, when another try may go better; None when it would not (AWS refused
    the request as sent, no credentials, bad parameters ...)."""
    if isinstance(e, (IncompleteAnswer, ResponseParserError)):
        return Fault.CUT_SHORT
    if isinstance(e, bx.ClientError):
        code = str(e.response.get("Error", {}).get("Code", ""))
        status = int(e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in _THROTTLE or status == 429:
            return Fault.THROTTLED
        if code in _SERVER or status in (500, 502, 503, 504):
            return Fault.SERVER_ERROR
        return None
    if isinstance(e, (bx.EndpointConnectionError, bx.ConnectTimeoutError)):
        return Fault.UNREACHABLE  # no connection, so nothing was sent
    if isinstance(e, bx.ReadTimeoutError):
        return Fault.TIMEOUT
    if isinstance(e, (bx.ConnectionClosedError, bx.HTTPClientError, bx.ConnectionError)):
        return Fault.DROPPED
    return None


def gave_up(
    e: BaseException,
    fault: Fault,
    service: str,
    operation: str,
    *,
    tries: int,
    waited: float,
    timeout: float,
    endpoint: str | None,
) -> AwsError:
    """The error for a request that failed ``tries`` times in ``waited`` seconds: what went
    wrong, how long batchtui waited and how many tries it made, and what to do. ``endpoint``:
    the client's endpoint URL (not the request's, which ends in the operation's path)."""
    what = f"{service}:{operation}"
    url = endpoint or "the AWS endpoint"
    spent = f"{_tries(tries)} in {waited:.1f} s"
    longer = f"on a slow link set {TIMEOUT_VARIABLE}=60"
    if fault is Fault.THROTTLED:
        code = e.response.get("Error", {}).get("Code", "") if isinstance(e, bx.ClientError) else ""
        return Throttled(
            f"{what} was throttled by AWS: {code or 'HTTP 429'}, {spent}",
            hint="wait and retry; lower the refresh rate",
        )
    if fault is Fault.SERVER_ERROR:
        assert isinstance(e, bx.ClientError)
        err = e.response.get("Error", {})
        code = str(err.get("Code", "")) or "HTTP " + str(
            e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "5xx")
        )
        msg = str(err.get("Message", "")).strip() or "no message"
        return ServiceFailing(
            f"{what} failed on AWS's side: {code}: {msg.rstrip('.')}; {spent}",
            hint="the service is having trouble: try again in a minute",
        )
    if fault is Fault.CUT_SHORT:
        return AnswerCutShort(
            f"{what}: every answer from {url} was incomplete: {e}; {spent}",
            hint="the network or a proxy cuts answers short: try again, or from another network",
        )
    if fault is Fault.TIMEOUT:
        return EndpointUnreachable(
            f"{url} did not answer {what}: waited {waited:.1f} s over {_tries(tries)} "
            f"of up to {timeout:.{1 if timeout < 10 else 0}f} s each",
            hint=f"check the network and the endpoint; {longer}",
        )
    if fault is Fault.DROPPED:
        return EndpointUnreachable(
            f"the connection to {url} dropped on every try of {what}: {spent}",
            hint=f"check the network and the endpoint; {longer}",
        )
    return EndpointUnreachable(
        f"cannot reach {url} for {what}: {spent}",
        hint="is the endpoint up and the region right?",
    )


class ChangeMayHaveRun(AwsError):
    """A change whose answer was lost: AWS may have made it (a caller may look for it)."""


def lost_change(e: BaseException, fault: Fault, service: str, operation: str) -> AwsError:
    """A change whose answer was lost: AWS may have made it, so it is not sent again."""
    what = {
        Fault.TIMEOUT: "no answer came",
        Fault.CUT_SHORT: f"its answer was incomplete: {e}",
        Fault.DROPPED: "the connection dropped before the answer",
    }.get(fault, str(fault.value))
    return ChangeMayHaveRun(
        f"{service}:{operation} changes the account and {what}: it may have been done",
        hint="check the account before you repeat it",
    )


def circuit_open(url: str, last_failure: str, cooldown: float) -> CircuitOpen:
    return CircuitOpen(
        f"{url} keeps failing, so batchtui stopped calling it for {cooldown:.0f} s; "
        f"last failure: {last_failure}",
        hint="wait: it is tried again after that; check the network and the endpoint",
    )


def _tries(n: int) -> str:
    return "1 try" if n == 1 else f"{n} tries"


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
    if code in _SERVER:
        return ServiceFailing(f"{service}:{operation} failed on AWS's side: {code}: {msg}")
    return AwsError(
        f"{service}:{operation} failed: {code}: {msg}",
        hint="AWS refused the request as sent: check the names and values given",
    )
