"""``a`` on the plan screen: the change set of the planned profile (as written, the one
``batchtui apply --profile P`` shows, or with the scenario chosen with ``s``) against the sandbox,
a confirmation naming what changes, then each step's progress.

Waits sleep on a simulated clock that also moves the sandbox's, so nothing waits for real."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SIZE, app_on, aws_on, settle
from faultproxy import SimClock
from screen_text import screen_text, toast_text
from textual.widgets import Static

from batchtui.aws.operations import mutating_operations
from batchtui.aws.session import Aws, AwsTarget
from batchtui.cli import main
from batchtui.tui.app import BatchtuiApp, create_app
from batchtui.tui.config import TuiConfig
from batchtui.tui.screens.apply_changes import ApplyScreen, confirmation_line
from batchtui.tui.screens.plan import PlanScreen

REPO = Path(__file__).resolve().parents[2]
ROLE = "batchtui-tui-apply-instance"
ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
DEMO_ROLE = "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"

FARGATE_CES = "".join(
    f"""[[compute_environments]]
name = "tui-{name}"
purchase_model = "{model}"
max_vcpus = 64
subnets = ["subnet-demo-a", "subnet-demo-b"]
security_group_ids = ["sg-demo"]

"""
    for name, model in (("fargate", "FARGATE"), ("fargate-spot", "FARGATE_SPOT"))
)


def mutations(app: BatchtuiApp) -> int:
    assert app.aws is not None
    return sum(app.aws.counter.get("batch", op) for op in mutating_operations("batch"))


def boto(sb: Any, service: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=sb.url,
        region_name=sb.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def tui_profile(demo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """profiles/sandbox.toml with its names prefixed ``tui-`` and an instance profile that
    exists, in ./profiles of the test's working directory: what the account does not have yet.

    moto keeps IAM for the whole process, not per sandbox: the instance profile goes after the
    test."""
    iam = boto(demo, "iam")
    trust = {"Version": "2012-10-17", "Statement": []}
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=ECS_INSTANCE_POLICY)
    arn = iam.create_instance_profile(InstanceProfileName=ROLE)["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName=ROLE, RoleName=ROLE)
    text = (REPO / "profiles" / "sandbox.toml").read_text()
    text = (
        text.replace('"demo-', '"tui-')
        .replace(DEMO_ROLE, arn)
        .replace("trials = 200", "trials = 20")
    )
    # The plan may recommend Fargate, on compute environments named after the profile: the
    # profile has them (outside the queue), so whichever scenario is recommended can be applied.
    text = text.replace('name = "sandbox"', 'name = "tui"').replace(
        "[[job_queues]]", FARGATE_CES + "[[job_queues]]"
    )
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "tui.toml").write_text(text)
    monkeypatch.chdir(tmp_path)
    yield "tui"
    iam.remove_role_from_instance_profile(InstanceProfileName=ROLE, RoleName=ROLE)
    iam.delete_instance_profile(InstanceProfileName=ROLE)
    iam.detach_role_policy(RoleName=ROLE, PolicyArn=ECS_INSTANCE_POLICY)
    iam.delete_role(RoleName=ROLE)


def simulated_app(sb: Any) -> BatchtuiApp:
    """The app on ``sb`` whose waits move the sandbox's clock instead of sleeping."""
    sim = SimClock()

    def sleep(seconds: float) -> None:
        sim.sleep(seconds)
        sb.advance(seconds)

    aws = Aws(
        AwsTarget(region=sb.region, endpoint_url=sb.url, sandbox=True,
                  credentials=("testing", "testing")),
        clock=sim.now, sleep=sleep,
    )  # fmt: skip
    return create_app(aws, sandbox=sb, config=TuiConfig(refresh_interval=0), clock=lambda: 1000.0)


async def open_plan(app: BatchtuiApp, pilot: Any, profile: str) -> PlanScreen:
    await settle(app, pilot)
    await pilot.press("colon", *f"plan {profile}", "enter")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, PlanScreen) and screen.plan is not None
    return screen


async def choose(app: BatchtuiApp, pilot: Any, screen: PlanScreen, wanted: str) -> None:
    """Press s until ``wanted`` is the scenario a applies (at most once round the plan's)."""
    assert screen.plan is not None
    for _ in range(len(screen.plan.scenarios) + 1):
        if screen.scenario_to_apply == wanted:
            return
        await pilot.press("s")
        await settle(app, pilot)
    raise AssertionError(f"s never chose {wanted!r}")


async def test_the_first_a_applies_the_profile_as_written_like_the_cli(  # type: ignore[no-untyped-def]
    demo, capsys
) -> None:
    """profiles/sandbox.toml's plan recommends Fargate Spot, which the profile cannot express:
    the plan says so before a is pressed, and a applies the profile as written, the change set
    ``batchtui apply --profile sandbox`` shows (the demo account matches it: no changes)."""
    app = app_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_plan(app, pilot, "sandbox")
        assert screen.plan is not None and screen.plan.recommendation.scenario == "fargate-spot"
        assert screen.scenario_to_apply is None
        text = screen_text(app)
        assert "a applies: the profile as written" in text
        said = " ".join(text.split())  # the pane's lines, as one wrapped paragraph
        assert "a applies the profile as written" in said, said
        assert "batchtui apply --profile sandbox" in said, said
        assert "the recommended scenario 'fargate-spot' cannot be applied from this profile" in said
        assert "sandbox-fargate-spot, which the profile does not have" in said, said
        await pilot.press("a")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ApplyScreen) and dialog.change_set is not None
        assert dialog.phase == "empty", dialog.change_set.problems
        assert "Apply profile sandbox as written" in screen_text(app)
        tui_steps = [s.to_json() for s in dialog.change_set.steps]
        await pilot.press("n")
        await settle(app, pilot)
        # With a scenario chosen, the line above the plan says so instead.
        await choose(app, pilot, screen, "spot 0%")
        said = " ".join(screen_text(app).split())
        assert "a applies the profile with the vCPU settings of scenario 'spot 0%'" in said, said
        assert "a applies the profile as written" not in said, said
    assert mutations(app) == 0

    capsys.readouterr()
    code = main(
        ["apply", "--profile", "sandbox", "--dry-run", "--output", "json"], aws=aws_on(demo)
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["outcome"]["status"] == "no-changes", doc
    assert doc["steps"] == tui_steps == []


async def test_a_scenario_the_profile_cannot_express_is_refused_with_the_reason(demo) -> None:  # type: ignore[no-untyped-def]
    """profiles/sandbox.toml has EC2 and spot compute environments only: its plan's Fargate
    scenario would need one it does not have."""
    app = app_on(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_plan(app, pilot, "sandbox")
        assert "a Apply" in screen_text(app) and "s Scenario" in screen_text(app)  # the footer
        await choose(app, pilot, screen, "fargate")
        assert "a applies: 'fargate'" in screen_text(app)
        toasts = " ".join(toast_text(app).split())
        assert "a refuses it: it runs on compute environment(s) sandbox-fargate," in toasts, toasts
        await pilot.press("a")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ApplyScreen) and dialog.phase == "forbidden"
        assert dialog.scenario == "fargate"
        text = screen_text(app)
        assert "scenario 'fargate'" in text and "PROBLEMS" in text
        assert "refused: 1 problem below, nothing is sent" in text and "no changes" not in text
        question = str(dialog.query_one("#apply-question", Static).content)
        assert "scenario 'fargate'" in question and "cannot be applied" in question, question
        assert "sandbox-fargate" in question and "which the profile does not have" in question
        assert "Nothing is sent" in question
        await pilot.press("y", "enter")
        await settle(app, pilot)
        assert app.screen is dialog and dialog.phase == "forbidden"
        await pilot.press("n")
        assert isinstance(app.screen, PlanScreen)
    assert mutations(app) == 0


async def test_a_chosen_scenario_is_the_one_applied(demo, tui_profile) -> None:  # type: ignore[no-untyped-def]
    app = simulated_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_plan(app, pilot, tui_profile)
        assert screen.plan is not None
        assert screen.scenario_to_apply is None  # by default: the profile as written
        assert screen.plan.recommendation.scenario != "spot 0%"
        await choose(app, pilot, screen, "spot 0%")
        assert "a applies: 'spot 0%' (chosen)" in screen_text(app)
        ondemand = next(
            line for line in screen.plan.scenario("spot 0%").config.lines
            if line.compute_environment == "tui-ondemand"
        )  # fmt: skip
        wanted = min(ondemand.max_vcpus, ondemand.effective_vcpus)
        await pilot.press("a")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ApplyScreen) and dialog.change_set is not None
        assert dialog.phase == "review", dialog.change_set.problems
        text = screen_text(app)
        assert "Apply profile tui with scenario 'spot 0%' (chosen; the plan recommends" in text
        assert "+ computeEnvironment tui-ondemand (create)" in text
        question = str(dialog.query_one("#apply-question", Static).content)
        assert question.startswith("scenario 'spot 0%' (chosen; "), question
        notes = " ".join(dialog.change_set.notes)
        assert "tui-spot: not used by the chosen scenario 'spot 0%'" in notes
        await pilot.press("y")
        await settle(app, pilot)
        assert dialog.phase == "applied", screen_text(app)
        done = str(dialog.query_one("#apply-question", Static).content)
        assert "the account matches profile tui with scenario 'spot 0%'" in done, done

    batch = boto(demo, "batch")
    ces = batch.describe_compute_environments(computeEnvironments=["tui-spot", "tui-ondemand"])
    max_vcpus = {
        c["computeEnvironmentName"]: c["computeResources"]["maxvCpus"]
        for c in ces["computeEnvironments"]
    }
    assert max_vcpus == {"tui-spot": 0, "tui-ondemand": wanted}


async def test_the_footer_keeps_apply_and_scenario_at_80_columns(demo) -> None:  # type: ignore[no-untyped-def]
    app = app_on(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(app, pilot, "sandbox")
        footer = screen_text(app).splitlines()[-1]
        assert "a Apply" in footer and "s Scenario" in footer, footer


async def test_n_sends_nothing_y_applies_and_a_again_says_no_changes(demo, tui_profile) -> None:  # type: ignore[no-untyped-def]
    app = simulated_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_plan(app, pilot, tui_profile)
        await pilot.press("a")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ApplyScreen) and screen.change_set is not None
        assert screen.phase == "review", screen.change_set.problems
        steps = screen.change_set.steps
        assert {s.name for s in steps} >= {"tui-spot", "tui-ondemand", "tui-main"}
        text = screen_text(app)
        assert "+ computeEnvironment tui-spot (create)" in text  # the CLI's diff
        assert confirmation_line(steps)[:60] in text
        line = confirmation_line(steps)
        assert line.startswith(f"apply {len(steps)} steps: "), line
        assert "create CE tui-spot" in line and "create queue tui-main" in line, line

        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen)
        assert mutations(app) == 0

        await pilot.press("a")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ApplyScreen) and screen.phase == "review"
        await pilot.press("y")
        await settle(app, pilot)
        assert screen.phase == "applied", screen_text(app)
        assert screen.states == ["done"] * len(screen.states)
        assert "the account matches profile tui" in screen_text(app)
        assert mutations(app) >= len(steps)

        batch = boto(demo, "batch")
        ces = batch.describe_compute_environments(computeEnvironments=["tui-spot", "tui-ondemand"])
        assert {c["status"] for c in ces["computeEnvironments"]} == {"VALID"}
        queue = batch.describe_job_queues(jobQueues=["tui-main"])["jobQueues"]
        assert [q["state"] for q in queue] == ["ENABLED"]

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen)
        sent = mutations(app)
        await pilot.press("a")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ApplyScreen) and screen.phase == "empty"
        assert "no changes" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert mutations(app) == sent


async def test_read_only_has_no_a(demo) -> None:  # type: ignore[no-untyped-def]
    app = app_on(demo, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_plan(app, pilot, "sandbox")
        text = screen_text(app)
        assert "a Apply" not in text and "s Scenario" not in text and "a applies" not in text
        await pilot.press("s", "a")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen) and screen.chosen is None
    assert mutations(app) == 0


async def test_a_failed_step_is_named_and_a_again_continues(demo, tui_profile) -> None:  # type: ignore[no-untyped-def]
    from faults import Faults

    app = simulated_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_plan(app, pilot, tui_profile)
        assert app.aws is not None
        faults = Faults(app.aws)
        faults.fail("ClientException", "CreateJobQueue")
        await pilot.press("a")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ApplyScreen) and screen.change_set is not None
        first = [s.title() for s in screen.change_set.steps]
        await pilot.press("y")
        await settle(app, pilot)
        assert screen.phase == "failed"
        failed = first.index("+ jobQueue tui-main (create)")
        assert screen.states[failed] == "failed"
        assert set(screen.states[:failed]) == {"done"}
        assert set(screen.states[failed + 1 :]) <= {"waiting"}
        text = str(screen.query_one("#apply-question", Static).content)
        assert f"step {failed + 1} of {len(first)} failed: + jobQueue tui-main (create)" in text
        assert "the test made AWS answer ClientException" in text
        assert "steps done before it: " + first[0] in text
        assert "press a on the plan again" in text

        faults.fail(None)
        await pilot.press("escape")
        await pilot.press("a")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ApplyScreen) and screen.change_set is not None
        again = [s.title() for s in screen.change_set.steps]
        assert "+ jobQueue tui-main (create)" in again
        assert not set(again) & set(first[:failed])  # what was done is not done again
        await pilot.press("y")
        await settle(app, pilot)
        assert screen.phase == "applied", screen_text(app)
        queue = boto(demo, "batch").describe_job_queues(jobQueues=["tui-main"])["jobQueues"]
        assert [q["state"] for q in queue] == ["ENABLED"]


async def test_a_queue_the_profile_did_not_make_refuses_a_and_says_how_to_adopt(demo) -> None:  # type: ignore[no-untyped-def]
    """demo-main without its batchtui:profile tag, as if made by hand: a names it and sends
    nothing (the dialog does not adopt; the CLI's --adopt does)."""
    batch = boto(demo, "batch")
    arn = batch.describe_job_queues(jobQueues=["demo-main"])["jobQueues"][0]["jobQueueArn"]
    batch.untag_resource(resourceArn=arn, tagKeys=["batchtui:profile"])
    app = app_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_plan(app, pilot, "sandbox")
        await pilot.press("a")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ApplyScreen) and dialog.phase == "forbidden"
        question = " ".join(str(dialog.query_one("#apply-question", Static).content).split())
        assert "the profile as written cannot be applied: jobQueue demo-main exists but is " \
            "not managed by profile 'sandbox'" in question, question  # fmt: skip
        assert "batchtui apply --adopt" in question and "Nothing is sent" in question
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is dialog and dialog.phase == "forbidden"
    assert mutations(app) == 0
