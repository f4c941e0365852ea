"""The planner explains its odd-looking figures, and the figures behind them are right: a p95
cost below the mean, vCPUs that differ from mix to mix, interruption rates per pool."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_planner import REPO, facts_for, make_profile, plan_of

from batchtui.model import PurchaseModel
from batchtui.planner.plan import job_shape, summarize
from batchtui.planner.scenarios import build_scenarios
from batchtui.planner.simulation import Trial, simulate
from batchtui.profiles import load_profile
from batchtui.render.plan import plan_to_json, render_plan_table
from batchtui.sandbox import SandboxConfig

SANDBOX = load_profile("sandbox", cwd=REPO)


def sandbox_plan():  # type: ignore[no-untyped-def]
    return plan_of(SANDBOX, trials=200, seed=1)


# ---------------------------------------------------------------- interruption rates


def test_the_sandbox_profile_interrupts_fargate_spot_as_the_sandbox_does() -> None:
    # The sandbox reclaims spot instances and Fargate Spot tasks at one rate; the profile that
    # describes it used to leave Fargate Spot at batchtui's 0.02 a task-hour.
    rate = SandboxConfig().spot_interruption_rate_per_hour
    assert SANDBOX.assumptions.interruption_rate_per_hour == {
        PurchaseModel.SPOT: rate,
        PurchaseModel.FARGATE_SPOT: rate,
    }
    config = next(
        c for c in build_scenarios(SANDBOX, facts_for(SANDBOX)) if c.name == "fargate-spot"
    )
    (line,) = config.lines
    assert (line.interruptions_per_hour, line.interruption_source) == (
        0.05,
        "the profile's assumptions.interruption_rate_per_hour.FARGATE_SPOT",
    )
    # By hand, at the mean job (a zero draw): a job is 15 s of overhead + 100 images x 4.2 s
    # (uniform 3..5.4) = 435 s, and on Fargate 45 s more to start its task: m = 480 s.
    # 200 jobs x 480 s = 26.6667 task-hours; reruns are exposed too: the exposure E solves
    # E = 26.6667 + 0.05 x E x 480 / 7200, so E = 26.6667 / (1 - 1/300) = 26.7559 task-hours,
    # and 0.05 an hour of that is 1.33779 interruptions a run (0.535 at the old 0.02).
    (trial,) = simulate(config, job_shape(SANDBOX), [(0.0, 0.0, 0.0)])
    assert trial.interruptions_expected == pytest.approx(1.33779, abs=1e-5)


def test_each_rate_says_where_it_comes_from() -> None:
    profile = load_profile("image-tagging", cwd=REPO)
    plan = plan_of(profile, trials=20, seed=7)
    lines = {(ln.pool, ln.instance_type): ln for s in plan.scenarios for ln in s.config.lines}
    c5 = lines[("SPOT", "c5.18xlarge")]
    # Spot Advisor bucket 10-15% a month, taken as 12.5%: -ln(1 - 0.125) / 730 h
    # = 0.133531 / 730 = 0.000182920 per instance-hour.
    assert c5.interruptions_per_hour == pytest.approx(0.000182920, rel=1e-5)
    assert c5.interruption_source == (
        "Spot Advisor: 10-15% of c5.18xlarge interrupted a month (12.5% over 730 h)"
    )
    fargate = lines[("FARGATE_SPOT", "task 1 vCPU / 2048 MiB")]
    assert fargate.interruptions_per_hour == 0.02
    assert fargate.interruption_source.startswith("assumed, AWS publishes none")
    assert lines[("ON_DEMAND", "c5.18xlarge")].interruption_source == ""

    text = render_plan_table(plan)
    # Per job-hour, the two rates compare: 0.00018 / 72 jobs = 2.5e-06 against 0.02.
    row = next(x for x in text.splitlines() if "c5.18xlarge" in x and "Spot Advisor" in x)
    assert row.split()[:5] == ["SPOT", "c5.18xlarge", "72", "0.00018", "2.5e-06"]
    # Spot on EC2 draws no interruption in 20 trials: the table says how many it expects.
    assert "- spot 100%: 0.00044 expected a run; none of the 20 trials drew one" in text
    doc = plan_to_json(plan)
    spot100 = next(s for s in doc["scenarios"] if s["name"] == "spot 100%")
    assert spot100["interruptionsMean"] == 0
    assert spot100["interruptionsExpected"] == pytest.approx(0.00044, abs=5e-6)
    assert spot100["computeEnvironments"][0]["interruptionRateSource"] == c5.interruption_source


# ---------------------------------------------------------------- vCPUs


def test_vcpus_of_each_mix_are_explained() -> None:
    plan = sandbox_plan()
    # The profile's 256 + 64 = 320 maxvCpus, 25% on spot: 80 spot, 240 on-demand. Spot: two
    # m5.16xlarge (64 vCPUs each) = 128, one instance past 80 as SPOT_CAPACITY_OPTIMIZED may,
    # within the spot quota of 128. On-demand: 120 m5.large = 240. 128 + 240 = 368, of which
    # the 200 one-vCPU jobs use 200.
    s = plan.scenario("spot 25%")
    assert s.config.vcpus == 368
    assert s.vcpus_reason == (
        "SPOT 80 -> 128 (2 x m5.16xlarge, one instance past maxvCpus); "
        "ON_DEMAND 240 -> 240 (120 x m5.large); "
        "at most 200 jobs run at once, using 200 of the 368 vCPUs"
    )
    # All spot: 320 maxvCpus, but the spot quota is 128.
    assert plan.scenario("spot 100%").vcpus_reason == (
        "SPOT 320 -> 128 (16 x m5.2xlarge, SPOT vCPU quota)"
    )
    text = render_plan_table(plan)
    assert "a mix splits the profile's 320 maxvCpus between spot and on-demand" in text
    assert f"  - spot 25%: {s.vcpus_reason}" in text
    doc = plan_to_json(plan)
    assert {x["name"]: x["explanations"]["vcpus"] for x in doc["scenarios"]} == {
        x.name: x.vcpus_reason for x in plan.scenarios
    }


# ---------------------------------------------------------------- p95 below the mean


def test_p95_below_the_mean_is_explained_by_the_rare_interrupted_trials() -> None:
    plan = sandbox_plan()
    s = plan.scenario("spot 25%")
    # 3 of 200 trials draw an interruption of an m5.16xlarge: 64 jobs rerun and an instance is
    # replaced. The 190th cheapest trial (the p95) is an uninterrupted one, below the mean.
    assert s.interrupted_trials == 3
    assert s.cost_p95 < s.cost_mean
    assert s.cost_mean_interrupted > s.cost_p95
    assert s.cost_note.startswith(
        f"p95 ${s.cost_p95:,.4f} is below the mean ${s.cost_mean:,.4f}: 3 of 200 trials drew a "
        "spot interruption and cost $"
    )
    text = render_plan_table(plan)
    assert f"  - spot 25%: {s.cost_note}" in text
    doc = plan_to_json(plan)
    j = next(x for x in doc["scenarios"] if x["name"] == "spot 25%")
    assert j["explanations"]["cost"] == s.cost_note
    assert j["interruptedTrials"] == 3
    assert j["costUsd"]["meanOfInterruptedTrials"] == pytest.approx(s.cost_mean_interrupted)
    # Scenarios whose p95 is not below their mean carry no cost note.
    assert all(x.cost_note == "" for x in plan.scenarios if x.cost_p95 >= x.cost_mean)


def _trial(cost: float, interrupted: bool) -> Trial:
    return Trial(3600.0, cost, 1.0 if interrupted else 0.0, 0.0, 0.0, 3000.0)


@settings(max_examples=200, deadline=None)
@given(
    costs=st.lists(
        st.tuples(st.floats(0.0, 1e4, allow_nan=False), st.booleans()), min_size=1, max_size=300
    )
)
def test_cost_percentiles_are_ordered_and_a_p95_below_the_mean_is_explained(
    costs: list[tuple[float, bool]],
) -> None:
    profile = make_profile()
    facts = facts_for(profile)
    config = build_scenarios(profile, facts)[0]
    trials = [_trial(c, hit) for c, hit in costs]
    r = summarize(profile, config, trials, job_shape(profile), 0.0)
    values = sorted(c for c, _ in costs)
    assert values[0] <= r.cost_median <= r.cost_at_confidence <= r.cost_p95 <= values[-1]
    assert values[0] - 1e-9 <= r.cost_mean <= values[-1] + 1e-9
    assert r.interrupted_trials == sum(1 for _, hit in costs if hit)
    assert bool(r.cost_note) == (r.cost_p95 < r.cost_mean)


def test_plan_json_carries_the_explanations_and_matches_its_schema() -> None:
    import jsonschema

    schema = json.loads((REPO / "batchtui" / "data" / "plan.schema.json").read_text())
    doc = plan_to_json(sandbox_plan())
    jsonschema.validate(doc, schema)
    for s in doc["scenarios"]:
        assert s["costUsd"]["median"] <= s["costUsd"]["p95"]
        assert set(s["explanations"]) == {"vcpus", "cost"}
