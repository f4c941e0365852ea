"""``:plan``: pick a planning profile, run the planner in a worker, read the plan and its charts;
choose what ``a`` applies.

``a`` applies the profile as written unless a scenario is chosen with ``s``: the same change set
as ``batchtui apply --profile NAME``, as ``terraform apply`` applies the configuration and not
advice about it. The recommended scenario is the first ``s`` offers; when the profile cannot
express it (it runs on compute environments the profile does not have, e.g. Fargate ones), the
plan says so, and why, before anything is pressed."""

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
    def __init__(self, plan: Plan, refused: dict[str, str]) -> None:
        super().__init__()
        self.plan = plan
        #: Why applying a scenario to the profile would be refused, by scenario name.
        self.refused = refused


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
            tooltip="The planned profile's change set (as written, or with the scenario chosen "
            "with s), then apply it",
            danger=True,
        ),
        Binding(
            "s",
            "next_scenario",
            "Scenario",
            id="plan.scenario",
            tooltip="Choose what a applies: the profile as written, the recommended scenario, "
            "then the plan's others",
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
        #: The scenario ``a`` applies; None: the profile as written.
        self.chosen: str | None = None
        #: Why applying a scenario to the profile would be refused, by scenario name.
        self.refused: dict[str, str] = {}

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
        from batchtui.planner import why_not_applicable  # the planner: see compose
        from batchtui.profiles import load_profile  # with the planner: see compose

        plan = make_plan(name, self.batchtui.aws)
        profile = load_profile(name)
        refused = {s.name: why for s in plan.scenarios if (why := why_not_applicable(profile, s))}
        self.post_message(PlanReady(plan, refused))

    @on(PlanReady)
    def _ready(self, message: PlanReady) -> None:
        from batchtui.render.plan import render_plan_blocks  # needs the planner: see compose

        plan = self.plan = message.plan
        self.refused = message.refused
        if self.chosen not in {s.name for s in plan.scenarios}:
            self.chosen = None  # another profile's, or gone from a re-plan
        # The plan's tables are wide: the profile list steps aside (p brings it back).
        self.query_one(OptionList).display = False
        self._show_title()
        # The planner's own text: every value enters as plain Text, never as markup. Prose
        # wraps to the pane; a table keeps its rows whole, wider than the pane if it must be.
        self._show_plan(
            *self._what_a_applies(),
            *(
                Static(Text("\n".join(lines), no_wrap=True), classes="plan-part plan-table")
                if is_table
                else Static(prose(lines), classes="plan-part plan-prose")
                for is_table, lines in render_plan_blocks(plan)
            ),
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
                title.append("the profile as written", style="bold")
            else:
                recommended = scenario == self.plan.recommendation.scenario
                title.append(repr(scenario), style="bold")
                title.append(" (recommended)" if recommended else " (chosen)")
            choose = self.key_for("plan.scenario")
            if choose:
                title.append(f"   {choose}: another scenario")
        self.query_one("#plan-title", Label).update(title)

    def _what_a_applies(self) -> list[Widget]:
        """Above the plan, before ``a`` is pressed: what it applies, and whether the
        recommended scenario can be applied from this profile (and why not)."""
        lines = self._what_a_applies_lines()
        if not lines:
            return []
        return [Static(prose(lines), classes="plan-part plan-prose", id="plan-apply")]

    def _what_a_applies_lines(self) -> list[str]:
        apply_key = self.key_for("plan.apply")
        if self.plan is None or not apply_key or not self.check_action("apply", ()):
            return []
        choose = self.key_for("plan.scenario")
        scenario = self.scenario_to_apply
        if scenario is None:
            lines = [
                f"{apply_key} applies the profile as written, the change set of `batchtui apply "
                f"--profile {self.profile}`"
                + (f"; {choose} chooses one of the plan's scenarios instead." if choose else ".")
            ]
        else:
            lines = [
                f"{apply_key} applies the profile with the vCPU settings of scenario {scenario!r}"
                + (f"; {choose} chooses another (the profile as written among them)." if choose
                   else ".")
            ]  # fmt: skip
        rec = self.plan.recommendation.scenario
        if rec is not None and rec in self.refused:
            lines.append(
                f"{BULLET}the recommended scenario {rec!r} cannot be applied from this profile: "
                f"{self.refused[rec]}"
            )
        return lines

    @property
    def scenario_to_apply(self) -> str | None:
        """The scenario ``a`` applies; None: the profile as written."""
        return self.chosen if self.plan is not None else None

    def _scenario_order(self) -> list[str | None]:
        """What ``s`` steps through: the profile as written, the recommended scenario, then the
        plan's others in the table's order."""
        assert self.plan is not None
        rec = self.plan.recommendation.scenario
        names = [s.name for s in self.plan.scenarios]
        return [None, *([rec] if rec else []), *(n for n in names if n != rec)]

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
        current = self.scenario_to_apply
        at = order.index(current) if current in order else 0
        self.chosen = order[(at + by) % len(order)]
        self._show_title()
        for shown in self.query("#plan-apply").results(Static):
            shown.update(prose(self._what_a_applies_lines()))
        if self.chosen is None:
            self.notify("a applies the profile as written", timeout=4)
            return
        result = self.plan.scenario(self.chosen)
        recommended = self.chosen == self.plan.recommendation.scenario
        refused = self.refused.get(self.chosen, "")
        why = (
            f"a refuses it: {refused}"
            if refused
            else ("" if result.feasible else "does not meet the deadline and the budget")
        )
        self.notify(
            f"a applies scenario {self.chosen!r}"
            + (" (the recommended one)" if recommended else "")
            + f": ${result.cost_mean:,.2f}, {result.p_deadline:.0%} by the deadline"
            + (f"; {why}" if why else ""),
            severity="warning" if refused else "information",
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
        """The change set of the planned profile (as written, or with the chosen scenario's
        settings) against the account; confirmed in the dialog, which then applies it."""
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
