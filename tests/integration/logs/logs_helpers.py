"""Helpers of the logs tests (a name of its own: tests/conftest.py is another `conftest`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema


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


LOGS_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[3] / "batchtui" / "data" / "logs.schema.json").read_text()
)


def json_records(out: str) -> list[dict[str, Any]]:
    """``logs --output json``'s lines, each checked against batchtui/data/logs.schema.json."""
    records = [json.loads(line) for line in out.splitlines()]
    for r in records:
        jsonschema.validate(r, LOGS_SCHEMA)
    return records
