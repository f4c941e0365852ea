"""CloudFormation never reports Batch resources that the sandbox's Batch does not hold."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchtui.sandbox.cloudformation_api import batch_resource_types

YAML = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !Ref Env
  Env:
    Type: "AWS::Batch::ComputeEnvironment"
    Properties: {Type: UNMANAGED}
"""

JSON = json.dumps({
    "Resources": {
        "Definition": {"Type": "AWS::Batch::JobDefinition",
                       "Properties": {"Type": "container",
                                      "ContainerProperties": {"Image": "busybox"}}},
        "Bucket": {"Type": "AWS::S3::Bucket"},
    }
})  # fmt: skip

PLAIN = json.dumps({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})


def test_batch_types_are_found_in_yaml_and_json() -> None:
    assert batch_resource_types(YAML) == ["AWS::Batch::JobQueue", "AWS::Batch::ComputeEnvironment"]
    assert batch_resource_types(JSON) == ["AWS::Batch::JobDefinition"]
    assert batch_resource_types(PLAIN) == []


@pytest.mark.parametrize("template", [YAML, JSON])
def test_a_stack_with_batch_resources_is_refused_with_the_reason(
    aws_client: Any, unique_name: Callable[[str], str], template: str
) -> None:
    cfn = aws_client("cloudformation")
    name = unique_name("batch-stack")
    with pytest.raises(ClientError) as info:
        cfn.create_stack(StackName=name, TemplateBody=template)
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert "AWS::Batch::" in error["Message"] and "does not create" in error["Message"]
    assert info.value.response["ResponseMetadata"]["RequestId"]
    stacks = cfn.list_stacks()["StackSummaries"]
    assert name not in {s["StackName"] for s in stacks}
    jd_names = {d["jobDefinitionName"] for d in
                aws_client("batch").describe_job_definitions()["jobDefinitions"]}  # fmt: skip
    assert "Definition" not in jd_names


def test_a_template_from_s3_is_read_too(aws_client: Any, unique_name: Callable[[str], str]) -> None:
    s3 = aws_client("s3")
    bucket = unique_name("templates")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="batch.yaml", Body=YAML.encode())
    cfn = aws_client("cloudformation")
    with pytest.raises(ClientError) as info:
        cfn.create_stack(StackName=unique_name("url-stack"),
                         TemplateURL=f"https://{bucket}.s3.amazonaws.com/batch.yaml")  # fmt: skip
    assert info.value.response["Error"]["Code"] == "ValidationError"


def test_other_stacks_still_go_to_moto(aws_client: Any, unique_name: Callable[[str], str]) -> None:
    cfn = aws_client("cloudformation")
    name = unique_name("plain-stack")
    cfn.create_stack(StackName=name, TemplateBody=PLAIN)
    (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
