"""A compute environment removed from the profile, end to end against the sandbox: the profile's
queue drops it either way; without --allow-delete its deletion is shown as skipped and nothing
else is sent; with it, it is disabled, drained and deleted; a failed step continues on the next
run. A compute environment the profile did not make is never touched. Waits sleep on a simulated
clock that also moves the sandbox's."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from test_apply_cli import DEMO_ROLE, SANDBOX_PROFILE, Profile
from test_apply_removed_queues import run_apply

from batchtui.changes.state import PROFILE_TAG

ONDEMAND = re.search(r'\[\[compute_environments\]\]\nname = "demo-ondemand"\n.*?\n\n',
                     SANDBOX_PROFILE, flags=re.DOTALL)  # fmt: skip


def kinds(doc: dict[str, Any], key: str = "steps") -> list[tuple[str, str]]:
    return [(s["kind"], s["name"]) for s in doc[key]]


def add_extra(p: Profile, instance_profile: str) -> Callable[[], None]:
    """Adds compute environment ``extra`` (like ``ondemand``) to the profile and to the end of
    its queue; returns what removes it from both again."""
    assert ONDEMAND is not None
    extra = p.name("extra")
    block = ONDEMAND.group(0).replace('"demo-ondemand"', f'"{extra}"')
    block = block.replace(DEMO_ROLE, instance_profile)
    block = re.sub(r"^service_role = .*\n", "", block, flags=re.MULTILINE)
    order = f'compute_environments = ["{p.name("spot")}", "{p.name("ondemand")}"]'
    longer = order.replace('"]', f'", "{extra}"]')
    p.edit("[[job_queues]]\n", block + "[[job_queues]]\n")
    p.edit(order, longer)

    def remove() -> None:
        p.edit(block, "")
        p.edit(longer, order)

    return remove


def test_a_compute_environment_removed_from_the_profile_is_detached_then_deleted(
    sandbox: Any, sandbox_faults: Any, aws_client: Any, capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path, unique_name: Any, instance_profile: str,
) -> None:  # fmt: skip
    p = Profile(tmp_path / "p.toml", unique_name("rc"), instance_profile)
    extra, main = p.name("extra"), p.name("main")
    remove = add_extra(p, instance_profile)
    code, doc, err = run_apply(sandbox, capsys, p)
    assert code == 0, err
    batch = aws_client("batch")
    made = batch.describe_compute_environments(computeEnvironments=[extra])
    assert made["computeEnvironments"][0]["tags"] == {PROFILE_TAG: p.prefix}
    # One by hand, in the same account and with a name like the profile's: never touched.
    by_hand = p.name("by-hand")
    batch.create_compute_environment(
        computeEnvironmentName=by_hand, type="MANAGED",
        computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 4, "instanceTypes": ["m5"],
                          "subnets": ["subnet-0de300000000000a2"], "instanceRole": instance_profile},
    )  # fmt: skip

    remove()
    code, doc, err = run_apply(sandbox, capsys, p)
    assert code == 0, err
    assert kinds(doc) == [("queue-update", main)]
    assert kinds(doc, "skipped") == [("retire", extra), ("delete", extra)]
    assert "skipped: 1 deletion" in doc["summary"], doc["summary"]
    assert f"skipped (needs --allow-delete): deleting computeEnvironment {extra}" in err, err
    queue = batch.describe_job_queues(jobQueues=[main])["jobQueues"][0]
    assert extra not in str(queue["computeEnvironmentOrder"])
    ce = batch.describe_compute_environments(computeEnvironments=[extra])["computeEnvironments"]
    assert (ce[0]["state"], ce[0]["status"]) == ("ENABLED", "VALID")  # nothing else was sent

    # The delete fails: the compute environment is left DISABLED and out of every queue.
    sandbox_faults.inject_fault(
        "batch", "DeleteComputeEnvironment", code="ClientException", status=400
    )
    code, doc, err = run_apply(sandbox, capsys, p, "--allow-delete")
    assert code == 1, err
    assert kinds(doc) == [("retire", extra), ("delete", extra)] and doc["skipped"] == []
    assert f"step 2 of 2 failed: - computeEnvironment {extra} (delete)" in err, err
    ce = batch.describe_compute_environments(computeEnvironments=[extra])["computeEnvironments"]
    assert (ce[0]["state"], ce[0]["computeResources"]["minvCpus"]) == ("DISABLED", 0)

    sandbox_faults.clear_faults()
    code, doc, err = run_apply(sandbox, capsys, p, "--allow-delete")
    assert code == 0, err
    assert kinds(doc) == [("delete", extra)]
    sandbox.advance(600)
    left = batch.describe_compute_environments(computeEnvironments=[extra])["computeEnvironments"]
    assert [c["status"] for c in left] in ([], ["DELETED"])
    code, doc, err = run_apply(sandbox, capsys, p, "--allow-delete")
    assert code == 0 and doc["steps"] == [] and doc["skipped"] == [], (err, doc)
    assert not doc["notes"], doc["notes"]
    hand = batch.describe_compute_environments(computeEnvironments=[by_hand])
    assert [(c["state"], c["status"]) for c in hand["computeEnvironments"]] == [
        ("ENABLED", "VALID")
    ]
