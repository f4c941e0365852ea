"""The order of a diagnosis's findings: most severe first, then most jobs, and a root cause
always before the symptom it explains (a blocked head's own cause before the jobs it holds back,
a blocked dependency's cause before the jobs that depend on it)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from test_diagnose import NOW_MS, ce, facts, job, queue

from batchtui.diagnose import BatchFacts, Finding, JobFacts, QueuePosition, Severity, diagnose
from batchtui.diagnose.findings import group
from batchtui.model import PurchaseModel
from batchtui.render.diagnosis import blocked_line, to_text

MAX_RESOURCE = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
TOO_BIG = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
HEAD = "HEAD_OF_QUEUE_BLOCKED"


def blocked_queue(head: JobFacts, behind: int = 3, **kw: Any) -> BatchFacts:
    """``head`` at the front of a FIFO queue, ``behind`` small jobs after it."""
    small = [job(f"b{i}") for i in range(behind)]
    front = tuple(QueuePosition(j.job_id, i + 1, NOW_MS) for i, j in enumerate([head, *small]))
    return facts(head, *small, front_of_queue=front, related_jobs={head.job_id: head}, **kw)


def order(f: BatchFacts) -> list[tuple[str, int]]:
    return [(x.code, len(x.job_ids)) for x in diagnose(f).findings]


def test_max_vcpus_below_the_heads_smallest_instance_comes_before_the_jobs_it_holds_back() -> None:
    head = job("head", vcpus=16, status_reason=MAX_RESOURCE + " - ...")
    d = diagnose(blocked_queue(head, ces=(ce(max_vcpus=8),)))
    assert [(x.code, len(x.job_ids)) for x in d.findings] == [(MAX_RESOURCE, 1), (HEAD, 3)]
    cause, symptom = d.findings
    assert cause.job_ids == ("head",) and cause.target == "ce"
    # The symptom names what blocks the head, and points at the finding above it.
    assert symptom.cause == cause.key
    assert symptom.title == (
        f"held back by the blocked head of the queue, job name-head (head), blocked by "
        f"{MAX_RESOURCE}: {cause.title}"
    )
    assert symptom.fix.startswith(f"fix the head's cause ({MAX_RESOURCE}): {cause.fix}; ")
    assert symptom.fix.endswith(
        "or cancel job name-head (head), which releases the 3 jobs queued behind it "
        "(array children counted one by one)"
    )


def test_a_head_that_fits_no_instance_type_comes_first() -> None:
    head = job("head", vcpus=99, status_reason=TOO_BIG + " - ...")
    assert order(blocked_queue(head)) == [(TOO_BIG, 1), (HEAD, 3)]


def test_a_head_over_the_vcpu_quota_comes_first() -> None:
    head = job("head", vcpus=16)  # needs an m5.4xlarge: 16 vCPUs, the quota is 8
    quotas = {PurchaseModel.EC2: 8.0, PurchaseModel.SPOT: 8.0}
    assert order(blocked_queue(head, quotas=quotas)) == [("VCPU_QUOTA_EXHAUSTED", 1), (HEAD, 3)]


def test_every_ce_disabled_blocks_all_jobs_and_comes_before_the_head() -> None:
    head = job("head")
    assert order(blocked_queue(head, ces=(ce(state="DISABLED"),))) == [
        ("COMPUTE_ENVIRONMENTS_DISABLED", 4),
        (HEAD, 3),
    ]


def test_the_cause_ranks_with_the_jobs_it_holds_back_against_other_causes() -> None:
    """A cause ranks by the jobs it blocks itself and through its symptom: 1 + 3 here, against
    a cause of 2 jobs (it comes first) and one of 5 jobs (it comes second)."""
    head = job("head", vcpus=99)
    failed = job("dep", status="FAILED")

    def with_failed_deps(n: int) -> BatchFacts:
        f = blocked_queue(head)
        pending = tuple(job(f"p{i}", status="PENDING", depends_on=("dep",)) for i in range(n))
        return replace(f, jobs=(*f.jobs, *pending), related_jobs={**f.related_jobs, "dep": failed})

    assert order(with_failed_deps(2)) == [(TOO_BIG, 1), (HEAD, 3), ("DEPENDENCY_FAILED", 2)]
    assert order(with_failed_deps(5)) == [("DEPENDENCY_FAILED", 5), (TOO_BIG, 1), (HEAD, 3)]


def test_the_head_is_named_with_its_cause_not_with_its_time_limit() -> None:
    q = replace(queue(), job_state_time_limit_actions=(
        {"reason": MAX_RESOURCE, "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"},))  # fmt: skip
    head = job("head", vcpus=16, status_reason=MAX_RESOURCE + " - ...")
    d = diagnose(blocked_queue(head, ces=(ce(max_vcpus=8),), queue=q))
    assert [(x.code, len(x.job_ids)) for x in d.findings] == [
        (MAX_RESOURCE, 1),
        (HEAD, 3),
        ("JOB_STATE_TIME_LIMIT", 1),
    ]
    assert f"blocked by {MAX_RESOURCE}" in d.findings[1].title


def test_a_blocked_dependency_of_the_same_queue_comes_after_its_cause() -> None:
    dep = job("dep", vcpus=99)
    pending = tuple(job(f"p{i}", status="PENDING", depends_on=("dep",)) for i in range(3))
    d = diagnose(facts(dep, *pending, related_jobs={"dep": dep}))
    assert [(x.code, len(x.job_ids)) for x in d.findings] == [
        (TOO_BIG, 1),
        ("DEPENDENCY_BLOCKED", 3),
    ]
    assert d.findings[1].cause == d.findings[0].key
    assert f"RUNNABLE and blocked by {TOO_BIG}: " in d.findings[1].title


def test_a_job_behind_the_head_diagnosed_alone_is_told_of_the_head_and_its_cause() -> None:
    head = job("head", vcpus=99)
    behind = job("b0")
    front = (QueuePosition("head", 1, NOW_MS), QueuePosition("b0", 2, NOW_MS))
    (f,) = diagnose(facts(behind, front_of_queue=front, related_jobs={"head": head})).findings
    assert f.code == HEAD and f"blocked by {TOO_BIG}: " in f.title


def test_the_text_says_what_each_count_counts() -> None:
    head = job("head", vcpus=99)
    text = to_text(diagnose(blocked_queue(head)), "queue q")
    assert f"[BLOCKING] {TOO_BIG} (1 of the 4 jobs examined)" in text
    assert f"[BLOCKING] {HEAD} (3 of the 4 jobs examined)" in text
    assert text.index(TOO_BIG) < text.index(HEAD)
    assert "releases the 3 jobs queued behind it (array children counted one by one)" in text
    alone = to_text(diagnose(facts(job(vcpus=99))), "job j1")
    assert f"[BLOCKING] {TOO_BIG}\n" in alone  # one job examined: no count


# -- group(): the rule itself, over any findings and links between them ----------------------
SEVERITIES = list(Severity)


@st.composite
def linked_findings(draw: st.DrawFn) -> list[Finding]:
    n = draw(st.integers(1, 8))
    out: list[Finding] = []
    for i in range(n):
        jobs = draw(st.lists(st.sampled_from([f"j{k}" for k in range(6)]), max_size=4))
        cause = draw(st.one_of(st.none(), st.integers(0, n - 1)))
        out.append(Finding(f"C{i}", draw(st.sampled_from(SEVERITIES)), f"t{i}", (), "fix",
                           tuple(jobs), cause=None if cause is None else (f"C{cause}", f"t{cause}", "fix")))  # fmt: skip
    return out


def rooted(f: Finding, by_key: dict[tuple[str, str, str], Finding]) -> bool:
    """Its chain of causes ends at a finding that nothing explains (it is not in a ring)."""
    seen: set[tuple[str, str, str]] = set()
    while f.cause is not None and f.cause != f.key:
        if f.key in seen:
            return False
        seen.add(f.key)
        f = by_key[f.cause]
    return True


@given(linked_findings())
def test_group_keeps_every_cause_and_puts_each_before_what_it_explains(
    findings: list[Finding],
) -> None:
    grouped = group(findings)
    assert sorted(f.key for f in grouped) == sorted(f.key for f in findings)
    at = {f.key: i for i, f in enumerate(grouped)}
    by_key = {f.key: f for f in grouped}
    for f in grouped:
        if f.cause is not None and f.cause != f.key and rooted(f, by_key):
            assert at[f.cause] < at[f.key], (f.key, f.cause, [g.key for g in grouped])


def test_group_without_links_is_most_severe_then_most_jobs_then_first_seen() -> None:
    def f(code: str, severity: Severity, *jobs: str) -> Finding:
        return Finding(code, severity, code, (), "fix", jobs)

    grouped = group([f("A", Severity.WARNING, "1", "2", "3"), f("B", Severity.BLOCKING, "1"),
                     f("C", Severity.BLOCKING, "1", "2"), f("D", Severity.BLOCKING, "3")])  # fmt: skip
    assert [g.code for g in grouped] == ["C", "B", "D", "A"]


def test_the_stderr_line_names_the_blocking_causes_in_the_reports_order() -> None:
    head = job("head", vcpus=99)
    d = diagnose(blocked_queue(head))
    assert blocked_line(d, "queue q") == (
        f"queue q: blocked by {TOO_BIG} (1 of the 4 jobs examined); "
        f"{HEAD} (3 of the 4 jobs examined)"
    )
    alone = diagnose(facts(job(vcpus=99)))
    assert blocked_line(alone, "job j1") == f"job j1: blocked by {TOO_BIG}"
