"""--read-only: dangerous actions are not offered at all, a badge says so, the aws layer refuses."""

from __future__ import annotations

import account
import pytest
from conftest import SIZE, aws_on, settle
from screen_text import screen_text

from batchtui.aws import actions
from batchtui.errors import ReadOnlyRefused
from batchtui.model import ComputeEnvironment
from batchtui.tui.screens.dialogs import ConfirmScreen, ScaleScreen
from batchtui.tui.screens.help import HelpScreen
from batchtui.tui.screens.jobs import JobsScreen

MUTATING = ("CancelJob", "TerminateJob", "UpdateJobQueue", "UpdateComputeEnvironment")


async def test_badge_and_no_dangerous_keys_anywhere(make_app, demo) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "READ-ONLY" in text
        assert "Enable/disable" not in text and "Scale" not in text  # not in the footer
        await pilot.press("e", "s")
        assert not isinstance(app.screen, (ConfirmScreen, ScaleScreen))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app)
        assert "READ-ONLY" in help_text and "overview.toggle_state" not in help_text
        await pilot.press("escape", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen)
        assert "^d" not in screen_text(app)
        await pilot.press("ctrl+d")
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        assert not isinstance(app.screen, ConfirmScreen)
        assert "^d" not in screen_text(app)
    assert [app.aws.counter.get("batch", op) for op in MUTATING] == [0, 0, 0, 0]
    assert account.job_queue(demo, "demo-main")["state"] == "ENABLED"


def test_the_aws_layer_refuses_anyway_and_sends_nothing(demo) -> None:
    aws = aws_on(demo, read_only=True)
    sent: list[str] = []
    for service in ("batch",):
        aws.client(service).meta.events.register(
            "before-send", lambda request, **_: sent.append(request.url)
        )
    ce = ComputeEnvironment(name="ce", arn="", state="ENABLED", status="VALID", max_vcpus=8)
    with pytest.raises(ReadOnlyRefused):
        actions.stop_job(aws, "j-1", "RUNNING")
    with pytest.raises(ReadOnlyRefused):
        actions.set_job_queue_state(aws, "q", False)
    with pytest.raises(ReadOnlyRefused):
        actions.set_compute_environment_state(aws, "ce", True)
    with pytest.raises(ReadOnlyRefused):
        actions.scale_compute_environment(aws, ce, max_vcpus=16)
    assert sent == []
    assert aws.counter.total == 0


def test_a_job_that_started_since_it_was_shown_is_terminated_not_cancelled(demo) -> None:
    """The confirmation named a RUNNABLE job; it was RUNNING by the answer. CancelJob would
    have succeeded and stopped nothing: the job is read again and TerminateJob sent."""
    big = {"resourceRequirements": [{"type": "VCPU", "value": "16"},
                                    {"type": "MEMORY", "value": "32768"}]}  # fmt: skip
    job_id = account.submit(demo, "shown-runnable", containerOverrides=big | account.sleeping(3600))
    demo.advance(20)
    assert account.job(demo, job_id)["status"] == "RUNNABLE"  # what the confirmation named
    demo.advance(600)
    assert account.job(demo, job_id)["status"] == "RUNNING"  # what it is by the answer
    aws = aws_on(demo)
    how = actions.stop_job(aws, job_id, "RUNNABLE")
    assert how.operation == "TerminateJob"
    assert aws.counter.get("batch", "CancelJob") == 0
    assert aws.counter.get("batch", "TerminateJob") == 1
    demo.advance(60)
    assert account.job(demo, job_id)["status"] == "FAILED"
