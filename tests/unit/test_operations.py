"""The read-only guard's classification of operations, by verb, from botocore's models."""

import pytest

from batchtui.aws.operations import (
    SERVICES,
    is_read_operation,
    mutating_operations,
    operations_of,
    read_operations,
)


@pytest.mark.parametrize(
    "op",
    [
        "DescribeJobs",
        "ListJobs",
        "GetLogEvents",
        "FilterLogEvents",
        "HeadObject",
        "BatchGetItem",
        "Query",
        "Scan",
        "DetectLabels",
        "GetServiceQuota",
        "GetProducts",
        "TransactGetItems",
    ],
)
def test_reads(op: str) -> None:
    assert is_read_operation(op)


@pytest.mark.parametrize(
    "op",
    [
        "SubmitJob",
        "TerminateJob",
        "CancelJob",
        "UpdateComputeEnvironment",
        "PutLogEvents",
        "DeleteObject",
        "BatchWriteItem",
        "RunInstances",
        "RequestServiceQuotaIncrease",
        "TagResource",
        "StartQuery",
        "ExecuteStatement",
        "PutItem",
        "CreateRole",
    ],
)
def test_mutations(op: str) -> None:
    assert not is_read_operation(op)


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_is_classified_one_way(service: str) -> None:
    ops = set(operations_of(service))
    reads, writes = set(read_operations(service)), set(mutating_operations(service))
    assert reads | writes == ops
    assert not reads & writes
