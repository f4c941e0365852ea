"""API fidelity: ListJobs paging and filters, limits, AWS's errors, UpdateComputeEnvironment rules."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchtui.sandbox import history


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


def error_of(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return dict(info.value.response["Error"])


@pytest.fixture(scope="module")
def big_queue(sandbox: Any, batch_queue_module: Any) -> dict[str, Any]:
    """A queue holding 2,345 finished jobs, written straight into the store."""
    names = batch_queue_module
    store = sandbox.store
    before = len(store.jobs)
    with sandbox.scheduler.lock:
        only = {names["queue"]: store.job_queues[names["queue"]]}
        all_queues = store.job_queues
        store.job_queues = only  # history picks queues from the store: just this one
        try:
            made = history.seed_history(sandbox, 2345, end=sandbox.now(), seed=11)
        finally:
            store.job_queues = all_queues
    assert len(store.jobs) - before == made
    return {"queue": names["queue"], "made": made}


@pytest.fixture(scope="module")
def batch_queue_module(sandbox: Any, instance_profile: str, aws_client: Any) -> dict[str, str]:
    batch = aws_client("batch")
    batch.create_compute_environment(
        computeEnvironmentName="paging-ce", type="MANAGED",
        computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 4, "instanceTypes": ["m5"],
                          "subnets": ["s"], "instanceRole": instance_profile})  # fmt: skip
    batch.create_job_queue(jobQueueName="paging", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "paging-ce"}])  # fmt: skip
    return {"queue": "paging", "ce0": "paging-ce"}


def test_list_jobs_pages_like_aws(sandbox: Any, batch: Any, big_queue: dict[str, Any]) -> None:
    q = big_queue["queue"]
    totals = {}
    for status in ("SUCCEEDED", "FAILED"):
        seen: list[str] = []
        requests = 0
        token = None
        while True:
            kwargs = {"nextToken": token} if token else {}
            out = batch.list_jobs(jobQueue=q, jobStatus=status, **kwargs)
            requests += 1
            assert len(out["jobSummaryList"]) <= 1000
            seen += [j["jobId"] for j in out["jobSummaryList"]]
            token = out.get("nextToken")
            if not token:
                break
        assert len(seen) == len(set(seen))
        expected = sandbox.store.count(q, status)
        assert len(seen) == expected
        assert requests == max(1, math.ceil(expected / 1000))
        totals[status] = expected
    top_level = [j for j in sandbox.store.queue_jobs[q]]
    assert sum(totals.values()) == len(top_level)  # children are never listed by queue
    # Newest first, by createdAt
    page = batch.list_jobs(jobQueue=q, jobStatus="SUCCEEDED", maxResults=50)["jobSummaryList"]
    created = [j["createdAt"] for j in page]
    assert created == sorted(created, reverse=True)


def test_list_jobs_filters_and_limits(batch: Any, big_queue: dict[str, Any], sandbox: Any) -> None:
    q = big_queue["queue"]
    out = batch.list_jobs(jobQueue=q, filters=[{"name": "JOB_NAME", "values": ["ingest*"]}])
    assert 0 < len(out["jobSummaryList"]) <= 100  # filters page at 100
    assert all(j["jobName"].startswith("ingest") for j in out["jobSummaryList"])
    assert {j["status"] for j in out["jobSummaryList"]} <= {"SUCCEEDED", "FAILED"}
    assert "nextToken" in out
    big = batch.list_jobs(jobQueue=q, jobStatus="SUCCEEDED", maxResults=5000)
    assert len(big["jobSummaryList"]) == 1000
    # Filters make jobStatus ignored and never reach array children.
    everything = []
    token = None
    while True:
        kw = {"nextToken": token} if token else {}
        o = batch.list_jobs(jobQueue=q, jobStatus="RUNNING",
                            filters=[{"name": "AFTER_CREATED_AT", "values": ["0"]}], **kw)  # fmt: skip
        everything += o["jobSummaryList"]
        token = o.get("nextToken")
        if not token:
            break
    assert len(everything) == len(sandbox.store.queue_jobs[q])
    assert not any(":" in j["jobId"] for j in everything)
    one = everything[len(everything) // 2]
    before = batch.list_jobs(jobQueue=q, filters=[
        {"name": "BEFORE_CREATED_AT", "values": [str(one["createdAt"])]}])["jobSummaryList"]  # fmt: skip
    assert before and all(j["createdAt"] < one["createdAt"] for j in before)
    jd_name = sandbox.store.jobs[one["jobId"]].job_def.name
    by_def = batch.list_jobs(jobQueue=q, filters=[
        {"name": "JOB_DEFINITION", "values": [jd_name]}])["jobSummaryList"]  # fmt: skip
    assert by_def and all(f"/{jd_name}:" in j["jobDefinition"] for j in by_def)
    err = error_of(batch.list_jobs, jobQueue=q, filters=[
        {"name": "JOB_NAME", "values": ["a"]}, {"name": "JOB_NAME", "values": ["b"]}])  # fmt: skip
    assert err["Code"] == "ClientException"


def test_array_children_listed_by_array_job_id(batch: Any, big_queue: dict[str, Any],
                                               sandbox: Any) -> None:  # fmt: skip
    parents = [j for j in sandbox.store.queue_jobs[big_queue["queue"]] if j.array_size]
    assert parents
    parent = parents[0]
    status = parent.children[0].status
    out = batch.list_jobs(arrayJobId=parent.job_id, jobStatus=status)["jobSummaryList"]
    expected = [c.job_id for c in parent.children if c.status == status]
    assert sorted(j["jobId"] for j in out) == sorted(expected)
    assert all(j["arrayProperties"]["index"] == int(j["jobId"].rsplit(":", 1)[1]) for j in out)
    detail = batch.describe_jobs(jobs=[parent.job_id])["jobs"][0]
    assert sum(detail["arrayProperties"]["statusSummary"].values()) == parent.array_size


def test_describe_jobs_limit_and_unknown_ids(batch: Any, big_queue: dict[str, Any],
                                             sandbox: Any) -> None:  # fmt: skip
    err = error_of(batch.describe_jobs, jobs=[f"id-{i}" for i in range(101)])
    assert err["Code"] == "ClientException"
    assert re.fullmatch(  # AWS's words, two spaces and all, wrapped as AWS wraps them
        r"Error executing request, Exception : Maximum number of jobs supported is  100 \., "
        r"RequestId: [0-9a-f-]{36}",
        err["Message"],
    )
    ids = [j.job_id for j in sandbox.store.queue_jobs[big_queue["queue"]][:100]]
    assert len(batch.describe_jobs(jobs=ids)["jobs"]) == 100
    assert batch.describe_jobs(jobs=["no-such-job"])["jobs"] == []


def test_submit_job_input_errors(batch: Any, batch_queue: Any, job_definition: Any) -> None:
    names = batch_queue()
    jd = job_definition()
    q = names["queue"]
    bad_name = "Error executing request, Exception : Job name should match valid pattern, "
    missing_jd = (
        "JobDefinition arn:aws:batch:us-east-1:123456789012:job-definition/nope:1 not found."
    )
    cases = [
        ({"jobName": "bad name!", "jobQueue": q, "jobDefinition": jd}, bad_name),
        ({"jobName": "x" * 129, "jobQueue": q, "jobDefinition": jd}, bad_name),
        ({"jobName": "ok", "jobQueue": "no-such-queue", "jobDefinition": jd},
         "JobQueue no-such-queue not found."),
        ({"jobName": "ok", "jobQueue": q, "jobDefinition": "nope:1"}, missing_jd),
        ({"jobName": "ok", "jobQueue": q, "jobDefinition": f"{jd}:latest"},
         f"Provided name {jd}:latest is not supported pattern[a-zA-Z_0-9-]{{1,128}}"),
        ({"jobName": "ok", "jobQueue": q, "jobDefinition": jd, "arrayProperties": {"size": 1}},
         "Array size must be between 2 and 10000"),
        ({"jobName": "ok", "jobQueue": q, "jobDefinition": jd,
          "arrayProperties": {"size": 10001}}, "Array size must be between 2 and 10000"),
    ]  # fmt: skip
    for body, text in cases:
        err = error_of(batch.submit_job, **body)
        assert err["Code"] == "ClientException" and text in err["Message"], body
    one = batch.submit_job(jobName="a", jobQueue=q, jobDefinition=jd)["jobId"]  # 1 char is fine
    err = error_of(batch.submit_job, jobName="deps", jobQueue=q, jobDefinition=jd,
                   dependsOn=[{"jobId": one}] * 21)  # fmt: skip
    assert err["Message"] == "Job cannot have more than 20 dependencies"


def test_update_compute_environment_rules(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any
) -> None:
    names = batch_queue(ces=[{"minvCpus": 0, "maxvCpus": 32}])
    ce = names["ce0"]

    def resources() -> dict[str, Any]:
        d = batch.describe_compute_environments(computeEnvironments=[ce])
        return dict(d["computeEnvironments"][0]["computeResources"])

    batch.update_compute_environment(computeEnvironment=ce, computeResources={"desiredvCpus": 8})
    assert resources()["desiredvCpus"] == 8
    err = error_of(batch.update_compute_environment, computeEnvironment=ce,
                   computeResources={"desiredvCpus": 4})  # fmt: skip
    assert err["Message"] == (
        "Manually scaling down compute environment is not supported.  Disconnecting job queues "
        "from compute environment will cause it to scale-down to minvCpus."
    )
    err = error_of(batch.update_compute_environment, computeEnvironment=ce,
                   computeResources={"minvCpus": 40})  # fmt: skip
    assert "maxvCpus" in err["Message"]
    err = error_of(batch.update_compute_environment, computeEnvironment=ce,
                   computeResources={"desiredvCpus": 64})  # fmt: skip
    assert "desiredvCpus (64)" in err["Message"]
    batch.update_compute_environment(computeEnvironment=ce, state="DISABLED",
                                     computeResources={"maxvCpus": 48})  # fmt: skip
    d = batch.describe_compute_environments(computeEnvironments=[ce])["computeEnvironments"][0]
    assert (d["state"], d["computeResources"]["maxvCpus"]) == ("DISABLED", 48)
    jd = job_definition()
    job = batch.submit_job(jobName="off", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(300)
    assert batch.describe_jobs(jobs=[job])["jobs"][0]["status"] == "RUNNABLE"  # disabled: waits
    err = error_of(batch.delete_compute_environment, computeEnvironment=ce)
    assert err["Message"] == "Cannot delete, found existing JobQueue relationship."


def test_resource_errors_and_tags(batch: Any, batch_queue: Any, unique_name: Any) -> None:
    err = error_of(batch.create_compute_environment, computeEnvironmentName="bad name",
                   type="MANAGED")  # fmt: skip
    assert err["Code"] == "ClientException"
    err = error_of(batch.create_job_queue, jobQueueName=unique_name("q"), priority=1,
                   computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "missing"}])  # fmt: skip
    assert err["Message"] == "ComputeEnvironment missing not found."
    names = batch_queue()
    q = batch.describe_job_queues(jobQueues=[names["queue"]])["jobQueues"][0]
    batch.tag_resource(resourceArn=q["jobQueueArn"], tags={"team": "data", "env": "dev"})
    batch.untag_resource(resourceArn=q["jobQueueArn"], tagKeys=["env"])
    assert batch.list_tags_for_resource(resourceArn=q["jobQueueArn"])["tags"] == {"team": "data"}
    assert q["status"] == "VALID" and q["computeEnvironmentOrder"][0][
        "computeEnvironment"
    ].endswith("/" + names["ce0"])


def test_job_definition_revisions(batch: Any, unique_name: Any) -> None:
    name = unique_name("jd")
    props = {"image": "busybox", "vcpus": 1, "memory": 512}
    for _ in range(2):
        batch.register_job_definition(jobDefinitionName=name, type="container",
                                      containerProperties=props)  # fmt: skip
    defs = batch.describe_job_definitions(jobDefinitionName=name)["jobDefinitions"]
    assert [d["revision"] for d in defs] == [1, 2]
    batch.deregister_job_definition(jobDefinition=f"{name}:2")
    active = batch.describe_job_definitions(jobDefinitionName=name, status="ACTIVE")
    assert [d["revision"] for d in active["jobDefinitions"]] == [1]
    err = error_of(batch.register_job_definition, jobDefinitionName=name, type="container",
                   containerProperties={"image": "busybox", "resourceRequirements": [
                       {"type": "MEMORY", "value": "512"}]})  # fmt: skip
    assert err["Message"].startswith("Error executing request, Exception : vCPU is not provided., ")
    err = error_of(batch.register_job_definition, jobDefinitionName=name, type="container",
                   containerProperties=props, retryStrategy={"evaluateOnExit": []})  # fmt: skip
    assert "Exception : RetryAttempts must be provided with retry strategy, " in err["Message"]
