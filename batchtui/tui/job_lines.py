"""The lines of the jobs screen around its table: status tabs, front of the queue, job's reason.

Rich text only (no textual), so they are tested on their own.
"""

from __future__ import annotations

from rich.text import Text

from batchtui.account.listing import QueueHead
from batchtui.model import JOB_STATUSES, JobSummary
from batchtui.render.text import duration
from batchtui.tui import cells

TABS: tuple[str, ...] = ("ALL", *JOB_STATUSES)


def tabs_text(current: str, counts: dict[str, int], loaded: set[str], width: int = 0) -> Text:
    """The status tabs with their counts; when they do not fit ``width`` (80 columns), with the
    overview's short names (RNBL, OK, ...) so that every tab stays in sight."""
    labels = []
    for i, tab in enumerate(TABS):
        n = sum(counts.values()) if tab == "ALL" else counts.get(tab, 0)
        done = (tab == "ALL" and loaded >= set(JOB_STATUSES)) or tab in loaded
        labels.append((tab, f"{i}:{{}} {n}{'' if done else '…'}"))
    full = [(tab, f" {label.format(tab)} ") for tab, label in labels]
    if width and sum(len(label) for _, label in full) > width:
        full = [(tab, f"{label.format(cells.SHORT.get(tab, tab))} ") for tab, label in labels]
    text = Text(no_wrap=True, overflow="ellipsis")
    for tab, label in full:
        if tab == current:
            text.append(label, style="bold reverse")
        else:
            text.append(label, style=cells.STATUS_COLOURS.get(tab, "bold"))
    return text


def reason_line(
    job: JobSummary | None, head: str = "", head_id: str = "", blocker: str = ""
) -> Text:
    """The current job's status reason, whole (the table's column cuts it); a RUNNABLE job
    without one says what it waits behind: ``head`` (named) at the front of the queue."""
    if job is None:
        return Text()
    text = Text(job.job_name, style="bold")
    text.append(f"  {job.status}", style=cells.STATUS_COLOURS.get(job.status, ""))
    if job.exit_code is not None:
        text.append(f"  exit {job.exit_code}")
    text.append("  ")
    if job.status_reason:
        text.append(job.status_reason.replace("\n", " "))
    elif job.status == "RUNNABLE" and head and job.job_id != head_id.split(":")[0]:
        text.append(
            f"no status reason of its own: it waits behind {head}, at the front of the queue"
        )
    elif job.status == "RUNNABLE" and blocker:
        text.append(blocker)
    elif job.status == "RUNNABLE" and head:
        text.append("at the front of the queue: waiting to be placed on an instance")
    else:
        text.append("no status reason from AWS", style="dim")
    return text


def head_line(head: QueueHead, reason: str, key: str) -> Text:
    """The front of the queue: for how long, how many wait behind it, ``key`` to go to it, and
    ``reason`` (last: the longest, and a narrow terminal cuts the end)."""
    text = Text("front of the queue", style="bold")
    if head.waited_s is not None:
        text.append(f" for {duration(head.waited_s)}")
    text.append(": ")
    text.append(head.name, style="bold")
    text.append(f" ({head.behind} RUNNABLE job{'s' if head.behind != 1 else ''} behind it")
    text.append(f"; {key}: go to it)" if key else ")")
    if reason:
        text.append(f"  {reason}", style="yellow")
    return text
