"""The planner: capacity under quotas, placement, the invariants, determinism, recommendation."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from batchtui.model import PurchaseModel
from batchtui.planner import Facts, Plan, run_plan, why_not_applicable
from batchtui.pricing import snapshot_price_book
from batchtui.profiles import Profile, load_profile, parse_profile

REPO = Path(__file__).resolve().parents[2]
BOOK = snapshot_price_book("us-east-1")

TEMPLATE = """\
name = "prop"
region = "us-east-1"
[quotas]
on_demand_vcpus = {od_quota}
spot_vcpus = {spot_quota}
[[compute_environments]]
name = "spot"
purchase_model = "SPOT"
allocation_strategy = "{strategy}"
instance_types = {types}
max_vcpus = {spot_max}
[[compute_environments]]
name = "od"
purchase_model = "ON_DEMAND"
allocation_strategy = "BEST_FIT_PROGRESSIVE"
instance_types = {types}
min_vcpus = {od_min}
max_vcpus = {od_max}
[[job_queues]]
name = "q"
compute_environments = ["spot", "od"]
[job_definition]
name = "jd"
image = "busybox"
vcpus = {vcpus}
memory_mib = {memory}
[job_definition.retry_strategy]
attempts = {attempts}
[workload]
images = {images}
images_per_job = {per_job}
deadline_hours = 3
budget_usd = 500
[workload.seconds_per_image]
distribution = "uniform"
min = {lo}
max = {hi}
[assumptions]
trials = 40
scale_up_delay_seconds = {delay}
[assumptions.interruption_rate_per_hour]
SPOT = {rate}
"""


def make_profile(**overrides: object) -> Profile:
    values: dict[str, object] = dict(
        od_quota=256, spot_quota=128, strategy="SPOT_PRICE_CAPACITY_OPTIMIZED",
        types='["c5", "m5"]', spot_max=128, od_min=0, od_max=64, vcpus=2, memory=3072,
        attempts=3, images=20_000, per_job=50, lo=2.0, hi=4.0, delay=180, rate=0.1,
    )  # fmt: skip
    values.update(overrides)
    return parse_profile(TEMPLATE.format(**values), "prop.toml")


def facts_for(profile: Profile, book=BOOK) -> Facts:  # type: ignore[no-untyped-def]
    quotas = {
        PurchaseModel.EC2: profile.quotas.on_demand_vcpus or 0.0,
        PurchaseModel.SPOT: profile.quotas.spot_vcpus or 0.0,
    }
    return Facts(book, quotas, "profile")


def plan_of(profile: Profile, book=BOOK, trials: int = 40, seed: int = 1) -> Plan:  # type: ignore[no-untyped-def]
    return run_plan(profile, facts_for(profile, book), trials=trials, seed=seed)


# ---------------------------------------------------------------- capacity and placement


def test_new_account_shows_the_quota_not_maxvcpus_and_says_why() -> None:
    profile = load_profile("new-account", cwd=REPO)
    plan = plan_of(profile)
    own = {ln.compute_environment: ln for ln in plan.scenarios[0].config.lines}
    od = own["tagging-on-demand"]
    assert od.max_vcpus == 256 and od.effective_vcpus == 64
    assert od.limited_by == "quota"
    assert "quota (64)" in od.reason
    spot = own["tagging-spot"]
    assert spot.effective_vcpus <= 5 and spot.limited_by == "quota"
    codes = [w.code for w in plan.warnings]
    assert codes.count("MAXVCPUS_ABOVE_QUOTA") == 2


def test_job_that_fits_no_instance_type_would_stay_runnable_and_blocks() -> None:
    plan = plan_of(make_profile(memory=900_000))
    own = plan.scenarios[0]
    assert own.config.runnable_reason.startswith("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")
    assert "900000 MiB" in own.config.runnable_reason
    blocking = [w for w in plan.warnings if w.blocking]
    assert blocking and "would stay RUNNABLE" in blocking[0].message
    assert plan.recommendation.scenario is None


def test_quota_shared_by_the_ces_of_a_pool() -> None:
    text = TEMPLATE.format(
        od_quota=256, spot_quota=100, strategy="BEST_FIT", types='["c5"]', spot_max=80,
        od_min=0, od_max=64, vcpus=2, memory=3072, attempts=3, images=1000, per_job=10,
        lo=1, hi=2, delay=60, rate=0,
    ).replace('purchase_model = "ON_DEMAND"', 'purchase_model = "SPOT"').replace(
        'allocation_strategy = "BEST_FIT_PROGRESSIVE"', 'allocation_strategy = "BEST_FIT"'
    )  # fmt: skip
    plan = plan_of(parse_profile(text))
    lines = plan.scenarios[0].config.lines
    assert [ln.effective_vcpus for ln in lines] == [80, 20]
    assert "shared" in lines[1].reason


def test_warnings_before_applying() -> None:
    profile = make_profile(od_min=8)
    plan = plan_of(profile)
    codes = {w.code for w in plan.warnings}
    assert "MIN_VCPUS_IDLE_COST" in codes
    assert "SCALE_UP_LATENCY" not in codes  # instances are kept warm
    assert "SCALE_UP_LATENCY" in {w.code for w in plan_of(make_profile()).warnings}
    big = replace(profile, workload=replace(profile.workload, array_size=20_000))
    assert "ARRAY_SIZE_LIMIT" in {w.code for w in plan_of(big).blocking}
    disk = replace(profile, job_definition=replace(profile.job_definition, disk_gib=50))
    assert "DISK_WITHOUT_LAUNCH_TEMPLATE" in {w.code for w in plan_of(disk).warnings}


def test_lambda_and_fargate() -> None:
    plan = plan_of(make_profile())
    assert any("Lambda" in n for n in plan.notes)
    assert {"fargate", "fargate-spot"} <= {s.name for s in plan.scenarios}
    huge = plan_of(make_profile(vcpus=32, memory=200_000, types='["r5"]'))
    assert not any(s.config.kind == "fargate" for s in huge.scenarios)
    assert not any("Lambda" in n for n in huge.notes)


def test_mix_sweep_and_recommendation() -> None:
    plan = plan_of(make_profile())
    names = [s.name for s in plan.scenarios]
    for mix in ("spot 0%", "spot 25%", "spot 50%", "spot 75%", "spot 100%"):
        assert mix in names
    rec = plan.recommended
    assert rec is not None and rec.feasible
    cheaper = [s for s in plan.scenarios if s.cost_mean < rec.cost_mean]
    assert all(not s.feasible for s in cheaper)
    assert rec.cost_per_1000_images == pytest.approx(rec.cost_mean / 20)


def test_no_scenario_meets_an_impossible_deadline() -> None:
    profile = make_profile()
    tight = replace(profile, workload=replace(profile.workload, deadline_hours=0.01))
    plan = plan_of(tight)
    assert plan.recommendation.scenario is None
    assert "no scenario meets" in plan.recommendation.reasons[0]


def test_same_seed_same_numbers() -> None:
    profile = make_profile()
    a, b = plan_of(profile, seed=5), plan_of(profile, seed=5)
    assert a == b
    c = plan_of(profile, seed=6)
    assert [s.cost_mean for s in a.scenarios] != [s.cost_mean for s in c.scenarios]


def test_interruptions_without_retry_fail_jobs() -> None:
    plan = plan_of(make_profile(attempts=1, rate=1.0))
    spot = plan.scenario("spot 100%")
    assert spot.interruptions_mean > 0 and spot.failed_jobs_mean > 0
    retried = plan_of(make_profile(attempts=3, rate=1.0)).scenario("spot 100%")
    assert retried.failed_jobs_mean < spot.failed_jobs_mean
    assert retried.wasted_vcpu_hours_mean > 0


# ---------------------------------------------------------------- invariants (hypothesis)

profiles = st.builds(
    make_profile,
    od_quota=st.integers(0, 512),
    spot_quota=st.integers(0, 512),
    strategy=st.sampled_from(["BEST_FIT", "SPOT_CAPACITY_OPTIMIZED"]),
    spot_max=st.integers(0, 512),
    od_max=st.integers(0, 512),
    od_min=st.just(0),
    vcpus=st.sampled_from([1, 2, 4]),
    memory=st.sampled_from([1024, 3000, 7000]),
    images=st.integers(1, 50_000),
    per_job=st.integers(1, 200),
    rate=st.sampled_from([0, 0.05, 0.5]),
)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(profile=profiles, factors=st.lists(st.floats(1.0, 3.0), min_size=1, max_size=8))
def test_cost_never_decreases_when_every_price_rises(
    profile: Profile, factors: list[float]
) -> None:
    names = sorted(BOOK.on_demand)
    # Every price rises, each by its own factor (>= 1).
    pick = {n: factors[i % len(factors)] for i, n in enumerate(names)}
    dearer = replace(
        BOOK,
        on_demand={k: v * pick[k] for k, v in BOOK.on_demand.items()},
        spot={k: v * pick[k] for k, v in BOOK.spot.items()},
        fargate=(BOOK.fargate[0] * factors[0], BOOK.fargate[1] * factors[0]),
        fargate_spot=(BOOK.fargate_spot[0] * factors[-1], BOOK.fargate_spot[1] * factors[-1]),
    )
    before, after = plan_of(profile, trials=20), plan_of(profile, dearer, trials=20)
    for old, new in zip(before.scenarios, after.scenarios, strict=True):
        assert new.cost_mean >= old.cost_mean - 1e-9, old.name


@FAST
@given(profile=profiles, more_quota=st.integers(0, 512), more_max=st.integers(0, 512))
@example(
    profile=make_profile(od_quota=360, spot_quota=0, strategy="BEST_FIT", spot_max=0, od_max=311,
                         od_min=0, vcpus=4, memory=1024, images=3271, per_job=38, rate=0),
    more_quota=0,
    more_max=26,
)  # fmt: skip
def test_makespan_never_increases_when_capacity_rises(
    profile: Profile, more_quota: int, more_max: int
) -> None:
    # Interruptions off: with them, new spot capacity ahead of on-demand in the queue moves
    # work onto the interruptible pool, which may rightly lengthen the expected makespan.
    profile = replace(
        profile,
        assumptions=replace(
            profile.assumptions, interruption_rate_per_hour={PurchaseModel.SPOT: 0.0}
        ),
    )
    base = plan_of(profile, trials=20).scenarios[0]
    ces = tuple(
        replace(ce, max_vcpus=ce.max_vcpus + more_max) for ce in profile.compute_environments
    )
    quotas = replace(
        profile.quotas,
        on_demand_vcpus=(profile.quotas.on_demand_vcpus or 0) + more_quota,
        spot_vcpus=(profile.quotas.spot_vcpus or 0) + more_quota,
    )
    bigger = plan_of(replace(profile, compute_environments=ces, quotas=quotas), trials=20)
    more = bigger.scenarios[0]

    # Jobs at once, not vCPUs: with more room the same jobs may run cheaper on smaller instances
    # (maxvCpus 311 -> 337 of a 360 quota: 5 x c5.18xlarge = 360 vCPUs, then 22 x c5.4xlarge =
    # 352; the workload's 87 four-vCPU jobs all run at once on either), so vCPUs may fall while
    # nothing runs slower.
    def slots(result: Any) -> int:
        held = sum(line.instances * line.jobs_per_instance for line in result.config.lines)
        return min(held, profile.workload.jobs)

    assert slots(more) >= slots(base)
    assert more.makespan_mean <= base.makespan_mean * (1 + 1e-9)
    assert more.makespan_p50 <= base.makespan_p50 * (1 + 1e-9)


@FAST
@given(profile=profiles)
def test_effective_capacity_never_exceeds_the_quota(profile: Profile) -> None:
    plan = plan_of(profile, trials=2)
    quota = {"ON_DEMAND": profile.quotas.on_demand_vcpus, "SPOT": profile.quotas.spot_vcpus}
    for s in plan.scenarios:
        used: dict[str, int] = {}
        for line in s.config.lines:
            used[line.pool] = used.get(line.pool, 0) + line.effective_vcpus
        for pool, vcpus in used.items():
            if pool in quota:
                assert vcpus <= (quota[pool] or 0), (s.name, pool)


def test_interruption_counts_are_whole_unbiased_and_monotone() -> None:
    from batchtui.planner.simulation import normals, poisson_count

    draws = [row[0] for row in normals(3, 4000, 0)]
    for mu in (0.05, 0.7, 4.0, 60.0):
        counts = [poisson_count(mu, z) for z in draws]
        assert all(isinstance(k, int) and k >= 0 for k in counts)
        # A normal stand-in clipped at 0 has mean ~0.11 for mu 0.05: twice the truth.
        assert sum(counts) / len(counts) == pytest.approx(mu, rel=0.1, abs=0.01)
        assert sum(1 for k in counts if k == 0) / len(counts) == pytest.approx(
            math.exp(-mu), abs=0.03
        )
    for z in draws[:200]:
        ks = [poisson_count(mu, z) for mu in (0.0, 0.1, 0.5, 2.0, 9.0, 300.0, 500.0)]
        assert ks == sorted(ks)


def test_a_rare_interruption_costs_a_rerun_after_the_last_wave() -> None:
    # 32 jobs on 32 slots: one wave. An interruption now and then means a rerun after it,
    # which the p95 shows; the mean counts it at its probability only.
    profile = make_profile(images=32 * 50, per_job=50, lo=10.0, hi=10.0, spot_quota=0,
                           od_quota=0, spot_max=64, rate=0.02)  # fmt: skip
    plan = plan_of(
        replace(profile, quotas=replace(profile.quotas, spot_vcpus=512, on_demand_vcpus=512)),
        trials=400,
    )
    spot = plan.scenario("spot 100%")
    calm = plan.scenario("spot 0%")
    job_s = 50 * 10.0
    exposure = 32 * job_s / 3600  # instance-hours: 32 instances of one slot
    assert spot.interruptions_mean == pytest.approx(0.02 * exposure, abs=0.03)
    assert spot.makespan_p50 == pytest.approx(calm.makespan_p50, rel=0.02)
    assert spot.makespan_p95 >= spot.makespan_p50 + job_s / 2


def test_idle_cost_of_min_vcpus_is_the_cheapest_way_to_hold_them() -> None:
    # 2 warm vCPUs on c5/m5: one c5.large, whatever (larger) type the workload itself launches.
    plan = plan_of(make_profile(od_min=2, vcpus=16, memory=30_000))
    idle = [w for w in plan.warnings if w.code == "MIN_VCPUS_IDLE_COST"]
    assert len(idle) == 1
    expected = BOOK.hourly("c5.large", PurchaseModel.EC2) * 730
    assert f"${expected:,.0f}/month" in idle[0].message
    assert "1 x c5.large" in idle[0].message
    # Twice the warm vCPUs, twice the idle cost.
    double = plan_of(make_profile(od_min=4, vcpus=16, memory=30_000))
    (w,) = [w for w in double.warnings if w.code == "MIN_VCPUS_IDLE_COST"]
    assert f"${2 * expected:,.0f}/month" in w.message


def test_a_scenario_on_compute_environments_the_profile_lacks_cannot_be_applied() -> None:
    # profiles/sandbox.toml has EC2 compute environments only: its Fargate scenarios would need
    # new ones (what apply refuses), its EC2 scenarios set the vCPUs of its own.
    profile = load_profile("sandbox", cwd=REPO)
    plan = plan_of(profile, trials=20)
    refused = {s.name: why_not_applicable(profile, s) for s in plan.scenarios}
    assert refused["fargate-spot"] == (
        "it runs on compute environment(s) sandbox-fargate-spot, which the profile does not "
        "have (add them to the profile to apply it)"
    )
    assert refused["fargate"].startswith("it runs on compute environment(s) sandbox-fargate,")
    assert [n for n, why in refused.items() if not why] == [
        s.name for s in plan.scenarios if not s.name.startswith("fargate")
    ]
