"""The IAM a profile's setup needs: exact job-role statements, valid documents, named errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchtui.changes.iam import IamSetup, iam_setup, job_role_policy
from batchtui.errors import ProfileError
from batchtui.profiles import parse_profile
from batchtui.render.iam import iam_script

PROFILE = (Path(__file__).resolve().parents[2] / "profiles" / "image-tagging.toml").read_text()
S3_OBJECT_ARN = re.compile(r"^arn:aws:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^*?]*\*$")
TABLE_ARN = re.compile(
    r"^arn:aws:dynamodb:[a-z]{2}(-[a-z]+)+-\d:\d{12}:table/[A-Za-z0-9_.-]{3,255}$"
)
ROLE_ARN = re.compile(r"^arn:aws:iam::\d{12}:role/[\w+=,.@-]{1,64}$")


def _setup(text: str = PROFILE) -> IamSetup:
    return iam_setup(parse_profile(text, "image-tagging.toml"))


def _assert_valid_policy(document: Any) -> None:
    """IAM's grammar for a policy: Version, and each Statement with Effect, Action, Resource
    (or a Principal, in a trust policy)."""
    assert json.loads(json.dumps(document)) == document
    assert document["Version"] == "2012-10-17"
    assert isinstance(document["Statement"], list) and document["Statement"]
    for statement in document["Statement"]:
        assert statement["Effect"] in ("Allow", "Deny")
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z*]+", action), action
        assert "Resource" in statement or "Principal" in statement
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Principal"}


def test_the_job_role_may_do_exactly_what_the_worker_does() -> None:
    job = _setup().role("job")
    assert job is not None and job.name == "image-tagging-job"
    ((policy_name, policy),) = job.inline_policies
    assert policy_name == "image-tagging-job-access"
    grants = {
        (action, resource)
        for s in policy["Statement"]
        for action in s["Action"]
        for resource in s["Resource"]
    }
    assert grants == {
        ("s3:GetObject", "arn:aws:s3:::example-image-tagging/images/*"),
        ("s3:GetObject", "arn:aws:s3:::example-image-tagging/manifests/*"),
        ("s3:PutObject", "arn:aws:s3:::example-image-tagging/manifests/*"),
        # batchtui submit's manifests, journal and report
        ("s3:GetObject", "arn:aws:s3:::example-image-tagging/batchtui/submissions/*"),
        ("s3:PutObject", "arn:aws:s3:::example-image-tagging/batchtui/submissions/*"),
        ("rekognition:DetectLabels", "*"),
        # the summary job reads the items in batches, and the jobs' usage
        ("dynamodb:BatchGetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/image-labels"),
        ("batch:DescribeJobs", "*"),
        ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/image-labels"),
        ("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/image-labels"),
        ("dynamodb:UpdateItem", "arn:aws:dynamodb:us-east-1:123456789012:table/image-labels"),
    }
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])
    assert job.managed_policy_arns == ()
    assert job.trust_policy["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


def test_every_document_is_valid_iam_json_with_well_formed_arns() -> None:
    setup = _setup()
    for role in setup.roles:
        _assert_valid_policy(role.trust_policy)
        assert role.trust_policy["Statement"][0]["Action"] == "sts:AssumeRole"
        assert ROLE_ARN.match(setup.role_arn(role))
        for _, document in role.inline_policies:
            _assert_valid_policy(document)
    job = setup.role("job")
    assert job is not None
    resources = [r for s in job.inline_policies[0][1]["Statement"] for r in s["Resource"]]
    s3 = [r for r in resources if r.startswith("arn:aws:s3")]
    tables = [r for r in resources if r.startswith("arn:aws:dynamodb")]
    assert len(s3) == 3 and all(
        S3_OBJECT_ARN.match(r) for r in s3
    )  # images, manifests, submissions
    assert len(tables) == 1 and TABLE_ARN.match(tables[0])


def test_the_instance_role_and_its_profile_and_the_service_linked_role() -> None:
    setup = _setup()
    assert setup.service_linked_roles == ("batch.amazonaws.com",)
    instance = setup.role("instance")
    assert instance is not None and instance.name == "ecsInstanceRole"
    assert instance.managed_policy_arns == (
        "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    )
    assert instance.trust_policy["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert [(p.name, p.role) for p in setup.instance_profiles] == [
        ("ecsInstanceRole", "ecsInstanceRole")
    ]
    assert setup.role("service") is None


def test_a_service_role_of_the_accounts_own_is_a_role_batch_assumes() -> None:
    text = PROFILE.replace(
        "arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
        "arn:aws:iam::123456789012:role/BatchServiceRole",
    )
    setup = _setup(text)
    assert setup.service_linked_roles == ()
    service = setup.role("service")
    assert service is not None and service.name == "BatchServiceRole"
    assert service.managed_policy_arns == (
        "arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole",
    )
    assert service.trust_policy["Statement"][0]["Principal"] == {"Service": "batch.amazonaws.com"}


def test_requests_carry_documents_as_the_api_takes_them() -> None:
    setup = _setup()
    requests = setup.requests()
    assert [r.operation for r in requests] == [
        "CreateServiceLinkedRole",
        "CreateRole", "AttachRolePolicy",
        "CreateRole", "PutRolePolicy",
        "CreateInstanceProfile", "AddRoleToInstanceProfile",
    ]  # fmt: skip
    put = next(r for r in requests if r.operation == "PutRolePolicy")
    job = setup.role("job")
    assert job is not None
    assert json.loads(put.params["PolicyDocument"]) == job.inline_policies[0][1]
    document = setup.to_json()
    assert document["requests"][0] == {
        "operation": "CreateServiceLinkedRole", "input": {"AWSServiceName": "batch.amazonaws.com"}
    }  # fmt: skip
    assert [r["RoleName"] for r in document["roles"]] == ["ecsInstanceRole", "image-tagging-job"]


def test_the_script_is_aws_cli_commands_with_quoted_documents() -> None:
    lines = [line for line in iam_script(_setup()).splitlines() if not line.startswith("#")]
    assert lines[0] == "aws iam create-service-linked-role --aws-service-name batch.amazonaws.com"
    assert all(line.startswith("aws iam ") for line in lines)
    put = next(line for line in lines if line.startswith("aws iam put-role-policy"))
    document = put.split("--policy-document ", 1)[1]
    assert document.startswith("'") and document.endswith("'")
    assert json.loads(document[1:-1])["Statement"][0]["Sid"] == "ReadImages"


def test_a_missing_bucket_is_named_with_its_key_and_the_line_of_its_table() -> None:
    text = PROFILE.replace('bucket = "example-image-tagging"\n', "")
    line = text.splitlines().index("[data]") + 1
    with pytest.raises(ProfileError) as e:
        _setup(text)
    assert e.value.problems == [
        f"image-tagging.toml:{line}: data.bucket: required to generate the IAM setup: the S3 "
        "bucket the images are in; set it or job_definition.environment.IMAGE_BUCKET"
    ]


def test_missing_tables_say_to_add_them() -> None:
    start = PROFILE.index("[data]")
    text = PROFILE[:start] + PROFILE[PROFILE.index("[workload]") :]
    text = text.replace('LABELS_TABLE = "image-labels"\n', "").replace(
        "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole", "ecsInstanceRole"
    )
    text = re.sub(r'service_role = ".*"', 'service_role = ""', text)  # no ARN: no account
    with pytest.raises(ProfileError) as e:
        _setup(text)
    keys = [p.split(": ")[1] for p in e.value.problems]
    assert keys == ["data.bucket", "data.labels_table", "iam.account_id"]
    assert all("(add a [" in p for p in e.value.problems)


@pytest.mark.parametrize(
    ("replace", "by", "key", "message"),
    [
        ('bucket = "example-image-tagging"', 'bucket = "Example_Bucket"', "data.bucket",
         "is not an S3 bucket name"),
        ('images_prefix = "images/"', 'images_prefix = "images"', "data.images_prefix",
         "must end with '/'"),
        ('images_prefix = "images/"', 'images_prefix = "images/*/"', "data.images_prefix",
         "wildcards"),
        ('manifest_prefix = "manifests/"', 'manifest_prefix = "/manifests/"',
         "data.manifest_prefix", "must not start with '/'"),
        ('job_role = "image-tagging-job"', f'job_role = "{"r" * 65}"', "iam.job_role",
         "is not an IAM role name"),
        ('job_role = "image-tagging-job"', 'job_role = "a"\naccount_id = "1234"', "iam.account_id",
         "12-digit"),
        ("[data]\n", '[data]\nlabels_table = "other-table"\n', "data.labels_table",
         "differs from job_definition.environment.LABELS_TABLE"),
        ("[data]\n", "[data]\nbukket = 'x'\n", "data.bukket", "did you mean 'bucket'?"),
    ],
)  # fmt: skip
def test_access_keys_are_checked_when_the_profile_loads(
    replace: str, by: str, key: str, message: str
) -> None:
    assert replace in PROFILE
    text = PROFILE.replace(replace, by, 1)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(key.split(".")[1]))
    with pytest.raises(ProfileError) as e:
        parse_profile(text, "p.toml")
    (problem,) = e.value.problems
    assert problem.startswith(f"p.toml:{line}: {key}: ")
    assert message in problem


def test_the_environment_fills_data_keys() -> None:
    text = PROFILE.replace('bucket = "example-image-tagging"\n', "").replace(
        'LABELS_TABLE = "image-labels"',
        'LABELS_TABLE = "image-labels"\nIMAGE_BUCKET = "env-bucket"',
    )
    job = _setup(text).role("job")
    assert job is not None
    assert job.inline_policies[0][1]["Statement"][0]["Resource"] == [
        "arn:aws:s3:::env-bucket/images/*"
    ]


_BUCKETS = st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True)
_PREFIXES = st.lists(st.from_regex(r"[A-Za-z0-9_.-]{1,8}", fullmatch=True), max_size=3).map(
    lambda parts: "".join(p + "/" for p in parts)
)
_TABLES = st.from_regex(r"[A-Za-z0-9_.-]{3,30}", fullmatch=True)
_ACCOUNTS = st.from_regex(r"\d{12}", fullmatch=True)


# No deadline: regex-made names are slow to draw on a loaded machine, and time is not the point.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_BUCKETS, _PREFIXES, _PREFIXES, _TABLES, _ACCOUNTS)
def test_job_role_policy_arns_are_well_formed_for_any_valid_names(
    bucket: str, images: str, manifests: str, table: str, account: str
) -> None:
    policy = job_role_policy("aws", "eu-west-1", account, bucket, images, manifests, table)
    _assert_valid_policy(policy)
    assert [s["Action"] for s in policy["Statement"]] == [
        ["s3:GetObject"], ["s3:GetObject", "s3:PutObject"], ["rekognition:DetectLabels"],
        ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        ["batch:DescribeJobs"],
    ]  # fmt: skip
    get, put, _, write, usage = (s["Resource"] for s in policy["Statement"])
    assert get == [f"arn:aws:s3:::{bucket}/{images}*"] and S3_OBJECT_ARN.match(get[0])
    folders = list(dict.fromkeys([manifests, "batchtui/submissions/"]))
    assert put == [f"arn:aws:s3:::{bucket}/{f}*" for f in folders]
    assert all(S3_OBJECT_ARN.match(arn) for arn in put)
    assert usage == ["*"]
    assert write == [f"arn:aws:dynamodb:eu-west-1:{account}:table/{table}"]
    assert TABLE_ARN.match(write[0])


def test_a_worker_setting_an_iam_policy_cannot_take_is_named_only_when_iam_is_made() -> None:
    text = PROFILE.replace('images_prefix = "images/"\n', "").replace(
        'LABELS_TABLE = "image-labels"', 'LABELS_TABLE = "image-labels"\nIMAGE_PREFIX = "images"'
    )
    profile = parse_profile(text, "p.toml")  # plan loads it: the worker takes this prefix
    assert profile.data.images_prefix == "images"
    line = text.splitlines().index('IMAGE_PREFIX = "images"') + 1
    with pytest.raises(ProfileError) as e:
        iam_setup(profile)
    (problem,) = e.value.problems
    assert problem.startswith(f"p.toml:{line}: job_definition.environment.IMAGE_PREFIX: must end")
