"""Every error a user meets is one line: ``batchtui: <what went wrong> (<what to do>)``."""

from __future__ import annotations

import re

import botocore.exceptions as bx
import pytest
from botocore.parsers import ResponseParserError

import batchtui.aws.logs  # noqa: F401  (defines NoLogs)
from batchtui.aws.answers import IncompleteAnswer
from batchtui.aws.apply import ApplyFailed
from batchtui.aws.errors import circuit_open, gave_up, lost_change, translate
from batchtui.aws.retries import Fault
from batchtui.errors import BatchtuiError

LINE = re.compile(r"batchtui: (?P<what>[^\n]+) \((?P<todo>[^\n]+)\)")


def line_of(error: BaseException) -> str:
    """What the CLI prints for an error (cli.main)."""
    return f"batchtui: {error}"


def assert_form(error: BatchtuiError) -> None:
    m = LINE.fullmatch(line_of(error))
    assert m, line_of(error)
    assert m.group("todo") == error.hint and error.hint.strip()


def every_error_class() -> list[type[BatchtuiError]]:
    found: list[type[BatchtuiError]] = []
    todo = [BatchtuiError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__qualname__)


@pytest.mark.parametrize("cls", every_error_class(), ids=lambda c: c.__qualname__)
def test_every_error_class_says_what_to_do(cls: type[BatchtuiError]) -> None:
    if cls is ApplyFailed:
        from batchtui.changes import Step, StepKind

        step = Step(StepKind.CREATE, "jobQueue", "q", "new", "CreateJobQueue", {})
        error: BatchtuiError = ApplyFailed(step, 2, 3, "ClientException: no", [step])
    elif cls.__init__ is not BatchtuiError.__init__:  # lists of problems, one a line
        error = cls(["profile.toml:3: workload.images: must be at least 1"])  # type: ignore[call-arg,arg-type]
    else:
        error = cls("something went wrong")
    assert_form(error)


def client_error(code: str, status: int = 400) -> bx.ClientError:
    return bx.ClientError(
        {"Error": {"Code": code, "Message": "m."}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "ListJobs",
    )


FAILURES = [
    client_error("AccessDeniedException"),
    client_error("ThrottlingException"),
    client_error("ExpiredTokenException"),
    client_error("UnrecognizedClientException"),
    client_error("ResourceNotFoundException"),
    client_error("ClientException"),
    client_error("ServerException", 500),
    client_error("Teapot", 418),
    bx.NoCredentialsError(),
    bx.ProfileNotFound(profile="nope"),
    bx.SSOTokenLoadError(error_msg="gone"),
    bx.NoRegionError(),
    bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
    bx.ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"),
    bx.ConnectionClosedError(endpoint_url="http://127.0.0.1:1"),
    bx.ReadTimeoutError(endpoint_url="http://127.0.0.1:1"),
    IncompleteAnswer("got 10 of 20 bytes"),
    ResponseParserError("Unable to parse response, invalid XML received"),
    bx.ParamValidationError(report="Invalid type for parameter maxResults"),
    bx.BotoCoreError(),
]


@pytest.mark.parametrize("failure", FAILURES, ids=lambda e: type(e).__name__)
def test_every_botocore_failure_translates_to_one_line(failure: Exception) -> None:
    with pytest.raises(BatchtuiError) as info, translate("batch", "ListJobs"):
        raise failure
    assert_form(info.value)


@pytest.mark.parametrize("fault", list(Fault))
def test_a_request_that_gave_up_says_how_long_and_how_many_tries(fault: Fault) -> None:
    failure = {
        Fault.THROTTLED: client_error("ThrottlingException"),
        Fault.SERVER_ERROR: client_error("ServerException", 500),
        Fault.UNREACHABLE: bx.EndpointConnectionError(endpoint_url="http://x/v1/listjobs"),
        Fault.DROPPED: bx.ConnectionClosedError(endpoint_url="http://x/v1/listjobs"),
        Fault.TIMEOUT: bx.ReadTimeoutError(endpoint_url="http://x/v1/listjobs"),
        Fault.CUT_SHORT: IncompleteAnswer("got 10 of 20 bytes"),
    }[fault]
    error = gave_up(
        failure, fault, "batch", "ListJobs", tries=3, waited=9.46, timeout=5.0,
        endpoint="http://x",
    )  # fmt: skip
    assert_form(error)
    assert "batch:ListJobs" in error.message
    assert "9.5 s" in error.message and "3 tries" in error.message
    assert "/v1/listjobs" not in error.message  # the endpoint, not the request's URL


@pytest.mark.parametrize("fault", [f for f in Fault if f.request_may_have_run])
def test_a_lost_change_and_an_open_circuit_are_one_line(fault: Fault) -> None:
    assert_form(lost_change(IncompleteAnswer("got 1 of 2 bytes"), fault, "batch", "SubmitJob"))
    assert_form(circuit_open("http://x", "batch:ListJobs failed", 30))


def test_the_issue_s_lines_now_say_what_to_do() -> None:
    """The server error and the timeout lines had no "(what to do)"."""
    with pytest.raises(BatchtuiError) as info, translate("batch", "ListJobs"):
        raise client_error("ServerException", 500)
    assert_form(info.value)
    with pytest.raises(BatchtuiError) as info, translate("batch", "ListJobs"):
        raise bx.ReadTimeoutError(endpoint_url="http://127.0.0.1:1")
    assert_form(info.value)
