"""The overview's "vCPUs in use" per CE, read over HTTP from the sandbox: EC2 CEs from their ECS
cluster's container instances, Fargate CEs (which register none) from the tasks of their jobs."""

from __future__ import annotations

from typing import Any

from batchtui.account.loaders import vcpus_in_use
from batchtui.aws.session import Aws, AwsTarget
from batchtui.model import ComputeEnvironment, JobQueue


def _ce(batch: Any, name: str) -> ComputeEnvironment:
    found = batch.describe_compute_environments(computeEnvironments=[name])
    return ComputeEnvironment.from_api(found["computeEnvironments"][0])


def _placed(batch: Any, queue: str) -> tuple[JobQueue, list[str]]:
    found = batch.describe_job_queues(jobQueues=[queue])["jobQueues"][0]
    ids = [
        j["jobId"]
        for status in ("STARTING", "RUNNING")
        for j in batch.list_jobs(jobQueue=queue, jobStatus=status)["jobSummaryList"]
    ]
    return JobQueue.from_api(found), ids


def test_vcpus_in_use_counts_ec2_instances_and_fargate_tasks(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any, fargate_definition: Any
) -> None:
    batch = aws_client("batch")
    ec2 = batch_queue(ces=[{"maxvCpus": 8}])
    fargate = batch_queue(ces=[{"type": "FARGATE", "maxvCpus": 4}])
    ec2_jd = job_definition(["sh", "-c", "sleep 600"], vcpus="1", memory="1024")
    fargate_jd = fargate_definition("sleep 600", vcpus="0.5", memory="1024")
    for i in range(3):
        batch.submit_job(jobName=f"e{i}", jobQueue=ec2["queue"], jobDefinition=ec2_jd)
        batch.submit_job(jobName=f"f{i}", jobQueue=fargate["queue"], jobDefinition=fargate_jd)
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 61)

    aws = Aws(AwsTarget(region=sandbox.region, endpoint_url=sandbox.url,
                        credentials=("testing", "testing")))  # fmt: skip
    ces = [_ce(batch, ec2["ce0"]), _ce(batch, fargate["ce0"])]
    placed = [_placed(batch, ec2["queue"]), _placed(batch, fargate["queue"])]
    assert [len(ids) for _, ids in placed] == [3, 3]
    # The EC2 CE is read from ECS: its queue's jobs are not described for the Fargate CE.
    nothing_on_fargate = [placed[0], (placed[1][0], [])]
    assert vcpus_in_use(aws, ces, nothing_on_fargate) == {ec2["ce0"]: 3.0, fargate["ce0"]: 0.0}
    assert aws.counter.get("batch", "DescribeJobs") == 0
    used = vcpus_in_use(aws, ces, placed)
    assert used == {ec2["ce0"]: 3.0, fargate["ce0"]: 1.5}
    assert aws.counter.get("batch", "DescribeJobs") == 1
