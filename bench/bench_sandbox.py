"""Sandbox benchmark: sandbox start (empty and demo), seeding 100,000 jobs, listing them all,
and the memory they take.

Prints figures; asserts nothing (timings belong in benchmarks, not tests).
Run: python bench/bench_sandbox.py [N]
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time

STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


#: Seconds from Sandbox() to a started sandbox, in a fresh interpreter (imports not yet warm).
START_PROBE = """
import sys, time
from batchtui.sandbox import Sandbox, SandboxConfig
t = time.perf_counter()
sb = Sandbox(SandboxConfig(seed=sys.argv[1], manual_clock=True))
sb.start()
print(time.perf_counter() - t)
sb.stop()
"""


def start_seconds(seed: str, runs: int = 3) -> float:
    """Median start time of a fresh sandbox with ``seed`` (what the TUI's first paint waits on)."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", START_PROBE, seed], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main(n: int = 100_000) -> None:
    import boto3

    from batchtui.sandbox import Sandbox, SandboxConfig, history

    empty_start = start_seconds("empty")
    demo_start = start_seconds("demo")
    rss0 = rss_mib()
    sb = Sandbox(SandboxConfig(seed="empty", manual_clock=True))
    t = time.perf_counter()
    sb.start()
    started = time.perf_counter() - t
    rss_started = rss_mib()
    t = time.perf_counter()
    with sb.scheduler.lock:
        made = history.seed_history(sb, n, end=sb.now())
    seeded = time.perf_counter() - t
    rss_seeded = rss_mib()
    try:
        batch = boto3.client("batch", endpoint_url=sb.url, region_name=sb.region,
                             aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
        requests = {"n": 0}
        batch.meta.events.register(
            "before-send.batch.ListJobs", lambda **kw: requests.update(n=requests["n"] + 1)
        )
        rows = []
        t = time.perf_counter()
        for queue in sorted(sb.store.job_queues):
            for status in STATUSES:
                before = requests["n"]
                listed = 0
                for page in batch.get_paginator("list_jobs").paginate(
                    jobQueue=queue, jobStatus=status, PaginationConfig={"PageSize": 1000}
                ):
                    listed += len(page["jobSummaryList"])
                rows.append(
                    (
                        queue,
                        status,
                        listed,
                        requests["n"] - before,
                        max(1, math.ceil(listed / 1000)),
                    )
                )
        listing = time.perf_counter() - t
    finally:
        sb.stop()

    total_listed = sum(r[2] for r in rows)
    print(f"sandbox benchmark: {made:,} jobs (array children included)")
    print(f"{'measure':<46} {'value':>14}")
    print(f"{'empty sandbox start, fresh process, s':<46} {empty_start:>14.2f}")
    print(f"{'demo sandbox start, fresh process, s':<46} {demo_start:>14.2f}")
    print(f"{'empty sandbox start, warm imports, s':<46} {started:>14.2f}")
    print(f"{'seed ' + format(made, ',') + ' jobs straight into the store, s':<46} {seeded:>14.2f}")
    print(f"{'list all top-level jobs per status, s':<46} {listing:>14.2f}")
    print(f"{'RSS before start, MiB':<46} {rss0:>14.1f}")
    print(f"{'RSS after start, MiB':<46} {rss_started:>14.1f}")
    print(f"{'RSS with jobs, MiB':<46} {rss_seeded:>14.1f}")
    print(f"{'RSS per 1,000 jobs, MiB':<46} {(rss_seeded - rss_started) / made * 1000:>14.2f}")
    print()
    print(f"{'queue':<10} {'status':<10} {'jobs':>8} {'requests':>9} {'ceil(n/1000)':>13}")
    for queue, status, listed, reqs, ideal in rows:
        print(f"{queue:<10} {status:<10} {listed:>8,} {reqs:>9} {ideal:>13}")
    print(
        f"{'total':<21} {total_listed:>8,} {sum(r[3] for r in rows):>9} {sum(r[4] for r in rows):>13}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
