"""A compute environment and a queue under the profile's names that the profile did not make
(no batchtui:profile tag), end to end against the sandbox: apply refuses, naming them, and sends
nothing; --adopt tags them as the profile's first, then changes them as the profile says; a
run that fails after adopting continues without --adopt. Waits sleep on a simulated clock that also moves the
sandbox's."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from test_apply_cli import Profile
from test_apply_removed_queues import run_apply

from batchtui.changes.state import PROFILE_TAG


def test_resources_the_profile_did_not_make_are_adopted_only_with_adopt(
    sandbox: Any, sandbox_faults: Any, aws_client: Any, capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path, unique_name: Any, instance_profile: str,
) -> None:  # fmt: skip
    p = Profile(tmp_path / "p.toml", unique_name("ad"), instance_profile)
    assert run_apply(sandbox, capsys, p)[0] == 0
    batch = aws_client("batch")
    ondemand, main = p.name("ondemand"), p.name("main")
    ce_arn = batch.describe_compute_environments(computeEnvironments=[ondemand])[
        "computeEnvironments"
    ][0]["computeEnvironmentArn"]
    queue_arn = batch.describe_job_queues(jobQueues=[main])["jobQueues"][0]["jobQueueArn"]
    # As if made by hand (or by a batchtui that did not tag compute environments yet).
    for arn in (ce_arn, queue_arn):
        batch.untag_resource(resourceArn=arn, tagKeys=[PROFILE_TAG])
    p.edit("max_vcpus = 64", "max_vcpus = 96")

    code, doc, err = run_apply(sandbox, capsys, p)
    assert code == 2, err
    assert doc["summary"] == "refused: 2 problems below, nothing is sent"
    assert doc["problems"][0].startswith(
        f"computeEnvironment {ondemand} exists but is not managed by profile '{p.prefix}'"
    ), doc["problems"]
    assert doc["problems"][1].startswith(f"jobQueue {main} exists but is not managed")
    assert "adopt it with `batchtui apply --adopt`" in err, err
    ce = batch.describe_compute_environments(computeEnvironments=[ondemand])
    assert ce["computeEnvironments"][0]["computeResources"]["maxvCpus"] == 64  # nothing sent

    # The second adoption fails: the compute environment is adopted, the queue is not yet.
    sandbox_faults.inject_fault("batch", "TagResource", nth=2, code="ClientException", status=400)
    code, doc, err = run_apply(sandbox, capsys, p, "--adopt")
    assert code == 1, err
    assert [(s["kind"], s["name"]) for s in doc["steps"]] == [
        ("adopt", ondemand), ("adopt", main), ("scaling-update", ondemand),
    ]  # fmt: skip
    assert f"step 2 of 3 failed: ~ jobQueue {main} (adopt)" in err, err
    sandbox_faults.clear_faults()

    # Then the scaling update after the adoption fails: the next run has only it left to do.
    sandbox_faults.inject_fault(
        "batch", "UpdateComputeEnvironment", code="ClientException", status=400
    )
    code, doc, err = run_apply(sandbox, capsys, p, "--adopt")
    assert code == 1, err
    assert [(s["kind"], s["name"]) for s in doc["steps"]] == [
        ("adopt", main), ("scaling-update", ondemand),
    ]  # fmt: skip
    assert f"step 2 of 2 failed: ~ computeEnvironment {ondemand} (scaling-update)" in err, err

    sandbox_faults.clear_faults()
    code, doc, err = run_apply(sandbox, capsys, p)  # adopted: no --adopt needed any more
    assert code == 0, err
    assert [(s["kind"], s["name"]) for s in doc["steps"]] == [("scaling-update", ondemand)]
    for arn in (ce_arn, queue_arn):
        assert batch.list_tags_for_resource(resourceArn=arn)["tags"][PROFILE_TAG] == p.prefix
    ce = batch.describe_compute_environments(computeEnvironments=[ondemand])
    assert ce["computeEnvironments"][0]["computeResources"]["maxvCpus"] == 96
    code, doc, err = run_apply(sandbox, capsys, p)
    assert code == 0 and doc["steps"] == [], err
