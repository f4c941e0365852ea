"""plotext (6.x) charts of a plan, rendered to strings with no terminal I/O: the CLI prints them,
the TUI's plan screen shows them in a widget. Colourless, so files and pipes get plain text."""

from __future__ import annotations

import math
from typing import Any

from batchtui.planner.results import Plan


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


def cost_vs_makespan_chart(plan: Plan, width: int = 80, height: int = 20) -> str:
    """Expected cost against p50 makespan (hours), one point per scenario that can run; the
    recommended one is drawn with ``@``; vertical line: the deadline, horizontal: the budget."""
    fig = _figure(width, height)
    runnable = [s for s in plan.scenarios if s.trials and not math.isinf(s.makespan_p50)]
    for i, s in enumerate(runnable):
        marker = "@" if s.name == plan.recommendation.scenario else "oxs+*#%&"[i % 8]
        sig = fig.signal([s.makespan_p50 / 3600], [s.cost_mean], marker=marker)
        sig.label(s.name)
        fig.draw(sig)
    if runnable:
        fig.line(plan.deadline_hours, orientation="vertical")
        if plan.budget_usd is not None:
            fig.line(plan.budget_usd, orientation="horizontal")
    # Points crowd towards the short makespans on the left: keep the legend on the right.
    fig.legend(x=max(0, width - 20), y=0, ha="right")
    fig.title("expected cost (USD) vs p50 makespan (hours)")
    fig.label("hours", axis="x")
    fig.label("USD", axis="y")
    return _text(fig)


def vcpus_over_time_chart(plan: Plan, width: int = 80, height: int = 20) -> str:
    """vCPUs of each compute environment over the recommended (else the profile's) scenario."""
    fig = _figure(width, height)
    scenario = plan.recommended or plan.scenarios[0]
    if scenario.timeline:
        xs = [t / 3600 for t, _ in scenario.timeline]
        for i, line in enumerate(scenario.config.lines):
            sig = fig.signal(xs, [v[i] for _, v in scenario.timeline], marker="•")
            sig.lines()
            sig.label(line.compute_environment)
            fig.draw(sig)
    fig.legend(x=max(0, width - 20), y=0, ha="right")
    fig.title(f"vCPUs over time: {scenario.name} (median trial)")
    fig.label("hours", axis="x")
    fig.label("vCPUs", axis="y")
    return _text(fig)
