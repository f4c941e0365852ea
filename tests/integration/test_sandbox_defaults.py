"""AWS's defaults and limits on what Batch stores and returns: job definition shape, tags,
propagateTags, DELETING before deletion, jobStateTimeLimitActions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


def refusal(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["Error"]["Code"] == "ClientException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(info.value.response["Error"]["Message"])


def test_a_job_definition_comes_back_with_aws_defaults(
    batch: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("bare-jd")
    batch.register_job_definition(
        jobDefinitionName=name, type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 512},
    )  # fmt: skip
    (d,) = batch.describe_job_definitions(jobDefinitionName=name)["jobDefinitions"]
    props = d["containerProperties"]
    for key in ("command", "volumes", "environment", "mountPoints", "ulimits",
                "resourceRequirements", "secrets"):  # fmt: skip
        assert props[key] == [], key
    assert props["image"] == "busybox" and props["vcpus"] == 1
    assert d["parameters"] == {} and d["tags"] == {} and d["propagateTags"] is False
    assert d["platformCapabilities"] == ["EC2"] and d["containerOrchestrationType"] == "ECS"


def test_a_fargate_definition_gets_fargate_defaults(
    batch: Any, fargate_definition: Callable[..., str]
) -> None:
    name = fargate_definition()
    (d,) = batch.describe_job_definitions(jobDefinitionName=name)["jobDefinitions"]
    props = d["containerProperties"]
    assert props["fargatePlatformConfiguration"] == {"platformVersion": "LATEST"}
    assert props["networkConfiguration"] == {"assignPublicIp": "ENABLED"}  # as sent
    assert props["volumes"] == []


def test_tag_limits_on_every_call_that_sets_tags(
    batch: Any,
    batch_queue: Callable[..., dict[str, str]],
    job_definition: Callable[..., str],
) -> None:
    names = batch_queue()
    jd = job_definition()
    fifty = {f"k{i}": "v" for i in range(50)}
    fifty_one = {**fifty, "k50": "v"}
    assert "at most 50 tags" in refusal(
        batch.submit_job, jobName="tags", jobQueue=names["queue"], jobDefinition=jd,
        tags=fifty_one)  # fmt: skip
    assert "'aws:' is reserved" in refusal(
        batch.submit_job, jobName="tags", jobQueue=names["queue"], jobDefinition=jd,
        tags={"aws:owner": "me"})  # fmt: skip
    job = batch.submit_job(jobName="tags", jobQueue=names["queue"], jobDefinition=jd, tags=fifty)
    assert len(batch.describe_jobs(jobs=[job["jobId"]])["jobs"][0]["tags"]) == 50
    assert "at most 50 tags" in refusal(
        batch.register_job_definition, jobDefinitionName="too-many-tags", type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 512}, tags=fifty_one)  # fmt: skip
    queue_arn = batch.describe_job_queues(jobQueues=[names["queue"]])["jobQueues"][0]["jobQueueArn"]
    batch.tag_resource(resourceArn=queue_arn, tags=dict(list(fifty.items())[:49]))
    batch.tag_resource(resourceArn=queue_arn, tags={"k0": "again"})  # a key it holds: still 49
    assert "at most 50 tags" in refusal(
        batch.tag_resource, resourceArn=queue_arn, tags={"x": "1", "y": "2"}
    )
    assert "'aws:' is reserved" in refusal(
        batch.tag_resource, resourceArn=queue_arn, tags={"AWS:x": "1"}
    )
    assert "'aws:' is reserved" in refusal(
        batch.untag_resource, resourceArn=queue_arn, tagKeys=["aws:x"]
    )
    assert len(batch.list_tags_for_resource(resourceArn=queue_arn)["tags"]) == 49
    assert "at most 50 tags" in refusal(
        batch.create_compute_environment, computeEnvironmentName="too-many-tags",
        type="UNMANAGED", tags=fifty_one)  # fmt: skip


def test_propagate_tags(
    sandbox: Any,
    batch: Any,
    batch_queue: Callable[..., dict[str, str]],
    job_definition: Callable[..., str],
) -> None:
    names = batch_queue()
    jd = job_definition(tags={f"d{i}": "v" for i in range(30)}, propagateTags=True)
    own = {f"j{i}": "v" for i in range(10)}
    ok = batch.submit_job(jobName="p", jobQueue=names["queue"], jobDefinition=jd, tags=own)
    off = batch.submit_job(jobName="p", jobQueue=names["queue"], jobDefinition=jd,
                           tags={f"j{i}": "v" for i in range(30)}, propagateTags=False)  # fmt: skip
    over = batch.submit_job(jobName="p", jobQueue=names["queue"], jobDefinition=jd,
                            tags={f"j{i}": "v" for i in range(30)})  # fmt: skip
    jobs = {j["jobId"]: j for j in batch.describe_jobs(
        jobs=[ok["jobId"], off["jobId"], over["jobId"]])["jobs"]}  # fmt: skip
    assert jobs[ok["jobId"]]["tags"] == own  # the job's own; its definition's go to its task
    assert jobs[ok["jobId"]]["propagateTags"] is True
    assert jobs[off["jobId"]]["propagateTags"] is False
    assert jobs[off["jobId"]]["status"] == "SUBMITTED"
    failed = jobs[over["jobId"]]
    assert failed["status"] == "FAILED" and "60 tags" in failed["statusReason"]


def test_deleted_queues_and_compute_environments_show_deleting_first(
    sandbox: Any, batch: Any, batch_queue: Callable[..., dict[str, str]]
) -> None:
    names = batch_queue()
    queue, ce = names["queue"], names["ce0"]
    batch.update_job_queue(jobQueue=queue, state="DISABLED")
    batch.delete_job_queue(jobQueue=queue)
    (q,) = batch.describe_job_queues(jobQueues=[queue])["jobQueues"]
    assert q["status"] == "DELETING"
    sandbox.advance(1)
    assert batch.describe_job_queues(jobQueues=[queue])["jobQueues"] == []
    batch.update_compute_environment(computeEnvironment=ce, state="DISABLED")
    batch.delete_compute_environment(computeEnvironment=ce)
    (c,) = batch.describe_compute_environments(computeEnvironments=[ce])["computeEnvironments"]
    assert c["status"] == "DELETING"
    sandbox.advance(1)
    assert (
        batch.describe_compute_environments(computeEnvironments=[ce])["computeEnvironments"] == []
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"state": "RUNNING"}, "state must be RUNNABLE"),
        ({"action": "TERMINATE"}, "action must be CANCEL"),
        ({"maxTimeSeconds": 599}, "600 to 86400"),
        ({"maxTimeSeconds": 86401}, "600 to 86400"),
    ],
)
def test_job_state_time_limit_actions_as_aws_documents(
    batch: Any, batch_queue: Callable[..., dict[str, str]], change: dict[str, Any], words: str
) -> None:
    names = batch_queue()
    action = {"reason": "stuck", "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"}
    message = refusal(batch.update_job_queue, jobQueue=names["queue"],
                      jobStateTimeLimitActions=[action | change])  # fmt: skip
    assert words in message
    batch.update_job_queue(jobQueue=names["queue"],
                           jobStateTimeLimitActions=[action | {"maxTimeSeconds": 86400}])  # fmt: skip


def test_child_jobs_take_no_tags(
    sandbox: Any,
    batch: Any,
    batch_queue: Callable[..., dict[str, str]],
    job_definition: Callable[..., str],
) -> None:
    names = batch_queue()
    job = batch.submit_job(jobName="arr", jobQueue=names["queue"],
                           jobDefinition=job_definition(), arrayProperties={"size": 2})  # fmt: skip
    sandbox.advance(2)
    batch.tag_resource(resourceArn=job["jobArn"], tags={"parent": "ok"})
    assert "child job" in refusal(batch.tag_resource, resourceArn=job["jobArn"] + ":1",
                                  tags={"child": "no"})  # fmt: skip
