"""Fixtures of the TUI tests: the app on a fresh sandbox demo account, driven by Pilot.

Every test gets its own sandbox, seeded with the same demo account (same random seed, same
simulated start time) on a manual clock: what one test cancels, scales or submits no other test
sees, so the suite passes in any order. A fresh sandbox and its seed cost about half a second, a
small part of a TUI test, so there is no per-module sharing to reason about.

Tests await the workers (``settle``) and step the sandbox's clock (``demo.advance``) instead of
sleeping; the refresh timer is off unless a test turns it on, and the app's own clock is fixed,
so what a test sees is deterministic.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.worker import WorkerFailed

sys.path.insert(0, str(Path(__file__).parent))

from batchtui.aws.session import Aws, AwsTarget
from batchtui.tui.app import BatchtuiApp, create_app
from batchtui.tui.config import TuiConfig


class Clock:
    """The app's clock in a test: it stands still until the test moves ``now``."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


SIZE = (140, 40)
#: Simulated epoch seconds at the sandbox's start: timestamps on screen are the same every run.
START = 1_795_000_000.0
DEMO_RANDOM_SEED = 11


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no asyncio plugin is a dependency)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        kwargs = {name: pyfuncitem.funcargs[name] for name in names}
        asyncio.run(pyfuncitem.obj(**kwargs))
        return True
    return None


async def settle(app: Any, pilot: Any, *, failures_expected: bool = False) -> None:
    """Let every worker finish and every message they posted be handled."""
    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
        except WorkerFailed:
            if not failures_expected:
                raise
        await pilot.pause()


def _log_streams(region: str) -> dict[tuple[str, str], int]:
    """Every log stream moto holds in ``region`` and its number of events."""
    from batchtui.sandbox import moto_glue

    backend = moto_glue.logs_backend(region)
    return {
        (group_name, stream_name): len(stream.events)
        for group_name, group in backend.groups.items()
        for stream_name, stream in group.streams.items()
    }


def _streams_written(sandbox: Any) -> set[str]:
    """The log streams a sandbox's jobs name, attempt by attempt."""
    jobs = sandbox.scheduler.store.jobs.values()
    return {job.log_stream for job in jobs} | {a.log_stream for job in jobs for a in job.attempts}


def _forget_new_log_streams(
    region: str, before: dict[tuple[str, str], int], written: set[str]
) -> None:
    """Delete the streams (and groups) a sandbox wrote since ``before``.

    moto's logs backend belongs to the process, not to one sandbox, and every demo sandbox
    with the same random seed names its jobs' streams alike: without this, the next test's
    sandbox would append its lines to this one's. The new streams go first, whatever the check
    below finds, so one failure never spreads to the tests after it.

    A stream that existed before, grew and is one this sandbox's jobs name (``written``) means two
    sandboxes mixed their logs: that fails. Other old streams may grow meanwhile: a job of the
    session's sandbox that runs a real subprocess logs in real time, whichever test runs then.
    """
    from batchtui.sandbox import moto_glue

    backend = moto_glue.logs_backend(region)
    groups_before = {group for group, _ in before}
    after = _log_streams(region)
    new = after.keys() - before.keys()
    for group, stream in new:
        if group in groups_before:
            backend.groups[group].delete_log_stream(stream)
    for group in {group for group, _ in after} - groups_before:
        backend.delete_log_group(group)
    grown = [k for k, n in after.items() if k in before and n != before[k] and k[1] in written]
    assert not grown, f"a demo sandbox wrote into another sandbox's log streams: {grown[:3]}"


@contextmanager
def fresh_sandbox(**settings: Any) -> Iterator[Any]:
    """A sandbox on a manual clock from START, whose log streams go when it stops."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        manual_clock=True, random_seed=DEMO_RANDOM_SEED, start_time=START, **settings
    )
    before = _log_streams(config.region)
    written: set[str] = set()
    try:
        with Sandbox(config) as sandbox:
            try:
                yield sandbox
            finally:
                written = _streams_written(sandbox)
    finally:
        _forget_new_log_streams(config.region, before, written)


@pytest.fixture
def demo() -> Iterator[Any]:
    """A fresh sandbox with the demo account on a manual clock, the same every time."""
    with fresh_sandbox(seed="demo") as sandbox:
        yield sandbox


def aws_on(sb: Any, *, read_only: bool = False) -> Aws:
    return Aws(
        AwsTarget(
            region=sb.region,
            endpoint_url=sb.url,
            sandbox=True,
            read_only=read_only,
            credentials=("testing", "testing"),
        )
    )


def batch_client(sb: Any) -> Any:
    """A boto3 Batch client of the sandbox, for a test to act as another user of the account."""
    import boto3

    return boto3.client(
        "batch",
        endpoint_url=sb.url,
        region_name=sb.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def app_on(
    sb: Any,
    *,
    read_only: bool = False,
    config: TuiConfig | None = None,
    clock: Callable[[], float] = lambda: 1000.0,
    where_label: str = "",
    owns_sandbox: bool = False,
) -> BatchtuiApp:
    """The app connected to ``sb``; its refresh timer off and its clock fixed. ``owns_sandbox``:
    as ``batchtui --sandbox`` runs it (quitting loses the sandbox, so q asks first)."""
    return create_app(
        aws_on(sb, read_only=read_only),
        sandbox=sb,
        config=config or TuiConfig(refresh_interval=0),
        clock=clock,
        where_label=where_label,
        owns_sandbox=owns_sandbox,
    )


@pytest.fixture
def make_app(demo: Any) -> Callable[..., BatchtuiApp]:
    """``make_app(read_only=..., config=..., clock=..., where_label=..., owns_sandbox=...)``:
    the app on ``demo``."""

    def make(
        *,
        read_only: bool = False,
        config: TuiConfig | None = None,
        clock: Callable[[], float] = lambda: 1000.0,
        where_label: str = "",
        owns_sandbox: bool = False,
    ) -> BatchtuiApp:
        return app_on(
            demo,
            read_only=read_only,
            config=config,
            clock=clock,
            where_label=where_label,
            owns_sandbox=owns_sandbox,
        )

    return make
