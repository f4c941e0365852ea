"""What `batchtui plan` says: the recommendation's wording, warnings labelled by what they are
about, Fargate's own queue and task size, the capacity reasons in full, SubmitJob calls."""

from __future__ import annotations

import re
from dataclasses import replace

# pytest puts this directory on sys.path (rootdir-relative imports, no packages).
from test_planner import BOOK, REPO, make_profile, plan_of

from batchtui.planner import Plan
from batchtui.planner.results import PROFILE, RECOMMENDATION
from batchtui.profiles import load_profile
from batchtui.render.plan import plan_to_json, render_plan_table

#: Fargate priced out of the running, so that an EC2 mix is recommended.
DEAR_FARGATE = replace(
    BOOK,
    fargate=(BOOK.fargate[0] * 50, BOOK.fargate[1] * 50),
    fargate_spot=(BOOK.fargate_spot[0] * 50, BOOK.fargate_spot[1] * 50),
)
#: "1 vCPUs", "1 jobs", ...: a count of one with a plural noun.
ONE_WITH_PLURAL = re.compile(
    r"(?<![\d.,])1 (vCPUs|jobs|images|trials|scenarios|array jobs|SubmitJob calls|instances"
    r"|children|interruptions)\b"
)


def section(text: str, title: str) -> str:
    """The lines of one section of the table, from its title to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


def image_tagging() -> Plan:
    return plan_of(load_profile("image-tagging", cwd=REPO), trials=40, seed=7)


# ---------------------------------------------------------------- 1. wording


def test_the_reason_counts_the_scenarios_that_meet_the_goal_in_plain_words() -> None:
    plan = image_tagging()
    first = plan.recommendation.reasons[0]
    assert first.startswith(
        "cheapest of the 8 scenarios that meet the 2h deadline with 90% confidence and the "
        "$40.00 budget"
    )
    assert " of 8 of " not in first

    tight = plan_of(load_profile("new-account", cwd=REPO), trials=40, seed=7)
    assert tight.recommendation.reasons[0].startswith("cheapest of the 7 scenarios (of 8) that")


def test_a_single_feasible_scenario_is_the_only_one() -> None:
    profile = make_profile()
    # Fargate priced out, only all-spot is cheap enough for this budget.
    budget = replace(profile, workload=replace(profile.workload, budget_usd=1.0))
    plan = plan_of(budget, DEAR_FARGATE)
    assert plan.recommendation.scenario == "spot 100%"
    assert plan.recommendation.reasons[0].startswith(
        "the only one of the 8 scenarios that meets the 3h deadline"
    )


def test_one_is_singular_everywhere() -> None:
    # One trial, a job of one vCPU, a spot quota of one vCPU, one job per array: every count
    # of one the plan prints.
    profile = make_profile(vcpus=1, memory=1024, spot_quota=1, images=50, per_job=50)
    plan = plan_of(profile, trials=1)
    text = render_plan_table(plan)
    messages = "\n".join(
        [*plan.recommendation.reasons, *(w.message for w in plan.warnings), *plan.notes]
        + [ln.reason for s in plan.scenarios for ln in s.config.lines]
    )
    assert "1 trial," in text and "in 1 job of" in text
    assert "each job (1 vCPU, 1024 MiB" in text
    assert "it can reach 1 vCPU;" in messages
    assert "Submitting 1 job: 1 SubmitJob call (<1s)." in text
    assert not ONE_WITH_PLURAL.search(text), ONE_WITH_PLURAL.search(text)
    assert not ONE_WITH_PLURAL.search(messages), ONE_WITH_PLURAL.search(messages)


# ---------------------------------------------------------------- 2. what a warning is about


def test_warnings_say_whether_they_are_about_the_profile_or_the_recommendation() -> None:
    plan = image_tagging()
    assert plan.recommendation.scenario == "fargate-spot"
    latency = [w for w in plan.warnings if w.code == "SCALE_UP_LATENCY"]
    # The EC2 compute environments' scale-up is the profile's, not Fargate's.
    assert [(w.scope, w.scenario) for w in latency] == [(PROFILE, "profile")]
    assert latency[0].message.startswith("tagging-spot, tagging-on-demand: min_vcpus 0")
    about_rec = plan.warnings_about(RECOMMENDATION)
    assert about_rec and all(w.scenario == "fargate-spot" for w in about_rec)
    assert "FARGATE_TASK_START" in {w.code for w in about_rec}

    text = render_plan_table(plan)
    profile_part = section(text, "WARNINGS about the profile as configured (image-tagging)")
    rec_part = section(text, "WARNINGS about the recommended configuration (fargate-spot)")
    assert "SCALE_UP_LATENCY" in profile_part and "SCALE_UP_LATENCY" not in rec_part
    assert "FARGATE_TASK_START" in rec_part and "45s" in rec_part

    doc = plan_to_json(plan)
    scopes = {(w["code"], w["scope"], w["scenario"]) for w in doc["warnings"]}
    assert ("SCALE_UP_LATENCY", "profile", "profile") in scopes
    assert ("FARGATE_TASK_START", "recommendation", "fargate-spot") in scopes


def test_an_ec2_recommendation_has_its_own_scale_up_warning() -> None:
    plan = plan_of(make_profile(od_min=8), DEAR_FARGATE)
    rec = plan.recommendation.scenario
    assert rec is not None and rec.startswith("spot ")
    latency = {(w.scope, w.scenario) for w in plan.warnings if w.code == "SCALE_UP_LATENCY"}
    # The profile keeps instances warm (min_vcpus 8); the recommended mix starts from zero.
    assert latency == {(RECOMMENDATION, rec)}
    assert not any(w.code.startswith("FARGATE") for w in plan.warnings)


def test_recommending_the_profile_itself_adds_no_second_list() -> None:
    # All spot: the profile is the "spot 100%" mix, and wins the tie as the first scenario.
    plan = plan_of(make_profile(od_max=0), DEAR_FARGATE)
    assert plan.recommendation.scenario == "profile"
    assert not plan.warnings_about(RECOMMENDATION)
    text = render_plan_table(plan)
    assert "WARNINGS about the profile as configured (prop) - the recommended scenario" in text
    assert "WARNINGS about the recommended configuration" not in text


# ---------------------------------------------------------------- 3. SubmitJob calls


def test_submit_line_counts_calls_as_array_jobs_and_as_single_jobs() -> None:
    text = render_plan_table(image_tagging())
    assert (
        "Submitting 1,000 jobs: as 1 array job of 1,000 children (workload.array_size 1,000) = "
        "1 SubmitJob call (<1s); as single jobs 1,000 SubmitJob calls = 20s at SubmitJob's "
        "50 TPS." in text
    )
    assert "Submitting takes" not in text


def test_submit_line_for_single_jobs_and_several_array_jobs() -> None:
    singles = plan_of(make_profile(images=100_000, per_job=1), trials=2)
    assert singles.submit is not None and not singles.submit.planned_as_arrays
    assert singles.submit.array_jobs == 10
    assert (
        "Submitting 100,000 jobs: as single jobs (workload.array_size 1) 100,000 SubmitJob "
        "calls = 33m20s at SubmitJob's 50 TPS; as array jobs of up to 10,000 children, "
        "10 SubmitJob calls (<1s)." in render_plan_table(singles)
    )
    profile = make_profile(images=25_000, per_job=1)
    arrays = replace(profile, workload=replace(profile.workload, array_size=10_000))
    assert (
        "as 3 array jobs of up to 10,000 children (workload.array_size 10,000) = 3 SubmitJob "
        "calls (<1s)" in render_plan_table(plan_of(arrays, trials=2))
    )
    doc = plan_to_json(singles)["submit"]
    assert doc == {
        "jobs": 100_000, "arraySize": 1, "maxArraySize": 10_000, "plannedAs": "single",
        "arrayJobs": 10, "arraySubmitSeconds": 0.2, "singleJobCalls": 100_000,
        "singleSubmitSeconds": 2000.0, "submitJobCallsPerSecond": 50.0,
    }  # fmt: skip


# ---------------------------------------------------------------- 4. Fargate's own queue


def test_a_fargate_recommendation_needs_its_own_queue_and_a_fargate_job_definition() -> None:
    plan = image_tagging()
    by_code = {w.code: w for w in plan.warnings_about(RECOMMENDATION)}
    queue = by_code["FARGATE_NEEDS_ITS_OWN_QUEUE"].message
    assert "a job queue cannot mix EC2 and Fargate compute environments" in queue
    assert "image-tagging-fargate-spot needs a job queue of its own" in queue
    assert "job queue image-tagging has tagging-spot, tagging-on-demand on EC2" in queue
    jd = by_code["FARGATE_JOB_DEFINITION"].message
    assert 'platformCapabilities ["FARGATE"]' in jd
    # 1 vCPU / 1536 MiB is no Fargate size: the next one up is.
    assert "Fargate task size: 1 vCPU / 2048 MiB (the job asks for 1 vCPU / 1536 MiB" in jd
    (setting,) = plan.recommendation.settings
    assert setting.task_size == (1.0, 2048)
    assert "Fargate tasks of 1 vCPU / 2048 MiB" in render_plan_table(plan)
    assert plan_to_json(plan)["recommendation"]["settings"][0]["fargateTask"] == {
        "vcpus": 1.0,
        "memoryMiB": 2048,
    }


# ---------------------------------------------------------------- 5. capacity reasons


def test_capacity_reasons_are_printed_whole() -> None:
    plan = image_tagging()
    text = render_plan_table(plan)
    capacity = section(text, "CAPACITY (the profile as configured)")
    assert "…" not in capacity
    for line in plan.scenarios[0].config.lines:
        assert f"  - {line.reason}" in capacity.splitlines()
    assert "may overshoot maxvCpus by one instance (288 vCPUs)" in capacity


def test_a_capacity_reason_explains_what_whole_instances_reach() -> None:
    plan = plan_of(load_profile("new-account", cwd=REPO), trials=2)
    spot = plan.scenarios[0].config.lines[0]
    assert (spot.compute_environment, spot.effective_vcpus) == ("tagging-spot", 4)
    assert spot.reason.endswith(
        "it can reach 5 vCPUs; whole c5.large instances (2 vCPUs each) make that 4 vCPUs"
    )


# ---------------------------------------------------------------- --plot


def test_charts_say_which_marker_is_which() -> None:
    from batchtui.render.charts import cost_vs_makespan_chart, vcpus_over_time_chart

    plan = image_tagging()
    cost = cost_vs_makespan_chart(plan, 100, 24)
    key = cost[cost.index("key: ") :]
    assert "@ fargate-spot (recommended)" in key
    entries = re.split(r" {3,}|\n +", key.removeprefix("key: "))
    named = {e.split(" ", 1)[1].removesuffix(" (recommended)") for e in entries}
    assert {s.name for s in plan.scenarios} <= named
    # Deadline 2 h and budget $40 are far from every scenario: named, not drawn.
    assert "deadline 2 h (off chart, right)" in key and "budget $40.00 (off chart, above)" in key
    vcpus = vcpus_over_time_chart(plan, 100, 20)
    assert "key: • image-tagging-fargate-spot (FARGATE_SPOT)" in vcpus
