"""The sandbox's fault injector, driven through its control API and seen through boto3."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from batchtui.sandbox.control_client import SandboxControl, SandboxControlError


@pytest.fixture
def control(sandbox_faults: SandboxControl) -> SandboxControl:
    return sandbox_faults


def _client(sandbox: Any, service: str, **retries: Any) -> Any:
    """A client that tries once unless told more: botocore's retries sleep between tries."""
    config = Config(retries={"mode": "standard", "total_max_attempts": 1, **retries})
    return boto3.client(
        service,
        endpoint_url=sandbox.url,
        region_name=sandbox.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    )


def _batch(sandbox: Any, **retries: Any) -> Any:
    return _client(sandbox, "batch", **retries)


def _create_ce(batch: Any, name: str) -> Any:
    return batch.create_compute_environment(
        computeEnvironmentName=name, type="UNMANAGED", state="ENABLED"
    )


def test_the_nth_call_fails_with_the_code_and_the_others_succeed(
    sandbox: Any, control: SandboxControl, unique_name: Callable[[str], str]
) -> None:
    control.inject_fault(
        "batch", "CreateComputeEnvironment", nth=2, code="ServerException",
        message="injected outage", status=500,
    )  # fmt: skip
    batch = _batch(sandbox)
    _create_ce(batch, unique_name("fault-ce"))
    with pytest.raises(ClientError) as failed:
        _create_ce(batch, unique_name("fault-ce"))
    error = failed.value.response
    assert error["Error"]["Code"] == "ServerException"
    assert error["Error"]["Message"] == "injected outage"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    _create_ce(batch, unique_name("fault-ce"))
    batch.describe_compute_environments()  # another operation is not counted
    (fault,) = control.faults()
    assert (fault["calls"], fault["injected"]) == (3, 1)


def test_clearing_stops_the_faults(
    sandbox: Any, control: SandboxControl, unique_name: Callable[[str], str]
) -> None:
    control.inject_fault("batch", "DescribeJobQueues", code="AccessDeniedException", status=403,
                         times=100)  # fmt: skip
    batch = _batch(sandbox)
    with pytest.raises(ClientError, match="AccessDeniedException"):
        batch.describe_job_queues()
    assert control.clear_faults() == 1
    assert control.faults() == []
    assert "jobQueues" in batch.describe_job_queues()


def test_query_protocol_errors_parse_as_the_code(sandbox: Any, control: SandboxControl) -> None:
    control.inject_fault("iam", "GetRole", code="NoSuchEntity", status=404, message="no role")
    control.inject_fault("ec2", "DescribeSubnets", code="UnauthorizedOperation", status=403)
    with pytest.raises(ClientError) as iam_error:
        _client(sandbox, "iam").get_role(RoleName="anything")
    assert iam_error.value.response["Error"]["Code"] == "NoSuchEntity"
    assert iam_error.value.response["Error"]["Message"] == "no role"
    with pytest.raises(ClientError) as ec2_error:
        _client(sandbox, "ec2").describe_subnets()
    assert ec2_error.value.response["Error"]["Code"] == "UnauthorizedOperation"


def test_json_protocol_errors_parse_as_the_code(sandbox: Any, control: SandboxControl) -> None:
    control.inject_fault("service-quotas", "GetServiceQuota", code="TooManyRequestsException",
                         status=429)  # fmt: skip
    quotas = _client(sandbox, "service-quotas")
    with pytest.raises(ClientError) as failed:
        quotas.get_service_quota(ServiceCode="ec2", QuotaCode="L-1216C47A")
    assert failed.value.response["Error"]["Code"] == "TooManyRequestsException"


def test_botocore_retries_a_retryable_5xx(sandbox: Any, control: SandboxControl) -> None:
    control.inject_fault("batch", "DescribeJobQueues", nth=1, times=2, code="ServerException",
                         status=500)  # fmt: skip
    answer = _batch(sandbox, total_max_attempts=3).describe_job_queues()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    (fault,) = control.faults()
    assert (fault["calls"], fault["injected"]) == (3, 2)


def test_botocore_gives_up_after_its_attempts_and_never_retries_a_4xx(
    sandbox: Any, control: SandboxControl
) -> None:
    control.inject_fault("batch", "DescribeJobQueues", times=10, code="ServerException",
                         status=503)  # fmt: skip
    control.inject_fault("batch", "DescribeComputeEnvironments", times=10,
                         code="ClientException", status=400)  # fmt: skip
    batch = _batch(sandbox, total_max_attempts=3)
    with pytest.raises(ClientError, match="ServerException"):
        batch.describe_job_queues()
    with pytest.raises(ClientError, match="ClientException"):
        batch.describe_compute_environments()
    calls = {f["operation"]: f["calls"] for f in control.faults()}
    assert calls == {"DescribeJobQueues": 3, "DescribeComputeEnvironments": 1}


def test_a_fault_that_cannot_be_set_is_refused_by_name(control: SandboxControl) -> None:
    with pytest.raises(SandboxControlError) as unknown_op:
        control.inject_fault("batch", "CreateComputeEnviroment", code="ServerException")
    assert unknown_op.value.status == 400
    assert unknown_op.value.code == "ValidationException"
    assert "did you mean 'CreateComputeEnvironment'" in unknown_op.value.message
    with pytest.raises(SandboxControlError, match="status: must be a whole number"):
        control.inject_fault("batch", "DescribeJobQueues", code="X", status=200)
    with pytest.raises(SandboxControlError, match="not a service name"):
        control.inject_fault("batchh", "DescribeJobQueues", code="X")
    with pytest.raises(SandboxControlError, match="unknown field 'nht'"):
        control.send("POST", "/_batchtui/faults", {"service": "batch", "nht": 2})
    assert control.faults() == []


def test_the_control_api_is_behind_the_gate(sandbox: Any, control: SandboxControl) -> None:
    foreign = SandboxControl(sandbox.url, host="sandbox.example.com")
    with pytest.raises(SandboxControlError) as wrong_host:
        foreign.inject_fault("batch", "DescribeJobQueues", code="ServerException")
    assert (wrong_host.value.status, wrong_host.value.code) == (403, "AccessDeniedException")
    with pytest.raises(SandboxControlError) as unsigned:
        control.send("POST", "/_batchtui/faults", {"service": "batch"}, sign=False)
    assert (unsigned.value.status, unsigned.value.code) == (
        403, "MissingAuthenticationTokenException"
    )  # fmt: skip
    with pytest.raises(SandboxControlError) as unsigned_read:
        control.send("GET", "/_batchtui/faults", sign=False)
    assert unsigned_read.value.status == 403
    assert control.faults() == []


def test_a_sandbox_with_its_own_keys_takes_faults_only_signed_with_them() -> None:
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(seed="empty", manual_clock=True, require_credentials=True)
    with Sandbox(config) as sb:
        with pytest.raises(SandboxControlError) as other_keys:
            SandboxControl(sb.url, ("testing", "testing"), sb.region).faults()
        assert other_keys.value.code == "UnrecognizedClientException"
        owner = SandboxControl.of(sb)
        owner.inject_fault("batch", "DescribeJobQueues", code="ServerException", status=500)
        assert [f["operation"] for f in sb.faults.describe()] == ["DescribeJobQueues"]
        key, secret = sb.credentials
        batch = boto3.client("batch", endpoint_url=sb.url, region_name=sb.region,
                             aws_access_key_id=key, aws_secret_access_key=secret,
                             config=Config(retries={"mode": "standard", "total_max_attempts": 1}))  # fmt: skip
        with pytest.raises(ClientError, match="ServerException"):
            batch.describe_job_queues()


def test_the_control_answers_json(control: SandboxControl) -> None:
    set_fault = control.inject_fault("batch", "ListJobs", nth=3, code="ThrottlingException",
                                     status=429)  # fmt: skip
    assert set_fault == {
        "service": "batch", "operation": "ListJobs", "nth": 3, "times": 1,
        "code": "ThrottlingException", "status": 429, "calls": 0, "injected": 0,
        "message": "This error was injected by the sandbox's fault injector.",
    }  # fmt: skip
    assert json.loads(json.dumps(control.faults())) == [set_fault]


def test_rest_operations_are_told_apart_by_their_request_uri(
    sandbox: Any, control: SandboxControl, unique_name: Callable[[str], str]
) -> None:
    s3 = _client(sandbox, "s3")
    bucket = unique_name("fault-bucket")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="images/a.png", Body=b"png")
    control.inject_fault("s3", "GetObject", code="AccessDenied", status=403)
    s3.head_object(Bucket=bucket, Key="images/a.png")  # same path, another operation
    s3.list_objects_v2(Bucket=bucket)
    with pytest.raises(ClientError) as failed:
        s3.get_object(Bucket=bucket, Key="images/a.png")
    assert failed.value.response["Error"]["Code"] == "AccessDenied"
    assert s3.get_object(Bucket=bucket, Key="images/a.png")["Body"].read() == b"png"
    (fault,) = control.faults()
    assert (fault["calls"], fault["injected"]) == (2, 1)


def test_an_arn_in_the_request_uri_is_one_label(
    sandbox: Any, control: SandboxControl, unique_name: Callable[[str], str]
) -> None:
    """TagResource's URI is /v1/tags/{resourceArn}: botocore sends the ARN's slashes encoded."""
    batch = _batch(sandbox)
    arn = _create_ce(batch, unique_name("fault-ce"))["computeEnvironmentArn"]
    assert "/" in arn
    control.inject_fault("batch", "TagResource", code="ClientException", status=400)
    with pytest.raises(ClientError) as failed:
        batch.tag_resource(resourceArn=arn, tags={"batchtui:profile": "p"})
    assert failed.value.response["Error"]["Code"] == "ClientException"
    batch.tag_resource(resourceArn=arn, tags={"batchtui:profile": "p"})
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"batchtui:profile": "p"}
    (fault,) = control.faults()
    assert (fault["calls"], fault["injected"]) == (2, 1)
