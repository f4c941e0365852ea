"""--read-only: dangerous actions are not offered at all, a badge says so, the aws layer refuses."""

from __future__ import annotations

import pytest
from conftest import SIZE, settle
from fakebatch import demo_account, make_aws
from screen_text import screen_text

from batchtui.aws import actions
from batchtui.errors import ReadOnlyRefused
from batchtui.model import ComputeEnvironment
from batchtui.tui.screens.dialogs import ConfirmScreen, ScaleScreen
from batchtui.tui.screens.help import HelpScreen
from batchtui.tui.screens.jobs import JobsScreen


async def test_badge_and_no_dangerous_keys_anywhere(make_app, fake) -> None:
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
    mutating = {"canceljob", "terminatejob", "updatejobqueue", "updatecomputeenvironment"}
    assert not any(op in mutating for op, _ in fake.requests)


def test_the_aws_layer_refuses_anyway_and_sends_nothing() -> None:
    aws = make_aws(read_only=True)
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


def test_a_job_that_started_since_it_was_shown_is_terminated_not_cancelled() -> None:
    """The confirmation named a RUNNABLE job; it was RUNNING by the answer. CancelJob would
    have succeeded and stopped nothing: the job is read again and TerminateJob sent."""
    fake = demo_account()
    aws = fake.install(make_aws())
    job = next(j for j in fake.jobs.values() if j["status"] == "RUNNABLE")
    job["status"] = "RUNNING"
    how = actions.stop_job(aws, job["jobId"], "RUNNABLE")
    assert how.operation == "TerminateJob"
    assert [op for op, _ in fake.requests if op in ("canceljob", "terminatejob")] == [
        "terminatejob"
    ]
