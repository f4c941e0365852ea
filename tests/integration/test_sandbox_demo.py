"""The demo account: what a first-time user sees, alive and stuck in the ways AWS gets stuck."""

from __future__ import annotations

from typing import Any

import pytest

from batchtui.model import ON_DEMAND_STANDARD_QUOTA, SPOT_STANDARD_QUOTA
from batchtui.sandbox.fargate import FARGATE_ON_DEMAND_QUOTA, FARGATE_SPOT_QUOTA


@pytest.fixture
def batch(aws_client: Any, demo_sandbox: Any) -> Any:
    return aws_client(demo_sandbox, "batch")


def runnable(batch: Any, queue: str) -> dict[str, str]:
    jobs = batch.list_jobs(jobQueue=queue, jobStatus="RUNNABLE")["jobSummaryList"]
    return {j["jobName"]: j.get("statusReason", "") for j in jobs}


def test_stuck_jobs_show_aws_reasons(batch: Any) -> None:
    assert runnable(batch, "demo-render")["render-4k-scene"] == (
        "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested "
        "for instance type c5.24xlarge"  # the spot vCPU quota is used up
    )
    assert runnable(batch, "demo-genomics")["assemble-genome"].startswith(
        "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    )
    assert runnable(batch, "demo-legacy")["legacy-report"].startswith("ACTION_REQUIRED")
    assert runnable(batch, "demo-gpu") == {"train-model": ""}  # its CE is DISABLED: no reason


def test_the_low_priority_queue_is_held_back_by_its_head(batch: Any) -> None:
    low = runnable(batch, "demo-batch-low")
    assert low.pop("simulate-72-cores").startswith(
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    )
    assert {"nightly-rollup-emea", "nightly-rollup-amer", "nightly-rollup-apac"} <= set(low)
    assert len(low) >= 8 and set(low.values()) == {""}  # queued behind it, no reason of their own
    front = batch.get_job_queue_snapshot(jobQueue="demo-batch-low")["frontOfQueue"]["jobs"]
    head = batch.describe_jobs(jobs=[front[0]["jobArn"].rsplit("/", 1)[1]])["jobs"][0]
    assert head["jobName"] == "simulate-72-cores"
    for status in ("STARTING", "RUNNING"):  # nothing got past it
        assert not batch.list_jobs(jobQueue="demo-batch-low", jobStatus=status)["jobSummaryList"]


def test_compute_environments_and_quota(batch: Any, demo_sandbox: Any) -> None:
    ces = {c["computeEnvironmentName"]: c for c in
           batch.describe_compute_environments()["computeEnvironments"]}  # fmt: skip
    assert ces["demo-legacy"]["status"] == "INVALID"
    assert ces["demo-legacy"]["statusReason"].startswith("CLIENT_ERROR - ")
    assert ces["demo-gpu"]["state"] == "DISABLED"
    spot = sum(c["computeResources"]["desiredvCpus"] for c in ces.values()
               if c["computeResources"]["type"] == "SPOT")  # fmt: skip
    assert spot <= demo_sandbox.quotas[SPOT_STANDARD_QUOTA]
    assert spot >= demo_sandbox.quotas[SPOT_STANDARD_QUOTA] - 32  # the quota is (nearly) used up
    assert set(demo_sandbox.quotas) == {
        ON_DEMAND_STANDARD_QUOTA,
        SPOT_STANDARD_QUOTA,
        FARGATE_ON_DEMAND_QUOTA,
        FARGATE_SPOT_QUOTA,
    }
    assert ces["demo-fargate-spot"]["computeResources"]["type"] == "FARGATE_SPOT"
    queues = {q["jobQueueName"]: q for q in batch.describe_job_queues()["jobQueues"]}
    order = queues["demo-main"]["computeEnvironmentOrder"]
    assert [o["computeEnvironment"].rsplit("/", 1)[1] for o in order] == [
        "demo-spot",
        "demo-ondemand",
    ]


def test_fargate_spot_runs_the_thumbnails(batch: Any) -> None:
    # Other tests move the shared demo's clock: the backfill may be running or done by now.
    [parent] = batch.list_jobs(
        jobQueue="demo-thumbnails",
        filters=[{"name": "JOB_NAME", "values": ["thumbnails-backfill"]}],
    )["jobSummaryList"]
    summary = batch.describe_jobs(jobs=[parent["jobId"]])["jobs"][0]["arrayProperties"]
    ran = summary["statusSummary"].get("RUNNING", 0) + summary["statusSummary"].get("SUCCEEDED", 0)
    assert ran >= 20
    child = batch.describe_jobs(jobs=[f"{parent['jobId']}:0"])["jobs"][0]
    assert child["platformCapabilities"] == ["FARGATE"]
    assert child["container"]["taskArn"] and "containerInstanceArn" not in child["container"]
    done = batch.list_jobs(jobQueue="demo-thumbnails", jobStatus="SUCCEEDED")["jobSummaryList"]
    assert done  # history too


def test_history_and_life(batch: Any, demo_sandbox: Any) -> None:
    done = batch.list_jobs(jobQueue="demo-main", jobStatus="SUCCEEDED", maxResults=1000)
    assert len(done["jobSummaryList"]) > 100
    running = batch.list_jobs(jobQueue="demo-main")["jobSummaryList"]
    assert running  # RUNNING by default
    seen = {j.job_id for j in demo_sandbox.store.jobs.values()}
    demo_sandbox.advance(600)
    new = [j for j in demo_sandbox.store.jobs.values() if j.job_id not in seen]
    assert len(new) >= 5  # the trickle of new submissions
    main = [j for j in new if j.queue == "demo-main" and j.parent is None]
    assert any(j.status in ("RUNNING", "STARTING", "SUCCEEDED") for j in main)  # it keeps moving
    assert not any(j.status_reason for j in main if j.status == "RUNNABLE")


def test_data_stores(aws_client: Any, demo_sandbox: Any) -> None:
    s3 = aws_client(demo_sandbox, "s3")
    # The seeded photos (other tests upload under incoming/ and leave manifests behind).
    objects = s3.list_objects_v2(Bucket="batchtui-demo-images", Prefix="photos/")["Contents"]
    assert len(objects) == 50
    body = s3.get_object(Bucket="batchtui-demo-images", Key=objects[0]["Key"])["Body"].read()
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    table = aws_client(demo_sandbox, "dynamodb").describe_table(TableName="batchtui-demo-labels")
    assert table["Table"]["KeySchema"][0]["AttributeName"] == "image_key"
    tagger = aws_client(demo_sandbox, "batch").describe_job_definitions(
        jobDefinitionName="demo-image-tagger")["jobDefinitions"][0]  # fmt: skip
    assert tagger["containerProperties"]["command"][:2] == ["python", "-m"]


def test_a_minute_in_the_demo_tags_its_photos_with_the_real_worker() -> None:
    """What `batchtui --sandbox` shows a minute after start (its clock runs in real time; here
    a manual one is stepped): tag-new-photos runs the tagger as a process, every photo gets one
    item in the labels table, and the job's log lines are the worker's own."""
    import boto3

    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(seed="demo", manual_clock=True, random_seed=5, demo_trickle=False,
                           spot_interruption_rate_per_hour=0.0, demo_tags_photos=True)  # fmt: skip
    with Sandbox(config) as sb:
        kw = {"endpoint_url": sb.url, "region_name": sb.region,
              "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # fmt: skip
        batch, logs = boto3.client("batch", **kw), boto3.client("logs", **kw)
        s3, ddb = boto3.client("s3", **kw), boto3.client("dynamodb", **kw)

        def tagging() -> list[dict[str, Any]]:
            return list(batch.list_jobs(jobQueue="demo-main", filters=[
                {"name": "JOB_NAME", "values": ["tag-new-photos"]}])["jobSummaryList"])  # fmt: skip

        assert tagging() == []  # not before its minute
        for _ in range(40):
            sb.advance(30)
            assert sb.wait_for_workers(timeout=120)
            found = tagging()
            if found and found[0]["status"] in ("SUCCEEDED", "FAILED"):
                break
        assert [j["status"] for j in tagging()] == ["SUCCEEDED"]
        job = batch.describe_jobs(jobs=[tagging()[0]["jobId"]])["jobs"][0]
        photos = [o["Key"] for o in s3.list_objects_v2(Bucket="batchtui-demo-images",
                                                       Prefix="photos/")["Contents"]]  # fmt: skip
        items = ddb.scan(TableName="batchtui-demo-labels")["Items"]
        # The table is moto's, the process's: another demo test's run may have written it too.
        labelled = {item["image_key"]["S"] for item in items}
        assert {f"s3://batchtui-demo-images/{key}" for key in photos} <= labelled
        events = logs.get_log_events(logGroupName="/batchtui/demo/tagger",
                                     logStreamName=job["container"]["logStreamName"])["events"]  # fmt: skip
        assert any(e["message"].startswith("{") for e in events)  # the worker's JSON lines
