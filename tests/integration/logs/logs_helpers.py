"""Helpers of the logs tests (a name of its own: tests/conftest.py is another `conftest`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def stream_messages(client: Callable[[str], Any], group: str, stream: str) -> list[dict[str, Any]]:
    """Every event of a stream, straight from GetLogEvents (the reference the tests compare to)."""
    logs = client("logs")
    events: list[dict[str, Any]] = []
    token = None
    while True:
        kw: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
        if token:
            kw["nextToken"] = token
        page = logs.get_log_events(**kw)
        events += page["events"]
        if page["nextForwardToken"] == token:
            return events
        token = page["nextForwardToken"]
