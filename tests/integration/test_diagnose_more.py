"""`batchtui diagnose` end to end for more causes the sandbox produces: a fair share over its
weight, a long STARTING (the image pull), a PENDING job waiting on another job, and a blocked
head of the queue seen the same way in the TUI's diagnosis screen, where its key cancels it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from diagnose_seen import (
    Run,
    Tui,
    app_on,
    assert_shows,
    evidence,
    first,
    seen_on,
    settle,
    submit,
)

from batchtui.cli import main


def settled(sandbox: Any) -> float:
    """Seconds after which a job that got capacity is RUNNING (instance launch + image pull)."""
    return float(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds + 10)


def test_a_share_over_its_weight_waits_while_other_shares_run(
    sandbox: Any,
    batch: Any,
    batch_queue: Any,
    job_definition: Any,
    diagnose: Run,
    tui: Tui,
) -> None:
    # Weight 3 gives share "bulk" a quarter of the queue beside "urgent" (weight 1); "bulk"
    # takes the 15 slots "urgent" leaves while "urgent" has one job to run.
    arn = batch.create_scheduling_policy(
        name=f"policy-{batch_queue()['queue']}",
        fairsharePolicy={
            "shareDecaySeconds": 600,
            "shareDistribution": [
                {"shareIdentifier": "bulk", "weightFactor": 3.0},
                {"shareIdentifier": "urgent", "weightFactor": 1.0},
            ],
        },
    )["arn"]
    q = batch_queue(
        ces=[{"maxvCpus": 16, "instanceTypes": ["m5.xlarge"]}], schedulingPolicyArn=arn
    )["queue"]
    jd = job_definition(["sh", "-c", "sleep 7200"])
    submit(batch, q, jd, "urgent-0", shareIdentifier="urgent", schedulingPriorityOverride=1)
    bulk = [
        submit(batch, q, jd, f"bulk-{i}", shareIdentifier="bulk", schedulingPriorityOverride=1)
        for i in range(20)
    ]
    sandbox.advance(settled(sandbox))
    waiting = [j for j in bulk if batch.describe_jobs(jobs=[j])["jobs"][0]["status"] == "RUNNABLE"]
    assert len(waiting) == 5

    rc, doc = diagnose(waiting[0])
    f = first(doc)
    assert rc == 0 and not doc["blocking"]
    assert f["code"] == "FAIR_SHARE_OVER_WEIGHT" and f["severity"] == "info"
    assert f["title"].startswith("share bulk uses 94% of the queue's capacity, above the 25%")
    assert "fairsharePolicy.shareDistribution[].weightFactor bulk: 3" in evidence(f)
    assert "queueUtilization.fairshareUtilization bulk: 15 vCPUs" in evidence(f)
    [w] = doc["waiting"]
    assert w["jobId"] == waiting[0] and w["status"] == "RUNNABLE" and w["position"] is not None
    tui.assert_names(f, job=waiting[0])
    rc, whole = diagnose("--queue", q)
    assert rc == 0 and first(whole)["code"] == "FAIR_SHARE_OVER_WEIGHT"
    assert sorted(first(whole)["jobIds"]) == sorted(waiting)


@pytest.fixture(scope="module")
def slow_pull(instance_profile: str) -> Iterator[Any]:
    """A sandbox whose instances take 20 minutes to pull an image (a big image, a slow
    registry): its jobs stay STARTING that long."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        seed="empty",
        manual_clock=True,
        random_seed=5,
        spot_interruption_rate_per_hour=0.0,
        resource_transition_seconds=0.0,
        starting_seconds=1200.0,
    )
    with Sandbox(config) as sb:
        yield sb


def test_starting_for_long_names_the_image_and_the_time(
    slow_pull: Any,
    instance_profile: str,
    aws_client: Any,
    diagnose_on: Callable[[Any], Run],
) -> None:
    slow = aws_client(slow_pull, "batch")
    slow.create_compute_environment(
        computeEnvironmentName="ce-slow-pull",
        type="MANAGED",
        computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 16,
                          "instanceTypes": ["m5"], "subnets": ["subnet-1234"],
                          "instanceRole": instance_profile},
    )  # fmt: skip
    slow.create_job_queue(
        jobQueueName="queue-slow-pull",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce-slow-pull"}],
    )
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/genome-tools:2026.11"
    slow.register_job_definition(
        jobDefinitionName="jd-slow-pull",
        type="container",
        containerProperties={"image": image, "command": ["sh", "-c", "sleep 60"],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "1024"}]},
    )  # fmt: skip
    job = submit(slow, "queue-slow-pull", "jd-slow-pull", "assemble")
    slow_pull.advance(slow_pull.config.scale_up_seconds + 900)
    assert slow.describe_jobs(jobs=[job])["jobs"][0]["status"] == "STARTING"
    rc, doc = diagnose_on(slow_pull)(job)
    f = first(doc)
    assert f["code"] == "STARTING_TOO_LONG" and f["severity"] == "warning"
    assert rc == 0 and not doc["blocking"]  # a warning: it may still start
    # Counted from the task's creation, once the instance was up: not from the job's createdAt.
    assert f["title"].startswith("STARTING for 14m59s")
    assert f"pulling image {image} for 14m59s" in f["title"] and "is slow or failing" in f["title"]
    assert f"jobs[].container.image {image}" in evidence(f)
    assert "registry" in f["fix"]
    with Tui(slow_pull) as tui:
        tui.assert_names(f, job=job)


def test_a_pending_job_names_the_job_it_waits_for_and_the_count_is_the_queues(
    sandbox: Any,
    batch: Any,
    batch_queue: Any,
    job_definition: Any,
    diagnose: Run,
    capsys: pytest.CaptureFixture[str],
    tui: Tui,
) -> None:
    # maxvCpus 4 holds two m5.large: two jobs run, two wait their turn, and two more wait in
    # PENDING for the running ones.
    q = batch_queue(ces=[{"maxvCpus": 4, "instanceTypes": ["m5.large"]}])["queue"]
    jd = job_definition(["sh", "-c", "sleep 3600"], vcpus="2", memory="2048")
    running = [submit(batch, q, jd, f"step-one-{i}") for i in range(2)]
    [submit(batch, q, jd, f"queued-{i}") for i in range(2)]
    after = [
        submit(batch, q, jd, f"step-two-{i}", dependsOn=[{"jobId": running[i]}]) for i in range(2)
    ]
    sandbox.advance(settled(sandbox))
    listed = {
        s: len(batch.list_jobs(jobQueue=q, jobStatus=s)["jobSummaryList"])
        for s in ("PENDING", "RUNNABLE", "RUNNING")
    }
    assert listed == {"PENDING": 2, "RUNNABLE": 2, "RUNNING": 2}

    capsys.readouterr()
    assert main(["diagnose", after[0]]) == 0
    text = capsys.readouterr().out
    assert (
        "waiting: PENDING, not yet in the queue's order, for job step-one-0 "
        f"({running[0]}) to succeed, now RUNNING" in text
    )
    assert "[INFO] DEPENDENCY_UNFINISHED" in text
    assert "beyond the first 100" not in text and "capacity" not in text

    assert main(["diagnose", "--queue", q]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"Diagnosis of queue {q}: 4 jobs examined (2 PENDING, 2 RUNNABLE)")

    rc, doc = diagnose(after[0])
    f = first(doc)
    assert rc == 0 and f["code"] == "DEPENDENCY_UNFINISHED" and f["severity"] == "info"
    tui.assert_names(f, job=after[0])


# -- a blocked head, in the CLI and in the TUI ----------------------------------------------
def blocked_head(sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any) -> Any:
    q = batch_queue(ces=[{"maxvCpus": 16, "instanceTypes": ["m5"]}])["queue"]
    head = submit(batch, q, job_definition(vcpus="48", memory="8192"), "too-wide")
    small = job_definition(["sh", "-c", "sleep 60"])
    behind = [submit(batch, q, small, f"small-{i}") for i in range(3)]
    sandbox.advance(60)
    return q, head, behind


def test_a_blocked_head_is_named_in_the_cli_and_the_tui_whose_key_cancels_it(
    sandbox: Any, batch: Any, batch_queue: Any, job_definition: Any, diagnose: Run
) -> None:
    q, head, behind = blocked_head(sandbox, batch, batch_queue, job_definition)
    rc, doc = diagnose("--queue", q)
    cause = first(doc)  # the head's own cause, then the jobs it holds back
    assert rc == 3 and cause["code"] == "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    assert cause["jobIds"] == [head]
    f = doc["findings"][1]
    assert f["code"] == "HEAD_OF_QUEUE_BLOCKED" and f["target"] == head
    assert f["title"].startswith(
        f"held back by the blocked head of the queue, job too-wide ({head}), blocked by "
        f"{cause['code']}: "
    )
    assert f"head: too-wide ({head})" in evidence(f)
    assert f"cancel job too-wide ({head}), which releases the 3 jobs queued behind it" in f["fix"]
    assert doc["jobsExamined"] == 4 and doc["jobsExaminedByStatus"] == {"RUNNABLE": 4}

    seen = asyncio.run(_tui_diagnosis(sandbox, q))
    assert seen["first"] == (cause["code"], cause["target"], (head,))
    assert seen["held"] == ("HEAD_OF_QUEUE_BLOCKED", head, tuple(sorted(behind)))
    assert_shows(seen["shown"], cause)
    assert "4 jobs examined (4 RUNNABLE): BLOCKED, 2 causes" in seen["shown"].summary
    assert seen["offers_cancel"] is True
    assert seen["cancelled"] == "FAILED"
    # Cancelling the head released the jobs behind it: nothing blocks any more.
    assert "HEAD_OF_QUEUE_BLOCKED" not in seen["after"]
    rc, doc = diagnose("--queue", q)
    assert rc == 0 and not doc["blocking"], doc


async def _tui_diagnosis(sandbox: Any, queue: str) -> dict[str, Any]:
    """The TUI on the session sandbox: ``D`` on ``queue`` in the overview, then ctrl+d, y."""
    from batchtui.tui.screens.diagnosis import DiagnosisScreen
    from batchtui.tui.screens.dialogs import ConfirmScreen

    app = app_on(sandbox)
    seen: dict[str, Any] = {}
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#queues")
        table.move_cursor(row=table.get_row_index(queue))
        await pilot.press("D")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DiagnosisScreen) and screen.diagnosis is not None
        top, held = screen.diagnosis.findings[:2]
        seen["first"] = (top.code, top.target, tuple(sorted(top.job_ids)))
        seen["held"] = (held.code, held.target, tuple(sorted(held.job_ids)))
        seen["shown"] = seen_on(screen)
        # The first finding's fix is a scale: ctrl+d cancels the head that the next one names.
        seen["offers_cancel"] = screen.check_action("cancel", ())
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Cancel job too-wide\n{held.target}" in str(app.screen.question)
        await pilot.press("y")
        await settle(app, pilot)
        sandbox.advance(30)
        status = app.aws.call("batch", "DescribeJobs", jobs=[held.target])["jobs"][0]["status"]
        seen["cancelled"] = status
        await pilot.press("r")
        await settle(app, pilot)
        seen["after"] = [f.code for f in screen.diagnosis.findings]
    return seen
