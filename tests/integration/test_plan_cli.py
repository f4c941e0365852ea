"""`batchtui plan` end to end: exit codes, JSON against its schema, --check, --plot, seeds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from batchtui.cli import main

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "batchtui" / "data" / "plan.schema.json").read_text())
PROFILES = REPO / "profiles"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["image-tagging", "new-account", "sandbox"])
def test_json_matches_the_schema(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, "plan", "--profile", str(PROFILES / f"{name}.toml"), "-o", "json",
                       "--trials", "50")  # fmt: skip
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert code == (0 if doc["recommendation"]["scenario"] else 3)
    assert doc["sources"]["priceDate"] == "2026-11-01"
    assert "bundled snapshot 2026-11-01" in doc["sources"]["prices"]


def test_json_says_what_each_warning_is_about_and_counts_submit_calls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "plan", "--profile", str(PROFILES / "image-tagging.toml"), "-o", "json",
                    "--trials", "50")  # fmt: skip
    doc = json.loads(out)
    about = {(w["code"], w["scope"], w["scenario"]) for w in doc["warnings"]}
    assert ("SCALE_UP_LATENCY", "profile", "profile") in about
    assert ("FARGATE_NEEDS_ITS_OWN_QUEUE", "recommendation", "fargate-spot") in about
    assert doc["recommendation"]["settings"][0]["fargateTask"] == {"vcpus": 1.0, "memoryMiB": 2048}
    submit = doc["submit"]
    assert (submit["arrayJobs"], submit["singleJobCalls"], submit["singleSubmitSeconds"]) == (
        1,
        1000,
        20.0,
    )
    doc["warnings"][0]["scope"] = "elsewhere"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_the_schema_rejects_a_changed_document(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "plan", "--profile", str(PROFILES / "sandbox.toml"), "-o", "json")
    doc = json.loads(out)
    doc["scenarios"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_table_has_the_recommendation_on_top_and_the_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "plan", "--profile", str(PROFILES / "new-account.toml"), "--plot")
    assert code == 0
    lines = out.splitlines()
    assert lines[2].startswith("Prices: bundled snapshot 2026-11-01")
    assert lines[4].startswith("RECOMMENDATION: ")
    assert "MAXVCPUS_ABOVE_QUOTA" in out and "it can reach 64 vCPUs" in out
    assert "expected cost (USD) vs p50 makespan" in out and "vCPUs over time" in out


def test_same_seed_same_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("plan", "--profile", str(PROFILES / "image-tagging.toml"), "-o", "json")
    first = run(capsys, *args, "--seed", "11")[1]
    assert run(capsys, *args, "--seed", "11")[1] == first
    assert run(capsys, *args, "--seed", "12")[1] != first


def test_check_only_validates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "--profile", str(PROFILES / "image-tagging.toml"),
                         "--check")  # fmt: skip
    assert (code, out) == (0, "")
    assert "valid profile 'image-tagging'" in err


def test_bad_profile_exits_2_naming_file_line_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        (PROFILES / "image-tagging.toml").read_text().replace("max_vcpus = 128", "max_vcpus = -1")
    )
    bad = tmp_path / "x.toml"
    bad.write_text(text)
    code, out, err = run(capsys, "plan", "--profile", str(bad), "--check")
    assert code == 2 and out == ""
    assert f"{bad}:31: compute_environments[1].max_vcpus: must be >= 0 (got -1)" in err
    assert "Traceback" not in err


def test_no_scenario_meets_the_deadline_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        (PROFILES / "new-account.toml")
        .read_text()
        .replace("deadline_hours = 8", "deadline_hours = 0.1")
    )
    path = tmp_path / "tight.toml"
    path.write_text(text)
    code, out, err = run(capsys, "plan", "--profile", str(path))
    assert code == 3
    assert "RECOMMENDATION: none" in out
    assert "no scenario meets the deadline and the budget" in err


def test_blocking_summary_names_each_code_once_with_what_it_is_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (PROFILES / "new-account.toml").read_text()
    path = tmp_path / "desired.toml"
    path.write_text(text.replace("desired_vcpus = 0", "desired_vcpus = 300"))
    code, _, err = run(capsys, "plan", "--profile", str(path), "--trials", "20")
    assert code == 3
    assert err.strip() == (
        "batchtui: blocking problems: DESIRED_OUTSIDE_RANGE (tagging-spot, tagging-on-demand) "
        "(the plan's warnings on stdout say each one and its fix)"
    )
    code, _, err = run(capsys, "plan", "--profile", str(path), "--trials", "20", "--output", "json")
    assert code == 3 and err.strip().endswith(
        "(the plan's warnings in the JSON document on stdout say each one and its fix)"
    )


def test_a_profile_error_is_one_line_naming_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "(see --help)" after it: the line says what is wrong and where, --help adds nothing."""
    path = tmp_path / "negative.toml"
    path.write_text((PROFILES / "new-account.toml").read_text().replace(
        "max_vcpus = ", "max_vcpus = -", 1))  # fmt: skip
    code, _, err = run(capsys, "plan", "--profile", str(path))
    (line,) = err.strip().splitlines()
    assert code == 2 and line.startswith(f"batchtui: {path}:"), line
    assert line.endswith(
        "compute_environments[0].max_vcpus: must be >= 0 (got -256) "
        "(fix it in the profile and run again)"
    ), line
    code, _, err = run(capsys, "plan", "--profile", str(tmp_path / "missing.toml"))
    missing = f"batchtui: {tmp_path / 'missing.toml'}: no such profile file"
    todo = "give a path to a .toml file, or the NAME of profiles/NAME.toml"
    assert (code, err.strip()) == (2, f"{missing} ({todo})")


def test_bad_trials_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "plan", "--profile", "sandbox", "--trials", "0")[0] == 2


def test_plan_does_not_import_boto3_or_textual_without_live() -> None:
    code = (
        "import sys; from batchtui.cli import main; "
        f"rc = main(['plan', '--profile', {str(PROFILES / 'sandbox.toml')!r}, '-o', 'json']); "
        "print(sorted(m for m in ('boto3', 'botocore', 'textual', 'moto') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_name_lookup_works_from_any_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "batchtui", "plan", "--profile", "new-account", "--check"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_live_reads_the_sandbox(
    sandbox: object, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Any endpoint needs credentials; the sandbox accepts any.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    url = sandbox.url  # type: ignore[attr-defined]
    code, out, _ = run(capsys, "plan", "--profile", str(PROFILES / "sandbox.toml"), "--live",
                       "--endpoint-url", url, "--region", "us-east-1", "-o", "json",
                       "--trials", "20")  # fmt: skip
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert doc["sources"]["prices"].startswith("live ")
    assert "Service Quotas" in doc["sources"]["quotas"]
    assert doc["quotas"] == {"ON_DEMAND": 256.0, "SPOT": 128.0}
    assert code in (0, 3)
