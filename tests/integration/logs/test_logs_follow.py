"""Following over HTTP: a job that starts while followed, a retry, 100,000 lines with ties.

The follow loop's sleep is the sandbox's clock: each time the follower waits, simulated time
moves on by as much (``sandbox.advance``), so the job runs while it is being followed, with no
real waiting. Every line must come out exactly once, and the loop must end by itself.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from logs_helpers import stream_messages

from batchtui.aws.logs import LogSelection, follow
from batchtui.aws.session import Aws, AwsTarget
from batchtui.follow import FollowBatch

GROUP = "/aws/batch/job"


def make_aws(sb: Any) -> Aws:
    return Aws(AwsTarget(region=sb.region, endpoint_url=sb.url, credentials=("testing", "testing")))


class SandboxTime:
    """The follower's clock and sleep, tied to the sandbox's simulated clock."""

    def __init__(self, sb: Any, on_sleep: Callable[[float], None] | None = None) -> None:
        self.sb = sb
        self.t = 0.0
        self.on_sleep = on_sleep

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds
        self.sb.advance(seconds)
        if self.on_sleep:
            self.on_sleep(self.t)


def collect(gen: Any, limit: int = 100_000) -> list[FollowBatch]:
    batches = list(itertools.islice(gen, limit))
    assert batches and batches[-1].done, "the follow did not end by itself"
    return batches


def test_a_job_that_starts_while_followed(
    logs_sandbox: Any, jobdef: Any, submit: Any, client: Any
) -> None:
    job_id = submit(jobdef("sleep 240"))
    time = SandboxTime(logs_sandbox)
    batches = collect(follow(make_aws(logs_sandbox), job_id, clock=time.clock, sleep=time.sleep))
    job = client("batch").describe_jobs(jobs=[job_id])["jobs"][0]
    assert job["status"] == "SUCCEEDED"
    expected = stream_messages(client, GROUP, job["container"]["logStreamName"])
    got = [(e.timestamp, e.message) for b in batches for e in b.events]
    assert got == [(e["timestamp"], e["message"]) for e in expected]
    notices = [n for b in batches for n in b.notices]
    assert "has not started" in notices[0]
    assert any(n.startswith("reading attempt 1: /aws/batch/job ") for n in notices)
    assert "SUCCEEDED" in batches[-1].notices[-1]


def test_following_a_retried_job_moves_to_each_new_attempt(
    logs_sandbox: Any, jobdef: Any, submit: Any, client: Any
) -> None:
    job_id = submit(jobdef("sleep 90; exit 1"), retryStrategy={"attempts": 3})
    time = SandboxTime(logs_sandbox)
    batches = collect(follow(make_aws(logs_sandbox), job_id, clock=time.clock, sleep=time.sleep))
    job = client("batch").describe_jobs(jobs=[job_id])["jobs"][0]
    assert job["status"] == "FAILED" and len(job["attempts"]) == 3
    events = [e for b in batches for e in b.events]
    for n, attempt in enumerate(job["attempts"], start=1):
        stream = attempt["container"]["logStreamName"]
        want = [(e["timestamp"], e["message"]) for e in stream_messages(client, GROUP, stream)]
        got = [(e.timestamp, e.message) for e in events if e.target and e.target.attempt == n]
        assert got == want, f"attempt {n}"
    assert [t.attempt for b in batches for t in b.new_targets] == [1, 2, 3]


def test_array_children_followed_merged(
    logs_sandbox: Any, jobdef: Any, submit: Any, client: Any
) -> None:
    parent = submit(jobdef("sleep 120"), arrayProperties={"size": 4})
    time = SandboxTime(logs_sandbox)
    gen = follow(
        make_aws(logs_sandbox),
        parent,
        LogSelection(child="all"),
        clock=time.clock,
        sleep=time.sleep,
    )
    events = [e for b in collect(gen) for e in b.events]
    children = client("batch").describe_jobs(jobs=[f"{parent}:{i}" for i in range(4)])["jobs"]
    want = Counter(
        (c["arrayProperties"]["index"], e["timestamp"], e["message"])
        for c in children
        for e in stream_messages(client, GROUP, c["container"]["logStreamName"])
    )
    got = Counter((e.target.child, e.timestamp, e.message) for e in events if e.target)
    assert got == want and len(events) == sum(want.values())


BULK = 100_000
PER_TIMESTAMP = 1_000  # a thousand lines share each millisecond


@pytest.mark.slow  # about 35 s: moto's FilterLogEvents scans the whole stream per request
def test_100k_lines_with_shared_timestamps_each_exactly_once(
    logs_sandbox: Any, jobdef: Any, submit: Any, client: Any, run_to_end: Any, cli: Any
) -> None:
    """Half of the lines are there before the follow starts, half arrive while it runs, in
    batches of 10,000 that share ten milliseconds; then the job is terminated."""
    job_id = submit(jobdef("sleep 100000"))
    batch = client("batch")
    while batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] != "RUNNING":
        logs_sandbox.advance(15)
    stream = batch.describe_jobs(jobs=[job_id])["jobs"][0]["container"]["logStreamName"]
    logs = client("logs")
    counter = itertools.count()

    def put(n: int) -> None:
        # Lines stamped at the job's simulated "now", many to one millisecond.
        base = int(logs_sandbox.now() * 1000)
        for _ in range(0, n, 10_000):
            ids = [next(counter) for _ in range(10_000)]
            logs.put_log_events(
                logGroupName=GROUP,
                logStreamName=stream,
                logEvents=[
                    {"timestamp": base + i // PER_TIMESTAMP % 10, "message": f"bulk {i:06d}"}
                    for i in ids
                ],
            )

    put(BULK // 2)
    pending = [10_000] * 5

    def more(_t: float) -> None:
        if pending:
            put(pending.pop())
        elif batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "RUNNING":
            batch.terminate_job(jobId=job_id, reason="enough lines")

    time = SandboxTime(logs_sandbox, on_sleep=more)
    events = [
        e
        for b in collect(follow(make_aws(logs_sandbox), job_id, clock=time.clock, sleep=time.sleep))
        for e in b.events
    ]
    bulk = Counter(e.message for e in events if e.message.startswith("bulk "))
    assert len(bulk) == BULK and set(bulk.values()) == {1}
    everything = stream_messages(client, GROUP, stream)
    assert len(events) == len(everything)
    assert Counter(e.event_id for e in events).most_common(1)[0][1] == 1

    # The one-shot reader (GetLogEvents, forward tokens) prints the same lines, once each.
    code, out, err = cli(job_id)
    assert code == 0, err
    printed = out.splitlines()
    assert printed == [e["message"] for e in everything]
    assert Counter(x for x in printed if x.startswith("bulk ")).most_common(1)[0][1] == 1
