"""Fixtures of the TUI tests: an app on an exact in-memory account, driven by Pilot.

Tests await the workers (``settle``) instead of sleeping; the refresh timer is off unless a test
turns it on, and the status bar's clock is fixed, so what a test sees is deterministic.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.worker import WorkerFailed

sys.path.insert(0, str(Path(__file__).parent))

from fakebatch import FakeBatch, demo_account, make_aws

from batchtui.tui.app import BatchtuiApp, create_app
from batchtui.tui.config import TuiConfig

SIZE = (140, 40)


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


@pytest.fixture
def fake() -> FakeBatch:
    return demo_account()


@pytest.fixture
def make_app(fake: FakeBatch) -> Callable[..., BatchtuiApp]:
    def make(
        *,
        read_only: bool = False,
        config: TuiConfig | None = None,
        account: FakeBatch | None = None,
        clock: Callable[[], float] = lambda: 1000.0,
    ) -> BatchtuiApp:
        aws = (account or fake).install(make_aws(read_only=read_only))
        return create_app(aws, config=config or TuiConfig(refresh_interval=0), clock=clock)

    return make
