"""The automatic refresh reads by what changes, within a call budget: each part's adaptive pace,
the token bucket every counted call is charged to, and the calls-per-minute window."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from batchtui.account.pacing import (
    ACTIVE_CAP_S,
    FINISHED_BASE_S,
    RESOURCES,
    RESOURCES_COST,
    AccountPacing,
    CallBudget,
    CallRate,
    Pace,
    Part,
    every_part,
)


def test_an_unchanged_part_slows_down_and_a_change_restores_the_pace() -> None:
    pace = Pace(5.0, 60.0)
    assert pace.due(0.0)  # never read
    intervals = []
    now = 0.0
    for _ in range(6):
        pace.read(now, changed=False)
        intervals.append(pace.interval)
        now += pace.interval
    assert intervals == [10.0, 20.0, 40.0, 60.0, 60.0, 60.0]
    assert not pace.due(now - 1) and pace.due(now)
    pace.read(now, changed=True)
    assert pace.interval == 5.0


def test_the_user_acting_restores_the_pace_without_reading_at_once() -> None:
    pace = Pace(5.0, 60.0)
    pace.read(0.0, changed=False)
    pace.read(10.0, changed=False)
    pace.hurry()
    assert pace.interval == 5.0
    assert not pace.due(14.0) and pace.due(15.0)
    pace.expire()  # an action changed it: due now
    assert pace.due(15.0)


@given(
    base=st.floats(min_value=0.5, max_value=120),
    cap=st.floats(min_value=0, max_value=600),
    reads=st.lists(st.sampled_from(["same", "changed", "hurry"]), max_size=40),
)
def test_the_interval_stays_between_the_base_and_the_cap(
    base: float, cap: float, reads: list[str]
) -> None:
    pace = Pace(base, cap)
    now = 0.0
    for what in reads:
        if what == "hurry":
            pace.hurry()
        else:
            pace.read(now, changed=what == "changed")
        assert base <= pace.interval <= max(base, cap)
        now += pace.interval


def test_active_statuses_are_read_often_finished_ones_and_resources_rarely() -> None:
    pacing = AccountPacing(5.0)
    assert pacing.pace(Part("q", "RUNNABLE")).interval == 5.0
    assert pacing.pace(Part("q", "SUCCEEDED")).interval == FINISHED_BASE_S
    assert pacing.pace(RESOURCES).interval >= FINISHED_BASE_S
    assert pacing.pace(Part("q", "RUNNING")).cap == ACTIVE_CAP_S


def test_no_timer_reads_everything_it_is_asked_for() -> None:
    pacing = AccountPacing(0.0)
    pacing.read(100.0, dict.fromkeys(every_part(["q"]), False))
    assert set(pacing.due(100.0, ["q"])) == set(every_part(["q"]))


def test_the_most_overdue_parts_come_first_within_the_budget() -> None:
    pacing = AccountPacing(5.0)
    parts = every_part(["a", "b"])
    pacing.read(0.0, dict.fromkeys(parts, True))
    pacing.read(3.0, {Part("b", "RUNNING"): True})
    due = pacing.due(9.0, ["a", "b"])
    # Every active status of a has been due 4 s; b's RUNNING 1 s: last. Nothing finished is due.
    assert due[-1] == Part("b", "RUNNING")
    assert {p.status for p in due} <= {"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING"}
    assert len(pacing.due(9.0, ["a", "b"], tokens=3)) == 3
    assert pacing.due(9.0, ["a", "b"], tokens=0.5) == []


def test_an_expensive_part_is_saved_up_for_not_starved_by_cheaper_ones() -> None:
    pacing = AccountPacing(5.0)
    pacing.read(0.0, dict.fromkeys(every_part(["q"]), True))
    pacing.pace(RESOURCES).expire()  # the most overdue, and the dearest
    assert pacing.due(5.0, ["q"], tokens=RESOURCES_COST - 1) == []
    assert pacing.due(5.0, ["q"], tokens=RESOURCES_COST)[0] == RESOURCES


def test_the_budget_refills_at_its_rate_and_is_charged_every_call() -> None:
    budget = CallBudget(per_minute=60, burst=60)
    budget.charge(0.0, 57)  # the first full read
    assert budget.tokens == 3 and budget.allows(3) and not budget.allows(4)
    budget.charge(10.0, 57)  # ten seconds, no call: ten tokens back
    assert budget.tokens == 13
    budget.charge(20.0, 100)  # a user's big read: in debt, the timer waits it out
    assert budget.tokens == -20 and not budget.allows(1)
    budget.charge(1000.0, 100)
    assert budget.tokens == 60  # never more than the burst


def test_a_read_the_user_asked_for_empties_the_budget_and_leaves_no_debt() -> None:
    budget = CallBudget(per_minute=60, burst=60)
    budget.charge(0.0, 57)
    budget.forgive(10.0, 157)  # r: a full read over an almost empty bucket
    assert budget.tokens == 0 and not budget.allows(1)
    budget.charge(12.0, 157)
    assert budget.allows(2)  # two seconds later, the timer reads again


def test_throttling_empties_the_budget() -> None:
    budget = CallBudget()
    budget.drain()
    assert not budget.allows(1)


@given(
    steps=st.lists(
        st.tuples(st.floats(min_value=0, max_value=30), st.integers(min_value=0, max_value=80)),
        max_size=60,
    )
)
def test_calls_the_timer_spends_never_exceed_the_rate_plus_the_burst(
    steps: list[tuple[float, int]],
) -> None:
    """Whatever the reads cost, a refresh that spends only when allowed (at most what it was
    allowed plus one read's overshoot) stays within burst + rate * time."""
    budget = CallBudget(per_minute=45, burst=60)
    now, total, spent = 0.0, 0, 0
    budget.charge(now, total)
    for wait, cost in steps:
        now += wait
        budget.charge(now, total)
        if budget.allows(1):
            total += cost
            spent += cost
    budget.charge(now, total)
    overshoot = max((c for _, c in steps), default=0)
    assert spent <= 60 + now * 45 / 60 + overshoot


def test_calls_per_minute_counts_the_last_minute_only() -> None:
    rate = CallRate()
    assert rate.per_minute(0.0, 100) == 0
    assert rate.per_minute(30.0, 130) == 30
    assert rate.per_minute(60.0, 160) == 60
    assert rate.per_minute(90.0, 160) == 30  # the first half-minute's calls have left the window
    assert rate.per_minute(200.0, 160) == 0


def test_overdue_orders_never_read_first() -> None:
    pace = Pace(5.0, 60.0)
    assert pace.overdue(0.0) == math.inf
    pace.read(0.0, changed=True)
    assert pace.overdue(10.0) == 5.0
