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
from batchtui.diagnose import diagnose
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
        {"jobId": "b", "position": None, "waitsFor": "room on running instances, or instances to launch",
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
