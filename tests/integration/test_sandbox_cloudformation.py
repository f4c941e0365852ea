"""CloudFormation's AWS::Batch::* resources land in the sandbox's own Batch (or the stack fails
with Batch's reason): never a stack that reports resources Batch does not have."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from batchtui.sandbox.cloudformation_api import batch_resource_types
from batchtui.sandbox.cloudformation_batch import api_shape
from tests.conftest import CREDENTIALS


def template(name: str, profile: str, priority: Any = 1) -> str:
    """A managed CE, a queue over it (by Ref) and a job definition, named after ``name``."""
    return f"""
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Env:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      ComputeEnvironmentName: {name}-ce
      Type: MANAGED
      ComputeResources:
        Type: EC2
        MinvCpus: 0
        MaxvCpus: "8"
        InstanceTypes: [m5]
        Subnets: [subnet-1]
        InstanceRole: {profile}
      Tags: {{team: Data}}
  Queue:
    Type: "AWS::Batch::JobQueue"
    Properties:
      JobQueueName: {name}-queue
      Priority: {priority}
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref Env
  Definition:
    Type: AWS::Batch::JobDefinition
    Properties:
      JobDefinitionName: {name}-jd
      Type: container
      PropagateTags: "true"
      Parameters: {{InputKey: x}}
      ContainerProperties:
        Image: busybox
        Command: [sleep, "30"]
        ResourceRequirements:
          - {{Type: VCPU, Value: "1"}}
          - {{Type: MEMORY, Value: "1024"}}
        LogConfiguration:
          LogDriver: awslogs
          Options: {{awslogs-stream-prefix: Etl}}
Outputs:
  QueueArn:
    Value: !GetAtt Queue.JobQueueArn
"""


PLAIN = json.dumps({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})


def test_properties_are_turned_into_the_api_shape() -> None:
    props = {"ComputeResources": {"MaxvCpus": "8", "Ec2KeyPair": "k"}, "Tags": {"Team": "x"},
             "PropagateTags": "true",
             "ContainerProperties": {"LogConfiguration": {"Options": {"Awslogs-Group": "g"}}}}  # fmt: skip
    assert api_shape(props) == {
        "computeResources": {"maxvCpus": 8, "ec2KeyPair": "k"},
        "tags": {"Team": "x"},
        "propagateTags": True,
        "containerProperties": {"logConfiguration": {"options": {"Awslogs-Group": "g"}}},
    }
    assert batch_resource_types(template("t", "p")) == [
        "AWS::Batch::ComputeEnvironment", "AWS::Batch::JobQueue", "AWS::Batch::JobDefinition"]  # fmt: skip
    assert batch_resource_types(PLAIN) == []


def test_a_stack_creates_its_batch_resources_in_the_sandbox(
    sandbox: Any, aws_client: Any, instance_profile: str, unique_name: Callable[[str], str]
) -> None:
    cfn, batch = aws_client("cloudformation"), aws_client("batch")
    name = unique_name("stack")
    cfn.create_stack(StackName=name, TemplateBody=template(name, instance_profile))
    (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    (ce,) = batch.describe_compute_environments(computeEnvironments=[f"{name}-ce"])[
        "computeEnvironments"
    ]
    assert ce["computeResources"]["maxvCpus"] == 8 and ce["tags"] == {"team": "Data"}
    (queue,) = batch.describe_job_queues(jobQueues=[f"{name}-queue"])["jobQueues"]
    assert queue["computeEnvironmentOrder"][0]["computeEnvironment"] == ce["computeEnvironmentArn"]
    assert stack["Outputs"][0]["OutputValue"] == queue["jobQueueArn"]
    (jd,) = batch.describe_job_definitions(jobDefinitionName=f"{name}-jd")["jobDefinitions"]
    assert jd["propagateTags"] is True and jd["parameters"] == {"InputKey": "x"}
    assert jd["containerProperties"]["logConfiguration"]["options"] == {
        "awslogs-stream-prefix": "Etl"
    }
    resources = cfn.describe_stack_resources(StackName=name)["StackResources"]
    assert {r["PhysicalResourceId"] for r in resources} == {
        ce["computeEnvironmentArn"], queue["jobQueueArn"], jd["jobDefinitionArn"]}  # fmt: skip

    job = batch.submit_job(jobName="from-stack", jobQueue=f"{name}-queue",
                           jobDefinition=f"{name}-jd")  # fmt: skip
    sandbox.advance(400)
    assert batch.describe_jobs(jobs=[job["jobId"]])["jobs"][0]["status"] == "SUCCEEDED"

    cfn.delete_stack(StackName=name)
    sandbox.advance(2)
    assert batch.describe_job_queues(jobQueues=[f"{name}-queue"])["jobQueues"] == []
    assert (
        batch.describe_compute_environments(computeEnvironments=[f"{name}-ce"])[
            "computeEnvironments"
        ]
        == []
    )
    (jd,) = batch.describe_job_definitions(jobDefinitionName=f"{name}-jd")["jobDefinitions"]
    assert jd["status"] == "INACTIVE"


def test_a_resource_batch_refuses_fails_the_stack_with_its_reason(
    aws_client: Any, instance_profile: str, unique_name: Callable[[str], str]
) -> None:
    cfn, batch = aws_client("cloudformation"), aws_client("batch")
    name = unique_name("bad-stack")
    with pytest.raises(ClientError) as info:
        cfn.create_stack(StackName=name, TemplateBody=template(name, instance_profile, 5000))
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert "Queue (AWS::Batch::JobQueue)" in error["Message"] and "0 to 1000" in error["Message"]
    assert name not in {s["StackName"] for s in cfn.list_stacks()["StackSummaries"]}
    # What the stack had made before the failure is gone again.
    (ce,) = batch.describe_compute_environments(computeEnvironments=[f"{name}-ce"])[
        "computeEnvironments"
    ] or [{"status": "gone"}]
    assert ce["status"] in ("DELETING", "gone")


def test_stacks_create_in_their_own_region(
    sandbox: Any, instance_profile: str, unique_name: Callable[[str], str]
) -> None:
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=sandbox.url, region_name="ca-central-1",
                            **CREDENTIALS)  # fmt: skip

    name = unique_name("far-stack")
    client("cloudformation").create_stack(StackName=name,
                                          TemplateBody=template(name, instance_profile))  # fmt: skip
    (queue,) = client("batch").describe_job_queues(jobQueues=[f"{name}-queue"])["jobQueues"]
    assert queue["jobQueueArn"].startswith("arn:aws:batch:ca-central-1:")
    assert sandbox.store.find_job_queue(f"{name}-queue") is None


def test_updating_batch_resources_is_refused_with_the_reason(
    aws_client: Any, instance_profile: str, unique_name: Callable[[str], str]
) -> None:
    cfn = aws_client("cloudformation")
    name = unique_name("upd-stack")
    cfn.create_stack(StackName=name, TemplateBody=template(name, instance_profile))
    with pytest.raises(ClientError) as info:
        cfn.update_stack(StackName=name, TemplateBody=template(name, instance_profile, 7))
    assert info.value.response["Error"]["Code"] == "ValidationError"
    assert "does not update AWS Batch resources" in info.value.response["Error"]["Message"]


def test_other_stacks_still_go_to_moto(aws_client: Any, unique_name: Callable[[str], str]) -> None:
    cfn = aws_client("cloudformation")
    name = unique_name("plain-stack")
    cfn.create_stack(StackName=name, TemplateBody=PLAIN)
    (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_a_batch_type_the_sandbox_does_not_create_is_refused(
    aws_client: Any, unique_name: Callable[[str], str]
) -> None:
    cfn = aws_client("cloudformation")
    name = unique_name("policy-stack")
    body = json.dumps({"Resources": {"Policy": {"Type": "AWS::Batch::ConsumableResource",
                                                "Properties": {"ResourceType": "REPLENISHABLE"}}}})  # fmt: skip
    with pytest.raises(ClientError) as info:
        cfn.create_stack(StackName=name, TemplateBody=body)
    assert info.value.response["Error"]["Code"] == "ValidationError"
    assert "AWS::Batch::ConsumableResource" in info.value.response["Error"]["Message"]
    assert name not in {s["StackName"] for s in cfn.list_stacks()["StackSummaries"]}


def test_a_template_from_s3_is_read_too(aws_client: Any, unique_name: Callable[[str], str]) -> None:
    s3 = aws_client("s3")
    bucket = unique_name("templates")
    s3.create_bucket(Bucket=bucket)
    body = json.dumps({"Resources": {"Env": {"Type": "AWS::Batch::ServiceEnvironment"}}})
    s3.put_object(Bucket=bucket, Key="batch.json", Body=body.encode())
    cfn = aws_client("cloudformation")
    with pytest.raises(ClientError) as info:
        cfn.create_stack(StackName=unique_name("url-stack"),
                         TemplateURL=f"https://{bucket}.s3.amazonaws.com/batch.json")  # fmt: skip
    assert "AWS::Batch::ServiceEnvironment" in info.value.response["Error"]["Message"]
