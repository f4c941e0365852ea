"""`batchtui submit --status` on a submission the real worker runs in the sandbox's Batch.

The submission is made by hand as ``batchtui submit`` makes it (the pure core, SubmitJob, the
journal written to S3 after each job), on a compute environment that runs one child at a time,
so each step of the sandbox's clock ends a known child: the counts are exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main
from batchtui.profiles import load_profile
from batchtui.sandbox.images import sample_images
from batchtui.submission import (
    Image,
    Journal,
    Layout,
    SubmitOptions,
    manifest_body,
    pending_steps,
    plan_submission,
    profile_ref,
    submit_request,
)

REPO = Path(__file__).parents[2]
SCHEMA = json.loads((REPO / "batchtui" / "data" / "submission-status.schema.json").read_text())
PROFILE = REPO / "profiles" / "image-tagging.toml"


@pytest.fixture
def on_sandbox(monkeypatch: pytest.MonkeyPatch, sandbox: Any) -> Any:
    """The CLI's AWS target is the session sandbox."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.url)
    monkeypatch.setenv("AWS_REGION", sandbox.region)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    return sandbox


def tagging_profile(tmp_path: Path, bucket: str) -> str:
    """The image-tagging profile with its [data] bucket made ``bucket``."""
    text = PROFILE.read_text().replace('bucket = "example-image-tagging"', f'bucket = "{bucket}"')
    path = tmp_path / "tagging.toml"
    path.write_text(text)
    return str(path)


def submit_by_hand(aws_client: Any, bucket: str, table: str, queue: str, jobdef: str,
                   images: int, per_job: int) -> Layout:  # fmt: skip
    """Images in ``bucket``, the labels table, the manifests and the jobs, the journal in S3."""
    s3, ddb, batch = aws_client("s3"), aws_client("dynamodb"), aws_client("batch")
    s3.create_bucket(Bucket=bucket)
    for key, body in sample_images(images, seed=5):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "image_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "image_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    listing = s3.list_objects_v2(Bucket=bucket)["Contents"]
    layout, kept = plan_submission(
        profile_ref("image-tagging", PROFILE.read_bytes()),
        [Image(o["Key"], o["ETag"]) for o in listing],
        SubmitOptions(bucket, per_job),
    )
    for array in layout.arrays:
        s3.put_object(Bucket=bucket, Key=array.manifest_key, Body=manifest_body(kept, array))
    journal = Journal(layout.submission_id)
    for step in pending_steps(layout, journal):
        request = submit_request(layout, step, job_queue=queue, job_definition=jobdef,
                                 job_ids=journal.job_ids)  # fmt: skip
        journal = journal.recorded(step, batch.submit_job(**request)["jobId"])
        s3.put_object(Bucket=bucket, Key=layout.journal_key, Body=journal.to_json(layout).encode())
    return layout


def status(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["submit", "--status", *args])
    out, err = capsys.readouterr()
    return code, out, err


def children(aws_client: Any, array_id: str, status: str) -> list[int]:
    page = aws_client("batch").list_jobs(arrayJobId=array_id, jobStatus=status)
    return sorted(j["arrayProperties"]["index"] for j in page["jobSummaryList"])


def step_until(sandbox: Any, done: Callable[[], bool]) -> None:
    """Step the clock (and let the real workers finish) until ``done()``."""
    for _ in range(60):
        if done():
            return
        sandbox.advance(20)
        assert sandbox.wait_for_workers(timeout=120)
    raise AssertionError("the submission did not get there in 60 steps of 20 s")


def test_status_counts_children_images_and_failures_mid_run_and_at_the_end(
    on_sandbox: Any,
    sandbox_faults: Any,
    aws_client: Any,
    batch_queue: Any,
    job_definition: Any,
    unique_name: Callable[[str], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket, table = unique_name("status-photos"), unique_name("status-labels")
    retry = load_profile(str(PROFILE)).job_definition.retry_strategy.to_api()
    # 2 vCPUs a child on a CE of 2 vCPUs: one child at a time, in index order.
    jobdef = job_definition(["python", "-m", "batchtui_worker.tagger"], vcpus="2",
                            retryStrategy=retry,
                            container={"environment": [{"name": "LABELS_TABLE",
                                                        "value": table}]})  # fmt: skip
    queue = batch_queue(ces=[{"maxvCpus": 2}])["queue"]
    # 7 images, 2 a child: children 0-2 hold 2 images, child 3 holds 1.
    layout = submit_by_hand(aws_client, bucket, table, queue, jobdef, images=7, per_job=2)
    sid = layout.submission_id
    profile = tagging_profile(tmp_path, bucket)
    array_id = json.loads(
        aws_client("s3").get_object(Bucket=bucket, Key=layout.journal_key)["Body"].read()
    )["arrays"][0]["jobId"]

    step_until(on_sandbox, lambda: children(aws_client, array_id, "SUCCEEDED") == [0, 1])
    # The next child's write is refused: the worker says misconfigured (exit 2), which the
    # profile's retry strategy does not retry.
    sandbox_faults.inject_fault("dynamodb", "PutItem", code="AccessDeniedException",
                                message="not allowed to write the labels table")  # fmt: skip
    step_until(on_sandbox, lambda: children(aws_client, array_id, "FAILED") == [2])

    code, out, err = status(capsys, sid, "--profile", profile, "--output", "json")
    assert code == 0, err
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert doc["submissionId"] == sid and doc["bucket"] == bucket
    summary = doc["arrays"][0]["statusSummary"]
    assert doc["childrenByStatus"]["SUCCEEDED"] == 2 and doc["childrenByStatus"]["FAILED"] == 1
    assert sum(summary.values()) == 4 and summary["SUCCEEDED"] == 2
    assert (doc["imagesDone"], doc["imagesFailed"], doc["imagesLeft"]) == (4, 2, 1)
    assert doc["fractionDone"] == round(4 / 7, 6)
    assert doc["status"] == "RUNNING" and doc["failedCount"] == 1
    [failure] = doc["failures"]
    assert failure["jobId"] == f"{array_id}:2" and failure["arrayIndex"] == 2
    assert failure["exitCode"] == 2
    assert failure["statusReason"]
    # Child 3 waits for the capacity child 2 held (the clock stands still between steps) and
    # none runs: no rate, no ETA.
    assert doc["childrenByStatus"]["RUNNING"] == 0
    assert doc["childrenByStatus"]["RUNNABLE"] + doc["childrenByStatus"]["STARTING"] == 1
    assert doc["imagesPerSecond"] is None and doc["etaSeconds"] is None

    step_until(on_sandbox, lambda: children(aws_client, array_id, "SUCCEEDED") == [0, 1, 3])
    step_until(on_sandbox, lambda: json.loads(status(capsys, sid, "-p", profile, "-o", "json")[1])
               ["steps"][0]["status"] in ("SUCCEEDED", "FAILED"))  # fmt: skip
    code, out, err = status(capsys, sid, "--profile", profile)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Submission {sid}  s3://{bucket}  FAILED"
    assert lines[1].startswith("Images     5 of 7 done (71%)  [#####################")
    assert lines[1].endswith("2 in failed children  0 left")
    assert "RUNNING 0  SUCCEEDED 3  FAILED 1" in lines[2]
    assert lines[3] == "Progress   finished"
    assert "Failures: 2 failed (listed 1)" in out  # the child, and the summary it left
    assert f"{array_id}:2" in out
    assert f"read from s3://{bucket}/batchtui/submissions/{sid}/journal.json" in err

    # Without --profile: looked for in every planning profile's bucket (./profiles and the
    # bundled ones, whose example bucket does not exist here).
    (tmp_path / "profiles").mkdir()
    Path(profile).rename(tmp_path / "profiles" / "tagging.toml")
    monkeypatch.chdir(tmp_path)
    code, out, err = status(capsys, sid, "--output", "json")
    assert code == 0, err
    assert json.loads(out)["imagesDone"] == 5


def test_an_unknown_submission_exits_1_and_a_bad_id_2_with_a_clear_message(
    on_sandbox: Any,
    aws_client: Any,
    unique_name: Callable[[str], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bucket = unique_name("status-empty")
    aws_client("s3").create_bucket(Bucket=bucket)
    profile = tagging_profile(tmp_path, bucket)
    # Well-formed but in no bucket: it does not exist, as an unknown job or queue (exit 1).
    code, out, err = status(capsys, "00112233445566ff", "--profile", profile)
    assert (code, out) == (1, "")
    assert f"no submission 00112233445566ff in s3://{bucket}/batchtui/submissions/" in err
    assert "Traceback" not in err
    code, out, err = status(capsys, "not-an-id", "--profile", profile)
    assert (code, out) == (2, "")
    assert "submission 'not-an-id': not a submission id" in err
    missing = tagging_profile(tmp_path, unique_name("status-no-such-bucket"))
    code, _, err = status(capsys, "00112233445566ff", "--profile", missing)
    assert code == 1 and "no submission 00112233445566ff" in err
    # Malformed: bad input (exit 2), whatever the buckets.
    code, _, err = status(capsys, "00112233445566f", "--profile", profile)
    assert code == 2 and "not a submission id" in err and "Traceback" not in err

    assert "--sandbox" not in err  # a served sandbox or AWS: nothing of the in-process one


def test_on_an_in_process_sandbox_not_found_says_each_command_has_its_own(
    on_sandbox: Any,
    aws_client: Any,
    unique_name: Callable[[str], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`batchtui --sandbox submit` then `batchtui --sandbox submit --status ID`: two sandboxes.
    The clients of an in-process sandbox are given, as --sandbox makes them (starting one
    more sandbox would say nothing more)."""
    bucket = unique_name("status-fresh")
    aws_client("s3").create_bucket(Bucket=bucket)
    profile = tagging_profile(tmp_path, bucket)
    sandbox = on_sandbox
    aws = Aws(AwsTarget(region=sandbox.region, endpoint_url=sandbox.url, sandbox=True,
                        credentials=("testing", "testing")))  # fmt: skip
    code = main(["--sandbox", "submit", "--status", "00112233445566ff", "--profile", profile],
                aws=aws)  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        f"batchtui: no submission 00112233445566ff in s3://{bucket}/batchtui/submissions/ "
        "(each --sandbox command starts a fresh sandbox, so a submission made by another "
        "command is not in it: run `batchtui sandbox serve` in another terminal, paste the "
        "export line it prints (AWS_ENDPOINT_URL and the keys; --endpoint-url URL works too "
        "with those keys), then run `batchtui submit` and `batchtui submit --status ID "
        "--profile P` without --sandbox)\n"
    )


def test_an_aws_failure_exits_1(
    on_sandbox: Any, sandbox_faults: Any, unique_name: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    profile = tagging_profile(tmp_path, unique_name("status-failing"))
    sandbox_faults.inject_fault("s3", "GetObject", code="AccessDenied", status=403)
    code, out, err = status(capsys, "00112233445566ff", "--profile", profile)
    assert (code, out) == (1, "")
    assert "access denied to s3:GetObject" in err and "Traceback" not in err
