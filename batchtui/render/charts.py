"""plotext (6.x) charts of a plan, rendered to strings with no terminal I/O: the CLI prints them,
the TUI's plan screen shows them in a widget. Colourless, so files and pipes get plain text."""

from __future__ import annotations

import math
import textwrap
from typing import Any

from batchtui.planner.results import Plan

#: Markers of the scenarios that are not recommended (the recommended one is ``@``), and of
#: the compute environments over time.
SCENARIO_MARKERS = "oxs+*#%&"
LINE_MARKERS = "•+x*o#"


def _figure(width: int, height: int) -> Any:
    import plotext

    fig = plotext.figure
    fig.clear.all()  # the module-level figure is shared: start from nothing every time
    fig.plot_size(width, height)
    fig.theme("colorless")
    return fig


def _text(fig: Any) -> str:
    import plotext

    return str(plotext.uncolorize(str(fig.build())))


def _key(entries: list[str], width: int) -> str:
    """Which marker is which, under the chart: plotext 6 drops a legend that does not fit its
    canvas, and the points crowd where a legend box would cover them."""
    # No line break inside an entry: "@ fargate-spot (recommended)" stays whole.
    text = "key: " + "   ".join(e.replace(" ", "\u00a0") for e in entries)
    lines = textwrap.wrap(text, width, subsequent_indent="     ", break_on_hyphens=False)
    return "\n".join(line.replace("\u00a0", " ") for line in lines)


def cost_vs_makespan_chart(plan: Plan, width: int = 80, height: int = 20) -> str:
    """Expected cost against p50 makespan (hours), one point per scenario that can run; the
    recommended one is drawn with ``@``; vertical line: the deadline, horizontal: the budget."""
    fig = _figure(width, height)
    runnable = [s for s in plan.scenarios if s.trials and not math.isinf(s.makespan_p50)]
    others = iter(SCENARIO_MARKERS * len(plan.scenarios))
    key = []
    for s in runnable:
        recommended = s.name == plan.recommendation.scenario
        marker = "@" if recommended else next(others)
        sig = fig.signal([s.makespan_p50 / 3600], [s.cost_mean], marker=marker)
        fig.draw(sig)
        key.append(f"{marker} {s.name}{' (recommended)' if recommended else ''}")
    if runnable:
        fig.line(plan.deadline_hours, orientation="vertical")
        if plan.budget_usd is not None:
            fig.line(plan.budget_usd, orientation="horizontal")
    fig.title("expected cost (USD) vs p50 makespan (hours)")
    fig.label("hours", axis="x")
    fig.label("USD", axis="y")
    if runnable:
        key.append("| the deadline")
        if plan.budget_usd is not None:
            key.append("— the budget")
    return _text(fig) + "\n" + _key(key, width)


def vcpus_over_time_chart(plan: Plan, width: int = 80, height: int = 20) -> str:
    """vCPUs of each compute environment over the recommended (else the profile's) scenario."""
    fig = _figure(width, height)
    scenario = plan.recommended or plan.scenarios[0]
    key = []
    if scenario.timeline:
        xs = [t / 3600 for t, _ in scenario.timeline]
        for i, line in enumerate(scenario.config.lines):
            marker = LINE_MARKERS[i % len(LINE_MARKERS)]
            sig = fig.signal(xs, [v[i] for _, v in scenario.timeline], marker=marker)
            sig.lines()
            fig.draw(sig)
            key.append(f"{marker} {line.compute_environment} ({line.pool})")
    fig.title(f"vCPUs over time: {scenario.name} (median trial)")
    fig.label("hours", axis="x")
    fig.label("vCPUs", axis="y")
    return _text(fig) + ("\n" + _key(key, width) if key else "")
