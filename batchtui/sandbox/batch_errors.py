"""AWS Batch's error shape and the small parsing helpers every operation shares."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from batchtui.sandbox.server import ServiceResponse

NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class BatchApiError(Exception):
    def __init__(self, message: str, code: str = "ClientException", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def rejected(reason: str) -> BatchApiError:
    """A request AWS Batch's validation refused, worded as AWS words it.

    AWS wraps these reasons as ``Error executing request, Exception : <reason>, RequestId: <id>``
    (seen verbatim for an invalid job name, a job over 30 KiB, more than 100 ids to DescribeJobs,
    an invalid Fargate size, a missing instance role); other refusals (a queue or a job
    definition not found) come bare.
    """
    return BatchApiError(
        f"Error executing request, Exception : {reason}, RequestId: {uuid.uuid4()}"
    )


def queue_not_found(ref: Any) -> BatchApiError:
    """AWS's words for a job queue it does not know (SubmitJob: ``JobQueue <ref> not found.``)."""
    return BatchApiError(f"JobQueue {ref} not found.")


def job_definition_not_found(arn: str) -> BatchApiError:
    """AWS's words (SubmitJob), naming the definition by ARN even when given by name."""
    return BatchApiError(f"JobDefinition {arn} not found.")


def compute_environment_not_found(ref: Any) -> BatchApiError:
    # A guess by analogy with the two above: AWS's wording for this one was not found.
    return BatchApiError(f"ComputeEnvironment {ref} not found.")


def error_response(e: BatchApiError) -> ServiceResponse:
    return ServiceResponse(
        e.status,
        json.dumps({"__type": e.code, "message": e.message}).encode(),
        {"Content-Type": "application/json", "x-amzn-ErrorType": e.code},
    )


def require(body: dict[str, Any], key: str, kind: type = str) -> Any:
    value = body.get(key)
    if value is None or value == "":
        raise BatchApiError(f"{key} is required")
    if not isinstance(value, kind):
        raise BatchApiError(f"{key} must be a {kind.__name__}")
    return value


def optional_int(body: dict[str, Any], key: str, default: int | None = None) -> int | None:
    value = body.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BatchApiError(f"{key} must be an integer")
    return value


def check_state(state: Any) -> str:
    """A compute environment's or job queue's state: ENABLED or DISABLED."""
    if state not in ("ENABLED", "DISABLED"):
        raise BatchApiError(f"state must be ENABLED or DISABLED, not {state!r}")
    return str(state)


def check_name(what: str, name: str) -> None:
    if not NAME.match(name):
        raise BatchApiError(
            f"{what} name {name!r} is not valid: use 1 to 128 letters, numbers, hyphens (-) "
            "and underscores (_)"
        )
