"""Batch's EventBridge events reach the rules a user puts on the default bus, as on AWS.

Each test's rule matches only its own queue's jobs and is removed afterwards, so the session's
other tests publish into an empty bus again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


@pytest.fixture
def rule(aws_client: Any, unique_name: Callable[[str], str]) -> Iterator[Callable[..., str]]:
    """Put a rule with this pattern and targets on the default bus; removed after the test."""
    events = aws_client("events")
    made: list[tuple[str, list[str]]] = []

    def make(pattern: dict[str, Any], *target_arns: str) -> str:
        name = unique_name("rule")
        events.put_rule(Name=name, EventPattern=json.dumps(pattern))
        targets = [{"Id": f"t{i}", "Arn": arn} for i, arn in enumerate(target_arns)]
        events.put_targets(Rule=name, Targets=targets)
        made.append((name, [t["Id"] for t in targets]))
        return name

    yield make
    for name, ids in made:
        events.remove_targets(Rule=name, Ids=ids)
        events.delete_rule(Name=name)


def sqs_queue(aws_client: Any, name: str) -> tuple[str, str]:
    """A new SQS queue's URL and ARN."""
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return str(url), str(arn["QueueArn"])


def received(aws_client: Any, url: str) -> list[dict[str, Any]]:
    sqs = aws_client("sqs")
    bodies: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for m in messages:
            bodies.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_a_rule_on_the_default_bus_receives_a_jobs_state_changes(
    sandbox: Any,
    aws_client: Any,
    batch: Any,
    batch_queue: Any,
    job_definition: Any,
    rule: Callable[..., str],
    unique_name: Callable[[str], str],
) -> None:
    q = batch_queue()["queue"]
    [queue_arn] = [d["jobQueueArn"] for d in batch.describe_job_queues(jobQueues=[q])["jobQueues"]]
    url, arn = sqs_queue(aws_client, unique_name("events"))
    rule(
        {
            "source": ["aws.batch"],
            "detail-type": ["Batch Job State Change"],
            "detail": {"jobQueue": [queue_arn]},
        },
        arn,
    )
    job_id = batch.submit_job(
        jobName="evented", jobQueue=q, jobDefinition=job_definition(["sh", "-c", "sleep 30"])
    )["jobId"]
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 60)
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "SUCCEEDED"

    events = received(aws_client, url)
    assert [e["detail"]["status"] for e in events] == [  # none for the submission itself
        "RUNNABLE",
        "STARTING",
        "RUNNING",
        "SUCCEEDED",
    ]
    first = events[0]
    assert first["source"] == "aws.batch"
    assert first["detail-type"] == "Batch Job State Change"
    assert first["account"] == "123456789012" and first["region"] == "us-east-1"
    assert first["resources"] == [f"arn:aws:batch:us-east-1:123456789012:job/{job_id}"]
    assert first["detail"]["jobId"] == job_id and first["detail"]["jobName"] == "evented"
    assert first["time"].endswith("Z")


def test_a_blocked_head_is_published_to_sns_and_log_group_targets(
    sandbox: Any,
    aws_client: Any,
    batch: Any,
    batch_queue: Any,
    job_definition: Any,
    rule: Callable[..., str],
    unique_name: Callable[[str], str],
) -> None:
    q = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])["queue"]
    queue_arn = f"arn:aws:batch:us-east-1:123456789012:job-queue/{q}"
    sns = aws_client("sns")
    topic = sns.create_topic(Name=unique_name("blocked"))["TopicArn"]
    url, sqs_arn = sqs_queue(aws_client, unique_name("subscriber"))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=sqs_arn)
    group = f"/batch/{unique_name('blocked')}"
    aws_client("logs").create_log_group(logGroupName=group)
    log_group_arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{group}:*"
    rule(
        {"detail-type": ["Batch Job Queue Blocked"], "resources": [queue_arn]},
        topic,
        log_group_arn,
    )
    oversized = job_definition(["sh", "-c", "sleep 600"], vcpus="48", memory="8192")
    head = batch.submit_job(jobName="too-big", jobQueue=q, jobDefinition=oversized)["jobId"]
    sandbox.advance(60)

    [notification] = received(aws_client, url)
    event = json.loads(notification["Message"])
    assert event["detail-type"] == "Batch Job Queue Blocked"
    assert event["resources"] == [
        f"arn:aws:batch:us-east-1:123456789012:job/{head}",
        queue_arn,
    ]
    assert event["detail"]["status"] == "RUNNABLE"
    assert event["detail"]["statusReason"].startswith(
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    )
    logged = aws_client("logs").filter_log_events(logGroupName=group)["events"]
    assert [json.loads(e["message"])["detail"]["jobId"] for e in logged] == [head]
    batch.terminate_job(jobId=head, reason="test over")
