"""`batchtui logs --node` over HTTP against the sandbox's multi-node parallel jobs: every node's
stream found from the job itself (per node range's logConfiguration), merged and marked per node,
one node alone, usage errors, and following a running MNP job."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from conftest import unique
from logs_helpers import json_records, stream_messages
from test_logs_follow import SandboxTime, collect, make_aws

from batchtui.aws.logs import LogSelection, follow

GROUP = "/aws/batch/job"
WORKERS = "/sandbox/mnp-workers"


@pytest.fixture(scope="module")
def mnp_jobdef(client: Callable[[str], Any]) -> Callable[..., str]:
    """A 3-node definition: node 0 (main) logs to the default group, nodes 1: to WORKERS."""

    def make(main_cmd: str = "sleep 200", child_cmd: str = "sleep 400") -> str:
        name = unique("logs-mnp")
        res = [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "1024"}]
        worker_logs = {
            "logDriver": "awslogs",
            "options": {"awslogs-group": WORKERS, "awslogs-stream-prefix": "worker"},
        }
        client("batch").register_job_definition(
            jobDefinitionName=name,
            type="multinode",
            nodeProperties={
                "numNodes": 3,
                "mainNode": 0,
                "nodeRangeProperties": [
                    {
                        "targetNodes": "0",
                        "container": {
                            "image": "busybox",
                            "command": ["sh", "-c", main_cmd],
                            "resourceRequirements": res,
                        },
                    },
                    {
                        "targetNodes": "1:",
                        "container": {
                            "image": "busybox",
                            "command": ["sh", "-c", child_cmd],
                            "resourceRequirements": res,
                            "logConfiguration": worker_logs,
                        },
                    },
                ],
            },
        )
        return name

    return make


def lines(out: str) -> list[str]:
    return out.splitlines()


def node_events(client: Any, job_id: str) -> dict[int, list[dict[str, Any]]]:
    nodes = client("batch").describe_jobs(jobs=[f"{job_id}#{i}" for i in range(3)])["jobs"]
    out = {}
    for n in nodes:
        i = n["nodeDetails"]["nodeIndex"]
        group = GROUP if i == 0 else WORKERS
        out[i] = stream_messages(client, group, n["container"]["logStreamName"])
    return out


def test_node_all_one_node_and_usage_errors(mnp_jobdef, submit, run_to_end, client, cli) -> None:
    job = run_to_end(submit(mnp_jobdef(main_cmd="sleep 300", child_cmd="sleep 100")))
    assert job["status"] == "SUCCEEDED"
    per_node = node_events(client, job["jobId"])
    assert all(per_node[i] for i in range(3))
    streams = {i: evs for i, evs in per_node.items()}
    assert (
        "worker/default/"
        in client("batch").describe_jobs(jobs=[f"{job['jobId']}#1"])["jobs"][0]["container"][
            "logStreamName"
        ]
    )

    code, out, err = cli(job["jobId"], "--node", "all")
    assert code == 0, err
    got = Counter(lines(out))
    want = Counter(
        f"[node {i} attempt 1] {e['message']}" for i, evs in streams.items() for e in evs
    )
    assert got == want  # every node's lines, once each, marked with their node

    code, out2, err = cli(job["jobId"])  # no --node: all nodes too
    assert code == 0 and Counter(lines(out2)) == want

    code, out, err = cli(job["jobId"], "--node", "all", "--output", "json")
    records = json_records(out)
    assert sorted((r["nodeIndex"], r["timestamp"], r["message"]) for r in records) == sorted(
        (i, e["timestamp"], e["message"]) for i, evs in streams.items() for e in evs
    )
    assert [r["timestamp"] for r in records] == sorted(r["timestamp"] for r in records)
    assert {r["logGroupName"] for r in records if r["nodeIndex"] == 0} == {GROUP}
    assert {r["logGroupName"] for r in records if r["nodeIndex"] != 0} == {WORKERS}

    code, out, err = cli(job["jobId"], "--node", "1")
    assert code == 0, err
    assert lines(out) == [e["message"] for e in streams[1]]  # only node 1, unmarked
    assert any("node 1 of 3 (child node; main node at 10." in x for x in lines(out))
    code, out, err = cli(f"{job['jobId']}#2")  # a node's own id works too
    assert code == 0 and lines(out) == [e["message"] for e in streams[2]]

    code, out, err = cli(job["jobId"], "--node", "3")
    assert code == 2 and out == ""
    assert "has nodes 0..2" in err


def test_node_on_a_job_that_is_not_multinode(jobdef, submit, run_to_end, cli) -> None:
    job = run_to_end(submit(jobdef("sleep 60")))
    code, out, err = cli(job["jobId"], "--node", "0")
    assert code == 2 and out == ""
    assert "not a multi-node parallel job" in err


def run_until_node_1_runs(sb: Any, batch: Any, job_id: str) -> None:
    for _ in range(40):
        found = batch.describe_jobs(jobs=[f"{job_id}#1"])["jobs"]  # none before nodes exist
        if found and found[0]["status"] == "RUNNING":
            return
        sb.advance(15)
    raise AssertionError("node 1 never ran")


def test_following_a_running_mnp_job(logs_sandbox, mnp_jobdef, submit, client) -> None:
    job_id = submit(mnp_jobdef(main_cmd="sleep 240", child_cmd="sleep 600"))
    batch = client("batch")
    run_until_node_1_runs(logs_sandbox, batch, job_id)
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "RUNNING"
    time = SandboxTime(logs_sandbox)
    gen = follow(
        make_aws(logs_sandbox),
        job_id,
        LogSelection(node="all"),
        clock=time.clock,
        sleep=time.sleep,
    )
    events = [e for b in collect(gen) for e in b.events]
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "SUCCEEDED"
    want = Counter(
        (i, e["timestamp"], e["message"])
        for i, evs in node_events(client, job_id).items()
        for e in evs
    )
    got = Counter((e.target.node, e.timestamp, e.message) for e in events if e.target)
    assert got == want and len(events) == sum(want.values())
    assert {i for i, _, _ in got} == {0, 1, 2}


@pytest.mark.slow  # about 13 s: the CLI follows in real time (5 s polls, 5 s drain)
def test_cli_follow_of_a_running_mnp_job_node_1(logs_sandbox, mnp_jobdef, submit, client, cli):
    # The main node outlives a scale-up: after an earlier test of the module, an idle instance
    # starts the main node at once while the other nodes wait for instances to launch, and a
    # job whose main node ends first never runs node 1.
    job_id = submit(mnp_jobdef(main_cmd="sleep 400", child_cmd="sleep 600"))
    batch = client("batch")
    run_until_node_1_runs(logs_sandbox, batch, job_id)
    stop = threading.Event()

    def tick() -> None:  # the job runs on while the CLI follows it in real time
        while not stop.wait(0.2):
            logs_sandbox.advance(30)

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        code, out, err = cli(job_id, "--node", "1", "--follow")
    finally:
        stop.set()
        ticker.join()
    assert code == 0, err
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "SUCCEEDED"
    assert lines(out) == [e["message"] for e in node_events(client, job_id)[1]]
