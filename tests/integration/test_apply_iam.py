"""`batchtui apply --print-iam / --create-iam` against the sandbox's IAM, over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main

PROFILE = (Path(__file__).resolve().parents[2] / "profiles" / "image-tagging.toml").read_text()
ACCOUNT = "123456789012"
INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


@pytest.fixture
def names(unique_name: Callable[[str], str]) -> dict[str, str]:
    return {"instance": unique_name("iam-instance"), "job": unique_name("iam-job"),
            "service": unique_name("iam-service")}  # fmt: skip


def _profile(tmp_path: Path, names: dict[str, str], service_linked: bool = True) -> str:
    text = PROFILE.replace(
        "instance-profile/ecsInstanceRole", f"instance-profile/{names['instance']}"
    ).replace('job_role = "image-tagging-job"', f'job_role = "{names["job"]}"')
    if not service_linked:
        text = text.replace(
            "role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
            f"role/{names['service']}",
        )
    path = tmp_path / "iam.toml"
    path.write_text(text)
    return str(path)


def _aws(sandbox: Any, read_only: bool = False) -> Aws:
    target = AwsTarget(region=sandbox.region, endpoint_url=sandbox.url, read_only=read_only,
                       credentials=("testing", "testing"))  # fmt: skip
    return Aws(target)


def _create(sandbox: Any, capsys: pytest.CaptureFixture[str], profile: str) -> list[Any]:
    argv = ["apply", "--profile", profile, "--create-iam", "-o", "json"]
    assert main(argv, aws=_aws(sandbox)) == 0
    changes: list[Any] = json.loads(capsys.readouterr().out)["changes"]
    return changes


def test_create_iam_twice_creates_once(
    sandbox: Any, aws_client: Callable[..., Any], capsys: pytest.CaptureFixture[str],
    tmp_path: Path, names: dict[str, str],
) -> None:  # fmt: skip
    profile = _profile(tmp_path, names)
    first = _create(sandbox, capsys, profile)
    ours = [c for c in first if c["kind"] != "service-linked role"]
    assert {c["action"] for c in ours} == {"created"}
    assert len(ours) == 5  # 2 roles, a managed and an inline policy, an instance profile
    second = _create(sandbox, capsys, profile)
    assert {c["action"] for c in second} == {"unchanged"}
    assert [c["name"] for c in second] == [c["name"] for c in first]

    iam = aws_client("iam")
    role_names = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert role_names.count(names["instance"]) == 1 and role_names.count(names["job"]) == 1
    linked = iam.list_roles(PathPrefix="/aws-service-role/batch.amazonaws.com/")["Roles"]
    assert [r["RoleName"] for r in linked] == ["AWSServiceRoleForBatch"]
    attached = iam.list_attached_role_policies(RoleName=names["instance"])["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [INSTANCE_POLICY]
    profile_roles = iam.get_instance_profile(InstanceProfileName=names["instance"])
    assert [r["RoleName"] for r in profile_roles["InstanceProfile"]["Roles"]] == [names["instance"]]
    assert iam.list_role_policies(RoleName=names["job"])["PolicyNames"] == [
        "image-tagging-job-access"
    ]
    document = iam.get_role_policy(RoleName=names["job"], PolicyName="image-tagging-job-access")
    actions = sorted(a for s in document["PolicyDocument"]["Statement"] for a in s["Action"])
    assert actions == ["batch:DescribeJobs", "dynamodb:BatchGetItem", "dynamodb:GetItem",
                       "dynamodb:PutItem", "dynamodb:UpdateItem", "rekognition:DetectLabels",
                       "s3:GetObject", "s3:GetObject", "s3:PutObject"]  # fmt: skip
    trust = iam.get_role(RoleName=names["job"])["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


def test_what_drifted_is_brought_back_not_doubled(
    sandbox: Any, aws_client: Callable[..., Any], capsys: pytest.CaptureFixture[str],
    tmp_path: Path, names: dict[str, str],
) -> None:  # fmt: skip
    profile = _profile(tmp_path, names, service_linked=False)
    _create(sandbox, capsys, profile)
    iam = aws_client("iam")
    broad = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}  # fmt: skip
    iam.put_role_policy(RoleName=names["job"], PolicyName="image-tagging-job-access",
                        PolicyDocument=json.dumps(broad))  # fmt: skip
    other_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]}  # fmt: skip
    iam.update_assume_role_policy(RoleName=names["service"], PolicyDocument=json.dumps(other_trust))
    changes = {(c["kind"], c["name"]): c["action"] for c in _create(sandbox, capsys, profile)}
    assert changes[("inline policy", f"{names['job']}: image-tagging-job-access")] == "updated"
    assert changes[("role", names["service"])] == "updated"
    assert changes[("role", names["job"])] == "unchanged"
    policy = iam.get_role_policy(RoleName=names["job"], PolicyName="image-tagging-job-access")
    assert "s3:*" not in json.dumps(policy["PolicyDocument"])
    service = iam.get_role(RoleName=names["service"])["Role"]
    assert service["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "batch.amazonaws.com"
    }
    attached = iam.list_attached_role_policies(RoleName=names["service"])["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSBatchServiceRole"]


def test_read_only_refuses_before_any_request(
    sandbox: Any, aws_client: Callable[..., Any], sandbox_faults: Any,
    capsys: pytest.CaptureFixture[str], tmp_path: Path, names: dict[str, str],
) -> None:  # fmt: skip
    # The sandbox counts what reaches it: faults that would fire only at the millionth call.
    for operation in ("ListRoles", "GetRole", "GetInstanceProfile"):
        sandbox_faults.inject_fault("iam", operation, nth=1_000_000, code="Unused")
    aws = _aws(sandbox, read_only=True)
    argv = ["apply", "--profile", _profile(tmp_path, names), "--create-iam"]
    assert main(argv, aws=aws) == 1
    assert "read-only mode: refused iam:" in capsys.readouterr().err
    assert aws.counter.total == 0
    assert [f["calls"] for f in sandbox_faults.faults()] == [0, 0, 0]
    roles = [r["RoleName"] for r in aws_client("iam").list_roles()["Roles"]]
    assert names["job"] not in roles


def test_a_failed_run_is_finished_by_the_next(
    sandbox: Any, sandbox_faults: Any, capsys: pytest.CaptureFixture[str],
    tmp_path: Path, names: dict[str, str],
) -> None:  # fmt: skip
    profile = _profile(tmp_path, names)
    # The second CreateRole (the job role) is refused: the instance role exists by then.
    sandbox_faults.inject_fault("iam", "CreateRole", nth=2, code="LimitExceeded", status=409,
                                message="Cannot exceed quota for RolesPerAccount")  # fmt: skip
    argv = ["apply", "--profile", profile, "--create-iam"]
    assert main(argv, aws=_aws(sandbox)) == 1
    assert "LimitExceeded" in capsys.readouterr().err
    changes = {(c["kind"], c["name"]): c["action"] for c in _create(sandbox, capsys, profile)}
    assert changes[("role", names["instance"])] == "unchanged"
    assert changes[("role", names["job"])] == "created"


def test_print_iam_sends_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, names: dict[str, str]
) -> None:
    aws = Aws(AwsTarget(region="us-east-1", endpoint_url="http://127.0.0.1:9",
                        credentials=("testing", "testing")))  # fmt: skip
    assert main(["apply", "--profile", _profile(tmp_path, names), "--print-iam", "-o", "json"],
                aws=aws) == 0  # fmt: skip
    document = json.loads(capsys.readouterr().out)
    assert document["accountId"] == ACCOUNT
    assert [r["RoleName"] for r in document["roles"]] == [names["instance"], names["job"]]
    assert aws.counter.total == 0


def test_print_iam_without_a_profile_or_with_a_bad_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["apply", "--print-iam"]) == 2
    assert "--print-iam and --create-iam need --profile" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text(PROFILE.replace('images_prefix = "images/"', 'images_prefix = "images"'))
    assert main(["apply", "--profile", str(bad), "--print-iam"]) == 2
    line = bad.read_text().splitlines().index('images_prefix = "images"') + 1
    assert f"{bad}:{line}: data.images_prefix: must end with '/'" in capsys.readouterr().err
