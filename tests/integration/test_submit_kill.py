"""`batchtui submit` killed at any point, then run again, always completes the submission with
each job submitted once and one labels item per image.

Each run is a real `batchtui` process talking to the sandbox through the fault proxy. A seeded
choice of request (the n-th ListObjectsV2, GetObject, ListJobs, PutObject or SubmitJob) is held
there; once the process is inside that call it is killed (SIGKILL, or SIGINT as Ctrl-C is), and
then the held request goes on to the sandbox: a SubmitJob killed this way reached Batch but its
answer never reached the journal, the window a re-run must find by the jobs' names.
"""

from __future__ import annotations

import collections
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from faultproxy import FaultProxy, Rule
from submit_setup import Setup, items, jobs_named, make_setup, run_to_the_end

ROUNDS, KILLS = 8, 10  # the kills asked for: at least ten


def kill_points(s: Setup) -> list[tuple[str, int]]:
    """Where a kill lands: the n-th request of an operation, as the proxy names it (Batch's by
    operation; S3's by the last part of its path: the bucket for the listing, the object's name
    for GetObject and PutObject). Weighted towards the submits and the journal's writes."""
    return [("submitjob", 1), ("submitjob", 2), ("submitjob", 1), ("journal.json", 2),
            ("journal.json", 3), ("journal.json", 2), ("array-0000.jsonl", 1), ("listjobs", 1),
            ("journal.json", 1), (s.bucket, 1)]  # fmt: skip


def start(s: Setup, url: str, state: pathlib.Path, region: str) -> subprocess.Popen[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(state), "XDG_STATE_HOME": str(state),
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}  # fmt: skip
    argv = [sys.executable, "-m", "batchtui", "--endpoint-url", url, "--region", region,
            "submit", "--profile", str(s.profile), "--images", s.url, "--images-per-job", "1",
            "--yes", "--output", "json"]  # fmt: skip
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def killed_run(s: Setup, sandbox: Any, state: pathlib.Path, rng: random.Random) -> str:
    """One run with a request held at a seeded point: "killed" if the process got there and
    was killed, else how it ended."""
    op, nth = rng.choice(kill_points(s))
    how = rng.choice([signal.SIGKILL, signal.SIGINT])
    with FaultProxy(sandbox.url) as proxy:
        proxy.rules = [Rule("hold", ops={op}, nth={nth})]
        proc = start(s, proxy.url, state, sandbox.region)
        # The process ending without reaching the held request also ends the wait.
        threading.Thread(target=lambda: (proc.wait(), proxy.holding.set()), daemon=True).start()
        assert proxy.holding.wait(120)
        if proc.poll() is not None:
            out, err = proc.communicate()
            assert proc.returncode == 0, err
            return f"completed ({json.loads(out)['status']})"
        proc.send_signal(how)
        proc.communicate(timeout=60)
        proxy.release()  # the held request reaches the sandbox; nobody reads its answer
        assert proxy.answered.wait(60)
    return "killed"


def test_submit_killed_at_random_points_always_completes_with_no_duplicate(
    tmp_path: pathlib.Path, sandbox: Any, aws_client: Any, batch_queue: Any,
    job_definition: Any, unique_name: Callable[[str], str],
) -> None:  # fmt: skip
    rng = random.Random(2026)
    batch, ddb = aws_client("batch"), aws_client("dynamodb")
    outcomes: collections.Counter[str] = collections.Counter()
    job_ids: list[str] = []
    setups = []
    for round_ in range(ROUNDS):
        if outcomes["killed"] >= KILLS:
            break
        (tmp_path / f"r{round_}" / "state").mkdir(parents=True)
        s = make_setup(tmp_path / f"r{round_}", aws_client, batch_queue, job_definition,
                       unique_name, count=3)  # fmt: skip
        state = tmp_path / f"r{round_}" / "state"
        for _ in range(4):  # killed runs, until one gets to the end by itself
            outcome = killed_run(s, sandbox, state, rng)
            outcomes[outcome] += 1
            if outcome != "killed":
                break
        # The same command once more, undisturbed: it completes what the killed runs began.
        final = start(s, sandbox.url, state, sandbox.region)
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err
        doc = json.loads(out)
        assert doc["status"] in ("submitted", "nothing-to-do")
        names = collections.Counter(
            j["jobName"] for j in jobs_named(batch, s.queue, f"sandbox-{doc['submissionId']}-")
        )
        assert names == {j["jobName"]: 1 for j in doc["jobs"]}, "each job submitted once"
        job_ids += [j["jobId"] for j in doc["jobs"]]
        setups.append(s)
    assert outcomes["killed"] >= 10, outcomes

    jobs = run_to_the_end(sandbox, batch, job_ids)
    assert {j["status"] for j in jobs} == {"SUCCEEDED"}
    for s in setups:
        assert items(ddb, s.table) == sorted(f"s3://{s.bucket}/{k}" for k in s.images)
