"""DescribeJobs / DescribeJobDefinitions records typed once: Job and JobDefinition."""

from __future__ import annotations

from typing import Any

from batchtui.model import Job, JobDefinition, JobSummary

DESCRIBED: dict[str, Any] = {
    "jobId": "j-1",
    "jobName": "tagger",
    "jobArn": "arn:aws:batch:us-east-1:123456789012:job/j-1",
    "jobQueue": "arn:aws:batch:us-east-1:123456789012:job-queue/main",
    "jobDefinition": "arn:aws:batch:us-east-1:123456789012:job-definition/tag:3",
    "status": "RUNNING",
    "statusReason": "",
    "createdAt": 1_700_000_000_000,
    "startedAt": 1_700_000_060_000,
    "dependsOn": [{"jobId": "j-0", "type": "SEQUENTIAL"}, {"type": "N_TO_N"}],
    "arrayProperties": {"size": 4, "statusSummary": {"RUNNING": 1, "PENDING": 3}},
    "retryStrategy": {"attempts": 3, "evaluateOnExit": [{"onExitCode": "137", "action": "RETRY"}]},
    "timeout": {"attemptDurationSeconds": 600},
    "attempts": [{"container": {"exitCode": 1, "logStreamName": "tag/default/a"}, "startedAt": 1}],
    "container": {
        "image": "busybox",
        "command": ["sh", "-c", "echo hi"],
        "resourceRequirements": [
            {"type": "VCPU", "value": "0.25"},
            {"type": "MEMORY", "value": "512"},
        ],
        "environment": [{"name": "A", "value": "1"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/g"}},
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/cluster/abc",
    },
}


def test_a_described_job_is_typed_and_keeps_the_record_as_aws_sent_it() -> None:
    job = Job.from_api(DESCRIBED)
    assert job.queue_name == "main" and job.definition_name == "tag:3"
    assert job.depends_on == (("j-0", "SEQUENTIAL"),)
    assert job.array_size == 4 and job.array_status_summary == (("RUNNING", 1), ("PENDING", 3))
    assert job.retry_attempts == 3 and job.retry_rules[0].conditions == (("onExitCode", "137"),)
    assert job.attempt_duration_s == 600
    assert job.container is not None
    assert (job.container.vcpus, job.container.memory_mib) == (0.25, 512)
    assert job.container.environment == (("A", "1"),)
    assert job.container.log_configuration is not None
    assert job.container.log_configuration.option("awslogs-group") == "/g"
    assert job.attempts[0].container.exit_code == 1
    assert job.attempts_made == 2  # one finished, one running
    assert job.api is DESCRIBED  # JSON output keeps AWS's own field names


def test_the_summary_of_a_described_job_is_the_listings_row() -> None:
    assert Job.from_api(DESCRIBED).summary() == JobSummary.from_api(DESCRIBED)


def test_a_legacy_container_and_a_job_without_one() -> None:
    job = Job.from_api({"jobId": "j", "container": {"vcpus": 2, "memory": 2048}})
    assert job.container is not None and (job.container.vcpus, job.container.memory_mib) == (
        2,
        2048,
    )
    bare = Job.from_api({"jobId": "j", "nodeProperties": {"numNodes": 3}})
    assert bare.container is None and bare.has_other_properties and bare.num_nodes == 3


def test_a_node_range_gives_its_nodes_their_log_configuration() -> None:
    definition = JobDefinition.from_api(
        {
            "jobDefinitionName": "mnp",
            "revision": 2,
            "nodeProperties": {
                "nodeRangeProperties": [
                    {
                        "targetNodes": "0",
                        "container": {"logConfiguration": {"logDriver": "splunk"}},
                    },
                    {"targetNodes": "1:", "container": {}},
                ]
            },
            "containerProperties": {"logConfiguration": {"logDriver": "awslogs"}},
        }
    )
    main = definition.log_configuration(0)
    assert main is not None and main.log_driver == "splunk"
    assert definition.log_configuration(5) is None  # its range has none of its own
    default = definition.log_configuration()
    assert default is not None and default.log_driver == "awslogs"
