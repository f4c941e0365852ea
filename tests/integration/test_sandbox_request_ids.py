"""Every response of the sandbox's own services carries a request id, errors included, as AWS's
do (boto3's ResponseMetadata['RequestId'], which tools log for support cases)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def request_id_of(call: Callable[[], Any]) -> tuple[str, dict[str, str] | None]:
    """The request id of a call's answer, and its error (Code, Message) when it failed."""
    try:
        response = call()
    except ClientError as e:
        return e.response["ResponseMetadata"].get("RequestId", ""), dict(e.response["Error"])
    return response["ResponseMetadata"].get("RequestId", ""), None


CALLS: list[tuple[str, str, dict[str, Any], str | None]] = [
    ("batch", "describe_job_queues", {}, None),
    ("batch", "describe_job_definitions", {"jobDefinitions": ["nope:1"]}, None),
    ("batch", "submit_job", {"jobName": "j", "jobQueue": "nope", "jobDefinition": "nope"},
     "ClientException"),
    ("service-quotas", "list_service_quotas", {"ServiceCode": "ec2"}, None),
    ("service-quotas", "get_service_quota", {"ServiceCode": "ec2", "QuotaCode": "L-NOPE"},
     "NoSuchResourceException"),
    ("pricing", "describe_services", {}, None),
    ("pricing", "get_products", {"ServiceCode": "Nope"}, "InvalidParameterException"),
    ("rekognition", "detect_labels",
     {"Image": {"S3Object": {"Bucket": "no-such-bucket", "Name": "x.jpg"}}},
     "InvalidS3ObjectException"),
    ("ecs", "list_clusters", {}, None),
    ("ecs", "list_container_instances", {"cluster": "no-such-cluster"},
     "ClusterNotFoundException"),
    ("ecs", "describe_services", {"cluster": "no-such-cluster", "services": ["s"]},
     "ClusterNotFoundException"),
]  # fmt: skip


@pytest.mark.parametrize(("service", "operation", "params", "error"), CALLS)
def test_every_answer_of_our_services_has_a_request_id(
    aws_client: Any, service: str, operation: str, params: dict[str, Any], error: str | None
) -> None:
    client = aws_client(service)
    request_id, failure = request_id_of(lambda: getattr(client, operation)(**params))
    assert request_id
    if error is None:
        assert failure is None
    else:
        assert failure is not None and failure["Code"] == error and failure["Message"]


def test_the_gates_refusals_have_a_request_id(sandbox: Any) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(urllib.request.Request(f"{sandbox.url}/v1/describejobqueues",
                                                      data=b"{}"))  # fmt: skip
    assert info.value.code == 403
    assert info.value.headers["x-amzn-RequestId"]
    assert info.value.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_request_ids_are_unique(aws_client: Any) -> None:
    batch = aws_client("batch")
    ids = {request_id_of(batch.describe_job_queues)[0] for _ in range(5)}
    assert len(ids) == 5
