"""Fixtures of the end-to-end diagnose tests: ``batchtui diagnose`` pointed at a sandbox, and
the TUI on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from diagnose_seen import Run, Tui, point_at, runner


@pytest.fixture
def diagnose_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[[Any], Run]:
    """``diagnose_on(sb)``: the CLI pointed at ``sb`` (until the test ends), and ``run(*args)``
    -> (exit code, JSON document) of ``batchtui diagnose ARGS --output json``."""

    def on(sb: Any) -> Run:
        point_at(monkeypatch, sb)
        return runner(capsys)

    return on


@pytest.fixture
def diagnose(diagnose_on: Callable[[Any], Run], sandbox: Any) -> Run:
    """``diagnose(*args)`` -> (exit code, JSON document) against the session sandbox."""
    return diagnose_on(sandbox)


@pytest.fixture
def batch(aws_client: Any) -> Any:
    """A boto3 Batch client of the session sandbox."""
    return aws_client("batch")


@pytest.fixture(scope="module")
def tui(sandbox: Any) -> Iterator[Tui]:
    """The TUI on the session sandbox, opened once a module (closed after it, so that it ticks
    beside no other tests): ``tui.assert_names(finding, job=job_id)``."""
    with Tui(sandbox) as opened:
        yield opened
