"""A submission on spot capacity whose instances are reclaimed while its array children run:
the children are retried (the profile's ``Host EC2*`` rule) and every image still ends with
exactly one item. The real tagger runs each child; the reclaim (the sandbox's own spot
interruption, ``interrupt_instance``, made to come the moment the children start rather than at
a random simulated time) kills each process wherever it is in its slice.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from submit_setup import REPO, items

from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main
from batchtui.profiles import load_profile
from batchtui.sandbox.images import sample_images

ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def spot_sandbox() -> Iterator[Any]:
    """An empty account; its spot interruptions come when the test says."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(seed="empty", manual_clock=True, random_seed=11,
                           spot_interruption_rate_per_hour=0.0,
                           resource_transition_seconds=0.0)  # fmt: skip
    with Sandbox(config) as sb:
        yield sb


def test_interrupted_slices_are_retried_and_every_image_has_one_item(
    spot_sandbox: Any, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = spot_sandbox
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=sb.url, region_name=sb.region, **CREDENTIALS)

    s3, ddb, batch, iam = client("s3"), client("dynamodb"), client("batch"), client("iam")
    bucket, table = "spot-photos", "spot-labels"
    s3.create_bucket(Bucket=bucket)
    keys = []
    for key, body in sample_images(24, seed=8):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        keys.append(key)
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "image_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "image_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    iam.create_role(RoleName="spot-instances", AssumeRolePolicyDocument="{}")
    # Instances join the ECS cluster only with a role that may register them.
    iam.attach_role_policy(RoleName="spot-instances", PolicyArn=ECS_INSTANCE_POLICY)
    arn = iam.create_instance_profile(InstanceProfileName="spot-instances")["InstanceProfile"][
        "Arn"
    ]
    iam.add_role_to_instance_profile(
        InstanceProfileName="spot-instances", RoleName="spot-instances"
    )
    batch.create_compute_environment(
        computeEnvironmentName="spot-ce", type="MANAGED", state="ENABLED",
        computeResources={"type": "SPOT", "minvCpus": 0, "maxvCpus": 8, "instanceTypes": ["m5"],
                          "subnets": ["subnet-1"], "instanceRole": arn,
                          "allocationStrategy": "SPOT_CAPACITY_OPTIMIZED"},
    )  # fmt: skip
    batch.create_job_queue(jobQueueName="spot-queue", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "spot-ce"}])  # fmt: skip
    profile_path = REPO / "profiles" / "sandbox.toml"
    retry = load_profile(str(profile_path)).job_definition.retry_strategy.to_api()
    batch.register_job_definition(
        jobDefinitionName="spot-tagger", type="container", retryStrategy=retry,
        containerProperties={"image": "tagger", "command": ["python", "-m", "batchtui_worker.tagger"],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "1024"}],
                             "environment": [{"name": "LABELS_TABLE", "value": table}]},
    )  # fmt: skip
    profile = tmp_path / "spot.toml"
    text = profile_path.read_text().replace('"demo-main"', '"spot-queue"')
    profile.write_text(text.replace('"demo-image-tagger"', '"spot-tagger"'))

    aws = Aws(AwsTarget(region=sb.region, endpoint_url=sb.url, credentials=("testing", "testing")))
    argv = ["submit", "-p", str(profile), "--images", f"s3://{bucket}/", "--images-per-job", "3",
            "--yes", "-o", "json"]  # fmt: skip
    assert main(argv, aws=aws) == 0
    doc = json.loads(pathlib.Path(tmp_path / "state" / "batchtui" / "submissions").glob("*.json")
                     .__next__().read_text())  # fmt: skip
    array_id = doc["arrays"][0]["jobId"]
    summary_id = doc["summary"]["jobId"]

    children_ids = [f"{array_id}:{i}" for i in range(8)]
    for _ in range(40):  # until the children start: scale-up, then their processes spawn
        sb.advance(30)
        if any(c["status"] == "RUNNING" for c in batch.describe_jobs(jobs=children_ids)["jobs"]):
            break
    # EC2 reclaims every spot instance now, its children's processes in mid-slice.
    reclaimed = [sb.scheduler.interrupt_instance(i) for i in list(sb.scheduler.store.instances)]
    assert reclaimed and all(reclaimed)
    for _ in range(80):  # simulated half-minutes: new instances, retries, the summary
        sb.advance(30)
        assert sb.wait_for_workers(timeout=120)
        jobs = batch.describe_jobs(jobs=[array_id, summary_id])["jobs"]
        if all(j["status"] in ("SUCCEEDED", "FAILED") for j in jobs):
            break
    assert [j["status"] for j in jobs] == ["SUCCEEDED", "SUCCEEDED"]
    children = batch.describe_jobs(jobs=children_ids)["jobs"]
    reasons = [a.get("statusReason", "") for c in children for a in c["attempts"]]
    interrupted = [r for r in reasons if r.startswith("Host EC2")]
    assert interrupted, "no slice was interrupted: the test proves nothing"
    assert len(reasons) == len(children) + len(interrupted), "each reclaim cost one retry"
    assert items(ddb, table) == sorted(f"s3://{bucket}/{k}" for k in keys)
