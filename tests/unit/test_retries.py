"""The retry policy, one request's tries and an endpoint's circuit (pure: no clock, no AWS)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchtui.aws.retries import (
    DEFAULT_READ_TIMEOUT_S,
    READ_TIMEOUTS_S,
    Attempts,
    Circuit,
    Fault,
    RetryPolicy,
)

rands = st.lists(st.floats(min_value=0.0, max_value=0.999999), min_size=20, max_size=20)
RETRIED = [Fault.SERVER_ERROR, Fault.DROPPED, Fault.UNREACHABLE, Fault.CUT_SHORT]


@given(retry=st.integers(min_value=1, max_value=30), rand=st.floats(0.0, 0.999999))
def test_backoff_is_seconds_with_jitter_and_capped(retry: int, rand: float) -> None:
    policy = RetryPolicy()
    for fault in Fault:
        delay = policy.backoff(fault, retry, rand)
        step = min(policy.max_backoff_s, 2 ** (retry - 1))
        assert step / 2 <= delay <= step <= policy.max_backoff_s
        assert delay >= 0.5  # seconds, never the tens of milliseconds a brown-out outlasts


def _run(policy: RetryPolicy, op: str, fault: Fault, rand: list[float], *, try_takes: str,
         ok_after: float = float("inf")) -> tuple[bool, float, int]:  # fmt: skip
    """Drive one request: each try takes its whole timeout ("timeout") or no time ("fast");
    tries from ``ok_after`` on succeed. (succeeded, elapsed, tries made)."""
    now = 0.0
    attempts = Attempts(policy, now)
    draws = iter(rand)
    while True:
        timeout = attempts.timeout_for(op, now)
        if now >= ok_after:
            return True, now, attempts.tries + 1
        now += timeout if try_takes == "timeout" else 0.0
        delay = attempts.retry_after(fault, now, next(draws), changes=False)
        if delay is None:
            return False, now, attempts.tries
        now += delay


@given(rand=rands)
@pytest.mark.parametrize("op", [*READ_TIMEOUTS_S, "ListJobs", "GetLogEvents", "DescribeJobs"])
def test_a_dead_endpoint_is_given_up_on_in_under_15_s(op: str, rand: list[float]) -> None:
    """Every try waits its whole read timeout and the pauses are as long as jitter makes them:
    the request still gives up within the budget and a second (the shortest try)."""
    policy = RetryPolicy()
    ok, elapsed, tries = _run(policy, op, Fault.TIMEOUT, rand, try_takes="timeout")
    assert not ok
    assert elapsed <= policy.budget_s + policy.min_timeout_s < 15
    assert tries >= 2 or policy.read_timeout(op) >= policy.budget_s / 2


def test_small_answers_wait_less_than_filtering_a_log_group() -> None:
    policy = RetryPolicy()
    assert policy.read_timeout("ListJobs") == policy.read_timeout("GetLogEvents")
    assert policy.read_timeout("ListJobs") == DEFAULT_READ_TIMEOUT_S < 10
    assert policy.read_timeout("FilterLogEvents") > policy.read_timeout("ListJobs")


@given(rand=rands)
@pytest.mark.parametrize("fault", [Fault.SERVER_ERROR, Fault.DROPPED, Fault.UNREACHABLE])
def test_a_five_second_outage_is_ridden_out(fault: Fault, rand: list[float]) -> None:
    ok, elapsed, tries = _run(RetryPolicy(), "ListJobs", fault, rand, try_takes="fast", ok_after=5)
    assert ok and elapsed >= 5 and tries <= RetryPolicy().max_attempts


@given(rand=rands)
def test_a_long_brown_out_fails_after_seconds_not_milliseconds(rand: list[float]) -> None:
    policy = RetryPolicy()
    ok, elapsed, tries = _run(policy, "ListJobs", Fault.SERVER_ERROR, rand, try_takes="fast")
    assert not ok
    assert 3.5 <= elapsed < policy.budget_s
    assert tries <= policy.max_attempts


@pytest.mark.parametrize("fault", list(Fault))
def test_a_change_is_retried_only_when_it_surely_did_not_run(fault: Fault) -> None:
    attempts = Attempts(RetryPolicy(), 0.0)
    delay = attempts.retry_after(fault, 0.0, 0.5, changes=True)
    if fault in (Fault.TIMEOUT, Fault.DROPPED, Fault.CUT_SHORT):
        assert delay is None and fault.request_may_have_run
    else:
        assert delay is not None


@pytest.mark.parametrize("attempts", [1, 2, 4])
def test_max_attempts_counts_tries_as_botocore_does(attempts: int) -> None:
    """``max_attempts`` is botocore's ``total_max_attempts``: the first try included."""
    ok, _, tries = _run(
        RetryPolicy(max_attempts=attempts, budget_s=1e9), "ListJobs", Fault.SERVER_ERROR,
        [0.0] * 10, try_takes="fast",
    )  # fmt: skip
    assert not ok and tries == attempts


def test_each_try_waits_at_most_what_is_left_of_the_budget() -> None:
    policy = RetryPolicy()
    attempts = Attempts(policy, 100.0)
    assert attempts.timeout_for("ListJobs", 100.0) == DEFAULT_READ_TIMEOUT_S
    assert attempts.timeout_for("ListJobs", 107.0) == 3.0
    assert attempts.timeout_for("ListJobs", 109.9) == policy.min_timeout_s
    assert attempts.longest_timeout == DEFAULT_READ_TIMEOUT_S


def test_a_slow_link_budget_stretches_the_read_timeouts() -> None:
    slow = RetryPolicy.with_budget(60)
    assert slow.budget_s == 60
    assert slow.read_timeout("ListJobs") == DEFAULT_READ_TIMEOUT_S * 6
    assert slow.read_timeout("FilterLogEvents") == READ_TIMEOUTS_S["FilterLogEvents"] * 6


def test_the_circuit_opens_cools_down_and_closes() -> None:
    policy = RetryPolicy(circuit_failures=2, circuit_cooldown_s=30)
    circuit = Circuit(policy)
    assert not circuit.gave_up(0.0, "one")
    assert circuit.closed_in(1.0) == 0
    assert circuit.gave_up(1.0, "two")
    assert circuit.closed_in(1.0) == 30 and circuit.closed_in(21.0) == 10
    assert circuit.last_failure == "two"
    assert circuit.closed_in(31.0) == 0  # one request may try ...
    assert circuit.gave_up(31.0, "three")  # ... and failing, it opens again at once
    assert circuit.closed_in(31.0) == 30
    circuit.succeeded()
    assert circuit.closed_in(32.0) == 0 and circuit.failures == 0


def test_a_success_between_failures_keeps_the_circuit_closed() -> None:
    circuit = Circuit(RetryPolicy(circuit_failures=2))
    circuit.gave_up(0.0, "one")
    circuit.succeeded()
    assert not circuit.gave_up(1.0, "two")
    assert circuit.closed_in(1.0) == 0


def test_the_budget_comes_from_the_environment_and_bad_values_are_usage_errors() -> None:
    from batchtui.aws.session import MAX_ATTEMPTS, retry_policy
    from batchtui.errors import UsageError

    assert retry_policy({}) == RetryPolicy(max_attempts=MAX_ATTEMPTS)
    slow = retry_policy({"BATCHTUI_AWS_TIMEOUT": "60"})
    assert slow.budget_s == 60 and slow.read_timeout("ListJobs") == 30
    assert slow.max_attempts == MAX_ATTEMPTS
    for bad in ("soon", "0", "-5", "nan", "inf", "99999"):
        with pytest.raises(UsageError, match="BATCHTUI_AWS_TIMEOUT"):
            retry_policy({"BATCHTUI_AWS_TIMEOUT": bad})


def test_a_bad_budget_is_one_line_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from batchtui.cli import main

    monkeypatch.setenv("BATCHTUI_AWS_TIMEOUT", "soon")
    assert main(["jobs", "--queue", "q", "--endpoint-url", "http://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("batchtui: BATCHTUI_AWS_TIMEOUT='soon': not a number of seconds")
    assert len(err.splitlines()) == 1
