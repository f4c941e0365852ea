"""`batchtui apply` end to end against the sandbox: profiles/sandbox.toml (its names made unique
per test) applied to the empty account, then changed one field at a time. Waiting sleeps on a
simulated clock that also moves the sandbox's, so nothing waits for real."""

from __future__ import annotations

import json
import pathlib
import random
import re
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from faultproxy import SimClock

from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main

REPO = pathlib.Path(__file__).resolve().parents[2]
SANDBOX_PROFILE = (REPO / "profiles" / "sandbox.toml").read_text()
SCHEMA = json.loads((REPO / "batchtui" / "data" / "apply.schema.json").read_text())
DEMO_ROLE = "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"

Run = Callable[..., tuple[int, dict[str, Any], str]]


class Profile:
    """profiles/sandbox.toml with its resource names prefixed, written to a file; ``edit``
    replaces one piece of text and writes the file again.

    Named after the prefix too (apply tags the queues it makes with the profile's name, and
    another test's queues are not this profile's). Its compute environments use Batch's
    service-linked role rather than the demo's
    AWSBatchServiceRole, which the empty account lacks (and under which AWS allows no
    infrastructure update in place, what several tests here change)."""

    def __init__(self, path: pathlib.Path, prefix: str, instance_profile: str) -> None:
        self.path = path
        self.prefix = prefix
        assert DEMO_ROLE in SANDBOX_PROFILE and "\nservice_role = " in SANDBOX_PROFILE
        text = SANDBOX_PROFILE.replace('"demo-', f'"{prefix}-').replace(DEMO_ROLE, instance_profile)
        # A profile of its own: the queues apply makes are tagged with the profile's name.
        text = text.replace('name = "sandbox"\n', f'name = "{prefix}"\n', 1)
        self.text = re.sub(r"^service_role = .*\n", "", text, flags=re.MULTILINE)
        self.path.write_text(self.text)

    def name(self, demo_name: str) -> str:
        return f"{self.prefix}-{demo_name}"

    def edit(self, old: str, new: str) -> None:
        assert old in self.text, old
        self.text = self.text.replace(old, new, 1)
        self.path.write_text(self.text)


@pytest.fixture
def profile(tmp_path: pathlib.Path, unique_name: Any, instance_profile: str) -> Profile:
    return Profile(tmp_path / "sandbox.toml", unique_name("ap"), instance_profile)


@pytest.fixture
def sim(sandbox: Any) -> SimClock:
    return SimClock()


def sandbox_aws(sandbox: Any, sim: SimClock, url: str | None = None, **target: Any) -> Aws:
    """Clients whose waits move the sandbox's clock along with the simulated one."""

    def sleep(seconds: float) -> None:
        sim.sleep(seconds)
        sandbox.advance(seconds)

    return Aws(
        AwsTarget(region=sandbox.region, endpoint_url=url or sandbox.url,
                  credentials=("testing", "testing"), **target),
        clock=sim.now, sleep=sleep, rand=random.Random(3).random,
    )  # fmt: skip


@pytest.fixture
def apply(sandbox: Any, sim: SimClock, capsys: pytest.CaptureFixture[str]) -> Run:
    """``apply(profile, *argv)``: exit code, the JSON document (checked against its schema)
    and stderr."""

    def run(p: Profile, *argv: str, aws: Aws | None = None) -> tuple[int, dict[str, Any], str]:
        capsys.readouterr()
        code = main(
            ["apply", "--profile", str(p.path), "--output", "json", *argv],
            aws=aws or sandbox_aws(sandbox, sim),
        )
        out, err = capsys.readouterr()
        doc = json.loads(out) if out.strip() else {}
        if doc:
            jsonschema.validate(doc, SCHEMA)
        return code, doc, err

    return run


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


def ce_of(batch: Any, name: str) -> dict[str, Any]:
    found = batch.describe_compute_environments(computeEnvironments=[name])["computeEnvironments"]
    assert len(found) == 1, name
    return dict(found[0])


def every(batch: Any, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a Describe call: the shared sandbox holds every test's resources."""
    pages = batch.get_paginator(operation).paginate(**params)
    return [item for page in pages for item in page[key]]


def names_with(batch: Any, prefix: str) -> dict[str, list[str]]:
    """What the account has of a profile, counted by listing it."""
    prefix += "-"  # ap-3 is not ap-31
    ces = every(batch, "describe_compute_environments", "computeEnvironments")
    queues = every(batch, "describe_job_queues", "jobQueues")
    jds = every(batch, "describe_job_definitions", "jobDefinitions", status="ACTIVE")
    return {
        "ce": sorted(c["computeEnvironmentName"] for c in ces
                     if c["computeEnvironmentName"].startswith(prefix)),
        "queue": sorted(q["jobQueueName"] for q in queues if q["jobQueueName"].startswith(prefix)),
        "jd": sorted(f"{d['jobDefinitionName']}:{d['revision']}" for d in jds
                     if d["jobDefinitionName"].startswith(prefix)),
    }  # fmt: skip


def steps_of(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["kind"], s["name"]) for s in doc["steps"]]


def test_the_sandbox_profile_creates_everything_then_there_are_no_changes(
    apply: Run, profile: Profile, batch: Any
) -> None:
    code, doc, err = apply(profile, "--yes")
    assert code == 0, err
    assert steps_of(doc) == [
        ("create", profile.name("image-tagger")),
        ("create", profile.name("spot")),
        ("create", profile.name("ondemand")),
        ("create", profile.name("main")),
    ]
    assert doc["outcome"] == {"status": "applied", "stepsDone": 4, "verified": True}
    assert "[4/4] done: + jobQueue" in err
    assert names_with(batch, profile.prefix) == {
        "ce": [profile.name("ondemand"), profile.name("spot")],
        "queue": [profile.name("main")],
        "jd": [profile.name("image-tagger") + ":1"],
    }
    code, doc, err = apply(profile, "--yes")
    assert code == 0 and doc["steps"] == [] and doc["summary"] == "no changes"
    assert "apply: no changes" in err


def test_raising_max_vcpus_is_one_scaling_update(apply: Run, profile: Profile, batch: Any) -> None:
    assert apply(profile, "--yes")[0] == 0
    profile.edit("max_vcpus = 256", "max_vcpus = 320")
    code, doc, err = apply(profile, "--yes")
    assert code == 0, err
    assert len(doc["steps"]) == 1
    step = doc["steps"][0]
    assert (step["kind"], step["name"]) == ("scaling-update", profile.name("spot"))
    assert step["request"] == {
        "operation": "UpdateComputeEnvironment",
        "params": {"computeEnvironment": profile.name("spot"),
                   "computeResources": {"maxvCpus": 320}},
    }  # fmt: skip
    assert ce_of(batch, profile.name("spot"))["computeResources"]["maxvCpus"] == 320


def test_instance_types_of_a_best_fit_progressive_ce_are_one_infrastructure_update(
    apply: Run, profile: Profile, batch: Any
) -> None:
    assert apply(profile, "--yes")[0] == 0
    profile.edit('instance_types = ["m5", "r5"]', 'instance_types = ["m5", "c5"]')
    code, doc, err = apply(profile, "--yes")
    assert code == 0, err
    assert steps_of(doc) == [("infrastructure-update", profile.name("ondemand"))]
    params = doc["steps"][0]["request"]["params"]
    assert params["computeResources"] == {"instanceTypes": ["m5", "c5"]}
    assert params["updatePolicy"] == {
        "terminateJobsOnUpdate": False,
        "jobExecutionTimeoutMinutes": 30,
    }
    ce = ce_of(batch, profile.name("ondemand"))
    assert (ce["status"], ce["computeResources"]["instanceTypes"]) == ("VALID", ["m5", "c5"])


def test_a_best_fit_ce_is_replaced_blue_green_and_the_old_one_kept_disabled(
    apply: Run, profile: Profile, batch: Any
) -> None:
    profile.edit('allocation_strategy = "BEST_FIT_PROGRESSIVE"', 'allocation_strategy = "BEST_FIT"')
    assert apply(profile, "--yes")[0] == 0
    profile.edit('instance_types = ["m5", "r5"]', 'instance_types = ["m5", "c5"]')
    code, doc, err = apply(profile, "--yes")
    assert code == 0, err
    old, new = profile.name("ondemand"), profile.name("ondemand-2")
    assert steps_of(doc) == [("replace", new), ("queue-update", profile.name("main")),
                             ("retire", old)]  # fmt: skip
    queue = batch.describe_job_queues(jobQueues=[profile.name("main")])["jobQueues"][0]
    assert [o["computeEnvironment"].rsplit("/", 1)[-1] for o in queue["computeEnvironmentOrder"]] == [
        profile.name("spot"), new,
    ]  # fmt: skip
    assert ce_of(batch, old)["state"] == "DISABLED"
    assert any("--allow-delete" in n for n in doc["notes"])
    # Run again: nothing to do, the old one is not touched a second time.
    code, doc, _ = apply(profile, "--yes")
    assert code == 0 and doc["steps"] == []
    # With --allow-delete it goes (once drained: it never ran anything).
    code, doc, err = apply(profile, "--yes", "--allow-delete")
    assert code == 0, err
    assert steps_of(doc) == [("delete", old)]
    assert names_with(batch, profile.prefix)["ce"] == [new, profile.name("spot")]


def test_a_lower_desired_vcpus_is_never_sent(apply: Run, profile: Profile, batch: Any) -> None:
    assert apply(profile, "--yes")[0] == 0
    # Demand raised it (here by hand: the same UpdateComputeEnvironment a scale-up sends).
    batch.update_compute_environment(computeEnvironment=profile.name("ondemand"),
                                     computeResources={"desiredvCpus": 8})  # fmt: skip
    profile.edit("desired_vcpus = 2", "desired_vcpus = 4")
    code, doc, err = apply(profile, "--yes")
    assert code == 0, err
    assert doc["steps"] == []
    assert any("desiredvCpus 8 is above the profile's 4; not sent" in n for n in doc["notes"])


def test_a_saved_plan_applies_as_reviewed_and_a_stale_one_is_refused(
    apply: Run, profile: Profile, batch: Any, tmp_path: pathlib.Path
) -> None:
    assert apply(profile, "--yes")[0] == 0
    profile.edit("max_vcpus = 64", "max_vcpus = 96")
    plan = tmp_path / "plan.json"
    code, reviewed, err = apply(profile, "--dry-run", "--out", str(plan))
    assert code == 0 and reviewed["outcome"]["status"] == "dry-run", err
    batch.update_compute_environment(computeEnvironment=profile.name("ondemand"),
                                     computeResources={"maxvCpus": 80})  # fmt: skip
    code, doc, err = apply(profile, "--plan-file", str(plan), "--yes")
    assert code == 2 and doc == {}
    ondemand = profile.name("ondemand")
    assert (
        f"is stale: the account changed since it was made: computeEnvironment {ondemand} "
        f"(changed since) ({ondemand} maxvCpus: 64 when reviewed, 80 now)"
    ) in err, err
    assert ce_of(batch, ondemand)["computeResources"]["maxvCpus"] == 80
    code, reviewed, err = apply(profile, "--dry-run", "--out", str(plan))
    code, applied, err = apply(profile, "--plan-file", str(plan), "--yes")
    assert code == 0, err
    assert applied["steps"] == reviewed["steps"]
    assert ce_of(batch, ondemand)["computeResources"]["maxvCpus"] == 96
    # The same file again: the account moved, by this very change set.
    code, doc, err = apply(profile, "--plan-file", str(plan), "--yes")
    assert code == 2 and "the account already matches the profile (was this change set " in err


def test_without_a_terminal_and_without_yes_nothing_is_sent(
    apply: Run, profile: Profile, batch: Any, sandbox: Any, sim: SimClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    aws = sandbox_aws(sandbox, sim)
    code, _, err = apply(profile, aws=aws)
    assert code == 2
    assert "no terminal to confirm on and no --yes (nothing was sent)" in err
    assert not [
        op for (_, op) in aws.counter.snapshot() if not op.startswith(("Describe", "Get", "List"))
    ]
    assert names_with(batch, profile.prefix) == {"ce": [], "queue": [], "jd": []}


def test_read_only_refuses_before_any_request(
    apply: Run, profile: Profile, sandbox: Any, sim: SimClock
) -> None:
    aws = sandbox_aws(sandbox, sim, read_only=True)
    code, _, err = apply(profile, "--yes", aws=aws)
    assert code == 1
    assert "read-only mode: refused" in err
    assert aws.counter.total == 0


def test_a_change_batch_forbids_is_exit_2_with_nothing_sent(
    apply: Run, profile: Profile, batch: Any, sandbox: Any, sim: SimClock
) -> None:
    profile.edit('instance_types = ["m5", "r5"]', 'instance_types = ["m6g"]')
    aws = sandbox_aws(sandbox, sim)
    code, doc, err = apply(profile, "--yes", aws=aws)
    assert code == 2
    assert doc["outcome"] == {"status": "forbidden"}
    assert "mixes CPU architectures" in err
    assert names_with(batch, profile.prefix) == {"ce": [], "queue": [], "jd": []}


def test_a_recommendation_on_fargate_the_profile_lacks_is_refused(
    apply: Run, profile: Profile, batch: Any
) -> None:
    code, doc, err = apply(profile, "--recommended", "--yes")
    assert code == 2 and doc == {}
    assert "the recommended scenario 'fargate-spot' uses compute environment(s)" in err
    assert names_with(batch, profile.prefix)["ce"] == []


def test_a_recommendation_sets_the_vcpus_of_the_profiles_own_compute_environments(
    apply: Run, profile: Profile, batch: Any
) -> None:
    # 128 GiB a job: too big for Fargate, so the plan recommends a mix of the profile's CEs.
    profile.edit("memory_mib = 2048", "memory_mib = 131072")
    profile.edit("budget_usd = 20", "budget_usd = 100000")
    profile.edit("deadline_hours = 2", "deadline_hours = 48")
    code, doc, err = apply(profile, "--recommended", "--yes")
    assert code == 0, err
    assert "apply: the plan recommends 'spot 100%'" in err
    assert doc["recommended"] is True
    assert doc["notes"][0].startswith("recommended scenario 'spot 100%': cheapest")
    assert ce_of(batch, profile.name("spot"))["computeResources"]["maxvCpus"] == 96
    assert ce_of(batch, profile.name("ondemand"))["computeResources"]["maxvCpus"] == 0
    # The profile's own settings, applied after, are a scaling update of each back.
    code, doc, err = apply(profile, "--yes")
    assert code == 0, err
    assert steps_of(doc) == [
        ("scaling-update", profile.name("spot")),
        ("scaling-update", profile.name("ondemand")),
    ]
