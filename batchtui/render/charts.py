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
#: A deadline or budget line is drawn when the axis holding it and the points is at most this
#: many times as long as the points' own spread; further away it is named in the key instead.
NEAR = 1.5
#: The least spread an axis gives its points, as a share of their size: scenarios a few cents
#: apart are not stretched across the whole chart as if they differed a lot.
LEAST_SPREAD = 0.1
#: Room on either side of the points, as a share of the axis, so no point sits on the frame.
MARGIN = 0.06


def _figure(width: int, height: int) -> Any:
    import plotext

    # The size asked for, not the terminal's: the chart is a string for a pipe or a widget.
    plotext.terminal.limit(False, False)
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
    recommended one is drawn with ``@``.

    The axes fit the points. The deadline (a vertical line) and the budget (a horizontal one)
    are drawn when they are near the points (:data:`NEAR`); further away they would squeeze
    every point into a corner, so the key names them "off chart" instead. Points that would
    share a character cell are set side by side, so every marker of the key is on the chart.
    """
    runnable = [s for s in plan.scenarios if s.trials and not math.isinf(s.makespan_p50)]
    if not runnable:
        fig = _figure(width, height)
        _cost_labels(fig)
        return _text(fig) + "\nno scenario finishes: nothing to draw"
    best = plan.recommendation.scenario
    # The recommended point is placed first, so it is the one never moved aside.
    ordered = sorted(runnable, key=lambda s: s.name != best)
    others = iter(SCENARIO_MARKERS * len(runnable))
    markers = {s.name: "@" if s.name == best else next(others) for s in ordered}
    points = [(s.makespan_p50 / 3600, s.cost_mean) for s in ordered]
    deadline, budget = plan.deadline_hours, plan.budget_usd
    x0, x1, deadline_shown = _fit([x for x, _ in points], deadline)
    y0, y1, budget_shown = _fit([y for _, y in points], budget)

    def draw(placed: list[tuple[float, float]]) -> str:
        """The chart with ``placed[i]`` drawn as the marker of ``ordered[i]``."""
        fig = _figure(width, height)
        fig.ruler("x").lim(x0, x1)
        fig.ruler("y").lim(y0, y1)
        if deadline_shown:
            fig.line(deadline, orientation="vertical")
        if budget_shown:
            fig.line(budget, orientation="horizontal")
        for s, (x, y) in zip(ordered, placed, strict=False):
            fig.draw(fig.signal([x], [y], marker=markers[s.name]))
        _cost_labels(fig)
        return _text(fig)

    # Where the cells are is known once plotext has laid out the frame: drawn without the
    # points first. The limits are fixed, so the frame drawn with them is the same.
    canvas = _canvas_size(draw([]))
    moved = False
    if canvas is not None:
        points, moved = _side_by_side(points, (x0, x1), (y0, y1), canvas)
    key = [
        f"{markers[s.name]} {s.name}{' (recommended)' if s.name == best else ''}" for s in runnable
    ]
    side = "right" if deadline > x1 else "left"
    key.append(_line_entry("│", f"deadline {round(deadline, 2):g} h", deadline_shown, side))
    if budget is not None:
        side = "above" if budget > y1 else "below"
        key.append(_line_entry("─", f"budget ${budget:,.2f}", budget_shown, side))
    if moved:
        key.append("(points in one cell are set side by side)")
    return draw(points) + "\n" + _key(key, width)


def _fit(values: list[float], mark: float | None) -> tuple[float, float, bool]:
    """Limits of an axis around the points' ``values``, and whether ``mark`` (the deadline or
    the budget) is near enough to be drawn; when it is, the axis reaches it."""
    lo, hi = min(values), max(values)
    spread = max(hi - lo, LEAST_SPREAD * max(abs(lo), abs(hi)), 1e-9)
    shown = False
    if mark is not None and max(hi, mark) - min(lo, mark) <= NEAR * spread:
        shown, lo, hi = True, min(lo, mark), max(hi, mark)
    pad = max(spread - (hi - lo), 0.0) / 2 + MARGIN * max(spread, hi - lo)
    # Hours and dollars are not negative: the axis starts at 0 at the lowest.
    return (max(lo - pad, 0.0) if lo >= 0 else lo - pad), hi + pad, shown


def _line_entry(glyph: str, name: str, drawn: bool, side: str) -> str:
    return f"{glyph} {name}" if drawn else f"{name} (off chart, {side})"


def _canvas_size(chart: str) -> tuple[int, int] | None:
    """Columns and rows inside the chart's frame, read from the drawing (plotext keeps its
    layout to itself); None when there is no frame to read, on a chart too small for one."""
    lines = chart.splitlines()
    top = next((i for i, line in enumerate(lines) if "┌" in line and "┐" in line), None)
    if top is None:
        return None
    bottom = next((i for i in range(top + 1, len(lines)) if "└" in lines[i]), None)
    if bottom is None:
        return None
    cols = lines[top].index("┐") - lines[top].index("┌") - 1
    rows = bottom - top - 1
    return (cols, rows) if cols > 0 and rows > 0 else None


def _side_by_side(
    points: list[tuple[float, float]],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    canvas: tuple[int, int],
) -> tuple[list[tuple[float, float]], bool]:
    """Each point moved to the middle of its character cell, or of the nearest free one when an
    earlier point holds it (preferring a neighbour on the same row); and whether any moved.

    plotext draws the marker of a point at ``round(fraction * (cells - 1))`` along each axis, the
    middle of a cell is where that rounding cannot tip either way."""
    cols, rows = canvas
    (x0, x1), (y0, y1) = xlim, ylim
    taken: set[tuple[int, int]] = set()
    out = []
    moved = False
    for x, y in points:
        col = round((x - x0) / (x1 - x0) * (cols - 1))
        row = round((y - y0) / (y1 - y0) * (rows - 1))  # from the bottom
        free = ((c, r) for c in range(cols) for r in range(rows) if (c, r) not in taken)
        nearest = min(
            free,
            key=lambda cell: (
                max(abs(cell[0] - col), abs(cell[1] - row)),
                abs(cell[1] - row),
                abs(cell[0] - col),
                cell[0] < col,
            ),
            default=None,
        )
        if nearest is None:  # more points than cells: the rest stay where they fall
            out.append((x, y))
            continue
        c, r = nearest
        moved = moved or (c, r) != (col, row)
        taken.add((c, r))
        out.append((x0 + c / max(cols - 1, 1) * (x1 - x0), y0 + r / max(rows - 1, 1) * (y1 - y0)))
    return out, moved


def _cost_labels(fig: Any) -> None:
    fig.title("expected cost (USD) vs p50 makespan (hours)")
    fig.label("hours", axis="x")
    fig.label("USD", axis="y")


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
