"""The capacity planner (pure): a profile and its facts -> scenarios, recommendation, warnings.

``run_plan(profile, facts, trials, seed) -> Plan`` is the one entry point; the CLI and the TUI's
plan screen both call it and render the same :class:`Plan`.
"""

from batchtui.planner.facts import Facts
from batchtui.planner.plan import run_plan
from batchtui.planner.recommendation import scenario_settings, why_not_applicable
from batchtui.planner.results import (
    CapacityLine,
    Plan,
    PlanWarning,
    Recommendation,
    ScenarioConfig,
    ScenarioResult,
    SubmitEstimate,
    VcpuSetting,
)
from batchtui.pricing import PriceBook

__all__ = [
    "CapacityLine",
    "Facts",
    "Plan",
    "PlanWarning",
    "PriceBook",
    "Recommendation",
    "ScenarioConfig",
    "ScenarioResult",
    "SubmitEstimate",
    "VcpuSetting",
    "run_plan",
    "scenario_settings",
    "why_not_applicable",
]
