"""The demo's INVALID compute environment (its instance profile deleted) is repaired by the fix
diagnose gives: AWS refuses to change its instanceRole in place, so the fix is to make the
instance profile again and update the compute environment, which re-evaluates it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from diagnose_seen import Run, first

ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


@pytest.fixture
def demo() -> Iterator[Any]:
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(seed="demo", manual_clock=True, random_seed=3, demo_trickle=False)
    with Sandbox(config) as sb:
        yield sb


def test_the_fix_for_a_deleted_instance_profile_is_one_aws_takes(
    demo: Any, aws_client: Any, diagnose_on: Callable[[Any], Run]
) -> None:
    batch, iam = aws_client(demo, "batch"), aws_client(demo, "iam")
    (job,) = batch.list_jobs(jobQueue="demo-legacy", jobStatus="RUNNABLE")["jobSummaryList"]
    rc, doc = diagnose_on(demo)(job["jobId"])
    f = first(doc)
    assert (rc, f["code"], f["target"]) == (3, "ACTION_REQUIRED", "demo-legacy")
    assert f["fix"].startswith(
        "create the instance profile batch-instance-profile-deleted (with a role that has "
        "AmazonEC2ContainerServiceforEC2Role), then update the compute environment; AWS refuses "
        "to change its instanceRole in place (it uses a regular service role)"
    ), f["fix"]
    # What the fix's alternative would do is refused, as on AWS.
    with pytest.raises(batch.exceptions.ClientException):
        batch.update_compute_environment(
            computeEnvironment="demo-legacy",
            computeResources={"instanceRole": "ecsInstanceRole"},
        )
    # moto's IAM belongs to the process, not to one sandbox: every demo account made after
    # this test would find the profile and start with demo-legacy VALID. It goes at the end.
    profile, role = "batch-instance-profile-deleted", "legacy-instances"
    try:
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": []}))  # fmt: skip
        iam.attach_role_policy(RoleName=role, PolicyArn=ECS_INSTANCE_POLICY)
        iam.create_instance_profile(InstanceProfileName=profile)
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
        batch.update_compute_environment(computeEnvironment="demo-legacy", state="ENABLED")
        demo.advance(900)
        ce = batch.describe_compute_environments(computeEnvironments=["demo-legacy"])
        assert ce["computeEnvironments"][0]["status"] == "VALID"
        assert batch.describe_jobs(jobs=[job["jobId"]])["jobs"][0]["status"] == "SUCCEEDED"
    finally:
        for undo in (
            lambda: iam.remove_role_from_instance_profile(
                InstanceProfileName=profile, RoleName=role
            ),
            lambda: iam.delete_instance_profile(InstanceProfileName=profile),
            lambda: iam.detach_role_policy(RoleName=role, PolicyArn=ECS_INSTANCE_POLICY),
            lambda: iam.delete_role(RoleName=role),
        ):
            with contextlib.suppress(iam.exceptions.ClientError):  # not made: failed before
                undo()
