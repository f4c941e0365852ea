"""The whole Batch API of botocore's model: each operation is served, or refused by name.

The walk below calls every operation botocore knows, so an operation a botocore upgrade adds is
classified (served, or a ClientException naming it) before a user meets a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from batchtui.sandbox.batch_operations import (
    STATUS_NOT_SERVED,
    compatibility,
    model_operations,
)
from tests.conftest import CREDENTIALS

#: Built in parallel elsewhere in the sandbox: either answer is right for them here.
#: Operations that may be either served or refused by name (none today: every one is decided).
EITHER: set[str] = set()


@pytest.fixture
def raw_batch(sandbox: Any) -> Any:
    """A Batch client that sends what it is given: the walk calls operations without inputs."""
    import boto3

    return boto3.client("batch", endpoint_url=sandbox.url, region_name=sandbox.region,
                        config=Config(parameter_validation=False), **CREDENTIALS)  # fmt: skip


def _call(client: Any, name: str) -> tuple[int, dict[str, Any]]:
    model = client.meta.service_model.operation_model(name)
    params: dict[str, Any] = {}
    if "resourceArn" in model.input_shape.members:
        params["resourceArn"] = "arn:aws:batch:us-east-1:123456789012:job-queue/none"
    method = getattr(client, botocore.xform_name(name))
    try:
        response = method(**params)
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response
    return 200, response


def test_every_operation_of_the_model_is_served_or_refused_by_name(
    sandbox: Any, raw_batch: Any
) -> None:
    names = botocore.session.get_session().get_service_model("batch").operation_names
    assert sorted(model_operations().values()) == sorted(names)
    served = sandbox_api(sandbox).served_routes()
    refused = []
    for name in names:
        status, response = _call(raw_batch, name)
        assert status != 404, name
        assert response["ResponseMetadata"].get("RequestId"), name
        message = response.get("Error", {}).get("Message", "")
        assert "Unknown operation" not in message, name
        if "not supported by the batchtui sandbox" in message:
            assert response["Error"]["Code"] == "ClientException"
            assert message.startswith(f"{name} is not supported"), name
            refused.append(name)
            assert name.lower() not in served or name in EITHER
        else:
            assert name.lower() in served, name
    table = {op: status for op, status, _ in compatibility(served)}
    assert set(table) == set(names)
    assert sorted(refused) == sorted(op for op, s in table.items() if s == STATUS_NOT_SERVED)


def sandbox_api(sandbox: Any) -> Any:
    from batchtui.sandbox.batch_api import BatchApi

    return BatchApi(sandbox.store, sandbox.scheduler, sandbox.catalog)


def test_a_path_outside_the_api_is_still_a_clear_error(sandbox: Any) -> None:
    import urllib.error
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest("POST", f"{sandbox.url}/v1/nosuchoperation", data=b"{}")
    SigV4Auth(Credentials("testing", "testing"), "batch", sandbox.region).add_auth(request)
    prepared = request.prepare()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(
            urllib.request.Request(prepared.url, data=b"{}", headers=dict(prepared.headers))
        )
    assert info.value.code == 404
    assert info.value.headers["x-amzn-ErrorType"] == "ClientException"
    assert info.value.headers["x-amzn-RequestId"]


def test_cancel_and_terminate_of_an_unknown_job_answer_200(aws_client: Any) -> None:
    batch = aws_client("batch")
    for call in (batch.cancel_job, batch.terminate_job):
        response = call(jobId="00000000-0000-4000-8000-000000000000", reason="gone")
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert response["ResponseMetadata"]["RequestId"]
        assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {}


def test_a_missing_reason_is_still_refused(aws_client: Any) -> None:
    batch = aws_client("batch")
    with pytest.raises(ClientError) as info:
        batch.terminate_job(jobId="x", reason="")
    assert info.value.response["Error"]["Code"] == "ClientException"


def test_bulk_cancel_and_terminate(
    sandbox: Any,
    aws_client: Any,
    batch_queue: Callable[..., dict[str, str]],
    job_definition: Callable[..., str],
) -> None:
    batch = aws_client("batch")
    names = batch_queue(ces=[{"maxvCpus": 2}])
    jd = job_definition(["sh", "-c", "sleep 3000"], vcpus="2")
    sandbox.advance(5)
    ids = [batch.submit_job(jobName=f"bulk{i}", jobQueue=names["queue"],
                            jobDefinition=jd)["jobId"] for i in range(3)]  # fmt: skip
    sandbox.advance(600)
    status = {j["jobId"]: j["status"] for j in batch.describe_jobs(jobs=ids)["jobs"]}
    running = [i for i in ids if status[i] == "RUNNING"]
    waiting = [i for i in ids if status[i] == "RUNNABLE"]
    assert len(running) == 1 and len(waiting) == 2
    unknown = "00000000-0000-4000-8000-000000000000"
    out = batch.cancel_jobs(jobs=[*ids, unknown], reason="bulk cancel")
    assert out["successful"] == [*ids, unknown] and out["errors"] == []
    sandbox.advance(1)
    status = {j["jobId"]: j["status"] for j in batch.describe_jobs(jobs=ids)["jobs"]}
    assert status[running[0]] == "RUNNING"  # CancelJobs leaves started jobs alone, as AWS does
    assert all(status[i] == "FAILED" for i in waiting)
    batch.terminate_jobs(jobs=running, reason="bulk terminate")
    sandbox.advance(sandbox.config.stop_seconds)  # its container stops, then it fails
    assert batch.describe_jobs(jobs=running)["jobs"][0]["status"] == "FAILED"
    with pytest.raises(ClientError):
        batch.cancel_jobs(jobs=[unknown] * 51, reason="too many")


def test_the_readme_table_is_the_sandbox_as_it_is(sandbox: Any) -> None:
    """README's Batch table, row by row, is what compatibility() says of the routes served."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("| Operation | Status | Differences |", 1)[1].split("\n\n", 1)[0]
    rows = [
        tuple(cell.strip() for cell in line.strip().strip("|").split("|"))
        for line in table.strip().splitlines()[1:]
    ]
    expected = compatibility(sandbox_api(sandbox).served_routes())
    assert rows == [(op, status, difference) for op, status, difference in expected]
