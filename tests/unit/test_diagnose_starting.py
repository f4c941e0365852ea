"""STARTING_TOO_LONG says how long the job has been STARTING, counted from its ECS task's
creation, and what the task's image pull shows: still pulling, pulled but not started, or not
begun."""

from __future__ import annotations

from test_diagnose import NOW_MS, facts, first, job

from batchtui.diagnose import Finding, JobFacts, Severity, TaskTimes

MIN = 60_000


def starting(**times: int) -> JobFacts:
    return job(status="STARTING", image="repo/app:7", created_at_ms=NOW_MS - 90 * MIN, **times)


def evidence(f: Finding) -> list[str]:
    return [f"{e.call} {e.field} {e.value}" for e in f.evidence]


def test_still_pulling_says_for_how_long_from_the_tasks_times() -> None:
    f = first(
        facts(starting(starting_since_ms=NOW_MS - 20 * MIN, pull_started_ms=NOW_MS - 19 * MIN))
    )
    assert (f.code, f.severity) == ("STARTING_TOO_LONG", Severity.WARNING)
    assert f.title == "STARTING for 20m00s: pulling image repo/app:7 for 19m00s is slow or failing"
    assert "registry" in f.fix
    assert evidence(f) == [
        "batch:DescribeJobs jobs[].container.image repo/app:7",
        "ecs:DescribeTasks tasks[].createdAt 2027-01-15T07:40:00Z",
        "ecs:DescribeTasks tasks[].pullStartedAt 2027-01-15T07:41:00Z",
    ]


def test_pulled_but_not_started_points_at_the_container_not_the_registry() -> None:
    f = first(facts(starting(starting_since_ms=NOW_MS - 20 * MIN, pull_started_ms=NOW_MS - 20 * MIN,
                             pull_stopped_ms=NOW_MS - 12 * MIN)))  # fmt: skip
    assert f.title == (
        "STARTING for 20m00s: image repo/app:7 was pulled 12m00s ago, but its container has not started"
    )
    assert "registry" not in f.fix and "containers[].reason" in f.fix


def test_a_pull_not_begun_says_so() -> None:
    f = first(facts(starting(starting_since_ms=NOW_MS - 11 * MIN)))
    assert f.title == "STARTING for 11m00s: its ECS task has not begun pulling image repo/app:7"


def test_task_times_become_the_jobs_starting_evidence() -> None:
    times = TaskTimes(NOW_MS - 5 * MIN, NOW_MS - 4 * MIN, None)
    seen = times.on(starting())
    assert (seen.starting_since_ms, seen.pull_started_ms, seen.pull_stopped_ms) == (
        NOW_MS - 5 * MIN, NOW_MS - 4 * MIN, None,
    )  # fmt: skip
