"""statusReason codes explained in plain words, with what to do (the job detail shows them)."""

from __future__ import annotations

import pytest

from batchtui.tui.reasons import explain


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (
            "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job "
            "queue cannot meet the CPU requirement of the job.",
            "raise maxvCpus",
        ),
        ("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource ...", "larger instance"),
        ("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot ...", "vCPU quota"),
        ("ACTION_REQUIRED - CE(s) associated with the job queue are invalid.", "status reason"),
    ],
)
def test_known_codes_say_what_to_do(reason: str, words: str) -> None:
    explained = explain(reason)
    assert explained is not None and words in explained.todo


def test_other_reasons_are_left_alone() -> None:
    assert explain("Essential container in task exited") is None
    assert explain("") is None
