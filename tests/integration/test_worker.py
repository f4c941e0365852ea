"""The image-tagging worker run for real against the sandbox: S3 -> Rekognition -> DynamoDB.

No Docker engine runs here: the Dockerfile is linted in CI and its code is tested this way. The
worker runs as a subprocess; where a test must know what it is doing at a given moment, its
traffic goes through the fault proxy, which can hold one request until the test lets it go.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from batchtui_worker.image_header import MAX_S3_BYTES
from batchtui_worker.labels_table import ImageVersion, put_once, tagged_item
from batchtui_worker.s3_event import handler
from batchtui_worker.tagger import EXIT_INTERRUPTED, EXIT_MISCONFIGURED, EXIT_TRANSIENT
from faultproxy import FaultProxy, Rule

from batchtui.sandbox.images import png, sample_images


def jpeg_header(width: int, height: int) -> bytes:
    """SOI, an APP0 segment and a baseline SOF0 frame header."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + bytes(9)
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


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


def worker_env(endpoint: str, region: str, **env: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_MAX_ATTEMPTS": "1",  # the worker's own retries are under test, not the SDK's
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        **env,
    }


def run_worker(
    sandbox: Any, endpoint: str | None = None, **env: str
) -> tuple[int, list[dict[str, Any]]]:
    proc = subprocess.run(
        [sys.executable, "-m", "batchtui_worker.tagger"],
        capture_output=True,
        text=True,
        env=worker_env(endpoint or sandbox.url, sandbox.region, **env),
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()]


def items_in(aws_client: Any, table: str) -> dict[str, dict[str, Any]]:
    items = aws_client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    return {i["image_key"]["S"]: i for i in items}


def outcomes(events: list[dict[str, Any]]) -> dict[str, str]:
    return {e["key"]: e["outcome"] for e in events if e["event"] == "image"}


def test_tags_every_image_and_records_what_it_skips_and_why(
    sandbox: Any, aws_client: Any, photo_bucket: dict[str, str]
) -> None:
    s3, bucket = aws_client("s3"), photo_bucket["bucket"]
    s3.put_object(Bucket=bucket, Key="photos/zz-thumb.jpg", Body=jpeg_header(60, 200))
    s3.put_object(Bucket=bucket, Key="photos/zz-wide.jpg", Body=jpeg_header(12000, 900))
    s3.put_object(Bucket=bucket, Key="photos/zz-anim.jpg", Body=b"GIF89a" + bytes(40))
    # Two 60 KB EXIF segments push the frame header past the first ranged GET.
    exif = (b"\xff\xe1" + struct.pack(">H", 60_002) + bytes(60_000)) * 2
    deep = jpeg_header(50, 50)
    s3.put_object(Bucket=bucket, Key="photos/zz-exif.jpg", Body=deep[:2] + exif + deep[2:])
    huge = png(8, 8, (0, 0, 0), 1) + bytes(MAX_S3_BYTES)
    s3.put_object(Bucket=bucket, Key="photos/zz-huge.png", Body=huge)
    with FaultProxy(sandbox.url) as proxy:
        rc, events = run_worker(
            sandbox,
            proxy.url,
            IMAGE_BUCKET=bucket,
            LABELS_TABLE=photo_bucket["table"],
            IMAGE_PREFIX="photos/",
            IMAGES_PER_JOB="50",
        )
        calls = [op for op, _ in proxy.log]
    assert rc == 0, events
    seen = outcomes(events)
    assert {k: v for k, v in seen.items() if "/zz-" in k} == {
        "photos/zz-anim.jpg": "skipped:not-jpeg-or-png",  # a GIF named .jpg: magic bytes decide
        "photos/zz-exif.jpg": "skipped:too-small",
        "photos/zz-huge.png": "skipped:too-large",
        "photos/zz-not-an-image.png": "skipped:not-jpeg-or-png",
        "photos/zz-thumb.jpg": "skipped:too-small",
        "photos/zz-wide.jpg": "skipped:too-many-pixels",
    }
    tagged = [k for k, v in seen.items() if v == "tagged"]
    assert len(tagged) == 6
    assert calls.count("detectlabels") == 6, "Rekognition is called for the tagged images only"
    items = items_in(aws_client, photo_bucket["table"])
    assert len(items) == 12, "one item per object, tagged or skipped"
    thumb = items[f"s3://{bucket}/photos/zz-thumb.jpg"]
    assert (thumb["status"]["S"], thumb["reason"]["S"]) == ("skipped", "too-small")
    assert thumb["detail"]["S"] == "60x200 px; Rekognition needs at least 80 px a side"
    labels = {k: [lb["M"]["name"]["S"] for lb in i["labels"]["L"]]
              for k, i in items.items() if i["status"]["S"] == "tagged"}  # fmt: skip
    assert len(labels) == 6 and all(labels.values())
    assert len({tuple(v) for v in labels.values()}) > 1, "different images, different labels"
    head = s3.head_object(Bucket=bucket, Key=tagged[0])
    assert items[f"s3://{bucket}/{tagged[0]}"]["etag"]["S"] == head["ETag"].strip('"')


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


def test_a_retry_or_a_duplicate_child_writes_nothing_and_a_replaced_image_is_tagged_again(
    sandbox: Any, aws_client: Any, photo_bucket: dict[str, str]
) -> None:
    base = {
        "IMAGE_BUCKET": photo_bucket["bucket"],
        "LABELS_TABLE": photo_bucket["table"],
        "IMAGE_PREFIX": "photos/",
    }
    assert run_worker(sandbox, **base, AWS_BATCH_JOB_ID="first")[0] == 0
    before = items_in(aws_client, photo_bucket["table"])
    with FaultProxy(sandbox.url) as proxy:
        rc, events = run_worker(sandbox, proxy.url, **base, AWS_BATCH_JOB_ID="twin",
                                AWS_BATCH_JOB_ATTEMPT="2")  # fmt: skip
        calls = {op for op, _ in proxy.log}
    assert rc == 0
    assert set(outcomes(events).values()) == {"already-recorded"}
    assert not calls & {"detectlabels", "putitem"}, "what is recorded is not paid for twice"
    assert items_in(aws_client, photo_bucket["table"]) == before  # not one attribute changed

    replaced = sorted(k for k in outcomes(events) if "/zz-" not in k)[0]
    aws_client("s3").put_object(
        Bucket=photo_bucket["bucket"], Key=replaced, Body=png(90, 90, (250, 250, 250), 5)
    )
    rc, events = run_worker(sandbox, **base, AWS_BATCH_JOB_ID="later")
    assert rc == 0
    assert {k: v for k, v in outcomes(events).items() if v != "already-recorded"} == {
        replaced: "tagged"
    }
    after = items_in(aws_client, photo_bucket["table"])
    assert len(after) == len(before) == 7
    item = after[f"s3://{photo_bucket['bucket']}/{replaced}"]
    old = before[f"s3://{photo_bucket['bucket']}/{replaced}"]
    assert (item["job_id"]["S"], old["job_id"]["S"]) == ("later", "first")
    assert item["etag"]["S"] != old["etag"]["S"]


def test_an_older_version_never_overwrites_a_newer_ones_item(
    aws_client: Any, photo_bucket: dict[str, str]
) -> None:
    ddb, table = aws_client("dynamodb"), photo_bucket["table"]
    new = ImageVersion("b", "photos/a.png", "etag-new", 2_000)
    old = ImageVersion("b", "photos/a.png", "etag-old", 1_000)
    labels = [{"Name": "Cat", "Confidence": 99.0}]

    def put(image: ImageVersion) -> str:
        return put_once(ddb, table, image, tagged_item(image, labels), job_id="j", attempt=1)

    assert put(new) == "written"
    assert put(old) == "superseded"  # a slow child still holding the replaced version
    assert put(new) == "already-recorded"
    assert items_in(aws_client, table)["s3://b/photos/a.png"]["etag"]["S"] == "etag-new"


@pytest.fixture
def proxy(sandbox: Any) -> Iterator[FaultProxy]:
    with FaultProxy(sandbox.url) as p:
        yield p
        p.release()


def test_sigterm_stops_after_the_current_image_and_a_rerun_finishes_the_slice(
    sandbox: Any, aws_client: Any, photo_bucket: dict[str, str], proxy: FaultProxy
) -> None:
    """Spot reclaim or TerminateJob mid-slice: the image under way is recorded, the rest left;
    the job's retry then records the rest, and every image has exactly one item."""
    env = {
        "IMAGE_BUCKET": photo_bucket["bucket"],
        "LABELS_TABLE": photo_bucket["table"],
        "IMAGE_PREFIX": "photos/",
        "IMAGES_PER_JOB": "50",
    }
    # The second image's PutItem waits until the test lets it go, so the signal comes while the
    # worker is inside its second image, whatever the machine's speed.
    proxy.rules = [Rule("hold", ops={"PutItem"}, nth=[2])]
    worker = subprocess.Popen(
        [sys.executable, "-m", "batchtui_worker.tagger"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=worker_env(proxy.url, sandbox.region, **env),
    )
    assert proxy.holding.wait(60), "the worker never reached its second image's PutItem"
    worker.send_signal(signal.SIGTERM)
    proxy.release()
    out, err = worker.communicate(timeout=120)
    lines = [json.loads(line) for line in out.splitlines()]
    assert "Traceback" not in err, err
    assert worker.returncode == EXIT_INTERRUPTED
    images = [e for e in lines if e["event"] == "image"]
    assert [e["outcome"] for e in images] == ["tagged", "tagged"], lines  # the second finished
    assert lines[-1]["event"] == "interrupted" and lines[-1]["left"] == 5
    assert lines[-1]["counts"] == {"tagged": 2}
    assert len(items_in(aws_client, photo_bucket["table"])) == 2

    rc, events = run_worker(sandbox, **env, AWS_BATCH_JOB_ATTEMPT="2")
    assert rc == 0
    again = outcomes(events)
    assert [again[e["key"]] for e in images] == ["already-recorded"] * 2
    assert sorted(again.values()).count("already-recorded") == 2
    items = items_in(aws_client, photo_bucket["table"])
    assert sorted(items) == sorted(f"s3://{photo_bucket['bucket']}/{k}" for k in again)


def test_transient_failures_exit_1_and_write_nothing_for_the_image(
    sandbox: Any, aws_client: Any, photo_bucket: dict[str, str], proxy: FaultProxy
) -> None:
    proxy.rules = [Rule("error", ops={"PutItem"}, nth=[1])]
    rc, events = run_worker(
        sandbox,
        proxy.url,
        IMAGE_BUCKET=photo_bucket["bucket"],
        LABELS_TABLE=photo_bucket["table"],
        IMAGE_PREFIX="photos/",
    )
    assert rc == EXIT_TRANSIENT
    failed = [k for k, v in outcomes(events).items() if v.startswith("failed:")]
    assert len(failed) == 1 and events[-1]["failed"] == 1
    assert f"s3://{photo_bucket['bucket']}/{failed[0]}" not in items_in(
        aws_client, photo_bucket["table"]
    )


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"LABELS_TABLE": ""}, "LABELS_TABLE is not set"),
        ({"LABELS_TABLE": "no-such-table"}, "no-such-table"),
        ({"MANIFEST_KEY": "manifests/missing.jsonl"}, "manifests/missing.jsonl does not exist"),
        ({"IMAGE_BUCKET": "no-such-bucket-here"}, "NoSuchBucket"),
    ],
    ids=["no table setting", "no such table", "no manifest", "no such bucket"],
)
def test_misconfiguration_exits_2(
    sandbox: Any, photo_bucket: dict[str, str], env: dict[str, str], error: str
) -> None:
    base = {
        "IMAGE_BUCKET": photo_bucket["bucket"],
        "LABELS_TABLE": photo_bucket["table"],
        "IMAGE_PREFIX": "photos/cat",
    }
    rc, events = run_worker(sandbox, **(base | env))
    assert rc == EXIT_MISCONFIGURED
    assert events[-1]["event"] == "misconfigured" and error in events[-1]["error"]


def test_a_jsonl_manifest_names_the_images(
    sandbox: Any, aws_client: Any, photo_bucket: dict[str, str]
) -> None:
    keys = [k for k, _ in sample_images(6, seed=11)][:3]
    body = "".join(json.dumps({"key": k, "eTag": "x"}) + "\n" for k in keys)
    aws_client("s3").put_object(
        Bucket=photo_bucket["bucket"], Key="manifests/one.jsonl", Body=body.encode()
    )
    rc, events = run_worker(
        sandbox,
        IMAGE_BUCKET=photo_bucket["bucket"],
        LABELS_TABLE=photo_bucket["table"],
        MANIFEST_KEY="manifests/one.jsonl",
    )
    assert rc == 0 and outcomes(events) == dict.fromkeys(keys, "tagged")


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
    assert set(items_in(aws_client, photo_bucket["table"])) == {
        f"s3://{photo_bucket['bucket']}/{k}" for k in keys
    }
