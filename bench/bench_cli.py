"""Cold start of the CLI against the same sandbox as the aws CLI: --help, jobs, list-jobs."""

from __future__ import annotations

import sys

from common import cold_runs, median, print_table, tool


def main() -> None:
    from batchtui.sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(seed="demo", manual_clock=True)) as sb:
        import boto3

        batch = boto3.client(
            "batch",
            endpoint_url=sb.url,
            region_name=sb.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        queue = batch.describe_job_queues()["jobQueues"][0]["jobQueueName"]
        bt = [sys.executable, "-m", "batchtui"]
        aws = tool("aws")
        runs = {
            "batchtui --help": cold_runs([*bt, "--help"]),
            "batchtui jobs --status RUNNING": cold_runs(
                [*bt, "jobs", "--queue", queue, "--status", "RUNNING", "--endpoint-url", sb.url]
            ),
            "aws batch list-jobs --job-status RUNNING": cold_runs(
                [
                    aws,
                    "batch",
                    "list-jobs",
                    "--job-queue",
                    queue,
                    "--job-status",
                    "RUNNING",
                    "--endpoint-url",
                    sb.url,
                ]
            ),
            "batchtui jobs --endpoint-url http://127.0.0.1:1 (fails)": _failing(bt),
        }
    peer = median(runs["aws batch list-jobs --job-status RUNNING"])
    print_table(
        ("command", "median s", "ratio to aws list-jobs"),
        [(k, f"{median(v):.3f}", f"{median(v) / peer:.2f}") for k, v in runs.items()],
    )


def _failing(bt: list[str]) -> list[float]:
    import os
    import subprocess
    import time

    from common import FAKE_AWS_ENV

    t0 = time.perf_counter()
    proc = subprocess.run(
        [*bt, "jobs", "--queue", "q", "--endpoint-url", "http://127.0.0.1:1"],
        capture_output=True,
        env=os.environ | FAKE_AWS_ENV,
    )
    assert proc.returncode == 1, proc.stderr
    return [time.perf_counter() - t0]


if __name__ == "__main__":
    main()
