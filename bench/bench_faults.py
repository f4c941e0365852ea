"""batchtui under network faults, beside boto3 with botocore's own retries, in real time.

Through the tests' fault-injecting proxy (tests/faultproxy.py) in front of the sandbox:
- an endpoint that accepts the connection and never answers: seconds to a one-line error;
- a 5-second outage (server errors) from the third ListJobs on: does the listing survive;
- 10% of answers cut short: is the listing whole, or a clear failure, or silently shorter.
The peer is a boto3 client with botocore's standard retries and default timeouts, paging
ListJobs as an ordinary script would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import FAKE_AWS_ENV, print_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faultproxy import FaultProxy, Rule

QUEUE = "demo-genomics"
STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")


def batchtui_jobs(url: str, region: str) -> tuple[int, float, str, set[str]]:
    """(exit code, seconds, stderr's last line, job ids) of `batchtui jobs` in a fresh process."""
    env = os.environ | FAKE_AWS_ENV | {"AWS_ENDPOINT_URL": url, "AWS_REGION": region}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "batchtui", "jobs", "--queue", QUEUE, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    took = time.perf_counter() - t0
    ids = (
        {j["jobId"] for j in json.loads(proc.stdout)["jobSummaryList"]}
        if proc.returncode == 0
        else set()
    )
    last = (proc.stderr.strip().splitlines() or [""])[-1]
    return proc.returncode, took, last, ids


def boto3_jobs(url: str, region: str) -> tuple[str, float, set[str]]:
    """(outcome, seconds, job ids) of a plain boto3 script paging ListJobs per status."""
    import boto3
    import botocore.config

    client = boto3.client(
        "batch",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(retries={"mode": "standard"}),
    )
    ids: set[str] = set()
    t0 = time.perf_counter()
    try:
        for status in STATUSES:
            for page in client.get_paginator("list_jobs").paginate(
                jobQueue=QUEUE, jobStatus=status
            ):
                ids.update(j["jobId"] for j in page.get("jobSummaryList", []))
    except Exception as e:
        return f"error: {type(e).__name__}", time.perf_counter() - t0, ids
    return "ok", time.perf_counter() - t0, ids


def verdict(ok: bool, ids: set[str], whole: set[str]) -> str:
    if not ok:
        return "failed, said so"
    return "whole" if ids == whole else f"SILENTLY SHORT: {len(ids)} of {len(whole)}"


def main() -> None:
    from batchtui.sandbox import Sandbox, SandboxConfig

    rows: list[list[Any]] = []
    with Sandbox(SandboxConfig(seed="demo", manual_clock=True)) as sb:
        code, _, _, whole = batchtui_jobs(sb.url, sb.region)
        assert code == 0, "the direct listing must work"
        with FaultProxy(sb.url) as proxy:
            proxy.reset(Rule("hang", hang_s=120))
            code, took, line, _ = batchtui_jobs(proxy.url, sb.region)
            rows.append(["never answers", "batchtui", f"exit {code}", f"{took:.1f}", line[:90]])
            rows.append(
                ["never answers", "botocore defaults", "(not run)", "~300 (5 x 60 s)", "computed"]
            )

            proxy.reset(Rule("error", ops={"ListJobs"}, nth={3}, outage_s=5.0))
            code, took, line, ids = batchtui_jobs(proxy.url, sb.region)
            rows.append(["5 s outage", "batchtui", verdict(code == 0, ids, whole), f"{took:.1f}",
                         line[:90]])  # fmt: skip
            proxy.reset(Rule("error", ops={"ListJobs"}, nth={3}, outage_s=5.0))
            outcome, took, ids = boto3_jobs(proxy.url, sb.region)
            rows.append(["5 s outage", "boto3 standard", verdict(outcome == "ok", ids, whole),
                         f"{took:.1f}", outcome])  # fmt: skip

            for seed in range(3):
                proxy.reset(Rule("cut", rate=0.1, seed=seed))
                code, took, line, ids = batchtui_jobs(proxy.url, sb.region)
                rows.append([f"10% cut short #{seed}", "batchtui", verdict(code == 0, ids, whole),
                             f"{took:.1f}", line[:90]])  # fmt: skip
                proxy.reset(Rule("cut", rate=0.1, seed=seed))
                outcome, took, ids = boto3_jobs(proxy.url, sb.region)
                rows.append([f"10% cut short #{seed}", "boto3 standard",
                             verdict(outcome == "ok", ids, whole), f"{took:.1f}", outcome])  # fmt: skip
    print_table(("fault", "client", "result", "seconds", "message"), rows)


if __name__ == "__main__":
    main()
