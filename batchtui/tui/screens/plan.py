"""``:plan``: pick a planning profile, run the planner in a worker, read the plan and its charts;
choose the scenario ``a`` applies (the recommended one unless another is chosen)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static

from batchtui.tui.bindings import ActionBinding
from batchtui.tui.screens.apply_changes import ApplyScreen
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.widgets.reading_pane import ReadingPane
from batchtui.tui.widgets.screen_footer import ScreenFooter
from batchtui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from batchtui.planner import Plan

# The planner, its profiles and the charts load when this screen opens (account.plan_facts), never
# at start-up: the first screen does not need them.

CHART_HEIGHT = 20
#: How render_plan_table marks a reason, warning or note.
BULLET = "  - "


def prose(lines: list[str]) -> RenderableType:
    """Lines that wrap to the width they are given; a bullet's text wraps under its own start."""
    parts: list[RenderableType] = []
    bullets: Table | None = None
    for line in lines:
        if line.startswith(BULLET):
            if bullets is None:
                bullets = Table.grid()
                bullets.add_column(width=len(BULLET), no_wrap=True)
                bullets.add_column(ratio=1, overflow="fold")
                parts.append(bullets)
            bullets.add_row(BULLET, Text(line.removeprefix(BULLET)))
        else:
            bullets = None
            parts.append(Text(line, overflow="fold"))
    return Group(*parts)


class PlanReady(Message):
    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan


class ProfileList(OptionList, inherit_bindings=False):
    """The planning profiles; enter is the screen's (``plan.run``), so it can be remapped."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
    ]


class PlanScreen(BaseScreen):
    HELP_NAME = "Plan"
    BINDINGS = [
        Binding("enter", "run", "Plan", id="plan.run", tooltip="Run the planner on the profile"),
        Binding("p", "pick", "Profiles", id="plan.pick", tooltip="Show the profile list again"),
        ActionBinding(
            "a",
            "apply",
            "Apply",
            id="plan.apply",
            tooltip="The planned profile's change set with the chosen scenario, then apply it",
            danger=True,
        ),
        Binding(
            "s",
            "next_scenario",
            "Scenario",
            id="plan.scenario",
            tooltip="Choose the scenario a applies: the next one of the plan's (recommended first)",
        ),
        Binding(
            "S",
            "previous_scenario",
            "Previous scenario",
            id="plan.scenario_back",
            tooltip="Choose the scenario a applies: the previous one",
            show=False,
        ),
    ]
    FOOTER_ORDER = ("run", "apply", "next_scenario", "pick")

    def __init__(self, profile: str = "") -> None:
        super().__init__()
        self.profile = profile
        self.plan: Plan | None = None
        #: The scenario ``a`` applies; None: the plan's recommended one.
        self.chosen: str | None = None

    def compose(self) -> ComposeResult:
        # The planner and the profiles load when this screen opens, never at start-up.
        from batchtui.account.plan_facts import profile_names

        yield Label(
            "Plan: pick a planning profile (enter runs the planner)",
            classes="section-title",
            id="plan-title",
        )
        with Horizontal():
            # Text, not str: a file name is never read as markup.
            yield ProfileList(*(Text(n) for n in profile_names()), id="profiles")
            with ReadingPane(id="plan-box"):
                yield Static(Text("no plan yet", style="dim"), classes="plan-part plan-prose")
                yield Static(id="chart-cost")
                yield Static(id="chart-vcpus")
        yield StatusBar()
        yield ScreenFooter()

    def on_mount(self) -> None:
        from batchtui.account.plan_facts import profile_names  # the planner: see compose

        options = self.query_one(OptionList)
        options.focus()
        names = profile_names()
        if self.profile in names:
            options.highlighted = names.index(self.profile)
            self.action_run()
        elif self.profile:
            self.notify(
                f"no profile {self.profile!r}; profiles: {', '.join(names)}", severity="warning"
            )

    @on(OptionList.OptionSelected)
    def action_run(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        name = str(options.get_option_at_index(options.highlighted).prompt)
        self.profile = name
        self._show_plan(
            Static(Text(f"planning {name}…", style="italic"), classes="plan-part plan-prose")
        )
        self.query_one("#chart-cost", Static).update("")
        self.query_one("#chart-vcpus", Static).update("")
        self.plan_worker(name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan")
    def plan_worker(self, name: str) -> None:
        from batchtui.account.plan_facts import make_plan  # the planner: see compose

        self.post_message(PlanReady(make_plan(name, self.batchtui.aws)))

    @on(PlanReady)
    def _ready(self, message: PlanReady) -> None:
        from batchtui.render.plan import render_plan_blocks  # needs the planner: see compose

        plan = self.plan = message.plan
        if self.chosen not in {s.name for s in plan.scenarios}:
            self.chosen = None  # another profile's, or gone from a re-plan
        # The plan's tables are wide: the profile list steps aside (p brings it back).
        self.query_one(OptionList).display = False
        self._show_title()
        # The planner's own text: every value enters as plain Text, never as markup. Prose
        # wraps to the pane; a table keeps its rows whole, wider than the pane if it must be.
        self._show_plan(
            *(
                Static(Text("\n".join(lines), no_wrap=True), classes="plan-part plan-table")
                if is_table
                else Static(prose(lines), classes="plan-part plan-prose")
                for is_table, lines in render_plan_blocks(plan)
            )
        )
        self.query_one("#plan-box").focus()
        self.call_after_refresh(self._draw_charts)  # once the pane has its new width

    def _show_title(self) -> None:
        """The profile, and which scenario ``a`` applies (where it can)."""
        key = self.key_for("plan.pick")
        title = Text(f"Plan of {self.profile}" + (f"   ({key}: other profiles)" if key else ""))
        scenario = self.scenario_to_apply
        if self.plan is not None and self.check_action("apply", ()) and self.key_for("plan.apply"):
            title.append("   a applies: ")
            if scenario is None:
                title.append("no scenario (none is recommended)", style="bold")
            else:
                recommended = scenario == self.plan.recommendation.scenario
                title.append(repr(scenario), style="bold")
                title.append(" (recommended)" if recommended else " (chosen)")
            choose = self.key_for("plan.scenario")
            if choose:
                title.append(f"   {choose}: another scenario")
        self.query_one("#plan-title", Label).update(title)

    @property
    def scenario_to_apply(self) -> str | None:
        if self.plan is None:
            return None
        return self.chosen or self.plan.recommendation.scenario

    def _scenario_order(self) -> list[str]:
        """The plan's scenarios, the recommended one first, then in the table's order."""
        assert self.plan is not None
        rec = self.plan.recommendation.scenario
        names = [s.name for s in self.plan.scenarios]
        return ([rec] if rec else []) + [n for n in names if n != rec]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Choosing what a applies means nothing where there is no a (read-only mode).
        if action in ("next_scenario", "previous_scenario"):
            return super().check_action("apply", parameters)
        return super().check_action(action, parameters)

    def action_next_scenario(self) -> None:
        self._step_scenario(1)

    def action_previous_scenario(self) -> None:
        self._step_scenario(-1)

    def _step_scenario(self, by: int) -> None:
        if self.plan is None:
            key = self.key_for("plan.run") or "enter"
            self.notify(f"plan a profile first ({key}), then choose a scenario", severity="warning")
            return
        order = self._scenario_order()
        if not order:
            return
        current = self.scenario_to_apply
        at = order.index(current) if current in order else -by
        self.chosen = order[(at + by) % len(order)]
        self._show_title()
        result = self.plan.scenario(self.chosen)
        recommended = self.chosen == self.plan.recommendation.scenario
        why = result.config.runnable_reason or (
            "" if result.feasible else "does not meet the deadline and the budget"
        )
        self.notify(
            f"a applies scenario {self.chosen!r}"
            + (" (the recommended one)" if recommended else "")
            + f": ${result.cost_mean:,.2f}, {result.p_deadline:.0%} by the deadline"
            + (f"; {why}" if why else ""),
            timeout=4,
        )

    def _show_plan(self, *parts: Widget) -> None:
        """The plan's text in place of the last one, above the charts."""
        pane = self.query_one("#plan-box")
        pane.query(".plan-part").remove()
        pane.mount(*parts, before="#chart-cost")

    def _draw_charts(self) -> None:
        """The charts as wide as the pane (its scrollbar's gutter is always kept)."""
        # plotext loads with the first chart, never at start-up.
        from batchtui.render.charts import cost_vs_makespan_chart, vcpus_over_time_chart

        if self.plan is None:
            return
        width = max(40, self.query_one("#plan-box").scrollable_content_region.width)
        self.query_one("#chart-cost", Static).update(
            Text(cost_vs_makespan_chart(self.plan, width, CHART_HEIGHT))
        )
        self.query_one("#chart-vcpus", Static).update(
            Text(vcpus_over_time_chart(self.plan, width, CHART_HEIGHT))
        )

    def on_resize(self) -> None:
        if self.plan is not None:
            self.call_after_refresh(self._draw_charts)

    def action_pick(self) -> None:
        options = self.query_one(OptionList)
        options.display = True
        options.focus()
        self.call_after_refresh(self._draw_charts)  # the pane is narrower beside the list

    def action_apply(self) -> None:
        """The change set of the planned profile, with the chosen scenario's settings (the
        recommended one by default), against the account; confirmed in the dialog, which then
        applies it."""
        if self.plan is None or not self.connected:
            key = self.key_for("plan.run") or "enter"
            self.notify(f"plan a profile first ({key}), then apply it", severity="warning")
            return
        self.app.push_screen(ApplyScreen(self.profile, self.plan, self.scenario_to_apply))

    def reload(self, full: bool) -> None:
        # The timer reads nothing here: the plan shows none of the account's live data (the
        # overview under it catches up when it is shown again).
        if full and self.plan is not None:
            self.plan_worker(self.profile)
