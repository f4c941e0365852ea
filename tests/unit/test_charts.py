"""The cost-against-makespan chart of `batchtui plan --plot` and of the TUI's plan screen: the
axes fit the scenarios, the deadline and the budget are drawn only near them, and every marker
of the key is on the chart."""

from __future__ import annotations

from dataclasses import replace

import pytest

# pytest puts this directory on sys.path (rootdir-relative imports, no packages).
from test_planner import REPO, plan_of

from batchtui.planner import Plan
from batchtui.profiles import load_profile
from batchtui.render.charts import SCENARIO_MARKERS, cost_vs_makespan_chart


def sandbox_plan() -> Plan:
    """The sandbox's plan: every scenario within minutes and dollars, deadline 2 h, budget $20."""
    return plan_of(load_profile("sandbox", cwd=REPO), trials=40, seed=1)


def image_tagging_plan() -> Plan:
    return plan_of(load_profile("image-tagging", cwd=REPO), trials=40, seed=7)


def canvas(chart: str) -> list[str]:
    """The rows inside the chart's frame."""
    lines = chart.splitlines()
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left, right = lines[top].index("┌"), lines[top].index("┐")
    return [line[left + 1 : right] for line in lines[top + 1 : bottom]]


def x_ticks(chart: str) -> list[float]:
    lines = chart.splitlines()
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    return [float(t) for t in lines[bottom + 1].split()]


def y_ticks(chart: str) -> list[float]:
    lines = chart.splitlines()
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    frame = lines[top].index("┌")
    return [float(line[:frame]) for line in lines[top:bottom] if line[:frame].strip()]


def key(chart: str) -> str:
    """The key under the chart, its wrapped lines joined."""
    return " ".join(line.strip() for line in chart[chart.index("key: ") :].splitlines())


def markers(plan: Plan) -> str:
    """The markers of the scenarios that finish: ``@`` for the recommended one, then the rest."""
    drawn = sum(1 for s in plan.scenarios if s.trials)
    return "@" + SCENARIO_MARKERS[: drawn - 1]


@pytest.mark.parametrize("size", [(100, 24), (80, 20), (60, 14)])
@pytest.mark.parametrize("make_plan", [sandbox_plan, image_tagging_plan])
def test_every_marker_of_the_key_is_on_the_chart(make_plan, size) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan()
    chart = cost_vs_makespan_chart(plan, *size)
    drawn = "".join(canvas(chart))
    for marker in markers(plan):
        assert drawn.count(marker) == 1, (marker, chart)


def test_a_far_deadline_and_budget_leave_the_axes_to_the_points() -> None:
    plan = replace(sandbox_plan(), deadline_hours=2.0, budget_usd=20.0)
    hours = [s.makespan_p50 / 3600 for s in plan.scenarios]
    costs = [s.cost_mean for s in plan.scenarios]
    chart = cost_vs_makespan_chart(plan, 100, 24)
    xs, ys = x_ticks(chart), y_ticks(chart)
    # The axes span the points with a margin, nowhere near 2 h and $20.
    assert min(xs) <= min(hours) and max(hours) <= max(xs) < 1.5 * max(hours)
    assert min(ys) <= min(costs) + 0.5 and max(costs) - 0.5 <= max(ys) < 1.5 * max(costs)
    assert max(xs) - min(xs) < 1.5 * (max(hours) - min(hours))
    # Neither line is drawn; the key says where they are.
    assert not any(c in "".join(canvas(chart)) for c in "│─")
    assert "deadline 2 h (off chart, right)" in key(chart)
    assert "budget $20.00 (off chart, above)" in key(chart)


def test_a_deadline_and_a_budget_near_the_points_are_drawn() -> None:
    base = sandbox_plan()
    hours = [s.makespan_p50 / 3600 for s in base.scenarios]
    costs = [s.cost_mean for s in base.scenarios]
    deadline = max(hours) + 0.2 * (max(hours) - min(hours))
    budget = max(costs) + 0.2 * (max(costs) - min(costs))
    plan = replace(base, deadline_hours=deadline, budget_usd=budget)
    chart = cost_vs_makespan_chart(plan, 100, 24)
    rows = canvas(chart)
    vertical = [col for col in range(len(rows[0])) if all(r[col] in "│┼" for r in rows)]
    horizontal = [row for row in rows if row.count("─") + row.count("┼") >= len(row) - 8]
    assert len(vertical) == 1 and len(horizontal) == 1
    assert max(x_ticks(chart)) >= deadline and max(y_ticks(chart)) >= budget
    assert f"│ deadline {deadline:.2f} h" in key(chart)
    assert f"─ budget ${budget:,.2f}" in key(chart)
    for marker in markers(plan):
        assert marker in "".join(rows)


def test_a_deadline_every_scenario_misses_is_off_the_chart_to_the_left() -> None:
    plan = replace(sandbox_plan(), deadline_hours=0.01, budget_usd=None)
    chart = cost_vs_makespan_chart(plan, 100, 24)
    assert "deadline 0.01 h (off chart, left)" in key(chart)
    assert "budget" not in key(chart)
    assert min(x_ticks(chart)) > 0.05


def test_scenarios_on_one_spot_are_set_side_by_side() -> None:
    base = sandbox_plan()
    first = base.scenarios[0]
    same = tuple(
        replace(s, makespan_p50=first.makespan_p50, cost_mean=first.cost_mean)
        for s in base.scenarios
    )
    plan = replace(base, scenarios=same)
    chart = cost_vs_makespan_chart(plan, 80, 20)
    drawn = "".join(canvas(chart))
    for marker in markers(plan):
        assert drawn.count(marker) == 1, (marker, chart)
    assert "set side by side" in key(chart)
    # Around the recommended one, which stays where the point is.
    rows = canvas(chart)
    at = next(i for i, r in enumerate(rows) if "@" in r)
    assert all(m in "".join(rows[at - 1 : at + 2]) for m in markers(plan))


def test_points_apart_are_not_moved() -> None:
    chart = cost_vs_makespan_chart(image_tagging_plan(), 100, 24)
    assert "side by side" not in key(chart)


@pytest.mark.parametrize("width", [60, 100, 160])
def test_the_chart_is_as_wide_as_asked_whatever_the_terminal(width: int) -> None:
    chart = cost_vs_makespan_chart(sandbox_plan(), width, 20)
    assert max(len(line) for line in chart.splitlines()) == width
