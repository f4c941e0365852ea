"""A job queue removed from the profile, end to end against the sandbox: left alone without
--allow-delete, else disabled, waited on until its jobs have finished (never terminated), then
deleted; a failed delete continues on the next run. Waits sleep on a simulated clock that also
moves the sandbox's."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
from faultproxy import SimClock
from test_apply_cli import Profile, sandbox_aws

from batchtui.cli import main


def run_apply(
    sandbox: Any, capsys: pytest.CaptureFixture[str], p: Profile, *argv: str
) -> tuple[int, dict[str, Any], str]:
    capsys.readouterr()
    code = main(
        ["apply", "--profile", str(p.path), "--output", "json", "--yes", *argv],
        aws=sandbox_aws(sandbox, SimClock()),
    )
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


def test_a_queue_removed_from_the_profile_is_deleted_once_its_jobs_finish(
    sandbox: Any, sandbox_faults: Any, aws_client: Any, capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path, unique_name: Any, instance_profile: str,
) -> None:  # fmt: skip
    p = Profile(tmp_path / "p.toml", unique_name("rq"), instance_profile)
    extra = p.name("extra")
    block = f'[[job_queues]]\nname = "{extra}"\npriority = 5\ncompute_environments = ["{p.name("ondemand")}"]\n\n'  # fmt: skip
    p.edit("[job_definition]\n", block + "[job_definition]\n")
    code, doc, err = run_apply(sandbox, capsys, p)
    assert code == 0, err
    batch = aws_client("batch")
    job = batch.submit_job(
        jobName="still-running", jobQueue=extra, jobDefinition=p.name("image-tagger"),
        containerOverrides={"command": ["sh", "-c", "work && sleep 300"]},
    )["jobId"]  # fmt: skip

    for _ in range(20):  # until it runs: a DISABLED queue places no waiting job
        sandbox.advance(30)
        if batch.describe_jobs(jobs=[job])["jobs"][0]["status"] == "RUNNING":
            break
    assert batch.describe_jobs(jobs=[job])["jobs"][0]["status"] == "RUNNING"

    p.edit(block, "")
    code, doc, err = run_apply(sandbox, capsys, p)
    assert code == 0 and doc["steps"] == [], err
    assert f"jobQueue {extra}: would delete (needs --allow-delete)" in " ".join(doc["notes"])
    queue = batch.describe_job_queues(jobQueues=[extra])["jobQueues"][0]
    assert (queue["state"], queue["status"]) == ("ENABLED", "VALID")

    # The delete fails (after the wait for the job): the queue is left DISABLED, the job done.
    sandbox_faults.inject_fault("batch", "DeleteJobQueue", code="ClientException", status=400)
    code, doc, err = run_apply(sandbox, capsys, p, "--allow-delete")
    assert code == 1, err
    assert [(s["kind"], s["name"]) for s in doc["steps"]] == [("retire", extra), ("delete", extra)]
    assert f"job queue {extra}: waiting for 1 STARTING or RUNNING job(s) to finish" in err, err
    assert f"step 2 of 2 failed: - jobQueue {extra} (delete)" in err, err
    assert batch.describe_jobs(jobs=[job])["jobs"][0]["status"] == "SUCCEEDED"  # not terminated
    queue = batch.describe_job_queues(jobQueues=[extra])["jobQueues"][0]
    assert queue["state"] == "DISABLED"

    sandbox_faults.clear_faults()
    code, doc, err = run_apply(sandbox, capsys, p, "--allow-delete")
    assert code == 0, err
    assert [(s["kind"], s["name"]) for s in doc["steps"]] == [("delete", extra)]
    sandbox.advance(600)
    left = batch.describe_job_queues(jobQueues=[extra])["jobQueues"]
    assert [q["status"] for q in left] in ([], ["DELETED"])
    code, doc, err = run_apply(sandbox, capsys, p, "--allow-delete")
    assert code == 0 and doc["steps"] == [] and not doc["notes"], (err, doc)
    main_queue = batch.describe_job_queues(jobQueues=[p.name("main")])["jobQueues"][0]
    assert main_queue["state"] == "ENABLED"  # the queue the profile names is untouched


def test_jobs_a_disabled_queue_never_places_stop_the_delete_and_are_named(
    sandbox: Any, aws_client: Any, capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path, unique_name: Any, instance_profile: str,
) -> None:  # fmt: skip
    p = Profile(tmp_path / "p.toml", unique_name("rw"), instance_profile)
    extra = p.name("extra")
    block = f'[[job_queues]]\nname = "{extra}"\ncompute_environments = ["{p.name("ondemand")}"]\n\n'
    p.edit("[job_definition]\n", block + "[job_definition]\n")
    assert run_apply(sandbox, capsys, p)[0] == 0
    batch = aws_client("batch")
    job = batch.submit_job(
        jobName="waiting", jobQueue=extra, jobDefinition=p.name("image-tagger"),
        containerOverrides={"command": ["sh", "-c", "work && sleep 60"]},
    )["jobId"]  # fmt: skip
    p.edit(block, "")
    code, doc, err = run_apply(sandbox, capsys, p, "--allow-delete")
    assert code == 1, err
    assert f"job queue {extra} is DISABLED and still holds 1 SUBMITTED, PENDING or RUNNABLE" in err
    assert batch.describe_jobs(jobs=[job])["jobs"][0]["status"] in ("SUBMITTED", "RUNNABLE")
    assert batch.describe_job_queues(jobQueues=[extra])["jobQueues"][0]["status"] == "VALID"
    batch.cancel_job(jobId=job, reason="not needed")
    sandbox.advance(30)
    code, doc, err = run_apply(sandbox, capsys, p, "--allow-delete")
    assert code == 0, err
    assert [(s["kind"], s["name"]) for s in doc["steps"]] == [("delete", extra)]
