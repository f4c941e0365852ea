"""`batchtui submit` end to end against the sandbox, the real image tagger running the arrays:
one item per image in the labels table, and a re-run that submits nothing new, whether the
journal is there or lost."""

from __future__ import annotations

import io
import json
import pathlib
import random
import sys
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from faultproxy import SimClock
from submit_setup import Setup, items, jobs_named, make_setup, run_to_the_end

from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main

REPO = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "batchtui" / "data" / "submit.schema.json").read_text())


@pytest.fixture
def setup(tmp_path: pathlib.Path, aws_client: Any, batch_queue: Any, job_definition: Any,
          unique_name: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> Setup:  # fmt: skip
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return make_setup(tmp_path, aws_client, batch_queue, job_definition, unique_name)


Run = Callable[..., tuple[int, dict[str, Any], str]]


@pytest.fixture
def submit(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> Run:
    """``submit(setup, *argv)``: exit code, the JSON document (checked against its schema) and
    stderr. Retries sleep on a simulated clock that moves the sandbox's along."""

    def run(s: Setup, *argv: str, url: str | None = None, **target: Any) -> tuple[int, dict[str, Any], str]:  # fmt: skip
        sim = SimClock()

        def sleep(seconds: float) -> None:
            sim.sleep(seconds)
            sandbox.advance(seconds)

        aws = Aws(AwsTarget(region=sandbox.region, endpoint_url=url or sandbox.url,
                            credentials=("testing", "testing"), **target),
                  clock=sim.now, sleep=sleep, rand=random.Random(3).random)  # fmt: skip
        capsys.readouterr()
        code = main(["submit", "--profile", str(s.profile), "--images", s.url,
                     "--images-per-job", "2", "--output", "json", *argv], aws=aws)  # fmt: skip
        out, err = capsys.readouterr()
        doc = json.loads(out) if out.strip() else {}
        if doc:
            jsonschema.validate(doc, SCHEMA)
        return code, doc, err

    return run


def test_a_dry_run_lists_plans_and_estimates_but_writes_and_submits_nothing(
    setup: Setup, submit: Run, aws_client: Any
) -> None:
    code, doc, err = submit(setup, "--dry-run")
    assert code == 0, err
    assert doc["status"] == "dry-run"
    assert doc["images"]["count"] == 7
    assert [(j["step"], j["kind"], j.get("arraySize"), j["state"]) for j in doc["jobs"]] == [
        ("array-0000", "array", 4, "pending"),
        ("summary", "summary", None, "pending"),
    ]
    assert doc["jobQueue"] == doc["estimate"]["jobQueue"] == setup.queue
    assert doc["estimate"]["jobs"] == 4
    assert doc["submitJobCalls"] == 0
    assert f"listed 7 objects in {setup.url}" in err
    listing = aws_client("s3").list_objects_v2(Bucket=setup.bucket)["Contents"]
    assert len(listing) == 7, "no manifest was written"
    assert jobs_named(aws_client("batch"), setup.queue, "sandbox-") == []


def test_the_table_shows_the_submission_its_estimate_and_jobs(
    setup: Setup, sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    aws = Aws(AwsTarget(region=sandbox.region, endpoint_url=sandbox.url,
                        credentials=("testing", "testing")))  # fmt: skip
    code = main(["submit", "-p", str(setup.profile), "--images", setup.url, "--dry-run"], aws=aws)
    out = capsys.readouterr().out
    assert code == 0
    assert "submission " in out and "7 in s3://" in out and "vCPU-hours" in out
    assert f"queue       {setup.queue}" in out
    assert "array-0000" in out and "summary" in out and "pending" in out
    # 7 images at the profile's 100 a job: one slice, sent as a plain job (no array of one).
    assert "100 per job: 1 single job, then 1 summary job" in out


class _Terminal(io.StringIO):
    """A terminal the user answers on: what ``confirm`` reads."""

    def isatty(self) -> bool:
        return True


def test_the_question_counts_the_children_the_summary_counts(
    setup: Setup, submit: Run, aws_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary says 4 jobs in 1 array job: the question says the same 4, and the 2
    SubmitJob calls; any answer but yes sends nothing."""
    monkeypatch.setattr(sys, "stdin", _Terminal("no\n"))
    code, doc, err = submit(setup)
    assert code == 0, err
    assert doc["status"] == "cancelled"
    assert (
        "Submit 1 array job of 4 children and 1 summary job (2 SubmitJob calls)? "
        "Only 'yes' submits: "
    ) in err
    assert jobs_named(aws_client("batch"), setup.queue, "sandbox-") == []


def test_submit_tags_every_image_once_and_a_rerun_submits_nothing(
    setup: Setup, submit: Run, sandbox: Any, aws_client: Any
) -> None:
    batch, ddb = aws_client("batch"), aws_client("dynamodb")
    code, doc, err = submit(setup, "--yes")
    assert code == 0, err
    assert doc["status"] == "submitted"
    assert doc["submitJobCalls"] == 2
    assert [j["state"] for j in doc["jobs"]] == ["submitted", "submitted"]
    sid = doc["submissionId"]
    s3 = aws_client("s3")
    manifest = s3.get_object(
        Bucket=setup.bucket, Key=f"batchtui/submissions/{sid}/array-0000.jsonl"
    )
    assert len(manifest["Body"].read().splitlines()) == 7
    assert doc["report"] == f"s3://{setup.bucket}/batchtui/submissions/{sid}/report.json"
    assert f"writes {doc['report']}" in err
    assert "wrote 1 manifest to" in err and f"{sid}: 2 jobs submitted;" in err

    ids = [j["jobId"] for j in doc["jobs"]]
    jobs = run_to_the_end(sandbox, batch, ids)
    assert [j["status"] for j in jobs] == ["SUCCEEDED", "SUCCEEDED"]
    assert jobs[0]["tags"]["batchtui:submission"] == sid
    assert jobs[1]["dependsOn"] == [{"jobId": ids[0]}]
    assert jobs[1]["container"]["command"] == ["python", "-m", "batchtui_worker.summary"]
    assert items(ddb, setup.table) == sorted(f"s3://{setup.bucket}/{k}" for k in setup.images)
    # The summary's report: every image counted, the estimate set against what the jobs ran.
    key = f"batchtui/submissions/{sid}/report.json"
    report = json.loads(s3.get_object(Bucket=setup.bucket, Key=key)["Body"].read())
    assert report["usage"]["estimatedVcpuHours"] == doc["estimate"]["vcpuHours"]
    assert report["usage"]["estimatedCostUsd"] == doc["estimate"]["costUsd"]
    assert report["usage"]["actualVcpuHours"] is not None and report["usage"]["note"] is None

    # The same command again: the same id (manifests are not images), nothing submitted.
    code, again, err = submit(setup, "--yes")
    assert code == 0, err
    assert (again["status"], again["submissionId"], again["submitJobCalls"]) == (
        "nothing-to-do", sid, 0)  # fmt: skip
    assert [j["state"] for j in again["jobs"]] == ["journaled", "journaled"]
    assert "nothing to do" in err
    assert len(jobs_named(batch, setup.queue, f"sandbox-{sid}-")) == 2


def test_a_job_submitted_but_not_journaled_is_found_by_its_name(
    setup: Setup, submit: Run, aws_client: Any, tmp_path: pathlib.Path
) -> None:
    code, doc, _ = submit(setup, "--yes")
    assert code == 0
    sid = doc["submissionId"]
    # Both journals lost, as if the run died between SubmitJob's answer and the journal write.
    aws_client("s3").delete_object(
        Bucket=setup.bucket, Key=f"batchtui/submissions/{sid}/journal.json"
    )
    pathlib.Path(doc["journal"]["local"]).unlink()
    code, again, err = submit(setup, "--yes")
    assert code == 0, err
    assert (again["status"], again["submitJobCalls"]) == ("nothing-to-do", 0)
    assert [(j["state"], j["jobId"]) for j in again["jobs"]] == [
        ("found", j["jobId"]) for j in doc["jobs"]
    ]
    assert len(jobs_named(aws_client("batch"), setup.queue, f"sandbox-{sid}-")) == 2


def test_a_failed_submit_names_the_step_and_what_was_submitted_then_resumes(
    setup: Setup, submit: Run, sandbox_faults: Any, aws_client: Any
) -> None:
    sandbox_faults.inject_fault("batch", "SubmitJob", nth=2, code="ClientException",
                                message="queue is being updated", status=400)  # fmt: skip
    code, doc, err = submit(setup, "--yes")
    assert code == 1
    assert doc["status"] == "failed"
    assert "SubmitJob of summary" in doc["error"] and "queue is being updated" in doc["error"]
    assert "already submitted: 1 of 2 steps (array-0000)" in doc["error"]
    assert "run the same command again" in err
    code, again, err = submit(setup, "--yes")
    assert code == 0, err
    assert [j["state"] for j in again["jobs"]] == ["journaled", "submitted"]
    assert again["submitJobCalls"] == 1
    sid = again["submissionId"]
    assert len(jobs_named(aws_client("batch"), setup.queue, f"sandbox-{sid}-")) == 2


def test_throttled_submits_are_retried_not_doubled(
    setup: Setup, submit: Run, sandbox_faults: Any, aws_client: Any
) -> None:
    sandbox_faults.inject_fault("batch", "SubmitJob", nth=1, times=2,
                                code="TooManyRequestsException", status=429)  # fmt: skip
    code, doc, err = submit(setup, "--yes")
    assert code == 0, err
    assert doc["submitJobCalls"] == 4  # two refused, then each step once
    sid = doc["submissionId"]
    assert len(jobs_named(aws_client("batch"), setup.queue, f"sandbox-{sid}-")) == 2


@pytest.mark.parametrize(
    ("images", "says"),
    [
        ("photos/", "--images 'photos/': not an s3:// URL"),
        ("s3://no-such-bucket-here/", "the bucket 'no-such-bucket-here' does not exist"),
        ("s3://{bucket}/nothing-here/", "no images there"),
        ("s3://{bucket}/ --images-per-job 0", "--images-per-job 0: must be at least 1"),
    ],
)
def test_bad_image_locations_are_bad_input(
    setup: Setup, submit: Run, images: str, says: str
) -> None:
    code, doc, err = submit(setup, "--images", *images.format(bucket=setup.bucket).split())
    assert code == 2
    assert doc == {}
    assert says in err


def test_a_profile_error_names_the_file_and_key(setup: Setup, submit: Run) -> None:
    setup.profile.write_text(setup.profile.read_text().replace("images_per_job = 100", "images_per_job = 0"))  # fmt: skip
    code, _, err = submit(setup, "--dry-run")
    assert code == 2
    assert f"{setup.profile}:" in err and "images_per_job" in err


def test_the_profiles_array_size_caps_the_children_of_each_array(setup: Setup, submit: Run) -> None:
    """7 images at 2 a job are 4 children: at workload.array_size 3, arrays of 3 and 1 (a plain
    job); the estimate is made on those; the id differs from the same images at another size."""
    text = setup.profile.read_text()
    code, before, err = submit(setup, "--dry-run")
    assert code == 0, err
    setup.profile.write_text(text.replace("array_size = 200", "array_size = 3"))
    code, doc, err = submit(setup, "--dry-run")
    assert code == 0, err
    assert [(j["step"], j["kind"], j.get("arraySize"), j.get("imageCount")) for j in doc["jobs"]] == [
        ("array-0000", "array", 3, 6),
        ("array-0001", "job", 1, 1),
        ("summary", "summary", None, None),
    ]  # fmt: skip
    assert doc["estimate"]["jobs"] == 4
    assert doc["submissionId"] != before["submissionId"]


@pytest.mark.parametrize("size", [1, 10_001])
def test_an_array_size_submit_cannot_make_names_the_profiles_line(
    setup: Setup, submit: Run, size: int
) -> None:
    text = setup.profile.read_text()
    setup.profile.write_text(text.replace("array_size = 200", f"array_size = {size}"))
    line = 1 + text.splitlines().index("array_size = 200")
    code, doc, err = submit(setup, "--dry-run")
    assert (code, doc) == (2, {})
    assert (
        f"{setup.profile}:{line}: workload.array_size: {size:,}: submit makes array jobs of 2"
        in err
    )
    assert "Traceback" not in err


def test_read_only_refuses_before_any_request_and_without_a_terminal_nothing_is_sent(
    setup: Setup, submit: Run, aws_client: Any, capsys: pytest.CaptureFixture[str], sandbox: Any
) -> None:
    aws = Aws(AwsTarget(region=sandbox.region, endpoint_url=sandbox.url,
                        credentials=("testing", "testing"), read_only=True))  # fmt: skip
    argv = ["submit", "-p", str(setup.profile), "--images", setup.url, "--yes"]
    assert main(argv, aws=aws) == 1
    assert "read-only mode: refused batch:SubmitJob (nothing was sent)" in capsys.readouterr().err
    assert aws.counter.total == 0
    # A dry run only reads: it works read-only.
    assert main([*argv[:-1], "--dry-run"], aws=aws) == 0
    assert aws.counter.get("batch", "SubmitJob") == aws.counter.get("s3", "PutObject") == 0
    # No --yes and stdin is not a terminal (pytest's): refused after the reads, before a write.
    code, _, err = submit(setup)
    assert code == 2
    assert "no terminal to confirm on and no --yes (nothing was sent)" in err
    assert jobs_named(aws_client("batch"), setup.queue, "sandbox-") == []
    assert len(aws_client("s3").list_objects_v2(Bucket=setup.bucket)["Contents"]) == 7


def test_the_schema_is_a_valid_json_schema_that_refuses_snake_case() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema_version": 1, "submission_id": "0123456789abcdef"}, SCHEMA)


def test_a_queue_or_job_definition_that_is_not_there_is_named_before_anything_is_written(
    setup: Setup, submit: Run, aws_client: Any
) -> None:
    text = setup.profile.read_text()
    setup.profile.write_text(text.replace(f'"{setup.queue}"', '"no-such-queue"')
                             .replace(f'"{setup.job_definition}"', '"no-such-definition"'))  # fmt: skip
    code, doc, err = submit(setup, "--yes")
    assert code == 2 and doc == {}
    assert "not submitting: job queue 'no-such-queue' does not exist" in err
    assert "job definition 'no-such-definition' has no ACTIVE revision" in err
    assert "batchtui apply --profile" in err
    assert len(aws_client("s3").list_objects_v2(Bucket=setup.bucket)["Contents"]) == 7
    # A dry run still estimates, and warns that a real submit would be refused.
    code, doc, err = submit(setup, "--dry-run")
    assert code == 0 and doc["status"] == "dry-run"
    assert "warning: job queue 'no-such-queue' does not exist" in err

    # A DISABLED queue: Batch would refuse every job.
    setup.profile.write_text(text)
    batch = aws_client("batch")
    batch.update_job_queue(jobQueue=setup.queue, state="DISABLED")
    try:
        code, _, err = submit(setup, "--yes")
    finally:
        batch.update_job_queue(jobQueue=setup.queue, state="ENABLED")
    assert code == 2 and f"job queue '{setup.queue}' is DISABLED" in err
    assert jobs_named(batch, setup.queue, "sandbox-") == []
