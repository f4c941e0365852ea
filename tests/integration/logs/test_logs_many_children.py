"""`logs --child all` merges every child of an array, however many streams that is."""

from __future__ import annotations

from typing import Any

from logs_helpers import json_records, stream_messages

GROUP = "/aws/batch/job"


def test_child_all_merges_every_child_of_eighteen(jobdef, submit, run_to_end, client, cli) -> None:
    size = 18
    parent = submit(jobdef("sleep 60"), arrayProperties={"size": size})
    run_to_end(parent)
    children = client("batch").describe_jobs(jobs=[f"{parent}:{i}" for i in range(size)])["jobs"]
    assert {c["status"] for c in children} == {"SUCCEEDED"}
    want: list[tuple[int, int, str]] = []
    for c in children:
        index = c["arrayProperties"]["index"]
        events = stream_messages(client, GROUP, c["container"]["logStreamName"])
        assert events
        want += [(index, e["timestamp"], e["message"]) for e in events]
    code, out, err = cli(parent, "--child", "all", "--output", "json")
    assert code == 0, err
    records: list[dict[str, Any]] = json_records(out)
    assert sorted((r["arrayIndex"], r["timestamp"], r["message"]) for r in records) == sorted(want)
    assert {r["arrayIndex"] for r in records} == set(range(size))
    assert [r["timestamp"] for r in records] == sorted(r["timestamp"] for r in records)
    # Following a finished array reads the same lines, each once, and ends by itself.
    code, out, err = cli(parent, "--child", "all", "--follow", "--output", "json")
    assert code == 0, err
    assert "following all 18 children" in err
    followed = json_records(out)
    assert sorted((r["arrayIndex"], r["timestamp"], r["message"]) for r in followed) == sorted(want)


def test_child_all_says_how_many_children_it_shows(
    logs_sandbox: Any, jobdef, submit, client, cli
) -> None:
    size = 18
    # SEQUENTIAL: one child at a time, so most have not started when the log is read.
    parent = submit(
        jobdef("sleep 60"), arrayProperties={"size": size}, dependsOn=[{"type": "SEQUENTIAL"}]
    )
    batch = client("batch")
    for _ in range(100):
        logs_sandbox.advance(15)
        children = batch.describe_jobs(jobs=[f"{parent}:{i}" for i in range(size)])["jobs"]
        started = [c for c in children if c["status"] in ("RUNNING", "SUCCEEDED", "FAILED")]
        if len(started) >= 3:
            break
    shown = len(started)
    assert 3 <= shown < size
    code, out, err = cli(parent, "--child", "all")
    assert code == 0, err
    assert {line.split("]")[0] for line in out.splitlines()} <= {
        f"[child {c['arrayProperties']['index']} attempt 1" for c in started
    }
    assert f"showing the lines of {shown} of {size} children" in err
    assert "have no log stream yet" in err


def test_follow_child_all_says_how_many_children_it_follows(
    logs_sandbox: Any, jobdef, submit, client, cli
) -> None:
    """--follow --child all counts the children too (3 of 18 had a stream when the array was
    stopped: the rest never will)."""
    size = 18
    parent = submit(
        jobdef("sleep 60"), arrayProperties={"size": size}, dependsOn=[{"type": "SEQUENTIAL"}]
    )
    batch = client("batch")
    for _ in range(100):
        logs_sandbox.advance(15)
        children = batch.describe_jobs(jobs=[f"{parent}:{i}" for i in range(size)])["jobs"]
        if sum(c["status"] in ("RUNNING", "SUCCEEDED", "FAILED") for c in children) >= 3:
            break
    batch.terminate_job(jobId=parent, reason="enough")
    for _ in range(20):
        logs_sandbox.advance(15)
        if batch.describe_jobs(jobs=[parent])["jobs"][0]["status"] in ("SUCCEEDED", "FAILED"):
            break
    children = batch.describe_jobs(jobs=[f"{parent}:{i}" for i in range(size)])["jobs"]
    shown = sum("logStreamName" in c.get("container", {}) for c in children)
    assert 3 <= shown < size
    code, _out, err = cli(parent, "--child", "all", "--follow")
    assert code == 0, err
    assert (
        f"following {size} children: {shown} have a log stream so far, the others ended without one"
    ) in err
