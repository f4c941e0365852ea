"""Job actions shared by the jobs list and the job detail: stop (confirmed), copy id, open."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from batchtui.model import JobSummary
from batchtui.tui.bindings import ActionBinding
from batchtui.tui.messages import ActionDone
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.screens.dialogs import ConfirmScreen


def job_bindings(scope: str) -> list[Binding]:
    """The keys both job screens give these actions, with ``scope`` in their binding ids."""
    return [
        Binding("l", "logs", "Logs", id=f"{scope}.logs", tooltip="Follow the job's log"),
        Binding("a", "children", "Children", id=f"{scope}.children", tooltip="Of an array job"),
        ActionBinding(
            "ctrl+d",
            "stop",
            "Stop",
            id=f"{scope}.stop",
            tooltip="Cancel (not started yet) or terminate (running); asks first",
            danger=True,
        ),
    ]


def stop_job(screen: BaseScreen, job: JobSummary) -> None:
    """ctrl-d: cancel (before STARTING) or terminate (STARTING / RUNNING), after a confirmation
    that names the job, its id and its status."""
    from batchtui.aws import actions  # boto3: only when acting

    how = actions.stop_for_status(job.status)
    if how is None:
        screen.notify(
            f"{job.job_name} is {job.status}: it has finished, nothing to stop",
            severity="warning",
        )
        return
    question = Text()
    question.append(f"{how.verb.capitalize()} job ")
    question.append(job.job_name, style="bold")
    question.append(f"\n{job.job_id}\nIt is ")
    question.append(job.status, style="bold")
    question.append(f". batchtui will call {how.operation}: ")
    question.append(
        "its container is stopped and the job ends FAILED."
        if how.operation == "TerminateJob"
        else "it leaves the queue without running and ends FAILED."
    )
    if job.array_size:
        question.append(f"\nThis is an array job: all {job.array_size} children stop too.")

    def call() -> None:
        done = actions.stop_job(screen.aws, job.job_id, job.status)
        screen.post_message(ActionDone(f"{done.operation} sent for {job.job_name} ({job.job_id})"))

    def answered(yes: bool | None) -> None:
        if yes:
            screen.run_worker(call, thread=True, exit_on_error=False, group="action")

    screen.app.push_screen(ConfirmScreen(f"{how.verb.capitalize()} job", question), answered)


def copy_job_id(screen: BaseScreen, job_id: str) -> None:
    screen.app.copy_to_clipboard(job_id)
    screen.notify(f"copied {job_id}", timeout=2)
