"""`batchtui logs` through the fault-injecting proxy: every line once, or one line of error.

A cut-short GetLogEvents answer used to read as a stream with no events: exit 0, nothing
printed. Retries sleep on a simulated clock (no test waits for a back-off).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from faultproxy import FaultProxy, Rule

from batchtui.aws.retries import RetryPolicy
from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main


@pytest.fixture
def proxy(logs_sandbox: Any) -> Iterator[FaultProxy]:
    with FaultProxy(logs_sandbox.url) as p:
        yield p


@pytest.fixture
def logs_cli(
    logs_sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    def run(url: str, *argv: str, policy: RetryPolicy | None = None) -> tuple[int, str, str]:
        slept: list[float] = []
        aws = Aws(
            AwsTarget(
                region=logs_sandbox.region, endpoint_url=url, credentials=("testing", "testing")
            ),
            retry=policy or RetryPolicy(),
            clock=lambda: sum(slept),
            sleep=slept.append,
            rand=random.Random(2).random,
        )
        code = main(["logs", *argv], aws=aws)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="module")
def finished_job(jobdef: Any, submit: Any, run_to_end: Any) -> dict[str, Any]:
    return run_to_end(submit(jobdef("sleep 200")))


@pytest.mark.parametrize("follow", [False, True])
def test_cut_short_answers_print_every_line_once(
    logs_sandbox, proxy, logs_cli, finished_job, follow
) -> None:
    argv = [finished_job["jobId"], *(["--follow"] if follow else [])]
    direct = logs_cli(logs_sandbox.url, *argv)
    assert direct[0] == 0 and len(direct[1].splitlines()) >= 5
    for seed in range(8):
        proxy.rules = [Rule("cut", rate=0.1, seed=seed)]
        got = logs_cli(proxy.url, *argv)
        assert got[:2] == direct[:2], got[2]
    assert proxy.faults("cut") > 0, "no answer was cut short: the test proved nothing"
    # Every stream's events come in one answer here: cut it twice, then it comes whole.
    proxy.reset(Rule("cut", ops={"FilterLogEvents" if follow else "GetLogEvents"}, nth={1, 2}))
    assert logs_cli(proxy.url, *argv)[:2] == direct[:2]
    assert proxy.faults("cut") == 2


@pytest.mark.parametrize("fault", ["cut", "garble", "drop", "error"])
def test_a_stream_that_cannot_be_read_is_one_line_not_an_empty_log(
    proxy, logs_cli, finished_job, fault
) -> None:
    proxy.rules = [Rule(fault, ops={"GetLogEvents"})]
    code, out, err = logs_cli(proxy.url, finished_job["jobId"])
    assert (code, out) == (1, "")
    assert len(err.splitlines()) == 1 and err.startswith("batchtui: ")
    assert "logs:GetLogEvents" in err and err.rstrip().endswith(")")


def test_a_job_lookup_cut_short_is_not_an_unknown_job(proxy, logs_cli, finished_job) -> None:
    proxy.rules = [Rule("cut", ops={"DescribeJobs"})]
    code, out, err = logs_cli(proxy.url, finished_job["jobId"], policy=RetryPolicy(max_attempts=2))
    assert (code, out) == (1, "")
    assert "not found" not in err and "batch:DescribeJobs" in err and "incomplete" in err
