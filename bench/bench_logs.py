"""Benchmark: reading and following CloudWatch logs, batchtui against its peers, same run.

1. Read one stream of 100,000 events (1,000 sharing each millisecond) from the sandbox:
   batchtui's reader (GetLogEvents with forward tokens, every line sanitized and printed) vs
   ``awslogs get`` (PyPI awslogs), both as subprocesses writing to a pipe.
2. Follow latency: events put one at a time with PutLogEvents at irregular intervals (0.1-3 s,
   real timestamps) while batchtui follows the stream in-process on a thread; latency is from
   just before PutLogEvents to the line's emission. The aws CLI v2's ``logs tail --follow``
   polls every 5 s (not measurable here: awscli is v1), so its expected p50 is about 2.5 s.

Run: ``python bench/bench_logs.py`` (needs the bench extra: ``pip install awslogs``).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

EVENTS = 100_000
PER_MS = 1_000
FOLLOW_EVENTS = 40
GROUP = "/bench/logs"
STREAM = "bench/default/100k"
LIVE_STREAM = "bench/default/live"

READER = """
import sys
from batchtui.aws.logs import read_events
from batchtui.aws.session import Aws, AwsTarget
from batchtui.follow import LogTarget
from batchtui.render.sanitize import sanitize_line
url, region, group, stream = sys.argv[1:5]
aws = Aws(AwsTarget(region=region, endpoint_url=url, credentials=("testing", "testing")))
target = LogTarget("bench", group, stream, 1, region=region)
out = sys.stdout
n = 0
for batch in read_events(aws, [target]):
    out.write("\\n".join(sanitize_line(e.message) for e in batch) + "\\n")
    n += len(batch)
print(n, file=sys.stderr)
"""


def _client(url: str, region: str, service: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _put_100k(logs: Any) -> int:
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
    base = int(time.time() * 1000) - 3_600_000
    for start in range(0, EVENTS, 10_000):
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=STREAM,
            logEvents=[
                {"timestamp": base + i // PER_MS, "message": f"line {i:06d} payload {i * 7919}"}
                for i in range(start, start + 10_000)
            ],
        )
    return base


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True)
    elapsed = time.perf_counter() - t0
    lines = proc.stdout.count(b"\n")
    return elapsed, lines, proc.stderr.decode(errors="replace")[-300:]


def bench_read(url: str, region: str, base: int, repeats: int = 3) -> list[tuple[str, str]]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    ours: list[float] = []
    theirs: list[float] = []
    ours_lines = theirs_lines = 0
    awslogs = shutil.which("awslogs") or os.path.join(os.path.dirname(sys.executable), "awslogs")
    for _ in range(repeats):
        t, ours_lines, err = _timed([sys.executable, "-c", READER, url, region, GROUP, STREAM], env)
        ours.append(t)
        if ours_lines != EVENTS:
            raise SystemExit(f"batchtui read {ours_lines} lines: {err}")
        if os.path.exists(awslogs):
            start = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(base / 1000 - 60))
            t, theirs_lines, err = _timed(
                [awslogs, "get", GROUP, STREAM, "--aws-endpoint-url", url,
                 "--aws-region", region, "-s", start, "-G", "-S", "--color", "never"],
                env,
            )  # fmt: skip
            theirs.append(t)
    rows = [("batchtui read 100,000 events (median s)", f"{statistics.median(ours):.2f}")]
    if theirs:
        rows += [
            ("awslogs get, same stream (median s)", f"{statistics.median(theirs):.2f}"),
            ("awslogs lines printed", str(theirs_lines)),
            ("speed-up (awslogs / batchtui)", f"{statistics.median(theirs) / statistics.median(ours):.1f}x"),
        ]  # fmt: skip
    else:
        rows.append(("awslogs get", "not installed (pip install awslogs)"))
    return rows


def bench_follow(url: str, region: str) -> list[tuple[str, str]]:
    import random

    from batchtui.aws.logs import follow_targets
    from batchtui.aws.session import Aws, AwsTarget
    from batchtui.follow import LogTarget

    logs = _client(url, region, "logs")
    logs.create_log_stream(logGroupName=GROUP, logStreamName=LIVE_STREAM)
    aws = Aws(AwsTarget(region=region, endpoint_url=url, credentials=("testing", "testing")))
    target = LogTarget("bench", GROUP, LIVE_STREAM, 1, region=region)
    stop = threading.Event()
    seen: dict[str, float] = {}
    counts: dict[str, int] = {}

    def follower() -> None:
        for batch in follow_targets(aws, [target], stop=stop):
            now = time.perf_counter()
            for e in batch.events:
                seen.setdefault(e.message, now)
                counts[e.message] = counts.get(e.message, 0) + 1

    thread = threading.Thread(target=follower, daemon=True)
    thread.start()
    rng = random.Random(5)
    put_at: dict[str, float] = {}
    time.sleep(1.0)
    for i in range(FOLLOW_EVENTS):
        time.sleep(rng.uniform(0.1, 3.0))
        message = f"live {i}"
        put_at[message] = time.perf_counter()
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=LIVE_STREAM,
            logEvents=[{"timestamp": int(time.time() * 1000), "message": message}],
        )
    deadline = time.perf_counter() + 10
    while len(seen) < FOLLOW_EVENTS and time.perf_counter() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(timeout=10)
    latencies = sorted(seen[m] - put_at[m] for m in put_at if m in seen)
    missing = FOLLOW_EVENTS - len(latencies)
    doubled = sum(1 for n in counts.values() if n > 1)
    p50 = statistics.median(latencies)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    calls = aws.counter.get("logs", "FilterLogEvents")
    return [
        (f"follow latency p50, {FOLLOW_EVENTS} events 0.1-3 s apart (s)", f"{p50:.2f}"),
        ("follow latency p95 (s)", f"{p95:.2f}"),
        ("follow latency max (s)", f"{latencies[-1]:.2f}"),
        ("lines missing / printed twice", f"{missing} / {doubled}"),
        ("FilterLogEvents calls per second while following", f"{calls / (time.perf_counter() - put_at['live 0'] + 1):.2f}"),
        ("aws CLI v2 logs tail --follow (polls every 5 s), expected p50", "~2.5"),
    ]  # fmt: skip


def main() -> None:
    from batchtui.sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(seed="empty", manual_clock=True)) as sb:
        logs = _client(sb.url, sb.region, "logs")
        t0 = time.perf_counter()
        base = _put_100k(logs)
        rows = [("put 100,000 events in batches of 10,000 (s)", f"{time.perf_counter() - t0:.2f}")]
        rows += bench_read(sb.url, sb.region, base)
        rows += bench_follow(sb.url, sb.region)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  value")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
