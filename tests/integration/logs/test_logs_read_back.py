"""Reading a stream backwards from a line (what the log view does when the reader scrolls up
past the lines it holds), against the sandbox over HTTP."""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable
from typing import Any

from batchtui.aws.logs import read_stream_before
from batchtui.aws.session import Aws, AwsTarget
from batchtui.follow import LogTarget

GROUP = "/batchtui/read-back"
_streams = itertools.count(1)


def _stream(client: Callable[[str], Any], n: int, per_ms: int) -> tuple[str, int]:
    logs = client("logs")
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=GROUP)
    stream = f"read-back/{next(_streams)}"
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    base = int(time.time() * 1000) - 600_000
    for start in range(0, n, 10_000):
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            logEvents=[
                {"timestamp": base + i // per_ms, "message": f"line {i}"}
                for i in range(start, min(n, start + 10_000))
            ],
        )
    return stream, base


def _aws(sb: Any) -> Aws:
    return Aws(AwsTarget(region=sb.region, endpoint_url=sb.url, credentials=("testing", "testing")))


def test_the_lines_up_to_a_stamp_oldest_first(logs_sandbox, client) -> None:
    """Events stamped at the line's millisecond are included (AWS's endTime leaves them out,
    moto's keeps them: the reader asks one past and drops what is later)."""
    stream, base = _stream(client, 30, per_ms=4)
    target = LogTarget("j", GROUP, stream, 1, region=logs_sandbox.region)
    got = read_stream_before(_aws(logs_sandbox), target, end_ms=base + 5, limit=7)
    assert [e.message for e in got] == [f"line {i}" for i in range(17, 24)]
    assert all(e.target == target for e in got)
    every = read_stream_before(_aws(logs_sandbox), target, end_ms=base + 5, limit=100)
    assert [e.message for e in every] == [f"line {i}" for i in range(24)]


def test_more_than_a_page_follows_the_backward_tokens(logs_sandbox, client) -> None:
    stream, base = _stream(client, 25_000, per_ms=1_000)
    target = LogTarget("j", GROUP, stream, 1, region=logs_sandbox.region)
    aws = _aws(logs_sandbox)
    got = read_stream_before(aws, target, end_ms=base + 24, limit=15_000)
    assert [e.message for e in got] == [f"line {i}" for i in range(10_000, 25_000)]
    assert aws.counter.get("logs", "GetLogEvents") == 2
