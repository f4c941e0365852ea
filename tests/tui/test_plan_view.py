"""The plan screen on the sandbox at the sizes people use: the recommendation, its reasons and
the warnings wrap to the pane and are read whole; only the tables may be wider than the pane;
the charts are as wide as the pane and show every scenario's marker."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import pytest
from conftest import app_on, settle
from screen_text import screen_text

from batchtui.render.charts import SCENARIO_MARKERS
from batchtui.render.plan import render_plan_blocks, render_plan_table
from batchtui.tui.screens.plan import PlanScreen
from batchtui.tui.widgets.reading_pane import ReadingPane


async def pane_lines(pilot: Any) -> list[str]:
    """Every line of the plan pane as it shows at its left edge, scrolled through a page at a
    time; a line cut at the right edge stays cut here."""
    app = pilot.app
    pane = app.screen.query_one("#plan-box", ReadingPane)
    seen: dict[int, str] = {}
    top = 0
    while True:
        pane.scroll_to(x=0, y=top, animate=False)
        await pilot.pause()
        area = pane.scrollable_content_region
        rows = screen_text(app).splitlines()
        for i in range(area.height):
            seen[int(pane.scroll_y) + i] = rows[area.y + i][area.x : area.right]
        if pane.scroll_y >= pane.max_scroll_y:
            return [seen[i] for i in sorted(seen)]
        top = int(pane.scroll_y) + area.height


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_the_plan_wraps_to_the_pane_and_nothing_is_cut(demo, size) -> None:  # type: ignore[no-untyped-def]
    app = app_on(demo, clock=lambda: 0.0)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"plan sandbox", "enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, PlanScreen) and screen.plan is not None
        plan = screen.plan
        lines = await pane_lines(pilot)
        read = words(" ".join(lines))

        # Everything a person reads as sentences is on screen whole, not cut at the edge.
        assert plan.warnings and plan.recommendation.reasons
        for w in plan.warnings:
            assert words(f"{w.code}: {w.message}") in read, w.code
        for reason in plan.recommendation.reasons:
            assert words(reason) in read
        assert words(f"RECOMMENDATION: {plan.recommendation.scenario}") in read

        # The prose is as wide as the pane; the scenario table may be wider, so the pane
        # scrolls sideways for it, and its first columns are there at the left edge.
        pane = screen.query_one("#plan-box", ReadingPane)
        width = pane.scrollable_content_region.width
        assert all(p.size.width <= width for p in screen.query(".plan-prose"))
        assert "SCENARIO SPOT vCPUs COST" in read
        if size[0] == 80:
            assert pane.max_scroll_x > 0

        # The chart fits the pane, and every scenario's marker is on it.
        chart = screen.query_one("#chart-cost")
        assert 0 < chart.size.width <= width
        top = next(i for i, line in enumerate(lines) if "┌" in line)
        bottom = next(i for i in range(top + 1, len(lines)) if "└" in lines[i])
        drawn = "".join(lines[top + 1 : bottom])
        scenarios = sum(1 for s in plan.scenarios if s.trials)
        for marker in "@" + SCENARIO_MARKERS[: scenarios - 1]:
            assert marker in drawn, marker
        assert "deadline 2 h (off chart, right)" in read


async def test_the_charts_follow_the_pane_when_the_profile_list_comes_back(demo) -> None:  # type: ignore[no-untyped-def]
    app = app_on(demo, clock=lambda: 0.0)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"plan sandbox", "enter")
        await settle(app, pilot)
        screen = app.screen
        pane = screen.query_one("#plan-box", ReadingPane)
        chart = screen.query_one("#chart-cost")
        wide = chart.size.width
        await pilot.press("p")  # the profile list takes its place beside the pane
        await settle(app, pilot)
        assert chart.size.width < wide
        assert chart.size.width <= pane.scrollable_content_region.width


def test_tables_are_told_from_prose() -> None:
    """The renderer says which lines are table rows: the recommendation's reasons and the
    warnings are prose (they wrap), the settings and scenarios are tables (they keep columns)."""
    from batchtui.account.plan_facts import make_plan

    blocks = render_plan_blocks(make_plan("sandbox", None))
    prose = [line for is_table, lines in blocks if not is_table for line in lines]
    tables = [lines for is_table, lines in blocks if is_table]
    assert any(line.startswith("RECOMMENDATION: ") for line in prose)
    assert any(line.startswith("  - ") for line in prose)
    assert any(line.startswith("WARNINGS about") for line in prose)
    assert any(lines[0].lstrip().startswith("SET ") for lines in tables)
    assert all(kind != nxt for (kind, _), (nxt, _) in pairwise(blocks))  # runs merged


def test_every_line_of_a_real_plan_is_kept() -> None:
    from batchtui.account.plan_facts import make_plan

    plan = make_plan("sandbox", None)
    text = render_plan_table(plan)
    blocks = render_plan_blocks(plan)
    assert [line for _, lines in blocks for line in lines] == text.splitlines()
    tables = [lines for is_table, lines in blocks if is_table]
    assert any(lines[0].lstrip().startswith("SCENARIO ") for lines in tables)
    assert not any("MAXVCPUS_ABOVE_QUOTA" in line for lines in tables for line in lines)
