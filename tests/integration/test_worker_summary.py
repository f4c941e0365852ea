"""The summary job run for real against the sandbox: manifests + labels table -> report.json.

The images are tagged by the real tagger (run directly, as in test_worker.py); the array jobs
the journal names are synthetic sandbox jobs of known length, so the vCPU-hours they used are
exact.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from test_worker import jpeg_header, run_worker, worker_env

from batchtui.sandbox.images import sample_images
from batchtui.submission import (
    Image,
    Journal,
    SubmitOptions,
    manifest_body,
    plan_submission,
    profile_ref,
)


def run_summary(sandbox: Any, **env: str) -> tuple[int, list[dict[str, Any]]]:
    proc = subprocess.run(
        [sys.executable, "-m", "batchtui_worker.summary"],
        capture_output=True,
        text=True,
        env=worker_env(sandbox.url, sandbox.region, **env),
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()]


@pytest.fixture
def submission(sandbox: Any, aws_client: Any, unique_name: Callable[[str], str]) -> dict[str, Any]:
    """A bucket of 9 images in 2 manifests, a labels table, and the submission's layout."""
    s3, ddb = aws_client("s3"), aws_client("dynamodb")
    bucket, table = unique_name("summary-photos"), unique_name("summary-labels")
    s3.create_bucket(Bucket=bucket)
    for key, body in sample_images(5, seed=21):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    s3.put_object(Bucket=bucket, Key="photos/x-thumb.jpg", Body=jpeg_header(40, 40))
    s3.put_object(Bucket=bucket, Key="photos/x-notes.png", Body=b"plain text")
    s3.put_object(Bucket=bucket, Key="photos/x-icon.jpg", Body=jpeg_header(20, 90))
    s3.put_object(Bucket=bucket, Key="photos/y-late.png", Body=sample_images(1, seed=5)[0][1])
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "image_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "image_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    listing = s3.list_objects_v2(Bucket=bucket)["Contents"]
    layout, images = plan_submission(
        profile_ref("image-tagging", b"name = 'image-tagging'\n"),
        [Image(o["Key"], o["ETag"]) for o in listing],
        SubmitOptions(bucket, 4),
    )
    array = layout.arrays[0]
    first, rest = images[:8], images[8:]
    s3.put_object(Bucket=bucket, Key=array.manifest_key, Body=manifest_body(first, array))
    # A second manifest in the folder: the summary reads every one of them.
    second = f"batchtui/submissions/{layout.submission_id}/array-0001.jsonl"
    lines = "".join(json.dumps({"key": i.key, "eTag": i.etag}) + "\n" for i in rest)
    s3.put_object(Bucket=bucket, Key=second, Body=lines.encode())
    return {"bucket": bucket, "table": table, "layout": layout, "images": images,
            "manifests": [array.manifest_key, second]}  # fmt: skip


def test_report_counts_tagged_skipped_missing_labels_and_vcpu_hours(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any,
    submission: dict[str, Any],
) -> None:  # fmt: skip
    s3, ddb, batch = aws_client("s3"), aws_client("dynamodb"), aws_client("batch")
    bucket, table, layout = submission["bucket"], submission["table"], submission["layout"]
    manifest = submission["manifests"][0]
    # Children 0 and 1 of the first manifest run; the second manifest's image never does.
    for index in ("0", "1"):
        rc, _ = run_worker(sandbox, IMAGE_BUCKET=bucket, LABELS_TABLE=table,
                           MANIFEST_KEY=manifest, IMAGES_PER_JOB="4",
                           AWS_BATCH_JOB_ARRAY_INDEX=index)  # fmt: skip
        assert rc == 0
    # The array jobs the journal names: 3 children of 2 vCPUs for 900 s, 1 plain job of 1 vCPU
    # for 1,800 s: 3 * 2 * 0.25 + 1 * 0.5 = 2.0 vCPU-hours.
    queue = batch_queue(ces=[{"maxvCpus": 16}])["queue"]
    two = job_definition(["sh", "-c", "work && sleep 900"], vcpus="2")
    one = job_definition(["sh", "-c", "work && sleep 1800"], vcpus="1")
    array_id = batch.submit_job(jobName="tagging-array", jobQueue=queue, jobDefinition=two,
                                arrayProperties={"size": 3})["jobId"]  # fmt: skip
    plain_id = batch.submit_job(jobName="tagging-plain", jobQueue=queue, jobDefinition=one)["jobId"]
    for _ in range(20):
        sandbox.advance(300)
        jobs = batch.describe_jobs(jobs=[array_id, plain_id])["jobs"]
        if all(j["status"] == "SUCCEEDED" for j in jobs):
            break
    assert [j["status"] for j in jobs] == ["SUCCEEDED", "SUCCEEDED"]
    journal = Journal(layout.submission_id).recorded("array-0000", array_id)
    journal = journal.recorded("summary", "not-read")
    body = json.loads(journal.to_json(layout))
    body["arrays"].append({"arrayIndex": 1, "jobName": "tagging-plain", "jobId": plain_id})
    s3.put_object(Bucket=bucket, Key=layout.journal_key, Body=json.dumps(body).encode())

    rc, events = run_summary(
        sandbox, IMAGE_BUCKET=bucket, LABELS_TABLE=table, SUBMISSION_ID=layout.submission_id,
        ESTIMATED_VCPU_HOURS="2.5", ESTIMATED_COST_USD="0.31",
    )  # fmt: skip
    assert rc == 0, events
    key = f"batchtui/submissions/{layout.submission_id}/report.json"
    got = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert events[-1] == {"event": "done", "report": f"s3://{bucket}/{key}", "images": 9,
                          "tagged": 5, "skipped": 3, "missing": 1,
                          "actual_vcpu_hours": 2.0}  # fmt: skip
    items = ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    per_label = Counter(
        lb["M"]["name"]["S"] for i in items if i["status"]["S"] == "tagged"
        for lb in i["labels"]["L"]
    )  # fmt: skip
    assert per_label, "the tagged images have labels"
    top = sorted(per_label.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    assert got == {
        "reportVersion": 1,
        "submissionId": layout.submission_id,
        "bucket": bucket,
        "labelsTable": table,
        "manifests": submission["manifests"],
        "images": 9,
        "tagged": 5,
        "skipped": 3,
        "missing": 1,
        "skippedByReason": [
            {"reason": "too-small", "count": 2, "keys": ["photos/x-icon.jpg",
             "photos/x-thumb.jpg"], "keysOmitted": 0},
            {"reason": "not-jpeg-or-png", "count": 1, "keys": ["photos/x-notes.png"],
             "keysOmitted": 0},
        ],
        "missingImages": {"keys": ["photos/y-late.png"], "keysOmitted": 0},
        "topLabels": [{"name": name, "images": n} for name, n in top],
        "usage": {
            "estimatedVcpuHours": 2.5,
            "estimatedCostUsd": 0.31,
            "actualVcpuHours": 2.0,
            "jobsRead": 4,
            "note": None,
        },
    }  # fmt: skip


def test_actual_usage_is_null_and_said_why_without_a_journal_or_a_permission(
    sandbox: Any, aws_client: Any, submission: dict[str, Any], sandbox_faults: Any
) -> None:
    s3, bucket, layout = aws_client("s3"), submission["bucket"], submission["layout"]
    env = {"IMAGE_BUCKET": bucket, "LABELS_TABLE": submission["table"],
           "SUBMISSION_ID": layout.submission_id}  # fmt: skip
    rc, _ = run_summary(sandbox, **env)
    assert rc == 0
    key = f"batchtui/submissions/{layout.submission_id}/report.json"
    got = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert (got["images"], got["tagged"], got["missing"]) == (9, 0, 9)
    assert got["missingImages"]["keys"] == [i.key for i in submission["images"]]
    assert got["usage"] == {
        "estimatedVcpuHours": None,
        "estimatedCostUsd": None,
        "actualVcpuHours": None,
        "jobsRead": 0,
        "note": f"no journal at s3://{bucket}/{layout.journal_key}: no jobs to read",
    }
    journal = Journal(layout.submission_id).recorded("array-0000", "some-job")
    s3.put_object(Bucket=bucket, Key=layout.journal_key, Body=journal.to_json(layout).encode())
    sandbox_faults.inject_fault("batch", "DescribeJobs", nth=1, code="AccessDeniedException",
                                status=403, message="not allowed")  # fmt: skip
    rc, _ = run_summary(sandbox, **env)
    assert rc == 0
    got = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert got["usage"]["actualVcpuHours"] is None
    assert got["usage"]["note"] == (
        "the job role may not read the jobs "
        "(DescribeJobs: AccessDeniedException: not allowed): actual left out"
    )


def test_exit_codes(sandbox: Any, aws_client: Any, submission: dict[str, Any],
                    sandbox_faults: Any) -> None:  # fmt: skip
    bucket, layout = submission["bucket"], submission["layout"]
    env = {"IMAGE_BUCKET": bucket, "LABELS_TABLE": submission["table"],
           "SUBMISSION_ID": layout.submission_id}  # fmt: skip
    rc, events = run_summary(sandbox, **{**env, "LABELS_TABLE": "no-such-table"})
    assert (rc, events[-1]["event"]) == (2, "misconfigured")
    assert events[-1]["error"] == "DynamoDB table 'no-such-table' does not exist"
    rc, events = run_summary(sandbox, **{**env, "SUBMISSION_ID": "0000000000000000"})
    assert (rc, events[-1]["error"]) == (
        2, f"no manifest (*.jsonl) in s3://{bucket}/batchtui/submissions/0000000000000000/"
    )  # fmt: skip
    rc, events = run_summary(sandbox, IMAGE_BUCKET=bucket)
    assert (rc, events[-1]["error"]) == (2, "SUBMISSION_ID is not set")
    sandbox_faults.inject_fault("dynamodb", "BatchGetItem", nth=1, times=5,
                                code="ProvisionedThroughputExceededException", status=400)  # fmt: skip
    rc, events = run_summary(sandbox, **env)
    assert (rc, events[-1]["event"]) == (1, "failed")
    assert "ProvisionedThroughputExceededException" in events[-1]["error"]
    assert (
        not aws_client("s3")
        .list_objects_v2(
            Bucket=bucket, Prefix=f"batchtui/submissions/{layout.submission_id}/report.json"
        )
        .get("Contents")
    ), "no report is written when the table could not be read"
