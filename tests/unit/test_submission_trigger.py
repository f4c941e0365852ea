"""The upload trigger generated from a profile: notification, function, IAM, aws CLI script."""

from __future__ import annotations

import itertools
import json
import shlex
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from batchtui_worker.s3_event import IMAGE_SUFFIXES as HANDLER_SUFFIXES
from hypothesis import given
from hypothesis import strategies as st

from batchtui.cli import main
from batchtui.errors import ProfileError
from batchtui.profiles import load_profile, parse_profile
from batchtui.submission.trigger import (
    IMAGE_SUFFIXES,
    notification_configuration,
    placeholders,
    trigger_setup,
)

REPO = Path(__file__).parents[2]
PROFILE = REPO / "profiles" / "image-tagging.toml"
FN = "arn:aws:lambda:us-east-1:123456789012:function:image-tagging-s3-event"


def test_the_image_tagging_profile_gives_its_function_and_notification() -> None:
    setup = trigger_setup(load_profile(str(PROFILE)))
    doc = setup.to_json()
    assert doc["bucket"] == "example-image-tagging"
    assert doc["function"] == {
        "FunctionName": "image-tagging-s3-event",
        "Runtime": "python3.12",
        "Handler": "batchtui_worker.s3_event.handler",
        "Role": "arn:aws:iam::123456789012:role/image-tagging-s3-event-role",
        "Timeout": 60,
        "MemorySize": 256,
        "Environment": {"Variables": {
            "JOB_QUEUE": "image-tagging", "JOB_DEFINITION": "image-tagging",
            "LABELS_TABLE": "image-labels", "IMAGES_PER_JOB": "100",
            "MANIFEST_PREFIX": "manifests/"}},
    }  # fmt: skip
    configs = doc["notificationConfiguration"]["LambdaFunctionConfigurations"]
    assert [c["Filter"]["Key"]["FilterRules"] for c in configs] == [
        [{"Name": "prefix", "Value": "images/"}, {"Name": "suffix", "Value": s}]
        for s in (".jpg", ".JPG", ".jpeg", ".JPEG", ".png", ".PNG")
    ]
    assert {c["LambdaFunctionArn"] for c in configs} == {FN}
    assert len({c["Id"] for c in configs}) == 6
    assert doc["invokePermission"] == {
        "FunctionName": "image-tagging-s3-event",
        "StatementId": "s3-invoke",
        "Action": "lambda:InvokeFunction",
        "Principal": "s3.amazonaws.com",
        "SourceArn": "arn:aws:s3:::example-image-tagging",
        "SourceAccount": "123456789012",
    }
    role = doc["role"]
    assert role["AttachedPolicyArns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    ]
    [inline] = role["InlinePolicies"]
    assert inline["PolicyDocument"]["Statement"] == [
        {"Sid": "WriteManifests", "Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": ["arn:aws:s3:::example-image-tagging/manifests/*"]},
        {"Sid": "SubmitTaggingJobs", "Effect": "Allow", "Action": ["batch:SubmitJob"],
         "Resource": ["arn:aws:batch:us-east-1:123456789012:job-queue/image-tagging",
                      "arn:aws:batch:us-east-1:123456789012:job-definition/image-tagging",
                      "arn:aws:batch:us-east-1:123456789012:job-definition/image-tagging:*"]},
    ]  # fmt: skip


def test_the_filters_take_what_the_handler_takes() -> None:
    assert IMAGE_SUFFIXES == HANDLER_SUFFIXES


@given(st.text(alphabet="abcz/._-", max_size=12))
def test_no_two_configurations_overlap(prefix: str) -> None:
    """S3 refuses configurations whose prefix and suffix filters both overlap (same events)."""
    configs = notification_configuration(FN, prefix)["LambdaFunctionConfigurations"]
    suffixes = []
    for c in configs:
        rules = {r["Name"]: r["Value"] for r in c["Filter"]["Key"]["FilterRules"]}
        assert rules.get("prefix", "") == prefix
        suffixes.append(rules["suffix"])
    for a, b in itertools.permutations(suffixes, 2):
        assert not a.endswith(b), (a, b)


def test_the_script_carries_the_same_documents() -> None:
    setup = trigger_setup(load_profile(str(PROFILE)))
    commands = [
        shlex.split(line) for line in setup.script().splitlines() if line.startswith("aws ")
    ]
    assert [c[1:3] for c in commands] == [
        ["iam", "create-role"], ["iam", "attach-role-policy"], ["iam", "put-role-policy"],
        ["iam", "wait"], ["lambda", "create-function"], ["lambda", "add-permission"],
        ["s3api", "put-bucket-notification-configuration"],
    ]  # fmt: skip
    # The role exists before the function names it; Lambda may still refuse it a few seconds.
    assert commands[3] == ["aws", "iam", "wait", "role-exists", "--role-name", setup.role_name]
    lines = setup.script().splitlines()
    create = next(i for i, line in enumerate(lines) if "lambda create-function" in line)
    assert any("Lambda may still refuse the role" in line for line in lines[:create])

    def option(command: list[str], name: str) -> str:
        return command[command.index(name) + 1]

    notify = commands[-1]
    assert json.loads(option(notify, "--notification-configuration")) == setup.notification
    assert json.loads(option(commands[4], "--environment")) == {"Variables": setup.environment}
    assert json.loads(option(commands[2], "--policy-document")) == setup.role_policy


@pytest.mark.skipif(shutil.which("zip") is None, reason="the zip command is not installed")
def test_the_zip_command_leaves_out_what_python_wrote_beside_the_worker(tmp_path: Path) -> None:
    setup = trigger_setup(load_profile(str(PROFILE)))
    [command] = [line for line in setup.script().splitlines() if line.startswith("(cd ")]
    package = tmp_path / "worker_image" / "batchtui_worker"
    (package / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "s3_event.py").write_text("")
    (package / "__pycache__" / "s3_event.cpython-312.pyc").write_bytes(b"x")
    (package / "stray.pyc").write_bytes(b"x")
    subprocess.run(["sh", "-c", command], cwd=tmp_path, check=True)
    with zipfile.ZipFile(tmp_path / "s3-event.zip") as z:
        assert sorted(z.namelist()) == [
            "batchtui_worker/", "batchtui_worker/__init__.py", "batchtui_worker/s3_event.py",
        ]  # fmt: skip


def test_placeholders_of_the_example_profile_are_named_with_their_keys() -> None:
    assert placeholders(trigger_setup(load_profile(str(PROFILE)))) == [
        "account id 123456789012 (compute_environments[0].instance_role)",
        "bucket example-image-tagging (data.bucket)",
    ]
    text = PROFILE.read_text().replace("[iam]\n", '[iam]\naccount_id = "210987654321"\n')
    real = text.replace('"example-image-tagging"', '"acme-photos"')
    assert placeholders(trigger_setup(parse_profile(real, "p.toml"))) == []
    docs = text.replace('"210987654321"', '"111122223333"').replace(
        '"example-image-tagging"', '"photos.example"'
    )
    assert placeholders(trigger_setup(parse_profile(docs, "p.toml"))) == [
        "account id 111122223333 (iam.account_id)",
        "bucket photos.example (data.bucket)",
    ]
    # "example" inside a word is not one.
    counter = real.replace('"acme-photos"', '"counterexamples"')
    assert placeholders(trigger_setup(parse_profile(counter, "p.toml"))) == []


def test_a_profile_without_a_bucket_is_told_which_key_and_line() -> None:
    text = PROFILE.read_text().replace('bucket = "example-image-tagging"\n', "")
    with pytest.raises(ProfileError) as e:
        trigger_setup(parse_profile(text, "p.toml"))
    line = text.splitlines().index("[data]") + 1
    assert str(e.value).startswith(f"p.toml:{line}: data.bucket: required")


def test_long_or_odd_profile_names_give_valid_function_and_role_names() -> None:
    text = PROFILE.read_text().replace('name = "image-tagging"\n', f'name = "{"x." * 40}"\n', 1)
    setup = trigger_setup(parse_profile(text, "p.toml"))
    assert len(setup.role_name) <= 64 and len(setup.function_name) <= 64
    assert set(setup.role_name) <= set("x-s3eventrol")


def test_cli_prints_json_and_refuses_without_a_profile(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["submit", "--print-trigger", "--profile", str(PROFILE), "--output", "json"])
    out = capsys.readouterr()
    assert rc == 0
    assert json.loads(out.out) == trigger_setup(load_profile(str(PROFILE))).to_json()
    assert out.err == (
        f"submit --print-trigger: warning: {PROFILE} has placeholders to replace before running "
        "these commands: account id 123456789012 (compute_environments[0].instance_role); "
        "bucket example-image-tagging (data.bucket)\n"
    )
    rc = main(["submit", "--print-trigger"])
    err = capsys.readouterr().err
    assert rc == 2 and "--print-trigger needs --profile NAME|PATH" in err
