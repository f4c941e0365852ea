"""`batchtui jobs` and `plan --live` through a fault-injecting proxy in front of the sandbox.

Under every fault the result is exactly the direct run's, or exit 1 with one line on stderr:
never a shorter list, never an empty answer taken for a real one. Retries sleep on a simulated
clock that the proxy's outages are timed on, so no test waits for a back-off.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FaultProxy, Rule, SimClock

from batchtui.aws.retries import RetryPolicy
from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main

PROFILES = Path(__file__).resolve().parents[2] / "profiles"


@pytest.fixture
def sim() -> SimClock:
    return SimClock()


@pytest.fixture
def proxy(demo_sandbox: Any, sim: SimClock) -> Iterator[FaultProxy]:
    with FaultProxy(demo_sandbox.url, clock=sim.now) as p:
        yield p


@pytest.fixture
def run(
    demo_sandbox: Any, sim: SimClock, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """``run(url, *argv, policy=...)``: the CLI against ``url`` with simulated retries."""

    def go(url: str, *argv: str, policy: RetryPolicy | None = None) -> tuple[int, str, str]:
        aws = Aws(
            AwsTarget(
                region=demo_sandbox.region, endpoint_url=url, credentials=("testing", "testing")
            ),
            retry=policy or RetryPolicy(),
            clock=sim.now,
            sleep=sim.sleep,
            rand=random.Random(5).random,
        )
        code = main(list(argv), aws=aws)
        out, err = capsys.readouterr()
        return code, out, err

    return go


def one_line_failure(code: int, out: str, err: str) -> str:
    assert code == 1, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("batchtui: ") and lines[0].endswith(")"), lines[0]
    return lines[0]


JOBS = ("jobs", "--queue", "demo-genomics", "--output", "json")


def test_cut_short_bodies_never_make_a_shorter_list(demo_sandbox, proxy, run) -> None:
    direct = run(demo_sandbox.url, *JOBS)
    assert direct[0] == 0 and len(json.loads(direct[1])["jobSummaryList"]) > 300
    for seed in range(4):
        proxy.rules = [Rule("cut", rate=0.1, seed=seed)]
        assert run(proxy.url, *JOBS) == direct
    assert proxy.faults("cut") > 0, "no answer was cut short: the test proved nothing"


@pytest.mark.parametrize("fault", ["cut", "garble", "drop", "error", "throttle"])
def test_a_page_that_cannot_be_read_fails_the_whole_listing(proxy, run, fault) -> None:
    """The third status's page fails on every try: no partial listing reaches stdout."""
    proxy.rules = [Rule(fault, ops={"ListJobs"}, nth=range(3, 100))]
    line = one_line_failure(*run(proxy.url, *JOBS, policy=RetryPolicy(max_attempts=3)))
    assert "batch:ListJobs" in line and "3 tries" in line
    assert proxy.counts["listjobs"] == 2 + 3  # two good pages, then three tries of the third


def test_a_cut_short_queue_lookup_is_not_a_missing_queue(proxy, run) -> None:
    proxy.rules = [Rule("cut", ops={"DescribeJobQueues"})]
    line = one_line_failure(*run(proxy.url, *JOBS))
    assert "not found" not in line
    assert "batch:DescribeJobQueues" in line and "incomplete" in line
    assert "got " in line and " bytes" in line


@pytest.mark.parametrize("fault", ["error", "drop"])
def test_a_five_second_outage_mid_listing_is_ridden_out(
    demo_sandbox, proxy, run, sim, fault
) -> None:
    direct = run(demo_sandbox.url, *JOBS)
    proxy.rules = [Rule(fault, ops={"ListJobs"}, nth={3}, outage_s=5.0)]
    assert run(proxy.url, *JOBS) == direct
    assert proxy.faults(fault) >= 3  # it did fail, several times in a row
    assert sum(sim.slept) >= 5.0  # and the retries spread over the outage
    assert min(sim.slept) >= 0.5  # seconds apart, not milliseconds


def test_an_outage_longer_than_the_budget_is_one_line(proxy, run, sim) -> None:
    proxy.rules = [Rule("error", ops={"ListJobs"}, nth={1}, outage_s=60.0)]
    line = one_line_failure(*run(proxy.url, *JOBS))
    assert "batch:ListJobs failed on AWS's side: ServerException: Internal server error" in line
    assert "tries in " in line
    assert sum(sim.slept) < RetryPolicy().budget_s


def test_a_never_answering_endpoint_is_one_line_naming_the_wait(demo_sandbox, proxy, capsys):
    """A real, short read timeout (the default's timing is in bench/bench_faults.py)."""
    proxy.rules = [Rule("hang", ops={"DescribeJobQueues"}, hang_s=3.0)]
    policy = RetryPolicy(budget_s=1.0, default_read_timeout_s=0.3, min_timeout_s=0.2, base_s=0.1)
    aws = Aws(
        AwsTarget(region=demo_sandbox.region, endpoint_url=proxy.url, credentials=("t", "t")),
        retry=policy,
    )
    code = main(list(JOBS), aws=aws)
    out, err = capsys.readouterr()
    line = one_line_failure(code, out, err)
    assert f"{proxy.url} did not answer batch:DescribeJobQueues: waited " in line
    # How many tries fit in the budget depends on the machine's load (a real clock): the line
    # names them either way.
    assert re.search(r"waited [0-9.]+ s over ([0-9]+ tries|1 try) of up to 0\.3 s each", line)
    assert "BATCHTUI_AWS_TIMEOUT" in line
    assert proxy.counts["describejobqueues"] >= 1


def test_the_circuit_opens_after_requests_keep_failing(demo_sandbox, proxy, sim) -> None:
    """Two requests in a row gave up: the third is refused without a call, and says so."""
    from batchtui.aws import batch
    from batchtui.errors import CircuitOpen, ServiceFailing

    proxy.rules = [Rule("error")]
    aws = Aws(
        AwsTarget(region=demo_sandbox.region, endpoint_url=proxy.url, credentials=("t", "t")),
        retry=RetryPolicy(max_attempts=2),
        clock=sim.now,
        sleep=sim.sleep,
    )
    for _ in range(2):
        with pytest.raises(ServiceFailing):
            batch.describe_job_queues(aws)
    sent = len(proxy.log)
    with pytest.raises(CircuitOpen) as e:
        batch.describe_job_queues(aws)
    assert len(proxy.log) == sent
    assert "keeps failing" in str(e.value) and "stopped calling it for 30 s" in str(e.value)
    proxy.rules = []
    sim.t += 31  # the cool-down is over: one request tries, and closes the circuit
    assert batch.describe_job_queues(aws)
    assert batch.describe_job_queues(aws)


def test_a_lost_answer_to_a_change_is_not_sent_again(demo_sandbox, proxy, sim) -> None:
    """SubmitJob has no idempotency token: a cut-short answer may hide a job that was made."""
    from batchtui.errors import AwsError

    proxy.rules = [Rule("cut", ops={"CancelJob"})]
    aws = Aws(
        AwsTarget(region=demo_sandbox.region, endpoint_url=proxy.url, credentials=("t", "t")),
        clock=sim.now,
        sleep=sim.sleep,
    )
    with pytest.raises(AwsError) as e:
        aws.call("batch", "CancelJob", jobId="no-such-job", reason="test")
    assert proxy.counts["canceljob"] == 1
    assert "may have been done" in str(e.value)
    assert str(e.value).endswith("(check the account before you repeat it)")


PLAN = ("plan", "--profile", str(PROFILES / "sandbox.toml"), "--live", "--seed", "1",
        "--trials", "5", "--output", "json")  # fmt: skip


def test_plan_live_under_faults_is_the_direct_plan_or_one_line(demo_sandbox, proxy, run) -> None:
    direct = run(demo_sandbox.url, *PLAN)
    assert direct[0] in (0, 3), direct[2]
    # XML (EC2) and JSON (Pricing, Service Quotas) answers; every kind of fault is run through
    # `jobs` above.
    for seed, fault in enumerate(("cut", "garble", "error")):
        proxy.rules = [Rule(fault, rate=0.2, seed=seed)]
        code, out, err = run(proxy.url, *PLAN)
        if code == 1:
            one_line_failure(code, out, err)
        else:
            # The sources name the endpoint: the proxy's, here.
            assert (code, out.replace(proxy.url, demo_sandbox.url)) == direct[:2]
    assert proxy.faults() > 0
    proxy.rules = [Rule("cut", ops={"GetProducts"})]
    line = one_line_failure(*run(proxy.url, *PLAN, policy=RetryPolicy(max_attempts=2)))
    assert "pricing:GetProducts" in line
