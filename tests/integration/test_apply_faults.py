"""A failure at each step of an apply in turn, then a re-run without faults, always ends in the
profile's state with nothing orphaned or doubled (counted by listing the account).

The fault proxy fails the N-th mutating request of a run: ``deny`` answers before the request
reaches the sandbox (nothing changed), ``cut`` forwards it and loses the answer (the change was
made but the client cannot know). Both runs' waits sleep on a simulated clock that moves the
sandbox's too.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from faultproxy import FaultProxy, Rule, SimClock
from test_apply_cli import Profile, names_with, sandbox_aws
from test_apply_removed_compute_environments import add_extra

from batchtui.cli import main

MUTATING = (
    "RegisterJobDefinition",
    "CreateComputeEnvironment",
    "UpdateComputeEnvironment",
    "DeleteComputeEnvironment",
    "CreateJobQueue",
    "UpdateJobQueue",
)

pytestmark = pytest.mark.slow


@dataclass
class NthChange(Rule):
    """Fails the ``n``-th mutating request, whatever its operation."""

    n: int = 1
    seen: int = 0

    def fires(self, op: str, n: int, now: float) -> bool:
        if op not in self.ops:
            return False
        self.seen += 1
        return self.seen == self.n


@pytest.fixture
def sim() -> SimClock:
    return SimClock()


@pytest.fixture
def proxy(sandbox: Any, sim: SimClock) -> Iterator[FaultProxy]:
    with FaultProxy(sandbox.url, clock=sim.now) as p:
        yield p


Apply = Callable[..., tuple[int, str]]


@pytest.fixture
def apply(sandbox: Any, sim: SimClock, capsys: pytest.CaptureFixture[str]) -> Apply:
    def run(p: Profile, *argv: str, url: str | None = None) -> tuple[int, str]:
        capsys.readouterr()
        code = main(
            ["apply", "--profile", str(p.path), "--yes", *argv],
            aws=sandbox_aws(sandbox, sim, url),
        )
        return code, capsys.readouterr().err

    return run


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


def queue_order(batch: Any, name: str) -> list[str]:
    q = batch.describe_job_queues(jobQueues=[name])["jobQueues"]
    if not q:
        return []
    return [o["computeEnvironment"].rsplit("/", 1)[-1] for o in q[0]["computeEnvironmentOrder"]]


def mutating_calls(proxy: FaultProxy) -> int:
    ops = {op.lower() for op in MUTATING}
    return sum(1 for op, _ in proxy.log if op in ops)


def fail_each_step(
    proxy: FaultProxy,
    apply: Apply,
    make: Callable[[str], Profile],
    check: Callable[[Profile], None],
    *argv: str,
    between: Callable[[Profile], None] = lambda _: None,
) -> int:
    """For every mutating request of a clean run, and each fault: a fresh profile, a run that
    fails there, a clean re-run, then ``check``. Returns how many failures were injected."""
    clean = make("clean")
    proxy.reset()
    code, err = apply(clean, *argv, url=proxy.url)
    assert code == 0, err
    check(clean)
    calls = mutating_calls(proxy)
    assert calls >= 3, proxy.log
    injected = 0
    for n in range(1, calls + 1):
        for fault in ("deny", "cut"):
            p = make(f"{fault}{n}")
            proxy.reset(NthChange(fault, ops=MUTATING, n=n))
            code, err = apply(p, *argv, url=proxy.url)
            assert proxy.faults(fault) == 1, (n, fault, proxy.log)
            injected += 1
            assert code == 1, err
            assert f"step {n} of {calls} failed" in err, err
            assert "steps done before it" in err, err
            between(p)
            proxy.reset()
            code, err = apply(p, *argv, url=proxy.url)
            assert code == 0, (n, fault, err)
            check(p)
    return injected


def test_creating_everything_survives_a_failure_at_each_step(
    proxy: FaultProxy, apply: Apply, batch: Any, tmp_path: pathlib.Path,
    unique_name: Any, instance_profile: str,
) -> None:  # fmt: skip
    def make(tag: str) -> Profile:
        return Profile(tmp_path / f"{tag}.toml", unique_name(f"af{tag}"), instance_profile)

    def check(p: Profile) -> None:
        assert names_with(batch, p.prefix) == {
            "ce": [p.name("ondemand"), p.name("spot")],
            "queue": [p.name("main")],
            "jd": [p.name("image-tagger") + ":1"],
        }
        assert queue_order(batch, p.name("main")) == [p.name("spot"), p.name("ondemand")]

    assert fail_each_step(proxy, apply, make, check) == 8


def test_a_blue_green_replacement_survives_a_failure_at_each_step(
    sandbox: Any, proxy: FaultProxy, apply: Apply, batch: Any, tmp_path: pathlib.Path,
    unique_name: Any, instance_profile: str,
) -> None:  # fmt: skip
    def make(tag: str) -> Profile:
        p = Profile(tmp_path / f"{tag}.toml", unique_name(f"bg{tag}"), instance_profile)
        p.edit('allocation_strategy = "BEST_FIT_PROGRESSIVE"', 'allocation_strategy = "BEST_FIT"')
        code, err = apply(p)
        assert code == 0, err
        p.edit('instance_types = ["m5", "r5"]', 'instance_types = ["m5", "c5"]')
        return p

    def check(p: Profile) -> None:
        # A deletion whose answer was lost leaves the old one DELETING: it goes by itself.
        sandbox.advance(600)
        new = p.name("ondemand-2")
        assert names_with(batch, p.prefix)["ce"] == [new, p.name("spot")]
        assert queue_order(batch, p.name("main")) == [p.name("spot"), new]
        ce = batch.describe_compute_environments(computeEnvironments=[new])
        assert json.dumps(ce["computeEnvironments"][0]["computeResources"]["instanceTypes"]) == (
            '["m5", "c5"]'
        )

    def between(p: Profile) -> None:
        # Half-way, the queue still has a compute environment for every one it had.
        order = queue_order(batch, p.name("main"))
        assert len(order) == 2 and order[0] == p.name("spot"), order

    assert fail_each_step(proxy, apply, make, check, "--allow-delete", between=between) == 8


def test_removing_a_compute_environment_survives_a_failure_at_each_step(
    sandbox: Any, proxy: FaultProxy, apply: Apply, batch: Any, tmp_path: pathlib.Path,
    unique_name: Any, instance_profile: str,
) -> None:  # fmt: skip
    def make(tag: str) -> Profile:
        p = Profile(tmp_path / f"{tag}.toml", unique_name(f"rm{tag}"), instance_profile)
        remove = add_extra(p, instance_profile)
        code, err = apply(p)
        assert code == 0, err
        remove()
        return p

    def check(p: Profile) -> None:
        # A deletion whose answer was lost leaves it DELETING: it goes by itself.
        sandbox.advance(600)
        assert names_with(batch, p.prefix)["ce"] == [p.name("ondemand"), p.name("spot")]
        assert queue_order(batch, p.name("main")) == [p.name("spot"), p.name("ondemand")]

    # Detached by the queue's update, disabled, deleted: 3 requests, each failed both ways.
    assert fail_each_step(proxy, apply, make, check, "--allow-delete") == 6
