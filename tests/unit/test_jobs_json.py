"""`jobs --output json`'s job: AWS's JobSummary, which batchtui reads back as it wrote it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from batchtui.model import JOB_STATUSES, JobSummary
from batchtui.render.jobs import job_summary_json, jobs_to_json

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "batchtui" / "data" / "jobs.schema.json").read_text()
)
ms = st.integers(1, 2**42)
jobs = st.builds(
    JobSummary,
    job_id=st.text(min_size=1, max_size=40),
    job_name=st.text(max_size=40),
    status=st.sampled_from(JOB_STATUSES),
    created_at=st.one_of(st.just(0), ms),
    started_at=st.one_of(st.none(), ms),
    stopped_at=st.one_of(st.none(), ms),
    status_reason=st.text(max_size=40),
    exit_code=st.one_of(st.none(), st.integers(-255, 255)),
    array_size=st.one_of(st.none(), st.integers(2, 10_000)),
    array_index=st.one_of(st.none(), st.integers(0, 9_999)),
    job_arn=st.text(max_size=40),
    job_definition=st.text(max_size=40),
)


@settings(max_examples=200)
@given(job=jobs)
def test_a_job_reads_back_as_the_job_summary_it_was(job: JobSummary) -> None:
    doc = job_summary_json(job)
    assert JobSummary.from_api(doc) == job  # AWS's names and formats, nothing lost
    assert all(k[0].islower() and "_" not in k for k in doc)  # camelCase, as AWS's
    jsonschema.validate(jobs_to_json("q", [job], statuses=JOB_STATUSES, array_job_id=None), SCHEMA)


def test_a_field_aws_leaves_out_is_left_out() -> None:
    job = JobSummary(job_id="j-1", job_name="tag", status="RUNNABLE", created_at=1_700_000_000_000)
    assert job_summary_json(job) == {
        "jobId": "j-1", "jobName": "tag", "createdAt": 1_700_000_000_000, "status": "RUNNABLE"
    }  # fmt: skip
