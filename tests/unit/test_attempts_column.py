"""The jobs list's ATTEMPTS column: which rows need a DescribeJobs, and what their cell says."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batchtui.account.attempts import (
    FAILED_READ,
    UNKNOWN,
    Attempts,
    AttemptsCache,
    attempts_cell,
    batches,
)
from batchtui.model import JOB_STATUSES, Job, JobSummary


def row(job_id: str, status: str = "RUNNING", started_at: int | None = 1_000) -> JobSummary:
    return JobSummary(job_id=job_id, job_name=f"job-{job_id}", status=status, started_at=started_at)


def described(job_id: str, status: str, *, ended: int, allowed: int = 1) -> Job:
    """A DescribeJobs record with ``ended`` finished attempts and a retry strategy."""
    record = {
        "jobId": job_id,
        "status": status,
        "startedAt": 1_000,
        "attempts": [{"container": {"exitCode": 1}} for _ in range(ended)],
        "retryStrategy": {"attempts": allowed},
    }
    return Job.from_api(record)


def test_cell_text_for_each_kind_of_job() -> None:
    assert attempts_cell(Attempts(2, 3)) == "2/3"
    assert attempts_cell(Attempts(1, 1)) == "1"
    assert attempts_cell(Attempts(0, 3)) == "-"
    assert attempts_cell(None) == UNKNOWN == "…"


def test_attempts_of_a_described_job_count_the_one_under_way() -> None:
    # One attempt failed, the second runs: the second of two.
    assert Attempts.of(described("a", "RUNNING", ended=1, allowed=2)) == Attempts(2, 2)
    # Both failed: two of two, none under way.
    assert Attempts.of(described("a", "FAILED", ended=2, allowed=2)) == Attempts(2, 2)
    # Retried and back in the queue: one made so far.
    assert Attempts.of(described("a", "RUNNABLE", ended=1, allowed=3)) == Attempts(1, 3)
    assert Attempts.of(described("a", "SUCCEEDED", ended=1)) == Attempts(1, 1)


def test_a_job_read_in_a_final_status_is_never_described_again() -> None:
    cache = AttemptsCache()
    done = row("done", "FAILED")
    assert cache.to_describe([done]) == [["done"]]
    cache.learn([done], [described("done", "FAILED", ended=2, allowed=2)])
    assert cache.to_describe([done]) == []
    # Whatever its row says later (a stale listing), it is final.
    assert cache.to_describe([row("done", "RUNNING", started_at=5_000)]) == []
    assert cache.cell(done) == "2/2"


def test_a_running_job_is_described_again_only_when_its_row_changed() -> None:
    cache = AttemptsCache()
    running = row("r", "RUNNING", started_at=1_000)
    cache.learn([running], [described("r", "RUNNING", ended=0, allowed=3)])
    assert cache.cell(running) == "1/3"
    assert cache.to_describe([running]) == []  # unchanged: no call
    retried = row("r", "RUNNABLE", started_at=1_000)
    assert cache.to_describe([retried]) == [["r"]]  # its status changed
    restarted = row("r", "RUNNING", started_at=9_000)
    assert cache.to_describe([restarted]) == [["r"]]  # startedAt changed: a new attempt
    # Until it is read again, the cell shows what was known.
    assert cache.cell(restarted) == "1/3"


def test_150_visible_rows_never_seen_are_two_calls() -> None:
    cache = AttemptsCache()
    rows = [row(f"j{i:03}") for i in range(150)]
    calls = cache.to_describe(rows)
    assert [len(c) for c in calls] == [100, 50]
    assert calls[0][0] == "j000" and calls[1][-1] == "j149"


def test_jobs_never_placed_cost_no_call_and_show_a_dash() -> None:
    cache = AttemptsCache()
    waiting = [row("s", "SUBMITTED", None), row("p", "PENDING", None)]
    assert cache.to_describe(waiting) == []
    assert [cache.cell(j) for j in waiting] == ["-", "-"]
    # RUNNABLE may be a retry waiting for its next attempt: it is read.
    assert cache.to_describe([row("q", "RUNNABLE", None)]) == [["q"]]


def test_rows_being_read_are_not_asked_for_twice() -> None:
    cache = AttemptsCache()
    assert cache.to_describe([row("a"), row("b")], asked={"a"}) == [["b"]]


def test_a_failed_read_shows_a_question_mark_until_the_row_changes() -> None:
    cache = AttemptsCache()
    running = row("r")
    assert cache.cell(running) == UNKNOWN
    cache.failed([running])
    assert cache.cell(running) == FAILED_READ == "?"
    assert cache.to_describe([running]) == []  # not every tick against a failing endpoint
    assert cache.to_describe([row("r", "SUCCEEDED")]) == [["r"]]
    cache.forget_failures()  # the user asked for a fresh read
    assert cache.to_describe([running]) == [["r"]]


@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.sampled_from(JOB_STATUSES)), min_size=0, max_size=400
    )
)
def test_calls_are_at_most_100_ids_and_ask_each_job_once(rows: list[tuple[int, str]]) -> None:
    cache = AttemptsCache()
    jobs = list({i: row(f"j{i}", status) for i, status in rows}.values())
    calls = cache.to_describe(jobs)
    ids = [i for call in calls for i in call]
    assert all(0 < len(call) <= 100 for call in calls)
    assert len(ids) == len(set(ids))
    assert len(calls) == -(-len(ids) // 100)
    # Once every one is known in a final status, nothing is asked again.
    cache.learn(jobs, [described(i, "SUCCEEDED", ended=1) for i in ids])
    assert cache.to_describe(jobs) == []


def test_batches_cut_in_order() -> None:
    assert batches(["a", "b", "c"], size=2) == [["a", "b"], ["c"]]
    assert batches([]) == []
