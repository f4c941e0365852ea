"""Enable / disable a CE or a queue and scale a CE: confirm, call in a worker, re-read.

Shared by the overview and the compute-environment screen. The call goes through the aws layer,
which refuses it in read-only mode even if a key got here.
"""

from __future__ import annotations

from rich.text import Text

from batchtui.changes.scaling import ScalingRequest
from batchtui.model import ComputeEnvironment, JobQueue
from batchtui.tui.messages import ActionDone
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.screens.dialogs import ConfirmScreen, ScaleScreen


def _question(kind: str, name: str, state: str, status: str, enable: bool) -> Text:
    verb = "Enable" if enable else "Disable"
    text = Text()
    text.append(f"{verb} {kind} ")
    text.append(name, style="bold")
    text.append(f"?\nIt is {state} and {status}.")
    if not enable and kind == "job queue":
        text.append("\nA disabled queue accepts no new jobs; jobs already in it still run.")
    if not enable and kind == "compute environment":
        text.append("\nA disabled compute environment places no new jobs; running jobs finish.")
    return text


def toggle_compute_environment(screen: BaseScreen, ce: ComputeEnvironment) -> None:
    enable = ce.state != "ENABLED"

    def call() -> None:
        from batchtui.aws import actions  # boto3 loads when the user acts, not at start-up

        actions.set_compute_environment_state(screen.aws, ce.name, enable)
        screen.post_message(ActionDone(f"{ce.name}: {'enabled' if enable else 'disabled'}"))

    def answered(yes: bool | None) -> None:
        if yes:
            screen.run_worker(call, thread=True, exit_on_error=False, group="action")

    screen.app.push_screen(
        ConfirmScreen(
            "Compute environment",
            _question("compute environment", ce.name, ce.state, ce.status, enable),
        ),
        answered,
    )


def toggle_job_queue(screen: BaseScreen, queue: JobQueue) -> None:
    enable = queue.state != "ENABLED"

    def call() -> None:
        from batchtui.aws import actions  # boto3: see toggle_compute_environment

        actions.set_job_queue_state(screen.aws, queue.name, enable)
        screen.post_message(ActionDone(f"{queue.name}: {'enabled' if enable else 'disabled'}"))

    def answered(yes: bool | None) -> None:
        if yes:
            screen.run_worker(call, thread=True, exit_on_error=False, group="action")

    screen.app.push_screen(
        ConfirmScreen(
            "Job queue", _question("job queue", queue.name, queue.state, queue.status, enable)
        ),
        answered,
    )


def scale_compute_environment(
    screen: BaseScreen, ce: ComputeEnvironment, *, max_vcpus: int | None = None
) -> None:
    """The scale dialog for ``ce`` (its maxvCpus field holding ``max_vcpus`` when given), then
    the update the user confirms."""

    def call(request: ScalingRequest) -> None:
        from batchtui.aws import actions  # boto3: see toggle_compute_environment

        actions.scale_compute_environment(
            screen.aws,
            ce,
            min_vcpus=request.min_vcpus,
            max_vcpus=request.max_vcpus,
            desired_vcpus=request.desired_vcpus,
        )
        screen.post_message(ActionDone(f"{ce.name}: {request.summary()} requested"))

    def answered(request: ScalingRequest | None) -> None:
        if request is not None:
            screen.run_worker(
                lambda: call(request), thread=True, exit_on_error=False, group="action"
            )

    screen.app.push_screen(ScaleScreen(ce, max_vcpus=max_vcpus), answered)
