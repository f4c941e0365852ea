"""`batchtui submit` of the demo account's bucket with the sandbox profile, as the README shows
it: the real tagger runs every slice on demo-main, and the labels table ends with exactly one
item per image; the same command again submits nothing."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from submit_setup import items, run_to_the_end

from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main
from batchtui.sandbox.seed import BUCKET, LABELS_TABLE

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def demo() -> Iterator[Any]:
    """A demo account of this module's own: the submission adds jobs to demo-main, which the
    session's demo sandbox must not see."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(seed="demo", manual_clock=True, random_seed=5)) as sb:
        yield sb


def test_the_demo_bucket_ends_with_one_item_per_image(
    demo: Any, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=demo.url, region_name=demo.region, **CREDENTIALS)

    def submit() -> dict[str, Any]:
        aws = Aws(AwsTarget(region=demo.region, endpoint_url=demo.url,
                            credentials=("testing", "testing")))  # fmt: skip
        argv = ["submit", "--profile", "sandbox", "--images", f"s3://{BUCKET}/photos/",
                "--images-per-job", "10", "--yes", "-o", "json"]  # fmt: skip
        capsys.readouterr()
        assert main(argv, aws=aws) == 0, capsys.readouterr().err
        return dict(json.loads(capsys.readouterr().out))

    s3, batch, ddb = client("s3"), client("batch"), client("dynamodb")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="photos/")["Contents"]]
    expected = sorted(f"s3://{BUCKET}/{k}" for k in keys)
    # moto's DynamoDB is the whole test process's: other demos' tests may have tagged these.
    for key in expected:
        ddb.delete_item(TableName=LABELS_TABLE, Key={"image_key": {"S": key}})
    assert [i for i in items(ddb, LABELS_TABLE) if i in expected] == []
    doc = submit()
    assert doc["status"] == "submitted" and doc["jobQueue"] == "demo-main"
    jobs = run_to_the_end(demo, batch, [j["jobId"] for j in doc["jobs"]])
    assert [j["status"] for j in jobs] == ["SUCCEEDED"] * len(doc["jobs"])
    assert [i for i in items(ddb, LABELS_TABLE) if i in expected] == expected
    assert len(keys) == 50
    again = submit()
    assert (again["status"], again["submitJobCalls"]) == ("nothing-to-do", 0)
    assert again["submissionId"] == doc["submissionId"]
