"""`batchtui submit`'s output: the submission, its estimate and its jobs, as a table or as the
JSON document of ``batchtui/data/submit.schema.json`` (AWS's camelCase)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from batchtui.planner import Plan
from batchtui.render.text import duration, table
from batchtui.submission import SUMMARY_STEP, Layout, array_step
from batchtui.submission.status import StepState
from batchtui.wording import count

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class SubmitReport:
    """One run of ``batchtui submit``: what it found, estimated and did."""

    layout: Layout
    profile_name: str
    profile_path: str
    images_url: str
    job_queue: str
    job_definition: str
    plan: Plan
    steps: Sequence[StepState]
    status: str  # dry-run | submitted | nothing-to-do | cancelled | failed
    local_journal: str
    job_vcpus: float = 1.0  # what one job reserves (the job definition's vCPUs)
    submit_job_calls: int = 0
    error: str | None = None

    def url(self, key: str) -> str:
        return f"s3://{self.layout.bucket}/{key}"


def estimate_document(report: SubmitReport) -> dict[str, Any]:
    """The planner's figures for the profile's own setup (the queue the jobs go to)."""
    plan = report.plan
    scenario = plan.scenario("profile")
    job_hours = plan.job_seconds_mean * plan.jobs / 3600.0
    return {
        "scenario": scenario.name,
        "jobQueue": report.job_queue,
        "jobs": plan.jobs,
        "vcpuHours": round(job_hours * report.job_vcpus, 3),
        "costUsd": round(scenario.cost_mean, 4),
        "costP95Usd": round(scenario.cost_p95, 4),
        "makespanP50Seconds": round(scenario.makespan_p50, 1),
        "makespanP95Seconds": round(scenario.makespan_p95, 1),
        "meetsDeadline": scenario.meets_deadline,
        "withinBudget": scenario.within_budget,
        "priceSource": plan.price_source,
        "priceDate": plan.price_date,
    }


def submission_document(report: SubmitReport) -> dict[str, Any]:
    layout = report.layout
    arrays = {array_step(a.index): a for a in layout.arrays}
    fan_ins = {f.step: f for f in layout.fan_ins}
    jobs = []
    for s in report.steps:
        job: dict[str, Any] = {"step": s.step, "jobName": s.job_name, "jobId": s.job_id,
                               "state": s.how}  # fmt: skip
        if s.step in arrays:
            a = arrays[s.step]
            job |= {"kind": "array" if a.is_array else "job", "arraySize": a.children,
                    "imageCount": a.image_count, "manifest": report.url(a.manifest_key),
                    "dependsOn": []}  # fmt: skip
        elif s.step in fan_ins:
            job |= {"kind": "fanIn", "dependsOn": list(fan_ins[s.step].depends_on)}
        else:
            job |= {"kind": "summary", "dependsOn": list(layout.summary_depends_on)}
        jobs.append(job)
    doc: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "status": report.status,
        "submissionId": layout.submission_id,
        "profile": {"name": report.profile_name, "path": report.profile_path},
        "images": {"url": report.images_url, "bucket": layout.bucket, "count": layout.image_count},
        "imagesPerJob": layout.images_per_job,
        "jobQueue": report.job_queue,
        "jobDefinition": report.job_definition,
        "manifests": report.url(layout.folder),
        "journal": {"s3": report.url(layout.journal_key), "local": report.local_journal},
        "report": report.url(layout.report_key),
        "estimate": estimate_document(report),
        "jobs": jobs,
        "submitJobCalls": report.submit_job_calls,
    }
    if report.error is not None:
        doc["error"] = report.error
    return doc


def render_submission_table(report: SubmitReport) -> str:
    layout = report.layout
    est = estimate_document(report)
    arrays = {array_step(a.index): a for a in layout.arrays}
    head = [
        f"submit: profile {report.profile_name} ({report.profile_path}), "
        f"submission {layout.submission_id}",
        f"  images      {layout.image_count:,} in {report.images_url}, "
        f"{layout.images_per_job} per job: {jobs_wording(layout)}",
        f"  queue       {report.job_queue} (job definition {report.job_definition})",
        f"  estimate    {est['jobs']:,} jobs, {est['vcpuHours']:,.1f} vCPU-hours, "
        f"${est['costUsd']:,.2f} (p95 ${est['costP95Usd']:,.2f}), "
        f"{duration(est['makespanP50Seconds'])} (p95 {duration(est['makespanP95Seconds'])}) "
        f"on the profile's setup; prices: {est['priceSource']}",
        f"  manifests   {report.url(layout.folder)}",
        f"  report      {report.url(layout.report_key)} (the summary job writes it)",
        "",
    ]
    rows = []
    for s in report.steps:
        a = arrays.get(s.step)
        children = a.children if a is not None else None
        images = a.image_count if a is not None else None
        needs = "" if a is not None else _needs(layout, s.step)
        rows.append((s.step, s.job_name, children, images, needs, s.job_id, s.how))
    body = table(("STEP", "JOB NAME", "CHILDREN", "IMAGES", "AFTER", "JOB ID", "STATE"), rows)
    return "\n".join(head) + body


def jobs_wording(layout: Layout) -> str:
    """``4 jobs in 1 array job, then 1 summary job``; a slice of one child is a single job
    (AWS refuses arrays of one), so ``21 jobs in 2 array jobs and 1 single job, ...``."""
    arrays = sum(1 for a in layout.arrays if a.is_array)
    singles = len(layout.arrays) - arrays
    kinds = [count(n, noun) for n, noun in ((arrays, "array job"), (singles, "single job")) if n]
    waits = [count(len(layout.fan_ins), "fan-in job")] if layout.fan_ins else []
    jobs = f"{count(layout.children, 'job')} in {' and '.join(kinds)}" if arrays else kinds[0]
    return f"{jobs}, then {', '.join([*waits, '1 summary job'])}"


def confirmation(layout: Layout, pending: Sequence[str]) -> str:
    """The question before submitting ``pending`` steps, counting what the summary above it
    counts (array children as jobs) and the SubmitJob calls besides:
    ``Submit 1 array job of 4 children and 1 summary job (2 SubmitJob calls)?``."""
    steps = set(pending)
    slices = [a for a in layout.arrays if array_step(a.index) in steps]
    arrays = [a for a in slices if a.is_array]
    parts = []
    if arrays:
        children = sum(a.children for a in arrays)
        parts.append(f"{count(len(arrays), 'array job')} of {count(children, 'child', 'children')}")
    singles = len(slices) - len(arrays)
    fan_ins = sum(1 for f in layout.fan_ins if f.step in steps)
    summary = int(SUMMARY_STEP in steps)
    for n, noun in ((singles, "single job"), (fan_ins, "fan-in job"), (summary, "summary job")):
        if n:
            parts.append(count(n, noun))
    what = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"Submit {what} ({count(len(pending), 'SubmitJob call')})?"


def _needs(layout: Layout, step: str) -> str:
    if step == SUMMARY_STEP:
        deps = layout.summary_depends_on
    else:
        deps = next(f.depends_on for f in layout.fan_ins if f.step == step)
    return deps[0] if len(deps) == 1 else f"{deps[0]} .. {deps[-1]}"
