"""The TUI, headless (Pilot), in the same run as its peer:

1. ``batchtui --sandbox`` start, counted from the moment the process is spawned (the
   interpreter's own start included): the overview mounted (Pilot) and drawn in a real terminal
   (tmux, when installed), while the sandbox starts in the background; then the overview filled
   with the demo account. Also which heavy modules the first screen loaded (none should: the
   planner, boto3 and moto load after the first paint).
2. A 100,000-job queue: time to the first rows and to the whole listing, the ListJobs /
   DescribeJobs calls made against the minimum AWS needs (one ListJobs per 1,000 jobs per status,
   at least one per status), the rows actually rendered, and the TUI process's peak memory.
3. The peer: ``aws batch list-jobs`` paging the same queue, every status.

Each TUI measurement runs in a child process so its peak RSS is the TUI's alone (the sandbox with
100,000 jobs lives in this process). Benchmarks print; they never assert.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
#: Jobs seeded into the queue; array children count here but are not top-level rows, so
#: 125,000 seeded gives about 100,000 top-level jobs in the queue.
QUEUE_JOBS = 125_000
STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")


def _peak_rss_mib() -> float:
    """This process's own peak resident set. VmHWM starts afresh at exec; ru_maxrss of a child
    started by subprocess carries the bigger parent's peak across fork and exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: best effort


# ---------------------------------------------------------------- child: start-up


#: Modules the first screen must not need (they load in workers or when their screen opens).
HEAVY = ("boto3", "moto", "batchtui.planner", "batchtui.profiles", "batchtui.sandbox")


async def _startup(spawned: float) -> dict[str, Any]:
    import argparse

    from batchtui.commands import CommandContext
    from batchtui.tui.app import create_app
    from batchtui.tui.config import TuiConfig
    from batchtui.tui.screens.overview import OverviewScreen

    ctx = CommandContext(argparse.Namespace(sandbox=True, read_only=False))
    app = create_app(
        connect=lambda: (ctx.aws(), ctx.sandbox),
        config=TuiConfig(refresh_interval=0),
        sandbox_expected=True,
    )
    out: dict[str, Any] = {}
    try:
        async with app.run_test(size=(140, 45)) as pilot:
            assert isinstance(app.screen, OverviewScreen)
            out["first_paint_s"] = time.time() - spawned
            out["heavy_at_first_paint"] = [m for m in HEAVY if m in sys.modules]
            while app.account is None:
                await asyncio.sleep(0.01)
            await pilot.pause()
            out["overview_filled_s"] = time.time() - spawned
            out["overview_calls"] = app.aws.counter.total
    finally:
        ctx.close()
    out["peak_rss_mib"] = _peak_rss_mib()
    return out


# ---------------------------------------------------------------- child: big queue


async def _big_queue(url: str, region: str, queue: str) -> dict[str, Any]:
    from batchtui.aws.session import Aws, AwsTarget
    from batchtui.tui.app import create_app
    from batchtui.tui.config import TuiConfig
    from batchtui.tui.screens.jobs import JobsScreen
    from batchtui.tui.widgets.job_table import JobTable

    aws = Aws(
        AwsTarget(region=region, endpoint_url=url, sandbox=True, credentials=("testing", "testing"))
    )
    app = create_app(aws, config=TuiConfig(refresh_interval=0))
    out: dict[str, Any] = {}
    async with app.run_test(size=(140, 45)) as pilot:
        while app.account is None:
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()
        aws.counter.reset()
        t0 = time.perf_counter()
        screen = JobsScreen(queue)
        await app.push_screen(screen)
        table = screen.query_one(JobTable)
        while not table.rows:
            await asyncio.sleep(0.005)
        await pilot.pause()
        out["first_rows_s"] = time.perf_counter() - t0
        out["first_rows_count"] = len(table.rows)
        while screen.listing:
            await asyncio.sleep(0.01)
        await pilot.pause()
        out["listed_s"] = time.perf_counter() - t0
        out["jobs"] = len(screen.index)
        out["per_status"] = dict(screen.index.counts())
        out["list_jobs_calls"] = aws.counter.get("batch", "ListJobs")
        out["describe_jobs_calls"] = aws.counter.get("batch", "DescribeJobs")
        out["rows_rendered_after_listing"] = table.rendered_rows
        t1 = time.perf_counter()
        for _ in range(50):  # an unbound key: what Pilot itself costs per key press
            await pilot.press("x")
        baseline = time.perf_counter() - t1
        t1 = time.perf_counter()
        for _ in range(50):  # page down through the queue
            await pilot.press("pagedown")
        await pilot.pause()
        out["pagedown_ms"] = (time.perf_counter() - t1 - baseline) / 50 * 1000
        out["rows_rendered_total"] = table.rendered_rows
        t2 = time.perf_counter()
        await pilot.press("slash", *"resize", "enter")
        await pilot.pause()
        out["filter_s"] = time.perf_counter() - t2
    out["peak_rss_mib"] = _peak_rss_mib()
    return out


def _child(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "startup":
        result = asyncio.run(_startup(float(argv[1])))
    else:
        result = asyncio.run(_big_queue(*argv[1:]))
    print(json.dumps(result))


def _run_child(*args: str) -> dict[str, Any]:
    if args == ("startup",):
        args = ("startup", repr(time.time()))
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", *args],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed: {proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------- real terminal


def _tmux_first_paint(runs: int = 5) -> tuple[float, float] | None:
    """Median seconds from spawning ``batchtui --sandbox`` in a 140x45 tmux pane to the
    overview drawn, and to the demo account shown; None without tmux."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return None
    from common import tool

    batchtui = tool("batchtui")
    painted: list[float] = []
    filled: list[float] = []
    for i in range(runs):
        session = f"bench-tui-{os.getpid()}-{i}"
        t0 = time.time()
        subprocess.run(
            [tmux, "new-session", "-d", "-s", session, "-x", "140", "-y", "45",
             f"{batchtui} --sandbox"],
            check=True,
        )  # fmt: skip
        try:
            seen = None
            while time.time() - t0 < 60:
                screen = subprocess.run(
                    [tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True
                ).stdout
                if seen is None and "Compute environments" in screen:
                    seen = time.time() - t0
                if "demo-legacy" in screen:
                    filled.append(time.time() - t0)
                    break
                time.sleep(0.01)
            if seen is not None:
                painted.append(seen)
        finally:
            subprocess.run([tmux, "send-keys", "-t", session, "q"], capture_output=True)
            time.sleep(0.5)
            subprocess.run([tmux, "kill-session", "-t", session], capture_output=True)
    if not painted or not filled:
        return None
    return statistics.median(painted), statistics.median(filled)


# ---------------------------------------------------------------- parent


def _big_sandbox() -> Any:
    """The demo account plus one queue holding QUEUE_JOBS finished jobs (demo-batch-low)."""
    from batchtui.sandbox import Sandbox, SandboxConfig, history

    sb = Sandbox(SandboxConfig(seed="demo", manual_clock=True, random_seed=5))
    sb.start()
    keep = "demo-batch-low"
    # Seed history into one queue only: the others are set aside while it runs (bench only).
    others = {n: q.state for n, q in sb.store.job_queues.items() if n != keep}
    for n in others:
        sb.store.job_queues[n].state = "DISABLED"
    try:
        history.seed_history(sb, QUEUE_JOBS, end=sb.now(), seed=5)
    finally:
        for n, state in others.items():
            sb.store.job_queues[n].state = state
    return sb, keep


def _aws_cli_paging(url: str, region: str, queue: str) -> tuple[float, int]:
    from common import FAKE_AWS_ENV, tool

    aws = tool("aws")
    env = os.environ | FAKE_AWS_ENV
    t0 = time.perf_counter()
    total = 0
    for status in STATUSES:
        proc = subprocess.run(
            [aws, "batch", "list-jobs", "--job-queue", queue, "--job-status", status,
             "--endpoint-url", url, "--region", region, "--output", "json"],
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        total += len(json.loads(proc.stdout).get("jobSummaryList", []))
    return time.perf_counter() - t0, total


def main() -> None:
    from common import print_table

    start = _run_child("startup")
    terminal = _tmux_first_paint()
    sb, queue = _big_sandbox()
    try:
        big = _run_child("big", sb.url, sb.region, queue)
        cli_s, cli_jobs = _aws_cli_paging(sb.url, sb.region, queue)
    finally:
        sb.stop()
    per = big["per_status"]
    minimum = sum(max(1, math.ceil(per.get(s, 0) / 1000)) for s in STATUSES)
    # Opening the queue reuses the overview's first page of each status (fresh: just read).
    minimum_reused = sum(max(0, math.ceil(per.get(s, 0) / 1000) - 1) for s in STATUSES)
    print_table(
        ("measure", "value"),
        [
            ("spawn -> overview mounted, Pilot (sandbox starting in background)", f"{start['first_paint_s']:.2f} s"),
            ("heavy modules loaded at first paint", ", ".join(start["heavy_at_first_paint"]) or "none"),
            ("spawn -> overview filled, Pilot (demo account)", f"{start['overview_filled_s']:.2f} s"),
            ("spawn -> overview drawn, real terminal (tmux, median of 5)",
             f"{terminal[0]:.2f} s" if terminal else "n/a (no tmux)"),
            ("spawn -> demo account shown, real terminal (tmux, median of 5)",
             f"{terminal[1]:.2f} s" if terminal else "n/a (no tmux)"),
            ("API calls for the filled overview", start["overview_calls"]),
            ("peak RSS, start-up (TUI + embedded sandbox)", f"{start['peak_rss_mib']:.0f} MiB"),
            ("queue size (top-level jobs listed)", f"{big['jobs']:,}"),
            ("open queue -> first rows", f"{big['first_rows_s']:.2f} s ({big['first_rows_count']:,} rows)"),
            ("open queue -> whole queue listed", f"{big['listed_s']:.2f} s"),
            ("ListJobs calls made / minimum (overview's first pages reused)",
             f"{big['list_jobs_calls']} / {minimum_reused} ({minimum} without reuse)"),
            ("DescribeJobs calls", big["describe_jobs_calls"]),
            ("rows rendered after listing / after 50 page-downs", f"{big['rows_rendered_after_listing']} / {big['rows_rendered_total']}"),
            ("one page-down (minus Pilot's own cost per key)", f"{big['pagedown_ms']:.1f} ms"),
            ("typing the filter 'resize' + enter (7 keys, Pilot included)", f"{big['filter_s']:.2f} s"),
            ("peak RSS, TUI process with the queue loaded", f"{big['peak_rss_mib']:.0f} MiB"),
            ("aws batch list-jobs, 7 statuses, default paging", f"{cli_s:.2f} s ({cli_jobs:,} jobs)"),
            ("ratio: TUI whole listing / aws CLI", f"{big['listed_s'] / cli_s:.2f}x"),
            ("ratio: TUI first rows / aws CLI", f"{big['first_rows_s'] / cli_s:.3f}x"),
        ],
    )  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
    else:
        sys.path.insert(0, HERE)
        main()
