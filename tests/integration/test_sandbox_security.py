"""The sandbox lets no one in: no code from the API runs on the host, no foreign origin is served.

The gate is tested against `batchtui sandbox serve --require-credentials` as a user starts it;
what runs for real is tested on in-process sandboxes with a manual clock, over the same HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from batchtui.sandbox import Sandbox, SandboxConfig


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    """`batchtui sandbox serve --require-credentials`: its URL and the keys it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "batchtui", "sandbox", "serve", "--seed", "empty",
         "--require-credentials"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        exports = proc.stdout.readline().split()
        assert exports[0] == "export", exports
        values = dict(part.split("=", 1) for part in exports[1:])
        assert values["AWS_ENDPOINT_URL"] == url
        yield values
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert values["AWS_SECRET_ACCESS_KEY"] in err  # the paste-able lines on stderr too
    assert "Traceback" not in err


def _batch(values: dict[str, str], key: str | None = None, secret: str | None = None) -> Any:
    return boto3.client(
        "batch",
        endpoint_url=values["AWS_ENDPOINT_URL"],
        region_name=values["AWS_DEFAULT_REGION"],
        aws_access_key_id=key or values["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or values["AWS_SECRET_ACCESS_KEY"],
    )


def _raw(url: str, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Any:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_the_printed_keys_work_and_other_keys_are_refused(served: dict[str, str]) -> None:
    assert _batch(served).describe_job_queues()["jobQueues"] == []
    with pytest.raises(ClientError) as wrong_secret:
        _batch(served, secret="not-the-secret").describe_job_queues()
    assert wrong_secret.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert wrong_secret.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as other_keys:
        _batch(served, key="testing", secret="testing").describe_job_queues()
    assert other_keys.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_every_service_checks_the_signature(served: dict[str, str]) -> None:
    """JSON, query/XML and S3's own signing all go through the same check."""
    kw = {"endpoint_url": served["AWS_ENDPOINT_URL"], "region_name": "us-east-1"}
    good = {"aws_access_key_id": served["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": served["AWS_SECRET_ACCESS_KEY"]}  # fmt: skip
    bad = {"aws_access_key_id": served["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": "wrong"}
    calls = {
        "s3": lambda c: c.list_buckets(),
        "ec2": lambda c: c.describe_subnets(),
        "iam": lambda c: c.list_roles(),
        "logs": lambda c: c.describe_log_groups(),
        "dynamodb": lambda c: c.list_tables(),
        "service-quotas": lambda c: c.list_service_quotas(ServiceCode="ec2"),
    }
    for service, call in calls.items():
        call(boto3.client(service, **kw, **good))  # type: ignore[call-overload]
        with pytest.raises(ClientError) as refused:
            call(boto3.client(service, **kw, **bad))  # type: ignore[call-overload]
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403, service
    s3 = boto3.client("s3", **kw, **good)  # type: ignore[call-overload]
    s3.create_bucket(Bucket="presigned")
    s3.put_object(Bucket="presigned", Key="a.txt", Body=b"hello")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "a.txt"})
    path = url.split(served["AWS_ENDPOINT_URL"], 1)[1]
    host = served["AWS_ENDPOINT_URL"].removeprefix("http://")
    status, _headers, body = _raw(served["AWS_ENDPOINT_URL"], "GET", path, {"Host": host})
    assert (status, body) == (200, b"hello")
    tampered = path.replace("a.txt", "b.txt")
    assert _raw(served["AWS_ENDPOINT_URL"], "GET", tampered, {"Host": host})[0] == 403


def test_a_foreign_host_header_is_refused(served: dict[str, str]) -> None:
    """DNS rebinding: a page on evil.example reaching 127.0.0.1 sends its own name as Host."""
    url = served["AWS_ENDPOINT_URL"]
    status, headers, body = _raw(url, "GET", "/", {"Host": "evil.example:80"})
    assert status == 403
    assert "evil.example" in json.loads(body)["message"]
    assert not any(k.lower().startswith("access-control-") for k in headers)
    status, _, _ = _raw(url, "POST", "/v1/describejobqueues", {})  # no Host at all
    assert status == 403


def test_a_cross_origin_preflight_gets_no_cors_grant(served: dict[str, str]) -> None:
    url = served["AWS_ENDPOINT_URL"]
    host = url.removeprefix("http://")
    status, headers, _ = _raw(url, "OPTIONS", "/v1/submitjob", {
        "Host": host, "Origin": "http://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    })  # fmt: skip
    assert status == 403
    assert not any(k.lower().startswith("access-control-") for k in headers), headers
    # moto grants CORS on its own answers (S3 among them); none of that leaves the sandbox.
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                      aws_access_key_id=served["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=served["AWS_SECRET_ACCESS_KEY"])  # fmt: skip
    s3.create_bucket(Bucket="cors")
    answer = s3.list_objects_v2(Bucket="cors")
    assert not any(
        k.lower().startswith("access-control-") for k in answer["ResponseMetadata"]["HTTPHeaders"]
    )


def test_an_unsigned_request_gets_the_missing_token_shape(served: dict[str, str]) -> None:
    url = served["AWS_ENDPOINT_URL"]
    host = url.removeprefix("http://")
    for method, path in (("POST", "/v1/describejobqueues"), ("GET", "/"),
                         ("POST", "/moto-api/reset"), ("GET", "/moto-api/")):  # fmt: skip
        status, headers, body = _raw(url, method, path, {"Host": host})
        assert status == 403, path
        assert json.loads(body) == {"message": "Missing Authentication Token"}
        assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_no_request_shape_gets_a_traceback_or_an_html_page(served: dict[str, str]) -> None:
    url = served["AWS_ENDPOINT_URL"]
    host = url.removeprefix("http://")
    batch = _batch(served)
    shapes = [
        ("POST", "/v1/describejobqueues", {"Host": host, "Authorization": "AWS4-HMAC-SHA256 x"}),
        ("POST", "/v1/describejobqueues", {"Host": host, "Authorization": "Basic Zm9vOmJhcg=="}),
        ("GET", "/?X-Amz-Credential=nonsense&X-Amz-Signature=1", {"Host": host}),
        ("GET", "/%7f%ff%00", {"Host": host}),
    ]
    for method, path, headers in shapes:
        status, _headers, body = _raw(url, method, path, headers)
        assert status in (400, 403), (path, headers, status)
        assert b"<html" not in body.lower() and b"Traceback" not in body, body
    # A signed request whose body is not JSON: AWS's error, not a 500 page.
    batch.meta.events.register_first(
        "before-sign.batch.DescribeJobQueues",
        lambda request, **_: setattr(request, "data", b"{not json"),
    )
    with pytest.raises(ClientError) as bad_body:
        batch.describe_job_queues()
    assert bad_body.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Requests the HTTP server itself cannot parse.
    for raw in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\nHost: " + host.encode() + b"\r\n\r\n",
                b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):  # fmt: skip
        with socket.create_connection(("127.0.0.1", int(host.split(":")[1])), timeout=10) as conn:
            conn.sendall(raw)
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        assert b"BadRequest" in answer, answer  # JSON: no HTML page, no traceback
        assert b"<html" not in answer.lower() and b"Traceback" not in answer, answer


@pytest.mark.parametrize(
    "command",
    [
        ["python", "-m", "timeit", "-n", "1", "-s", "PROBE", "pass"],
        ["python3", "-m", "runpy"],
        ["python", "-m", "pip", "install", "--target", "MARKER_DIR", "nothing-here"],
        ["python", "-m", "http.server", "0"],
    ],
    ids=["timeit", "runpy", "pip", "http.server"],
)
def test_a_job_command_never_chooses_what_runs_on_the_host(
    command: list[str], sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    marker = tmp_path / "ran"
    probe = f"open({str(marker)!r}, 'w').write('ran')"
    argv = [probe if part == "PROBE" else part for part in command]
    argv = [str(tmp_path) if part == "MARKER_DIR" else part for part in argv]
    names = batch_queue()
    batch = aws_client("batch")
    jd = job_definition(argv)
    job_id = batch.submit_job(jobName="probe", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    for _ in range(30):
        sandbox.advance(60)
        assert not sandbox.scheduler.runs, "a client's command started a process on the host"
        if batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] in ("SUCCEEDED", "FAILED"):
            break
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] in ("SUCCEEDED", "FAILED")
    assert not marker.exists() and list(tmp_path.iterdir()) == []


def test_a_real_run_gets_none_of_the_users_environment(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("GITHUB_TOKEN", "users-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "users-session")
    names = batch_queue()
    batch, logs = aws_client("batch"), aws_client("logs")
    jd = job_definition(["python", "-m", "batchtui.sandbox.echo_worker"],
                        container={"environment": [
                            {"name": "PYTHONSTARTUP", "value": "/tmp/evil.py"},
                            {"name": "LD_PRELOAD", "value": "/tmp/evil.so"},
                            {"name": "AWS_CONFIG_FILE", "value": "/tmp/evil"},
                            {"name": "HTTPS_PROXY", "value": "http://10.0.0.1:3128"},
                            {"name": "GREETING", "value": "hello"}]})  # fmt: skip
    job_id = batch.submit_job(jobName="env", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 5)
    assert sandbox.wait_for_workers(timeout=120)
    sandbox.advance(1)
    job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    assert job["status"] == "SUCCEEDED", job
    events = logs.get_log_events(logGroupName="/aws/batch/job",
                                 logStreamName=job["container"]["logStreamName"])["events"]  # fmt: skip
    lines = [e["message"] for e in events]
    names_line = next(line for line in lines if line.startswith("environment: "))
    seen = set(names_line.removeprefix("environment: ").split(","))
    assert "GREETING" in seen and "AWS_BATCH_JOB_ID" in seen
    assert not seen & {"GITHUB_TOKEN", "AWS_SESSION_TOKEN", "PYTHONSTARTUP", "LD_PRELOAD",
                       "HTTPS_PROXY", "PYTHONPATH"}  # fmt: skip
    assert "AWS_CONFIG_FILE=" + os.devnull in lines
    assert "my status is RUNNING" in lines  # it still reaches the sandbox with its keys


def test_the_demo_image_tagger_still_runs_the_real_worker(tmp_path: Path) -> None:
    """Default settings, as `batchtui --sandbox` starts them: only the tagger runs for real,
    and it must sign with this run's keys."""
    config = SandboxConfig(seed="demo", manual_clock=True, random_seed=5, demo_trickle=False,
                           spot_interruption_rate_per_hour=0.0, require_credentials=True)  # fmt: skip
    with Sandbox(config) as sb:
        key, secret = sb.credentials
        assert (key, secret) != ("testing", "testing")
        kw = {"endpoint_url": sb.url, "region_name": sb.region,
              "aws_access_key_id": key, "aws_secret_access_key": secret}  # fmt: skip
        batch, logs = boto3.client("batch", **kw), boto3.client("logs", **kw)
        job_id = batch.submit_job(jobName="tag-now", jobQueue="demo-main",
                                  jobDefinition="demo-image-tagger")["jobId"]  # fmt: skip
        started = False
        for _ in range(40):
            sb.advance(30)
            started = started or bool(sb.scheduler.runs)
            assert sb.wait_for_workers(timeout=120)
            if batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] in ("SUCCEEDED", "FAILED"):
                break
        job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        assert started, "the image tagger did not run as a process"
        assert job["status"] == "SUCCEEDED", job
        stream = job["container"]["logStreamName"]
        events = logs.get_log_events(logGroupName="/batchtui/demo/tagger",
                                     logStreamName=stream)["events"]  # fmt: skip
        records = [json.loads(e["message"]) for e in events if e["message"].startswith("{")]
        assert records, [e["message"] for e in events]
        table = boto3.client("dynamodb", **kw).scan(TableName="batchtui-demo-labels")
        assert table["Count"] > 0


def test_the_in_process_sandbox_takes_only_its_own_keys() -> None:
    """`batchtui --sandbox` (TUI and CLI): nothing but batchtui itself can use its sandbox."""
    import argparse

    from batchtui.commands import CommandContext

    ctx = CommandContext(argparse.Namespace(sandbox=True, read_only=False))
    try:
        ctx.start_sandbox(manual_clock=True, demo_trickle=False)
        assert ctx.aws().client("batch").describe_job_queues()["jobQueues"]
        stranger = boto3.client("batch", endpoint_url=ctx.sandbox.url, region_name="us-east-1",
                                aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
        with pytest.raises(ClientError) as refused:
            stranger.describe_job_queues()
        assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
    finally:
        ctx.close()
