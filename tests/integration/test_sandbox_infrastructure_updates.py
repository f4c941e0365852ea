"""The sandbox's UpdateComputeEnvironment does infrastructure updates only where AWS does: with
the AWSServiceRoleForBatch service-linked role and BEST_FIT_PROGRESSIVE or a SPOT_* strategy;
it keeps and reports the updatePolicy; a compute environment made without a serviceRole reports
the service-linked role."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

REGULAR = "arn:aws:iam::123456789012:role/AWSBatchServiceRole"


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


def message_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["Error"]["Code"] == "ClientException"
    return str(info.value.response["Error"]["Message"])


def describe(batch: Any, name: str) -> dict[str, Any]:
    return dict(
        batch.describe_compute_environments(computeEnvironments=[name])["computeEnvironments"][0]
    )


def test_best_fit_progressive_with_the_service_linked_role_updates_in_place(
    sandbox: Any, batch: Any, batch_queue: Any
) -> None:
    ce = batch_queue(ces=[{"allocationStrategy": "BEST_FIT_PROGRESSIVE"}])["ce0"]
    before = describe(batch, ce)
    assert before["serviceRole"].endswith(
        "/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"
    )
    assert before["updatePolicy"] == {
        "terminateJobsOnUpdate": False,
        "jobExecutionTimeoutMinutes": 30,
    }
    batch.update_compute_environment(
        computeEnvironment=ce,
        computeResources={"instanceTypes": ["c5", "m5"]},
        updatePolicy={"terminateJobsOnUpdate": True, "jobExecutionTimeoutMinutes": 15},
    )
    after = describe(batch, ce)
    assert after["computeResources"]["instanceTypes"] == ["c5", "m5"]
    assert after["updatePolicy"] == {
        "terminateJobsOnUpdate": True,
        "jobExecutionTimeoutMinutes": 15,
    }
    sandbox.advance(10)
    assert describe(batch, ce)["status"] == "VALID"


@pytest.mark.parametrize(
    ("ce", "update", "why"),
    [
        ({}, {"instanceTypes": ["c5"]}, "allocationStrategy BEST_FIT"),
        (
            {"allocationStrategy": "BEST_FIT_PROGRESSIVE"},
            {"allocationStrategy": "BEST_FIT"},
            "a new allocationStrategy BEST_FIT",
        ),
    ],
)
def test_an_infrastructure_update_aws_cannot_do_is_refused(
    batch: Any, batch_queue: Any, ce: dict[str, Any], update: dict[str, Any], why: str
) -> None:
    name = batch_queue(ces=[ce])["ce0"]
    message = message_of(
        batch.update_compute_environment, computeEnvironment=name, computeResources=update
    )
    assert "require the AWSServiceRoleForBatch service-linked role" in message
    assert f"uses {why}" in message
    assert describe(batch, name)["computeResources"]["instanceTypes"] == ["m5"]
    # A scaling update is fine under any strategy.
    batch.update_compute_environment(computeEnvironment=name, computeResources={"maxvCpus": 32})


def test_a_regular_service_role_gets_no_infrastructure_update(
    batch: Any, instance_profile: str, unique_name: Any
) -> None:
    name = unique_name("ce")
    batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED", serviceRole=REGULAR,
        computeResources={"type": "EC2", "allocationStrategy": "BEST_FIT_PROGRESSIVE",
                          "minvCpus": 0, "maxvCpus": 8, "instanceTypes": ["m5"],
                          "subnets": ["subnet-1"], "instanceRole": instance_profile},
    )  # fmt: skip
    message = message_of(
        batch.update_compute_environment,
        computeEnvironment=name,
        computeResources={"subnets": ["subnet-2"]},
    )
    assert "uses a regular service role" in message
    switched = message_of(
        batch.update_compute_environment, computeEnvironment=name,
        serviceRole="arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
    )  # fmt: skip
    assert "cannot change between" in switched
    bad_policy = message_of(
        batch.update_compute_environment, computeEnvironment=name,
        updatePolicy={"jobExecutionTimeoutMinutes": 361},
    )  # fmt: skip
    assert "1 to 360" in bad_policy
