"""`submit --status`'s text and JSON (batchtui/data/submission-status.schema.json)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from batchtui.render.submission_status import (
    eta_cell,
    eta_text,
    percent,
    progress_bar,
    progress_json,
    progress_table,
)
from batchtui.submission.progress import (
    CHILD_STATUSES,
    ArrayState,
    FailedChild,
    Progress,
    StepState,
    array_shapes,
    since_start,
)

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "batchtui" / "data" / "submission-status.schema.json"
    ).read_text()
)
SID = "0123456789abcdef"


def _mid_run() -> Progress:
    shape = array_shapes(7, 2)[0]
    array = ArrayState(
        shape, "a0", "tag-array-0000", "RUNNING",
        {"SUCCEEDED": 2, "FAILED": 1, "RUNNING": 1}, "FAILED", 1_000_000,
    )  # fmt: skip
    failed = FailedChild("a0:3", "tag-array-0000", 3, "Essential container in task exited", 2,
                         1_050_000)  # fmt: skip
    return Progress(SID, "photos", 7, 2, (array,), (StepState("summary", "s0", "tag-summary",
                    "PENDING"),), (), (failed,), 1_100.0)  # fmt: skip


def test_the_bar_fills_a_cell_per_whole_step() -> None:
    assert progress_bar(0.0, 10) == "[..........]"
    assert progress_bar(0.5, 10) == "[#####.....]"
    assert progress_bar(0.999, 10) == "[#########.]"
    assert progress_bar(1.0, 10) == "[##########]"
    assert percent(0.999) == "99%" and percent(1.0) == "100%" and percent(4 / 7) == "57%"


def test_the_table_says_the_counts_the_rate_and_the_failures() -> None:
    p = _mid_run()
    text = progress_table(p, since_start(p))
    lines = text.splitlines()
    assert lines[0] == f"Submission {SID}  s3://photos  RUNNING"
    assert lines[1] == (
        "Images     4 of 7 done (57%)  [#################.............]  1 in failed children"
        "  2 left"
    )
    assert lines[2] == (
        "Children   SUBMITTED 0  PENDING 0  RUNNABLE 0  STARTING 0  RUNNING 1  SUCCEEDED 2"
        "  FAILED 1"
    )
    # 4 images in the 100 s since the first child started: 2 left at 0.04/s.
    assert lines[3] == "Progress   ETA 50s at 0.04 images/s"
    assert "0      a0      RUNNING  4         2     1       4 of 7" in text
    assert "Failures: 1 failed (listed 1)" in text
    assert "a0:3    3      2     1970-01-01T00:17:30Z  Essential container in task exited" in text


def test_the_json_is_camel_case_and_valid() -> None:
    p = _mid_run()
    doc = progress_json(p, since_start(p))
    jsonschema.validate(doc, SCHEMA)
    assert (doc["imagesDone"], doc["imagesFailed"], doc["imagesLeft"]) == (4, 1, 2)
    assert doc["imagesPerSecond"] == 0.04 and doc["etaSeconds"] == 50.0
    assert doc["startedAt"] == 1_000_000 and doc["observedAt"] == 1_100_000
    assert doc["failures"] == [{"jobId": "a0:3", "jobName": "tag-array-0000", "arrayIndex": 3,
                                "statusReason": "Essential container in task exited",
                                "exitCode": 2, "stoppedAt": 1_050_000}]  # fmt: skip
    assert doc["arrays"][0]["statusSummary"] == {"SUCCEEDED": 2, "FAILED": 1, "RUNNING": 1}


def test_while_the_first_wave_runs_the_eta_says_it_is_estimating() -> None:
    shape = array_shapes(100_000, 100)[0]
    counts = {"SUCCEEDED": 1, "STARTING": 9, "RUNNING": 40, "RUNNABLE": 950}
    early = Progress(SID, "photos", 100_000, 100,
                     (ArrayState(shape, "a0", "", "RUNNING", counts, started_at=1_000_000),),
                     observed_at=1_310.0)  # fmt: skip
    samples = since_start(early)
    assert eta_text(early, samples) == "ETA estimating (1 child finished, 49 running)"
    assert eta_cell(early, samples) == "estimating"
    doc = progress_json(early, samples)
    jsonschema.validate(doc, SCHEMA)
    assert doc["etaSeconds"] is None and doc["imagesPerSecond"] == round(100 / 310, 6)
    p = _mid_run()
    assert eta_cell(p, since_start(p)) == "50s"
    done = Progress(SID, "photos", 7, 2, (ArrayState(shape, "a0", "", "SUCCEEDED",
                    {"SUCCEEDED": 1_000}),), observed_at=400.0)  # fmt: skip
    assert eta_cell(done, since_start(done)) == "-"


@settings(max_examples=100, deadline=None)  # a loaded machine: no timing in tests
@given(st.integers(1, 50_000), st.integers(1, 300), st.data())
def test_any_reading_renders_a_valid_document(images: int, per_job: int, data) -> None:
    states = []
    for shape in array_shapes(images, per_job):
        left = shape.children
        counts = {}
        for status in CHILD_STATUSES:
            counts[status] = data.draw(st.integers(0, left))
            left -= counts[status]
        counts["SUCCEEDED"] += left
        last = data.draw(st.sampled_from([None, *(s for s in counts if counts[s])]))
        states.append(ArrayState(shape, f"a{shape.index}", "", "RUNNING", counts, last))
    p = Progress(SID, "b", images, per_job, tuple(states), observed_at=10.0)
    doc = progress_json(p, since_start(p))
    jsonschema.validate(doc, SCHEMA)
    assert 0 <= doc["imagesDone"] + doc["imagesFailed"] <= images
    assert sum(doc["childrenByStatus"].values()) == doc["children"]


def _after_a_wave(at: float, **counts: int) -> Progress:
    """50 children of 10 images; the first started at 1,000 s, read ``at`` seconds later."""
    shape = array_shapes(500, 10)[0]
    array = ArrayState(shape, "a0", "", "RUNNING", counts, started_at=1_000_000)
    return Progress(SID, "photos", 500, 10, (array,), observed_at=1_000.0 + at)


def test_while_children_wait_and_none_runs_there_is_no_rate_and_no_eta() -> None:
    # The first wave of 27 finished; 23 wait for capacity. The rate since the start falls on
    # every read (270 images in 100 s, then in 400 s, then in 1,800 s): no ETA from it.
    for at in (100.0, 400.0, 1_800.0):
        p = _after_a_wave(at, SUCCEEDED=27, RUNNABLE=23)
        samples = since_start(p)
        assert eta_text(p, samples) == "waiting for capacity: 23 children RUNNABLE, none running"
        assert eta_cell(p, samples) == "waiting"
        doc = progress_json(p, samples)
        jsonschema.validate(doc, SCHEMA)
        assert doc["etaSeconds"] is None and doc["imagesPerSecond"] is None
        assert "Progress   waiting for capacity: 23 children RUNNABLE" in progress_table(p, samples)
    mixed = _after_a_wave(60.0, SUCCEEDED=25, PENDING=1, RUNNABLE=22, STARTING=2)
    assert eta_text(mixed, since_start(mixed)) == (
        "waiting for capacity: 1 child PENDING, 22 RUNNABLE, 2 STARTING, none running"
    )
    starting = _after_a_wave(60.0, SUCCEEDED=47, STARTING=3)
    assert eta_text(starting, since_start(starting)) == (
        "waiting to start: 3 children STARTING, none running"
    )
    # Once a child runs, the rate counts again: estimating until the wave's pace is known.
    running = _after_a_wave(1_800.0, SUCCEEDED=20, RUNNING=23, RUNNABLE=7)
    assert eta_text(running, since_start(running)) == (
        "ETA estimating (20 children finished, 23 running)"
    )
    paced = _after_a_wave(1_800.0, SUCCEEDED=27, RUNNING=20, RUNNABLE=3)
    assert eta_text(paced, since_start(paced)) == "ETA 25m33s at 0.15 images/s"
