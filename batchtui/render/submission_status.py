"""``batchtui submit --status``: a submission's progress as text or JSON
(batchtui/data/submission-status.schema.json), and the progress bar the TUI shows too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from batchtui.render.text import duration, epoch_ms, table
from batchtui.submission.progress import (
    CHILD_STATUSES,
    Progress,
    Sample,
    eta_seconds,
    observed_rate,
    pace_is_known,
    waiting_children,
)
from batchtui.wording import count

#: Version of the JSON document; bump on any incompatible change.
SUBMISSION_STATUS_SCHEMA_VERSION = 1
BAR_WIDTH = 30


def progress_bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """``[#########.........]``: ``width`` cells between the brackets, a cell filled for each
    whole ``1/width`` done (full only when everything is)."""
    cells = max(0, width)
    filled = min(cells, int(max(0.0, fraction) * cells + 1e-9))
    return "[" + "#" * filled + "." * (cells - filled) + "]"


def percent(fraction: float) -> str:
    """Down to the whole percent: 99.9% done is not shown as 100%."""
    return f"{int(fraction * 100 + 1e-9)}%"


def children_line(progress: Progress) -> str:
    counts = progress.children_by_status()
    return "  ".join(f"{s} {counts.get(s, 0):,}" for s in CHILD_STATUSES)


def eta_text(progress: Progress, samples: Sequence[Sample]) -> str:
    """``ETA 4m10s at 1.20 images/s``, or why there is none."""
    if progress.status in ("SUCCEEDED", "FAILED"):
        return "finished"
    if progress.images_left == 0:
        return "no image left to run"
    waiting = waiting_children(progress)
    if waiting:
        return f"{waiting_for(waiting)}: {waiting_counts(waiting)}, none running"
    if not pace_is_known(progress):
        counts = progress.children_by_status()
        finished = counts["SUCCEEDED"] + counts["FAILED"]
        running = counts["STARTING"] + counts["RUNNING"]
        return (
            f"ETA estimating ({count(finished, 'child', 'children')} finished, {running:,} running)"
        )
    rate = observed_rate(samples)
    eta = eta_seconds(progress, samples)
    if rate is None or eta is None:
        return "ETA unknown (no image done yet)"
    return f"ETA {duration(eta)} at {rate:.2f} images/s"


def waiting_for(waiting: dict[str, int]) -> str:
    """What children that do not run wait for: capacity while one is RUNNABLE (the queue
    cannot place it), else to start (PENDING on a dependency, SUBMITTED, or STARTING)."""
    return "waiting for capacity" if waiting.get("RUNNABLE") else "waiting to start"


def waiting_counts(waiting: dict[str, int]) -> str:
    """``23 children RUNNABLE`` or ``1 child PENDING, 22 RUNNABLE``: the noun once."""
    (status, n), *rest = waiting.items()
    return ", ".join(
        [f"{count(n, 'child', 'children')} {status}", *(f"{m:,} {s}" for s, m in rest)]
    )


def eta_cell(progress: Progress, samples: Sequence[Sample]) -> str:
    """The ETA in a table's cell: ``4m10s``, ``estimating``, ``waiting`` (children wait and
    none runs), or ``-`` (none to give)."""
    text = eta_text(progress, samples)
    if text.startswith("ETA estimating"):
        return "estimating"
    if text.startswith("waiting"):
        return "waiting"
    if text.startswith("ETA ") and " at " in text:
        return text.removeprefix("ETA ").split(" at ")[0]
    return "-"


def progress_table(progress: Progress, samples: Sequence[Sample]) -> str:
    """The text ``--status`` prints: the totals, the arrays, the other jobs, the failures."""
    p = progress
    lines = [
        f"Submission {p.submission_id}  s3://{p.bucket}  {p.status}",
        f"Images     {p.images_done:,} of {p.image_count:,} done ({percent(p.fraction)})  "
        f"{progress_bar(p.fraction)}  {p.images_failed:,} in failed children  "
        f"{p.images_left:,} left",
        f"Children   {children_line(p)}",
        f"Progress   {eta_text(p, samples)}",
    ]
    if p.pending_steps:
        lines.append(f"To submit  {', '.join(p.pending_steps)}")
    lines += ["", table(
        ("ARRAY", "JOB ID", "STATUS", "CHILDREN", "DONE", "FAILED", "IMAGES DONE"),
        (
            (a.shape.index, a.job_id, a.status or "?", a.shape.children, a.count("SUCCEEDED"),
             a.count("FAILED"), f"{a.images_done:,} of {a.shape.image_count:,}")
            for a in p.arrays
        ),
    )]  # fmt: skip
    if p.steps:
        lines += ["", table(
            ("STEP", "JOB ID", "STATUS", "STATUS REASON"),
            ((s.step, s.job_id, s.status or "?", s.status_reason) for s in p.steps),
        )]  # fmt: skip
    if p.failed_count:
        shown = len(p.failed_children)
        lines += ["", f"Failures: {p.failed_count:,} failed (listed {shown:,})"]
        if shown:
            lines.append(table(
                ("JOB ID", "INDEX", "EXIT", "STOPPED", "STATUS REASON"),
                ((f.job_id, f.array_index, f.exit_code, epoch_ms(f.stopped_at), f.status_reason)
                 for f in p.failed_children),
                max_width=80,
            ))  # fmt: skip
    return "\n".join(lines)


def progress_json(progress: Progress, samples: Sequence[Sample]) -> dict[str, Any]:
    """The document ``--status --output json`` prints, in AWS's camelCase."""
    p = progress
    # While children wait and none runs, the rate since the start only falls: no rate.
    rate = None if waiting_children(p) else observed_rate(samples)
    eta = eta_seconds(p, samples)
    return {
        "schemaVersion": SUBMISSION_STATUS_SCHEMA_VERSION,
        "submissionId": p.submission_id,
        "bucket": p.bucket,
        "status": p.status,
        "observedAt": round(p.observed_at * 1000),
        "startedAt": round(p.started_at * 1000) if p.started_at is not None else None,
        "imageCount": p.image_count,
        "imagesPerJob": p.images_per_job,
        "imagesDone": p.images_done,
        "imagesFailed": p.images_failed,
        "imagesLeft": p.images_left,
        "fractionDone": round(p.fraction, 6),
        "imagesPerSecond": round(rate, 6) if rate is not None else None,
        "etaSeconds": round(eta, 3) if eta is not None else None,
        "children": p.planned_children,
        "childrenByStatus": p.children_by_status(),
        "arrays": [
            {
                "arrayIndex": a.shape.index,
                "jobId": a.job_id,
                "jobName": a.job_name,
                "status": a.status,
                "size": a.shape.children,
                "imageCount": a.shape.image_count,
                "imagesDone": a.images_done,
                "statusSummary": dict(a.children_by_status),
            }
            for a in p.arrays
        ],
        "steps": [
            {
                "step": s.step,
                "jobId": s.job_id,
                "jobName": s.job_name,
                "status": s.status,
                "statusReason": s.status_reason,
            }
            for s in p.steps
        ],
        "pendingSteps": list(p.pending_steps),
        "failedCount": p.failed_count,
        "failures": [
            {
                "jobId": f.job_id,
                "jobName": f.job_name,
                "arrayIndex": f.array_index,
                "statusReason": f.status_reason,
                "exitCode": f.exit_code,
                "stoppedAt": f.stopped_at,
            }
            for f in p.failed_children
        ],
    }
