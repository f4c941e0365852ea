"""How a diagnosis is shown: the JSON document against its schema, the table's words, the
progress lines of a large queue, and the instance type filters the gathering sends."""

from __future__ import annotations

import argparse
import io
import json
import pathlib

import jsonschema
from test_diagnose import NOW_MS, ce, facts, job

from batchtui.aws.account_reads import instance_type_patterns
from batchtui.commands import CommandContext
from batchtui.commands.diagnose import _progress
from batchtui.diagnose import JobFacts, diagnose
from batchtui.render.diagnosis import to_document, to_text

SCHEMA = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "batchtui/data/diagnose.schema.json").read_text()
)


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_a_blocked_queue_document_matches_the_schema_in_camel_case() -> None:
    d = diagnose(facts(job("a", vcpus=16), job("b"), ces=(ce(max_vcpus=8),)))
    doc = to_document(d, {"jobQueue": "q"})
    jsonschema.validate(doc, SCHEMA)
    top = doc["findings"][0]
    assert top["code"] == "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    assert top["jobIds"] == ["a"] and top["action"] == "scale" and top["target"] == "ce"
    assert doc["waiting"] == [
        {"jobId": "b", "status": "RUNNABLE", "position": None,
         "waitsFor": "room on running instances, or instances to launch",
         "startEstimateAt": None}
    ]  # fmt: skip
    assert doc["blocking"] is True and doc["jobsExamined"] == 2


def test_a_document_without_a_subject_field_fails_the_schema() -> None:
    doc = to_document(diagnose(facts()), {"jobId": "j1"})
    jsonschema.validate(doc, SCHEMA)
    del doc["subject"]
    try:
        jsonschema.validate(doc, SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a document without subject passed the schema")


def test_the_table_names_cause_evidence_fix_and_key() -> None:
    text = to_text(diagnose(facts(job(vcpus=16), ces=(ce(max_vcpus=8),))), "job j1")
    assert "[BLOCKING] MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE" in text
    assert "evidence: ce: 8  <- batch:DescribeComputeEnvironments" in text
    assert "in the batchtui TUI: s on ce in the overview (scale it)" in text
    assert text.endswith("BLOCKED: 1 cause")


def test_a_waiting_job_says_where_it_stands() -> None:
    from batchtui.diagnose import QueuePosition

    front = (QueuePosition("x", 1, NOW_MS), QueuePosition("j1", 2, NOW_MS))
    text = to_text(diagnose(facts(front_of_queue=front)), "job j1")
    assert "waiting: position 2 in the queue, for its turn: 1 jobs ahead of it" in text
    assert text.endswith("no blocking cause")


def test_progress_goes_to_stderr_for_large_queues_only() -> None:
    err = io.StringIO()
    report = _progress(CommandContext(argparse.Namespace(), stdout=io.StringIO(), stderr=err))
    report(0, 999)
    report(999, 999)
    assert err.getvalue() == ""
    report(0, 5000)
    report(5000, 5000)
    assert err.getvalue().splitlines() == [
        "diagnose: 5,000 of 5,000 jobs listed",
        "diagnose: 5,000 of 5,000 jobs described",
    ]


def test_instance_type_filters_cover_names_families_and_keywords() -> None:
    patterns = instance_type_patterns([("m5.large", "c5"), ("optimal",)])
    assert "m5.large" in patterns and "c5.*" in patterns
    assert {"c4.*", "m4.*", "r4.*", "m5.*", "r5.*"} <= set(patterns)


# -- a PENDING job: what it waits for, not a place in the queue -----------------------------
def test_a_pending_job_names_the_job_it_waits_for_and_its_status() -> None:
    from batchtui.diagnose import QueuePosition

    pending = job("report", status="PENDING", depends_on=("tagger",))
    tagger = job("tagger", status="RUNNING")
    front = (QueuePosition("other", 1, NOW_MS),)
    d = diagnose(facts(pending, related_jobs={"tagger": tagger}, front_of_queue=front))
    text = to_text(d, "job report")
    assert (
        "waiting: PENDING, not yet in the queue's order, for job name-tagger (tagger) to "
        "succeed, now RUNNING" in text
    )
    assert "beyond the first 100" not in text and "capacity" not in text
    assert [f.code for f in d.findings] == ["DEPENDENCY_UNFINISHED"]  # no second WAITING
    assert d.findings[0].fix == "nothing to fix: it becomes RUNNABLE when that job succeeds"
    assert d.waiting[0].position is None and d.waiting[0].start_estimate_ms is None


def test_a_pending_array_job_waits_for_its_children_not_for_dependencies() -> None:
    parent = JobFacts.from_api({
        "jobId": "arr", "jobName": "score-5575", "status": "PENDING", "jobQueue": "arn:q/q",
        "arrayProperties": {"size": 5, "statusSummary": {"RUNNING": 3, "SUCCEEDED": 2}},
    })  # fmt: skip
    d = diagnose(facts(parent))
    text = to_text(d, "queue q")
    assert "for its dependencies" not in text and "capacity" not in text
    assert (
        "waiting: PENDING, not yet in the queue's order, for its 5 array children: "
        "3 RUNNING, 2 SUCCEEDED" in text
    )
    (f,) = d.findings
    assert f.title == "PENDING: waiting for its 5 array children: 3 RUNNING, 2 SUCCEEDED"
    assert f.fix == "nothing to fix: the array job finishes when its children do"
    assert f.evidence[0].value == "score-5575: 3 RUNNING, 2 SUCCEEDED"


def test_every_listed_job_is_counted_by_the_status_it_is_listed_under() -> None:
    """2 PENDING (one an array parent whose children are RUNNABLE: diagnosed as RUNNABLE, yet
    listed PENDING, as the overview counts it) and 2 RUNNABLE: 4 jobs examined."""
    array = JobFacts.from_api({
        "jobId": "arr", "jobName": "resize", "status": "PENDING", "jobQueue": "arn:q/q",
        "arrayProperties": {"size": 4, "statusSummary": {"RUNNABLE": 4}},
    })  # fmt: skip
    jobs = (
        array,
        job("p1", status="PENDING", depends_on=("r1",)),
        job("r1"),
        job("r2"),
    )
    d = diagnose(facts(*jobs, related_jobs={"r1": jobs[2]}))
    assert d.jobs_examined == 4
    assert d.examined == (("PENDING", 2), ("RUNNABLE", 2))
    assert to_text(d, "queue q").startswith(
        "Diagnosis of queue q: 4 jobs examined (2 PENDING, 2 RUNNABLE)"
    )
    doc = to_document(d, {"jobQueue": "q"})
    assert doc["jobsExaminedByStatus"] == {"PENDING": 2, "RUNNABLE": 2}
    assert {w["jobId"]: w["status"] for w in doc["waiting"]}["p1"] == "PENDING"
    jsonschema.validate(doc, SCHEMA)
