"""What an open TUI costs the account: API calls a minute on each screen, left open 10 minutes.

AWS Batch throttles per account, and an operator leaves the TUI open. For each screen (the
overview, a queue's jobs, a job's detail, the logs of a running job, the plan, a queue's
diagnosis) a fresh demo sandbox is opened in the TUI (``App.run_test``) and "left open": the
bench drives the app's injected clock and its refresh ticks instead of sleeping.

How the bench maps to wall time: one step is one wall-clock second. Each step moves the app's
clock by 1 s, the sandbox's simulated clock by its speed (60 simulated seconds: the demo's
default ``--speed``), calls the app's refresh tick (what its 1-second timer calls) and waits
for the reads it started. 600 steps are the 10 minutes. The app's real 1-second timer also
runs while the bench does; its ticks come at an app-clock time the bench has already ticked,
when nothing new is due, so they add no calls (the figures would show them). The logs screen
is the exception: its follow loop sleeps on the real clock (CloudWatch's own pace), so it is
measured over LOGS_WALL_S real seconds while the sandbox moves at its speed, and scaled to a
minute.

The peer is the TUI before this pacing, measured on the same demo account: 8.6 calls/s on the
overview, 9/s with the plan open (the overview kept refreshing behind it), 1.4/s on a queue's
jobs. The goal: the overview left open at most 1 call/s; a screen hidden under another, 0.
Benchmarks print; they never assert.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections import Counter
from typing import Any

MINUTES = 10
#: Simulated seconds per wall second: the sandbox's default speed.
SPEED = 60.0
#: The logs screen's follow loop runs on real time: measured for this long.
LOGS_WALL_S = 20.0
REFRESH_S = 5.0  # the TUI's default refresh_interval
QUEUE = "demo-main"
STUCK_QUEUE = "demo-batch-low"
#: Calls a second before this pacing (same demo account, same screens).
BEFORE = {"overview": 8.6, "plan (overview under it)": 9.0, "jobs": 1.4}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _settle(app: Any, pilot: Any) -> None:
    from textual.worker import WorkerCancelled, WorkerFailed

    for _ in range(3):
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()


def _age(app: Any) -> float | None:
    """How old the current screen says its data is (its oldest part), in seconds."""
    from batchtui.model import ACTIVE_STATUSES

    screen = app.screen
    read_at = getattr(screen, "read_at", None)
    if read_at is None and hasattr(screen, "show_account") and app.account is not None:
        read_at = app.account.counts_read_at(ACTIVE_STATUSES)
    return None if read_at is None else app.clock() - read_at


async def _leave_open(
    app: Any, pilot: Any, sandbox: Any, clock: Clock, seconds: int
) -> tuple[Counter, list[float]]:
    """Calls by (service, operation) while the current screen stays open ``seconds``, and the
    age of what it showed, each second."""
    before = Counter(app.aws.counter.snapshot())
    ages = []
    for _ in range(seconds):
        clock.now += 1
        sandbox.advance(SPEED)
        calls = app.aws.counter.total
        app.refresh_tick()
        if app.aws.counter.total != calls or app.workers:
            await _settle(app, pilot)
        age = _age(app)
        if age is not None:
            ages.append(age)
    return Counter(app.aws.counter.snapshot()) - before, ages


async def _logs_open(app: Any, pilot: Any, sandbox: Any, clock: Clock) -> Counter:
    """The logs screen for LOGS_WALL_S real seconds, the sandbox moving at its speed."""
    before = Counter(app.aws.counter.snapshot())
    t0 = time.monotonic()
    while (elapsed := time.monotonic() - t0) < LOGS_WALL_S:
        await asyncio.sleep(0.25)
        clock.now = 1000.0 + elapsed
        sandbox.advance(SPEED * 0.25)
        app.refresh_tick()
    await pilot.pause()
    got = Counter(app.aws.counter.snapshot()) - before
    scale = MINUTES * 60 / LOGS_WALL_S  # as if left open as long as the others
    return Counter({op: round(n * scale) for op, n in got.items()})


async def _screen(name: str) -> tuple[Counter, int, list[float]]:
    """(calls during the 10 minutes, calls to open the screen, ages shown each second) of one
    screen on a fresh demo."""
    from batchtui.aws.session import Aws, AwsTarget
    from batchtui.model import JobSummary
    from batchtui.sandbox import Sandbox, SandboxConfig
    from batchtui.tui.app import create_app
    from batchtui.tui.config import TuiConfig

    config = SandboxConfig(seed="demo", manual_clock=True, random_seed=11, start_time=1.795e9)
    with Sandbox(config) as sandbox:
        aws = Aws(
            AwsTarget(
                region=sandbox.region,
                endpoint_url=sandbox.url,
                sandbox=True,
                credentials=("testing", "testing"),
            )
        )
        clock = Clock()
        app = create_app(
            aws, sandbox=sandbox, config=TuiConfig(refresh_interval=REFRESH_S), clock=clock
        )
        async with app.run_test(size=(140, 40)) as pilot:
            await _settle(app, pilot)
            opened = aws.counter.total
            if name == "jobs":
                app.navigate.open_jobs(QUEUE)
            elif name in ("job detail", "logs (running job)"):
                running = app.account.pages[QUEUE]["RUNNING"].jobs[0]
                job = JobSummary.from_api(running)
                if name == "job detail":
                    app.navigate.open_job_detail(job, QUEUE)
                else:
                    app.navigate.open_logs(job.job_id, job.job_name)
            elif name == "plan (overview under it)":
                app.run_command(":plan")
            elif name == "diagnosis (queue)":
                app.navigate.open_diagnosis(queue=STUCK_QUEUE)
            if name.startswith("logs"):  # its follow worker runs until the screen closes
                await pilot.pause()
                opened = aws.counter.total - opened
                calls, ages = await _logs_open(app, pilot, sandbox, clock), []
            else:
                await _settle(app, pilot)
                opened = aws.counter.total - opened
                calls, ages = await _leave_open(app, pilot, sandbox, clock, MINUTES * 60)
        return calls, opened, ages


def main() -> None:
    from common import print_table

    screens = (
        "overview",
        "jobs",
        "job detail",
        "logs (running job)",
        "plan (overview under it)",
        "diagnosis (queue)",
    )
    rows = []
    detail = []
    for name in screens:
        calls, opened, ages = asyncio.run(_screen(name))
        total = sum(calls.values())
        per_s = total / (MINUTES * 60)
        before = BEFORE.get(name)
        rows.append(
            (
                name,
                opened,
                f"{total / MINUTES:.1f}",
                f"{per_s:.2f}",
                f"{before:g}" if before else "-",
                f"{before / per_s:.0f}x fewer"
                if before and per_s
                else ("0 calls" if before else "-"),
                f"{statistics.median(ages):.0f} s / {max(ages):.0f} s" if ages else "-",
            )
        )
        top = ", ".join(f"{op} {n / MINUTES:.1f}" for (_, op), n in calls.most_common(5))
        detail.append((name, top or "none"))
    print(
        f"each screen left open {MINUTES} min (app clock and refresh ticks driven; see docstring)"
    )
    print_table(
        (
            "screen",
            "calls to open",
            "calls/min",
            "calls/s",
            "before calls/s",
            "vs before",
            "age shown (median / max)",
        ),
        rows,
    )
    print()
    print_table(("screen", "calls/min by operation (top 5)"), detail)
    print(
        "hidden screen: the overview under the plan made the plan row's calls "
        "(the plan's timer reads nothing); goal: overview <= 1 call/s, hidden 0"
    )


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    main()
