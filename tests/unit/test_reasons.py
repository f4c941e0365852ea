"""statusReason codes explained in plain words, with what to do (the job detail shows them)."""

from __future__ import annotations

import pytest

from batchtui.model import ComputeEnvironment, ComputeEnvironmentOrder, JobQueue
from batchtui.tui.reasons import Keys, explain, queue_blocker


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


def _ce(name: str, state: str = "ENABLED", status: str = "VALID") -> ComputeEnvironment:
    return ComputeEnvironment(name=name, arn=f"arn:aws:batch:r:1:compute-environment/{name}",
                              state=state, status=status)  # fmt: skip


def _queue(*ces: str) -> JobQueue:
    order = tuple(ComputeEnvironmentOrder(i, c) for i, c in enumerate(ces, 1))
    return JobQueue(name="q", arn="", state="ENABLED", status="VALID",
                    compute_environment_order=order)  # fmt: skip


def test_a_queue_whose_every_ce_is_disabled_is_explained() -> None:
    """AWS gives such jobs no statusReason: they sat for hours as "waiting to be placed"."""
    ces = [_ce("gpu", state="DISABLED"), _ce("other")]
    blocker = queue_blocker(_queue("gpu"), ces)
    assert blocker is not None and "gpu is DISABLED" in blocker.meaning
    assert "enable a compute environment" in blocker.todo and "(e on it" in blocker.todo
    mixed = queue_blocker(_queue("gpu", "bad"), [*ces, _ce("bad", status="INVALID")])
    assert mixed is not None and "bad INVALID" in mixed.meaning


@pytest.mark.parametrize(
    ("ces", "order"),
    [
        ([_ce("a"), _ce("b", state="DISABLED")], ("a", "b")),  # one CE still places jobs
        ([_ce("a", status="INVALID")], ("a",)),  # all INVALID: AWS says ACTION_REQUIRED itself
        ([_ce("a", state="DISABLED")], ("unknown",)),  # a CE the snapshot lacks: no claim
    ],
)
def test_no_blocker_claimed_when_a_ce_can_place_or_aws_says_it(
    ces: list[ComputeEnvironment], order: tuple[str, ...]
) -> None:
    assert queue_blocker(_queue(*order), ces) is None


def test_the_ces_arn_in_the_queue_order_is_understood() -> None:
    ce = _ce("gpu", state="DISABLED")
    assert queue_blocker(_queue(ce.arn), [ce]) is not None


def test_hints_follow_the_keymap_and_vanish_in_read_only() -> None:
    reason = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - ..."
    remapped = explain(reason, Keys(scale="S", enable="E", stop="x"))
    assert remapped is not None and "(S on it" in remapped.todo and "(x)" in remapped.todo
    read_only = explain(reason, Keys(scale="", enable="", stop=""))
    assert read_only is not None
    assert "(" not in read_only.todo and "ctrl+d" not in read_only.todo
    blocker = queue_blocker(_queue("gpu"), [_ce("gpu", state="DISABLED")], Keys("", "", ""))
    assert blocker is not None and "(" not in blocker.todo
