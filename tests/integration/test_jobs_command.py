"""`batchtui jobs` end to end against the sandbox, over HTTP."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from batchtui.aws import batch
from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main
from batchtui.model import JOB_STATUSES

REPO = Path(__file__).resolve().parents[2]
JOBS_SCHEMA = json.loads((REPO / "batchtui" / "data" / "jobs.schema.json").read_text())


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch, demo_sandbox: Any) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", demo_sandbox.url)
    monkeypatch.setenv("AWS_REGION", demo_sandbox.region)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    return demo_sandbox


def _busiest_queue(aws_client: Any, sb: Any, statuses: tuple[str, ...] = JOB_STATUSES) -> str:
    """The demo queue with the most jobs in ``statuses``."""
    client = aws_client(sb, "batch")
    queues = [q["jobQueueName"] for q in client.describe_job_queues()["jobQueues"]]

    def size(q: str) -> int:
        return sum(
            len(p["jobSummaryList"])
            for s in statuses
            for p in client.get_paginator("list_jobs").paginate(jobQueue=q, jobStatus=s)
        )

    return max(queues, key=size)


def _independent_counts(aws_client: Any, sb: Any, queue: str) -> Counter[str]:
    """Per-status counts read with boto3's own paginator at 100 a page."""
    client = aws_client(sb, "batch")
    counts: Counter[str] = Counter()
    for status in JOB_STATUSES:
        pages = client.get_paginator("list_jobs").paginate(
            jobQueue=queue, jobStatus=status, PaginationConfig={"PageSize": 100}
        )
        counts[status] = sum(len(p["jobSummaryList"]) for p in pages)
    return counts


def test_lists_every_job_with_the_fewest_calls(sandbox_env: Any, aws_client: Any) -> None:
    sb = sandbox_env
    queue = _busiest_queue(aws_client, sb)
    expected = _independent_counts(aws_client, sb, queue)
    assert sum(expected.values()) > 100

    aws = Aws(AwsTarget(region=sb.region, endpoint_url=sb.url, credentials=("testing", "testing")))
    jobs = batch.list_jobs(aws, queue)
    assert Counter(j.status for j in jobs) == +expected
    assert len({j.job_id for j in jobs}) == len(jobs)
    # One call per 1,000 jobs per status, and one for an empty status (AWS answers it too).
    minimum = sum(max(1, math.ceil(n / 1000)) for n in expected.values())
    assert aws.counter.get("batch", "ListJobs") == minimum
    assert aws.counter.get("batch", "DescribeJobs") == 0


def test_json_output_is_data_only(
    sandbox_env: Any, aws_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    queue = _busiest_queue(aws_client, sandbox_env, ("RUNNABLE",))
    assert main(["jobs", "--queue", queue, "--status", "RUNNABLE", "--output", "json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    jsonschema.validate(data, JOBS_SCHEMA)
    assert (data["jobQueue"], data["jobStatuses"], data["arrayJobId"]) == (
        queue,
        ["RUNNABLE"],
        None,
    )
    jobs = data["jobSummaryList"]
    assert jobs, "the demo account keeps jobs stuck in RUNNABLE"
    assert {j["status"] for j in jobs} == {"RUNNABLE"}
    assert any(j.get("statusReason") for j in jobs)  # the head says why the queue is stuck
    assert err == ""


#: The JobSummary fields batchtui reads from ListJobs (AWS may add others).
SUMMARY_FIELDS = (
    "jobArn", "jobId", "jobName", "createdAt", "status", "statusReason", "startedAt",
    "stoppedAt", "jobDefinition",
)  # fmt: skip


def _as_listed(summary: dict[str, Any]) -> dict[str, Any]:
    """AWS's own JobSummary, cut to the fields batchtui reports."""
    out = {k: summary[k] for k in SUMMARY_FIELDS if summary.get(k) not in (None, "")}
    if summary.get("container", {}).get("exitCode") is not None:
        out["container"] = {"exitCode": summary["container"]["exitCode"]}
    array = {
        k: v for k, v in (summary.get("arrayProperties") or {}).items() if k in ("size", "index")
    }
    if array:
        out["arrayProperties"] = array
    return out


def test_json_jobs_are_aws_job_summaries(
    sandbox_env: Any, aws_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each job in the output is what ListJobs said of it: AWS's names, values and formats
    (epoch milliseconds), so that `aws batch list-jobs` filters read it unchanged."""
    sb = sandbox_env
    statuses = ("RUNNING", "SUCCEEDED", "FAILED")
    queue = _busiest_queue(aws_client, sb, statuses)
    client = aws_client(sb, "batch")
    by_id = {
        j["jobId"]: j
        for s in statuses
        for p in client.get_paginator("list_jobs").paginate(jobQueue=queue, jobStatus=s)
        for j in p["jobSummaryList"]
    }
    assert main(["jobs", "--queue", queue, "--status", ",".join(statuses), "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, JOBS_SCHEMA)
    jobs = data["jobSummaryList"]
    assert {j["jobId"] for j in jobs} == set(by_id)
    for j in jobs:
        assert j == _as_listed(by_id[j["jobId"]])
    # The listing exercises every field: finished jobs with exit codes and times, array parents.
    seen = {k for j in jobs for k in j}
    assert seen >= {"startedAt", "stoppedAt", "container", "arrayProperties", "statusReason"}
    assert [j["createdAt"] for j in jobs] == sorted((j["createdAt"] for j in jobs), reverse=True)


def test_json_array_children(
    sandbox_env: Any, aws_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sb = sandbox_env
    client = aws_client(sb, "batch")
    queue = _busiest_queue(aws_client, sb, ("SUCCEEDED",))
    parent = next(
        j
        for j in client.list_jobs(jobQueue=queue, jobStatus="SUCCEEDED")["jobSummaryList"]
        if (j.get("arrayProperties") or {}).get("size")
    )
    argv = ["jobs", "--queue", queue, "--array-job", parent["jobId"], "-o", "json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, JOBS_SCHEMA)
    assert data["arrayJobId"] == parent["jobId"]
    indexes = sorted(j["arrayProperties"]["index"] for j in data["jobSummaryList"])
    assert indexes == list(range(parent["arrayProperties"]["size"]))


def test_the_jobs_schema_rejects_snake_case() -> None:
    doc = {
        "schemaVersion": 1, "jobQueue": "q", "jobStatuses": ["RUNNING"], "arrayJobId": None,
        "jobSummaryList": [{"jobId": "j", "jobName": "n", "status": "RUNNING", "createdAt": 1}],
    }  # fmt: skip
    jsonschema.validate(doc, JOBS_SCHEMA)
    doc["jobSummaryList"][0]["created_at"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, JOBS_SCHEMA)


def test_table_output_and_limit(
    sandbox_env: Any, aws_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    queue = _busiest_queue(aws_client, sandbox_env, ("SUCCEEDED",))
    assert main(["jobs", "--queue", queue, "--status", "SUCCEEDED", "--limit", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["JOB", "ID", "NAME"]
    assert len(lines) == 6
    assert all("SUCCEEDED" in line for line in lines[1:])


def test_unknown_queue_names_the_queues_that_exist(
    sandbox_env: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "--queue", "no-such-queue"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("batchtui: job queue 'no-such-queue' not found")
    assert "queues in this region:" in err
    assert len(err.splitlines()) == 1


def test_array_children(sandbox_env: Any, aws_client: Any) -> None:
    sb = sandbox_env
    client = aws_client(sb, "batch")
    queue = _busiest_queue(aws_client, sb, ("SUCCEEDED", "FAILED"))
    parents = [
        j
        for s in ("SUCCEEDED", "FAILED", "RUNNING")
        for j in client.list_jobs(jobQueue=queue, jobStatus=s)["jobSummaryList"]
        if (j.get("arrayProperties") or {}).get("size")
    ]
    assert parents, "the demo account has array jobs"
    parent = parents[0]
    aws = Aws(AwsTarget(region=sb.region, endpoint_url=sb.url, credentials=("testing", "testing")))
    children = batch.list_jobs(aws, queue, array_job_id=parent["jobId"])
    assert len(children) == parent["arrayProperties"]["size"]
    assert sorted(c.array_index for c in children) == list(range(len(children)))


def test_pages_of_1000_for_a_large_array(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any
) -> None:
    """2,500 children in one status: exactly 3 ListJobs pages for it, 1 for each other status."""
    names = batch_queue(ces=[{"maxvCpus": 4}])
    client = aws_client("batch")
    client.update_compute_environment(computeEnvironment=names["ce0"], state="DISABLED")
    parent = client.submit_job(
        jobName="big-array",
        jobQueue=names["queue"],
        jobDefinition=job_definition(),
        arrayProperties={"size": 2500},
    )["jobId"]
    sandbox.advance(60)
    aws = Aws(
        AwsTarget(
            region=sandbox.region, endpoint_url=sandbox.url, credentials=("testing", "testing")
        )
    )
    children = batch.list_jobs(aws, names["queue"], array_job_id=parent)
    assert len(children) == 2500
    assert {c.status for c in children} == {"RUNNABLE"}
    assert aws.counter.get("batch", "ListJobs") == 3 + (len(JOB_STATUSES) - 1)


def _array_parent(aws_client: Any, sb: Any) -> tuple[str, str]:
    """(job id, queue name) of an array parent of the demo account."""
    client = aws_client(sb, "batch")
    for q in client.describe_job_queues()["jobQueues"]:
        for s in ("SUCCEEDED", "FAILED", "RUNNING"):
            for j in client.list_jobs(jobQueue=q["jobQueueName"], jobStatus=s)["jobSummaryList"]:
                if (j.get("arrayProperties") or {}).get("size"):
                    return j["jobId"], q["jobQueueName"]
    raise AssertionError("the demo account has array jobs")


def test_array_job_is_checked_with_one_describe_call(sandbox_env: Any, aws_client: Any) -> None:
    from batchtui.commands.jobs import check_array_parent
    from batchtui.errors import UsageError

    sb = sandbox_env
    parent, queue = _array_parent(aws_client, sb)
    aws = Aws(AwsTarget(region=sb.region, endpoint_url=sb.url, credentials=("testing", "testing")))
    check_array_parent(aws, parent, batch.require_job_queue(aws, queue))
    assert aws.counter.get("batch", "DescribeJobs") == 1
    others = [q.name for q in batch.describe_job_queues(aws) if q.name != queue]
    with pytest.raises(UsageError, match=f"the array job is in job queue {queue}, not"):
        check_array_parent(aws, parent, batch.require_job_queue(aws, others[0]))


def test_array_job_that_is_no_array_parent_of_the_queue(
    sandbox_env: Any, aws_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each of these printed `0 jobs in <queue>` (or another queue's children) and exited 0."""
    parent, queue = _array_parent(aws_client, sandbox_env)
    client = aws_client(sandbox_env, "batch")
    single = next(
        j["jobId"]
        for j in client.list_jobs(jobQueue=queue, jobStatus="SUCCEEDED")["jobSummaryList"]
        if not j.get("arrayProperties")
    )
    other = next(
        q["jobQueueName"]
        for q in client.describe_job_queues()["jobQueues"]
        if q["jobQueueName"] != queue
    )
    unknown = "00000000-0000-0000-0000-000000000000"
    cases = [
        (queue, unknown, 1, f"job '{unknown}' not found"),
        (queue, "not a job!", 1, "job 'not a job!' not found"),
        (queue, "", 2, "--array-job '': no job id given"),
        (queue, single, 2, "is not an array job"),
        (queue, f"{parent}:3", 2, f"--array-job {parent}:3: that is child 3 of an array job"),
        (other, parent, 2, f"the array job is in job queue {queue}, not {other}"),
    ]
    for q, array_job, code, message in cases:
        assert main(["jobs", "--queue", q, "--array-job", array_job]) == code, array_job
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith("batchtui: ") and message in err, err
        assert len(err.splitlines()) == 1


def test_one_job_is_singular(
    sandbox_env: Any, aws_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    queue = _busiest_queue(aws_client, sandbox_env, ("SUCCEEDED",))
    assert main(["jobs", "--queue", queue, "--status", "SUCCEEDED", "--limit", "1"]) == 0
    assert capsys.readouterr().err == f"1 job in {queue} (SUCCEEDED)\n"
