"""The job index behind the virtual table (no textual)."""

from __future__ import annotations

from batchtui.account.jobstore import JobIndex, JobQuery
from batchtui.model import JobSummary


def job(i: int, status: str = "RUNNING", reason: str = "") -> JobSummary:
    return JobSummary(f"id-{i}", f"name-{i}", status, created_at=i, status_reason=reason)


def test_a_complete_listing_drops_jobs_that_left_the_status() -> None:
    idx = JobIndex()
    idx.replace("RUNNING", [job(1), job(2)])
    assert idx.counts()["RUNNING"] == 2
    gone = idx.replace("RUNNING", [job(2)])
    assert gone == ["id-1"] and len(idx) == 1
    idx.put([job(2, "SUCCEEDED")])  # a job moves: counted once, in its new status
    assert idx.counts()["RUNNING"] == 0 and idx.counts()["SUCCEEDED"] == 1


def test_select_filters_inverts_sorts() -> None:
    idx = JobIndex()
    idx.replace("RUNNING", [job(i) for i in range(5)])
    idx.replace("RUNNABLE", [job(9, "RUNNABLE", "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")])
    assert [j.job_id for j in idx.select(JobQuery())][:2] == ["id-9", "id-4"]
    assert [j.job_id for j in idx.select(JobQuery(text="misconfig"))] == ["id-9"]
    assert len(idx.select(JobQuery(text="!misconfig"))) == 5
    assert [j.job_id for j in idx.select(JobQuery(statuses=("RUNNABLE",)))] == ["id-9"]
    assert idx.select(JobQuery(sort="name", descending=False))[0].job_name == "name-0"
    assert idx.select(JobQuery(text="ID-3"))[0].job_id == "id-3"  # case-insensitive
