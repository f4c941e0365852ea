"""Only whole, well-formed answers pass: the ``after-call`` check on botocore's responses."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from urllib3 import HTTPHeaderDict

from batchtui.aws.answers import IncompleteAnswer, check_answer

_models = botocore.session.get_session()


def model(service: str, operation: str) -> Any:
    return _models.get_service_model(service).operation_model(operation)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def response(body: bytes, **headers: str) -> AWSResponse:
    hdrs = HTTPHeaderDict({k.replace("_", "-"): v for k, v in headers.items()})
    return AWSResponse("http://127.0.0.1:1/v1/listjobs", 200, hdrs, _Raw(body))


PAGE = json.dumps({"jobSummaryList": [{"jobId": "a"}], "nextToken": "t"}).encode()


@pytest.mark.parametrize(
    ("service", "operation"), [("batch", "ListJobs"), ("logs", "GetLogEvents")]
)
def test_a_whole_answer_passes(service: str, operation: str) -> None:
    check_answer(response(PAGE, Content_Length=str(len(PAGE))), model(service, operation))
    check_answer(response(PAGE), model(service, operation))  # no length announced
    check_answer(response(b"", Content_Length="0"), model(service, operation))


def test_an_answer_shorter_than_announced_is_incomplete() -> None:
    cut = PAGE[: len(PAGE) // 2]
    with pytest.raises(IncompleteAnswer, match=f"got {len(cut)} of {len(PAGE)} bytes"):
        check_answer(response(cut, Content_Length=str(len(PAGE))), model("batch", "ListJobs"))


def test_json_that_does_not_parse_is_incomplete_even_at_full_length() -> None:
    """botocore's parser reads such a body as an empty result: a page with no jobs."""
    garbled = b"\x00" * len(PAGE)
    with pytest.raises(IncompleteAnswer, match="not JSON"):
        check_answer(response(garbled, Content_Length=str(len(PAGE))), model("batch", "ListJobs"))
    with pytest.raises(IncompleteAnswer, match="not JSON"):
        check_answer(response(PAGE[:-3]), model("logs", "GetLogEvents"))  # no length to compare


def test_xml_is_left_to_botocore_whose_parser_refuses_bad_xml() -> None:
    """Query and EC2 bodies are XML; botocore raises ResponseParserError for a broken one,
    which the session retries like a cut-short answer."""
    check_answer(
        response(b"<DescribeSpotPriceHistoryResponse>"), model("ec2", "DescribeSpotPriceHistory")
    )


def test_a_streamed_body_is_left_to_its_reader() -> None:
    check_answer(response(b"", Content_Length="100"), model("s3", "GetObject"))
