"""The CLI's contracts: help, version, exit codes, one-line errors."""

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from batchtui import __version__
from batchtui.aws.session import AwsTarget
from batchtui.cli import build_parser, check_sandbox_options, main
from batchtui.commands.jobs import parse_statuses
from batchtui.errors import UsageError


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"batchtui {__version__}"


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_apply_needs_a_profile_or_a_plan_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply"]) == 2
    assert "give --profile NAME|PATH (or --plan-file PLAN.json)" in capsys.readouterr().err


def test_a_plan_file_that_is_not_a_change_set_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"schemaVersion": 1, "steps": [{"kind": "explode"}]}')
    assert main(["apply", "--plan-file", str(plan)]) == 2
    assert "malformed change set" in capsys.readouterr().err
    plan.write_text("not json")
    assert main(["apply", "--plan-file", str(plan)]) == 2
    assert "not JSON" in capsys.readouterr().err


def test_diagnose_needs_a_job_or_a_queue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose"]) == 2
    assert "give a JOB_ID or --queue Q" in capsys.readouterr().err
    assert main(["diagnose", "--dwell", "-1", "--queue", "q"]) == 2


def test_global_options_after_the_subcommand() -> None:
    from batchtui.cli import build_parser

    args = build_parser().parse_args(
        ["jobs", "--queue", "q", "--region", "eu-west-1", "--read-only"]
    )
    assert args.region == "eu-west-1"
    assert args.read_only is True
    args = build_parser().parse_args(["--region", "eu-west-1", "jobs", "--queue", "q"])
    assert args.region == "eu-west-1"


def test_status_parsing() -> None:
    assert parse_statuses(None)[0] == "SUBMITTED"
    assert parse_statuses(["runnable,RUNNING", "RUNNABLE"]) == ("RUNNABLE", "RUNNING")
    with pytest.raises(UsageError, match="RUNING"):
        parse_statuses(["RUNING"])


@pytest.mark.parametrize("value", ["", " ", ","])
def test_a_status_option_naming_no_status_is_a_usage_error(value: str) -> None:
    # `--status "$S"` with S unset listed nothing and said "0 jobs".
    with pytest.raises(UsageError, match="names no job status"):
        parse_statuses(["RUNNING", value])


def test_bad_status_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        [
            "jobs",
            "--queue",
            "q",
            "--status",
            "DONE",
            "--endpoint-url",
            "http://127.0.0.1:1",
            "--region",
            "us-east-1",
        ]
    )
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "DONE" in err[0]


class TestTargetResolution:
    def test_flags_win_over_environment(self) -> None:
        t = AwsTarget.resolve(region="eu-west-1", environ={"AWS_REGION": "us-west-2"})
        assert t.region == "eu-west-1"

    def test_environment_like_the_aws_cli(self) -> None:
        env = {
            "AWS_DEFAULT_REGION": "us-west-2",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "AWS_PROFILE": "ops",
        }
        t = AwsTarget.resolve(environ=env)
        assert (t.region, t.endpoint_url, t.aws_profile) == (
            "us-west-2",
            "http://127.0.0.1:9",
            "ops",
        )
        assert (
            AwsTarget.resolve(environ={"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "x"}).region
            == "eu-west-1"
        )

    def test_unknown_region_suggests(self) -> None:
        with pytest.raises(UsageError, match="did you mean us-east-1"):
            AwsTarget.resolve(region="us-east1", environ={})

    def test_endpoint_must_be_a_url(self) -> None:
        with pytest.raises(UsageError, match="http"):
            AwsTarget.resolve(region="us-east-1", endpoint_url="127.0.0.1:4566", environ={})

    @pytest.mark.parametrize(
        ("url", "why"),
        [
            ("", "empty"),
            ("  ", "empty"),
            ("http://", "no host"),
            ("http://127.0.0.1:99999", "Port out of range"),
            ("http://[::1", "IPv6"),
        ],
    )
    def test_malformed_endpoint_is_a_usage_error(self, url: str, why: str) -> None:
        # An empty --endpoint-url (an unset shell variable) must never fall back to real AWS.
        with pytest.raises(UsageError, match=why):
            AwsTarget.resolve(region="us-east-1", endpoint_url=url, environ={})

    def test_malformed_endpoint_from_the_environment_names_it(self) -> None:
        with pytest.raises(UsageError, match="AWS_ENDPOINT_URL"):
            AwsTarget.resolve(environ={"AWS_ENDPOINT_URL": "http://:5", "AWS_REGION": "us-east-1"})


def test_unreachable_endpoint_is_one_line_exit_1() -> None:
    env = {
        "PATH": "",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "batchtui",
            "jobs",
            "--queue",
            "q",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "http://127.0.0.1:1" in lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


class TestSandboxOptions:
    def test_sandbox_and_endpoint_url_exclude_each_other(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        for argv in (
            ["--sandbox", "--endpoint-url", "http://127.0.0.1:1", "jobs", "--queue", "q"],
            ["jobs", "--queue", "q", "--sandbox", "--endpoint-url", ""],
            ["--sandbox", "--endpoint-url", "http://127.0.0.1:1"],  # the TUI
        ):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert err.startswith(
                "batchtui: --sandbox and --endpoint-url cannot be used together ("
            )

    def test_another_region_names_the_sandbox_region(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["jobs", "--queue", "q", "--sandbox", "--region", "eu-west-1"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("batchtui: --region eu-west-1: the sandbox runs in us-east-1")

    def test_only_flags_count_not_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("AWS_REGION", "eu-west-1")
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        check_sandbox_options(build_parser().parse_args(["--sandbox", "jobs", "--queue", "q"]))
        check_sandbox_options(build_parser().parse_args(["--sandbox", "--region", "us-east-1"]))


class _Full(io.StringIO):
    """A stdout on a full disk: writing (or, buffered, flushing) fails with ENOSPC."""

    def __init__(self, *, on: str) -> None:
        super().__init__()
        self.on = on

    def write(self, text: str) -> int:
        if self.on == "write":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(text)

    def flush(self) -> None:
        if self.on == "flush":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


PLAN = ["plan", "--profile", "sandbox", "--trials", "5"]  # no AWS, a table on stdout


@pytest.mark.parametrize(
    ("stdout", "message"),
    [
        (None, "stdout is closed"),  # `batchtui ... >&-`: Python sets sys.stdout to None
        (_Full(on="write"), "No space left on device"),
        (_Full(on="flush"), "No space left on device"),  # still buffered when the command ends
    ],
)
def test_output_that_cannot_be_written_is_one_line_exit_1(
    stdout: io.StringIO | None,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(PLAN) == 1
    err = capsys.readouterr().err
    assert (
        err == f"batchtui: cannot write output: {message} (check the disk and where stdout goes)\n"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_reported_not_an_internal_error() -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "batchtui", *PLAN],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert (proc.returncode, proc.stderr) == (
        1,
        "batchtui: cannot write output: No space left on device "
        "(check the disk and where stdout goes)\n",
    )
