"""The image-tagging worker run for real against the sandbox: S3 -> Rekognition -> DynamoDB.

No Docker engine runs here: the Dockerfile is linted in CI and its code is tested this way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from batchtui_worker.s3_event import handler

from batchtui.sandbox.images import sample_images


@pytest.fixture
def photo_bucket(aws_client: Any, unique_name: Callable[[str], str]) -> dict[str, str]:
    s3, ddb = aws_client("s3"), aws_client("dynamodb")
    bucket, table = unique_name("photos"), unique_name("labels")
    s3.create_bucket(Bucket=bucket)
    for key, body in sample_images(6, seed=11):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    s3.put_object(Bucket=bucket, Key="photos/zz-not-an-image.png", Body=b"just some text")
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "image_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "image_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return {"bucket": bucket, "table": table}


def run_worker(sandbox: Any, **env: str) -> tuple[int, list[dict[str, Any]]]:
    full = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ENDPOINT_URL": sandbox.url,
        "AWS_DEFAULT_REGION": sandbox.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        **env,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "batchtui_worker.tagger"],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()]


def labels_in(aws_client: Any, table: str) -> dict[str, list[str]]:
    items = aws_client("dynamodb").scan(TableName=table)["Items"]
    return {i["image_key"]["S"]: [lb["M"]["name"]["S"] for lb in i["labels"]["L"]] for i in items}


def test_tags_every_image_and_skips_what_is_not_one(
    sandbox: Any, aws_client: Any, photo_bucket: dict[str, str]
) -> None:
    rc, events = run_worker(
        sandbox,
        IMAGE_BUCKET=photo_bucket["bucket"],
        LABELS_TABLE=photo_bucket["table"],
        IMAGE_PREFIX="photos/",
        IMAGES_PER_JOB="50",
    )
    assert rc == 0
    outcomes = {e["key"]: e["outcome"] for e in events if e["event"] == "image"}
    assert outcomes.pop("photos/zz-not-an-image.png") == "skipped:InvalidImageFormatException"
    assert set(outcomes.values()) == {"tagged"} and len(outcomes) == 6
    labels = labels_in(aws_client, photo_bucket["table"])
    assert len(labels) == 6 and all(labels.values())
    assert len({tuple(v) for v in labels.values()}) > 1, "different images, different labels"


def test_array_children_split_the_images(
    sandbox: Any, aws_client: Any, photo_bucket: dict[str, str]
) -> None:
    base = {
        "IMAGE_BUCKET": photo_bucket["bucket"],
        "LABELS_TABLE": photo_bucket["table"],
        "IMAGE_PREFIX": "photos/",
        "IMAGES_PER_JOB": "3",
    }
    seen = []
    for index in range(3):
        rc, events = run_worker(sandbox, **base, AWS_BATCH_JOB_ARRAY_INDEX=str(index))
        assert rc == 0
        seen += [e["key"] for e in events if e["event"] == "image"]
    assert len(seen) == len(set(seen)) == 7


def test_an_older_attempt_never_overwrites_a_newer_result(
    sandbox: Any, aws_client: Any, photo_bucket: dict[str, str]
) -> None:
    base = {
        "IMAGE_BUCKET": photo_bucket["bucket"],
        "LABELS_TABLE": photo_bucket["table"],
        "IMAGE_PREFIX": "photos/cat",
    }
    assert run_worker(sandbox, **base, AWS_BATCH_JOB_ATTEMPT="2")[0] == 0
    rc, events = run_worker(sandbox, **base, AWS_BATCH_JOB_ATTEMPT="1")
    assert rc == 0
    assert {e["outcome"] for e in events if e["event"] == "image"} == {
        "skipped:newer-result-exists"
    }


def test_misconfiguration_exits_2(sandbox: Any, photo_bucket: dict[str, str]) -> None:
    rc, events = run_worker(sandbox, IMAGE_BUCKET=photo_bucket["bucket"])
    assert rc == 2 and events[-1] == {"event": "misconfigured", "error": "LABELS_TABLE is not set"}
    rc, events = run_worker(
        sandbox,
        IMAGE_BUCKET=photo_bucket["bucket"],
        LABELS_TABLE="no-such-table",
        IMAGE_PREFIX="photos/cat",
    )
    assert rc == 2 and "no-such-table" in events[-1]["error"]


def test_s3_event_submits_a_job_that_the_sandbox_runs_for_real(
    sandbox: Any,
    aws_client: Any,
    photo_bucket: dict[str, str],
    batch_queue: Any,
    job_definition: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 8}])
    jobdef = job_definition(command=["python", "-m", "batchtui_worker.tagger"])
    monkeypatch.setenv("JOB_QUEUE", names["queue"])
    monkeypatch.setenv("JOB_DEFINITION", jobdef)
    monkeypatch.setenv("LABELS_TABLE", photo_bucket["table"])
    monkeypatch.setenv("IMAGES_PER_JOB", "4")
    keys = [k for k, _ in sample_images(6, seed=11)]
    event = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": photo_bucket["bucket"]}, "object": {"key": k}},
            }
            for k in keys
        ]
    }
    clients = {"s3": aws_client("s3"), "batch": aws_client("batch")}
    submitted = handler(event, None, clients)["submitted"]
    assert len(submitted) == 1 and submitted[0]["images"] == 6
    job_id = submitted[0]["jobId"]
    batch = aws_client("batch")
    for _ in range(40):  # simulated minutes: scale-up, then the real processes run
        sandbox.advance(30)
        assert sandbox.wait_for_workers(timeout=60)
        job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        if job["status"] in ("SUCCEEDED", "FAILED"):
            break
    assert job["status"] == "SUCCEEDED", job.get("statusReason")
    assert job["arrayProperties"]["size"] == 2
    assert set(labels_in(aws_client, photo_bucket["table"])) == {
        f"s3://{photo_bucket['bucket']}/{k}" for k in keys
    }
