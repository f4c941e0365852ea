"""Rich Text cells the screens share: states, job-count bars, CE order. Never markup strings:
values from AWS go in as plain text, so a name with ``[`` in it is shown as it is."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from batchtui.account.snapshots import QueueCount
from batchtui.model import JOB_STATUSES, JobQueue

STATUS_COLOURS = {
    "SUBMITTED": "bright_black",
    "PENDING": "magenta",
    "RUNNABLE": "yellow",
    "STARTING": "cyan",
    "RUNNING": "green",
    "SUCCEEDED": "dark_green",
    "FAILED": "red",
}
SHORT = {
    "SUBMITTED": "SUB",
    "PENDING": "PEND",
    "RUNNABLE": "RNBL",
    "STARTING": "STRT",
    "RUNNING": "RUN",
    "SUCCEEDED": "OK",
    "FAILED": "FAIL",
}


def state(value: str) -> Text:
    good = value in ("ENABLED", "VALID")
    bad = value in ("DISABLED", "INVALID", "DELETING", "DELETED")
    return Text(value, style="green" if good else "red bold" if bad else "yellow")


def count_bar(counts: Mapping[str, QueueCount], width: int = 16) -> Text:
    """One coloured cell run per status, proportional to its count (at least one cell)."""
    present = [(s, counts[s].n) for s in JOB_STATUSES if s in counts and counts[s].n > 0]
    total = sum(n for _, n in present)
    text = Text()
    if not total:
        return Text("·" * width, style="bright_black")
    cells = {s: max(1, round(width * n / total)) for s, n in present}
    while sum(cells.values()) > width:
        biggest = max(cells, key=lambda s: cells[s])
        cells[biggest] -= 1
    for s, _ in present:
        text.append("█" * cells[s], style=STATUS_COLOURS[s])
    text.append(" " * (width - text.cell_len))
    return text


def count_text(counts: Mapping[str, QueueCount]) -> Text:
    text = Text()
    for s in JOB_STATUSES:
        c = counts.get(s)
        if c is None or c.n == 0:
            continue
        if text:
            text.append(" ")
        text.append(f"{SHORT[s]} {c}", style=STATUS_COLOURS[s])
    return text or Text("no jobs", style="bright_black")


def ce_order(queue: JobQueue) -> str:
    return " > ".join(
        o.compute_environment.rsplit("/", 1)[-1] for o in queue.compute_environment_order
    )


def vcpus(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"
