"""profiles/sandbox.toml describes the demo account as `batchtui --sandbox` seeds it: apply has
nothing to change there, and raising a maxvCpus in a copy of it is one in-place scaling update.

A demo account of each test's own: the session's demo sandbox must stay as seeded for the tests
that read it."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
from faultproxy import SimClock
from test_apply_cli import REPO, sandbox_aws

from batchtui.cli import main


@pytest.fixture
def demo() -> Iterator[Any]:
    """A demo account of each test's own: one test's apply must not be the other's start."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(seed="demo", manual_clock=True, random_seed=3, demo_trickle=False)
    with Sandbox(config) as sb:
        yield sb


def apply(demo: Any, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["apply", "--output", "json", *argv], aws=sandbox_aws(demo, SimClock()))
    out, err = capsys.readouterr()
    assert out.strip(), err
    return code, json.loads(out)


def test_the_sandbox_profile_matches_the_demo_account(
    demo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = apply(demo, capsys, "--profile", "sandbox", "--dry-run")
    assert code == 0 and doc["steps"] == [] and doc["problems"] == [], doc
    assert doc["summary"] == "no changes"


def test_raising_max_vcpus_over_the_demo_is_one_scaling_update(
    demo: Any, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, aws_client: Any
) -> None:
    text = (REPO / "profiles" / "sandbox.toml").read_text()
    assert text.count("max_vcpus = 64\n") == 1
    copy = tmp_path / "more.toml"
    copy.write_text(text.replace("max_vcpus = 64\n", "max_vcpus = 96\n"))
    code, doc = apply(demo, capsys, "--profile", str(copy), "--yes")
    assert code == 0, doc
    assert [(s["kind"], s["name"]) for s in doc["steps"]] == [("scaling-update", "demo-ondemand")]
    assert doc["steps"][0]["request"]["params"] == {
        "computeEnvironment": "demo-ondemand",
        "computeResources": {"maxvCpus": 96},
    }
    assert doc["outcome"]["verified"] is True
    ce = aws_client(demo, "batch").describe_compute_environments(
        computeEnvironments=["demo-ondemand"]
    )["computeEnvironments"][0]
    assert (ce["status"], ce["computeResources"]["maxvCpus"]) == ("VALID", 96)
    code, doc = apply(demo, capsys, "--profile", str(copy), "--dry-run")
    assert code == 0 and doc["steps"] == []
