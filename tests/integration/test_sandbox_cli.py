"""`batchtui sandbox serve` as a user runs it: URL first on stdout, aws CLI works, clean exits."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys

import pytest

AWS = shutil.which("aws") or "/root/.pyenv/shims/aws"


def _env(url: str) -> dict[str, str]:
    return os.environ | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": url,
    }


def test_serve_prints_the_url_first_and_stops_cleanly_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "batchtui", "sandbox", "serve", "--seed", "empty"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()  # blocks until the server is up
        assert url.startswith("http://127.0.0.1:")
        import boto3

        batch = boto3.client("batch", endpoint_url=url, region_name="us-east-1",
                             aws_access_key_id="x", aws_secret_access_key="y")  # fmt: skip
        assert batch.describe_job_queues()["jobQueues"] == []
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "AWS_ENDPOINT_URL=" + url in err
    assert "GET /" not in err and "POST /" not in err  # no per-request log lines


def test_taken_port_is_a_usage_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "batchtui", "sandbox", "serve", "--seed", "empty",
             "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("batchtui: cannot listen on 127.0.0.1:")


@pytest.mark.skipif(not os.path.exists(AWS), reason="awscli is not installed")
def test_aws_cli_sees_stuck_jobs_and_log_lines(demo_sandbox: object) -> None:
    url = demo_sandbox.url  # type: ignore[attr-defined]

    def aws(*args: str) -> dict:
        done = subprocess.run([AWS, *args, "--output", "json"], env=_env(url),
                              capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
        return json.loads(done.stdout)

    stuck = aws("batch", "list-jobs", "--endpoint-url", url, "--job-queue", "demo-batch-low",
                "--job-status", "RUNNABLE")["jobSummaryList"]  # fmt: skip
    reasons = {j["jobName"]: j.get("statusReason", "") for j in stuck}
    assert reasons.pop("simulate-72-cores").startswith(
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    )
    assert reasons and set(reasons.values()) == {""}  # held back behind it
    submitted = aws("batch", "submit-job", "--job-name", "by-cli", "--job-queue", "demo-main",
                    "--job-definition", "demo-etl", "--container-overrides",
                    json.dumps({"command": ["sh", "-c", "sleep 120"]}))  # fmt: skip
    demo_sandbox.advance(900)  # type: ignore[attr-defined]
    job = aws("batch", "describe-jobs", "--jobs", submitted["jobId"])["jobs"][0]
    assert job["status"] == "SUCCEEDED"
    events = aws("logs", "get-log-events", "--log-group-name", "/aws/batch/job",
                 "--log-stream-name", job["container"]["logStreamName"],
                 "--start-from-head")["events"]  # fmt: skip
    assert events[0]["message"].startswith("[batch] job by-cli")
    assert events[-1]["message"] == "exiting with status 0"


@pytest.mark.parametrize("speed", ["inf", "nan", "0", "-1", "1e9"])
def test_speed_must_be_a_finite_positive_number(
    speed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from batchtui.cli import main

    # inf made the scheduler spin at 100% CPU and every client hang.
    assert main(["sandbox", "serve", "--seed", "empty", f"--speed={speed}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--speed must be" in err[0]


@pytest.mark.skipif(not os.path.exists(AWS), reason="awscli is not installed")
def test_aws_cli_sees_one_account_per_region_and_terminates_missing_jobs(
    demo_sandbox: object,
) -> None:
    url = demo_sandbox.url  # type: ignore[attr-defined]

    def aws(*args: str) -> dict:
        done = subprocess.run([AWS, *args, "--output", "json"], env=_env(url),
                              capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
        return json.loads(done.stdout) if done.stdout.strip() else {}

    assert aws("batch", "describe-job-queues", "--region", "us-east-1")["jobQueues"]
    assert aws("batch", "describe-job-queues", "--region", "eu-north-1")["jobQueues"] == []
    made = aws("batch", "create-compute-environment", "--region", "eu-north-1",
               "--compute-environment-name", "cli-unmanaged", "--type", "UNMANAGED")  # fmt: skip
    assert made["computeEnvironmentArn"].startswith("arn:aws:batch:eu-north-1:")
    home = aws("batch", "describe-compute-environments", "--region", "us-east-1",
               "--compute-environments", "cli-unmanaged")  # fmt: skip
    assert home["computeEnvironments"] == []
    assert aws("batch", "terminate-job", "--job-id", "no-such-job", "--reason", "x") == {}


def test_serve_seeds_the_region_asked_for() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "batchtui", "sandbox", "serve", "--seed", "empty",
         "--region", "eu-west-2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        import boto3

        batch = boto3.client("batch", endpoint_url=url, region_name="eu-west-2",
                             aws_access_key_id="x", aws_secret_access_key="y")  # fmt: skip
        made = batch.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
        assert made["computeEnvironmentArn"].startswith("arn:aws:batch:eu-west-2:")
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "AWS_DEFAULT_REGION=eu-west-2" in err
