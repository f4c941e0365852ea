"""The sandbox's log events live on its simulated clock, and `logs --since` reads it there.

The logs tests' sandbox runs hours behind the real clock: read against the machine's clock,
"the last 5 minutes" would be empty (or, ahead of it, everything).
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

from logs_helpers import json_records, stream_messages

GROUP = "/aws/batch/job"


def test_events_are_ingested_on_the_simulated_clock(
    logs_sandbox: Any, jobdef, submit, run_to_end, client
) -> None:
    job = run_to_end(submit(jobdef("sleep 200")))
    events = stream_messages(client, GROUP, job["container"]["logStreamName"])
    assert len(events) >= 5
    now_ms = logs_sandbox.now() * 1000
    assert abs(now_ms - time.time() * 1000) > 3600_000  # the clock is far from the real one
    for e in events:
        assert e["timestamp"] <= e["ingestionTime"] <= now_ms


def test_every_answer_is_dated_with_the_sandbox_clock(logs_sandbox: Any, client) -> None:
    for answer in (client("logs").describe_log_groups(), client("batch").describe_job_queues()):
        date = answer["ResponseMetadata"]["HTTPHeaders"]["date"]
        assert abs(parsedate_to_datetime(date).timestamp() - logs_sandbox.now()) < 1.5


def test_since_reads_the_sandbox_clock(
    logs_sandbox: Any, jobdef, submit, run_to_end, client, cli
) -> None:
    job = run_to_end(submit(jobdef("sleep 900")))
    events = stream_messages(client, GROUP, job["container"]["logStreamName"])
    # End the window inside the job's run: its last line was written 5 minutes ago or less.
    logs_sandbox.advance(60)
    now_s = int(logs_sandbox.now())  # the Date header tells whole seconds
    start_ms = (now_s - 600) * 1000
    want = [e["message"] for e in events if e["timestamp"] >= start_ms]
    assert 0 < len(want) < len(events)  # the window cuts the stream
    code, out, err = cli(job["jobId"], "--since", "10m")
    assert code == 0, err
    assert out.splitlines() == want
    code, out, err = cli(job["jobId"], "--since", "10m", "--output", "json")
    assert code == 0, err
    records = json_records(out)
    assert [r["message"] for r in records] == want
    assert all(r["timestamp"] <= r["ingestionTime"] <= now_s * 1000 for r in records)
