"""The submission core's manifests, run by the real worker in the sandbox's Batch.

What `batchtui submit` will do, by hand: plan the layout from the bucket's listing, write each
array's manifest, submit the array jobs with the worker's settings, and check the table ends with
one item per image, also when an array job is submitted twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from batchtui.profiles import load_profile
from batchtui.sandbox.images import sample_images
from batchtui.submission import (
    Image,
    Journal,
    SubmitOptions,
    manifest_body,
    pending_steps,
    plan_submission,
    profile_ref,
    read_journal,
    submit_request,
)

REPO = Path(__file__).parents[2]


def test_every_image_ends_with_one_item_even_when_an_array_runs_twice(
    sandbox: Any,
    aws_client: Any,
    batch_queue: Any,
    job_definition: Any,
    unique_name: Callable[[str], str],
) -> None:
    s3, ddb, batch = aws_client("s3"), aws_client("dynamodb"), aws_client("batch")
    bucket, table = unique_name("submit-photos"), unique_name("submit-labels")
    s3.create_bucket(Bucket=bucket)
    for key, body in sample_images(7, seed=3):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "image_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "image_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    listing = s3.list_objects_v2(Bucket=bucket)["Contents"]
    path = REPO / "profiles" / "image-tagging.toml"
    profile = profile_ref("image-tagging", path.read_bytes())
    layout, images = plan_submission(
        profile, [Image(o["Key"], o["ETag"]) for o in listing], SubmitOptions(bucket, 2)
    )
    assert [(a.children, a.image_count) for a in layout.arrays] == [(4, 7)]
    array = layout.arrays[0]
    s3.put_object(Bucket=bucket, Key=array.manifest_key, Body=manifest_body(images, array))

    retry = load_profile(str(path)).job_definition.retry_strategy.to_api()
    jobdef = job_definition(["python", "-m", "batchtui_worker.tagger"], retryStrategy=retry,
                            container={"environment": [{"name": "LABELS_TABLE",
                                                        "value": table}]})  # fmt: skip
    queue = batch_queue(ces=[{"maxvCpus": 8}])["queue"]
    journal = Journal(layout.submission_id)
    for step in pending_steps(layout, journal):
        request = submit_request(layout, step, job_queue=queue, job_definition=jobdef,
                                 job_ids=journal.job_ids)  # fmt: skip
        journal = journal.recorded(step, batch.submit_job(**request)["jobId"])
        s3.put_object(Bucket=bucket, Key=layout.journal_key, Body=journal.to_json(layout).encode())
    # A re-run that did not find the journal submits the array job again.
    twin = batch.submit_job(**submit_request(layout, "array-0000", job_queue=queue,
                                             job_definition=jobdef, job_ids={}))["jobId"]  # fmt: skip
    text = s3.get_object(Bucket=bucket, Key=layout.journal_key)["Body"].read().decode()
    assert pending_steps(layout, read_journal(text, layout.journal_key, layout.submission_id)) == []
    job_ids = [journal.job_ids["array-0000"], twin, journal.job_ids["summary"]]
    for _ in range(40):
        sandbox.advance(30)
        assert sandbox.wait_for_workers(timeout=120)
        jobs = batch.describe_jobs(jobs=job_ids)["jobs"]
        if all(j["status"] in ("SUCCEEDED", "FAILED") for j in jobs):
            break
    assert [j["status"] for j in jobs] == ["SUCCEEDED"] * 3
    summary = jobs[2]
    assert summary["dependsOn"] == [{"jobId": journal.job_ids["array-0000"]}]
    assert summary["startedAt"] >= jobs[0]["stoppedAt"], "the summary ran after the array"
    assert jobs[0]["tags"]["batchtui:submission"] == layout.submission_id
    items = ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    assert sorted(i["image_key"]["S"] for i in items) == sorted(
        f"s3://{bucket}/{image.key}" for image in images
    )
    assert {i["etag"]["S"] for i in items} == {image.etag for image in images}
    assert {i["status"]["S"] for i in items} == {"tagged"}
    # The summary job ran the real summary: its report counts what the table holds.
    key = f"batchtui/submissions/{layout.submission_id}/report.json"
    report = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert (report["images"], report["tagged"], report["skipped"], report["missing"]) == (
        7,
        7,
        0,
        0,
    )
    assert report["usage"]["jobsRead"] == 4, "the array's 4 children"
    assert report["usage"]["actualVcpuHours"] > 0
