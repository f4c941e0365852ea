"""--read-only refuses every mutating operation before a request is sent, and lets reads pass.

The guard runs on botocore's ``before-parameter-build`` event. To prove a read is let through
without calling hundreds of operations for real, a second handler registered after the guard
stops the call with :class:`PassedGuard`; a ``before-send`` handler counts requests that would
have left the process. A few reads then go over HTTP to the sandbox for real.
"""

from __future__ import annotations

from typing import Any

import pytest

from batchtui.aws.operations import mutating_operations, read_operations
from batchtui.aws.session import Aws, AwsTarget
from batchtui.errors import ReadOnlyRefused

SERVICES = ["batch", "ec2", "iam", "s3", "dynamodb", "logs", "service-quotas"]


class PassedGuard(Exception):
    pass


def _snake(op: str) -> str:
    from botocore import xform_name

    return str(xform_name(op))


def _guarded_client(service: str, endpoint: str) -> tuple[Any, list[str]]:
    aws = Aws(
        AwsTarget(
            region="us-east-1",
            endpoint_url=endpoint,
            read_only=True,
            credentials=("testing", "testing"),
        )
    )
    client = aws.client(service)
    sent: list[str] = []

    def stop_after_guard(model: Any, **_: Any) -> None:
        raise PassedGuard(model.name)

    def count_send(request: Any, **_: Any) -> None:
        sent.append(request.url)

    client.meta.events.register("before-parameter-build", stop_after_guard)
    client.meta.events.register("before-send", count_send)
    return client, sent


@pytest.mark.parametrize("service", SERVICES)
def test_every_mutating_operation_is_refused_unsent(service: str) -> None:
    client, sent = _guarded_client(service, "http://127.0.0.1:1")
    ops = mutating_operations(service)
    assert ops, f"{service} has no mutating operations?"
    for op in ops:
        with pytest.raises(ReadOnlyRefused, match=op):
            getattr(client, _snake(op))()
    assert sent == []


@pytest.mark.parametrize("service", SERVICES)
def test_every_read_passes_the_guard(service: str) -> None:
    client, sent = _guarded_client(service, "http://127.0.0.1:1")
    for op in read_operations(service):
        with pytest.raises(PassedGuard):
            getattr(client, _snake(op))()
    assert sent == []


def test_reads_really_work_in_read_only_mode(sandbox: Any) -> None:
    aws = Aws(
        AwsTarget(
            region=sandbox.region,
            endpoint_url=sandbox.url,
            read_only=True,
            credentials=("testing", "testing"),
        )
    )
    assert "jobQueues" in aws.call("batch", "DescribeJobQueues")
    assert "logGroups" in aws.call("logs", "DescribeLogGroups")
    assert "Buckets" in aws.call("s3", "ListBuckets")
    assert "TableNames" in aws.call("dynamodb", "ListTables")
    with pytest.raises(ReadOnlyRefused):
        aws.call("batch", "SubmitJob", jobName="x", jobQueue="q", jobDefinition="d")
    assert aws.counter.get("batch", "SubmitJob") == 0
    assert aws.counter.get("batch", "DescribeJobQueues") == 1
