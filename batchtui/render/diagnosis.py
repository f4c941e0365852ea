"""A diagnosis as text (findings by cause, evidence under each) and as a JSON document
(batchtui/data/diagnose.schema.json; AWS's camelCase field names)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from batchtui.diagnose import DEFAULT_ACTION_KEYS, Diagnosis, Finding, Severity, Waiting
from batchtui.render.text import epoch_ms
from batchtui.wording import count

SCHEMA_VERSION = 1
#: Job ids a table lists under one cause before it says "and N more".
JOBS_SHOWN = 10

_ACTION_WORDS = {"scale": "scale it", "enable": "enable it", "cancel": "cancel it"}


def action_hint(f: Finding) -> str:
    """Where batchtui can make the fix: the TUI key and what it is pressed on."""
    if f.action is None:
        return ""
    key = DEFAULT_ACTION_KEYS[f.action]
    where = "the job" if f.action.value == "cancel" else f"{f.target} in the overview"
    return f"in the batchtui TUI: {key} on {where} ({_ACTION_WORDS[f.action.value]})"


def to_document(diagnosis: Diagnosis, subject: dict[str, str]) -> dict[str, Any]:
    """The JSON document of ``batchtui diagnose --output json``."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "subject": subject,
        "blocking": diagnosis.blocking,
        "jobsExamined": diagnosis.jobs_examined,
        "jobsExaminedByStatus": dict(diagnosis.examined),
        "readAt": diagnosis.as_of_ms or None,
        "findings": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "title": f.title,
                "evidence": [
                    {"call": e.call, "field": e.field, "value": e.value} for e in f.evidence
                ],
                "fix": f.fix,
                "action": f.action.value if f.action else None,
                "target": f.target or None,
                "maxVcpus": f.max_vcpus,
                "jobIds": list(f.job_ids),
            }
            for f in diagnosis.findings
        ],
        "waiting": [
            {
                "jobId": w.job_id,
                "status": w.status,
                "position": w.position,
                "waitsFor": w.waits_for,
                "startEstimateAt": w.start_estimate_ms,
            }
            for w in diagnosis.waiting
        ],
    }


def jobs_examined_in(f: Finding, diagnosis: Diagnosis) -> str:
    """ "3 of the 4 jobs examined": how many of the jobs this diagnosis examined the finding is
    about (not how many jobs of the queue it holds back: a fix says that where it counts them).
    Empty when one job was examined."""
    if diagnosis.jobs_examined <= 1:
        return ""
    return f"{len(f.job_ids):,} of the {count(diagnosis.jobs_examined, 'job')} examined"


def blocked_line(diagnosis: Diagnosis, subject: str) -> str:
    """ "queue q: blocked by CODE (1 of the 4 jobs examined); ...": the blocking causes in the
    report's order, for stderr, each code once (findings of one code on several targets name
    them: "CODE on ce-a, ce-b")."""
    by_code: dict[str, list[Finding]] = {}
    for f in diagnosis.findings:
        if f.severity is Severity.BLOCKING:
            by_code.setdefault(f.code, []).append(f)
    causes = []
    for code, found in by_code.items():
        targets = list(dict.fromkeys(f.target for f in found if f.target))
        on = f" on {', '.join(targets)}" if len(found) > 1 and targets else ""
        jobs = tuple(dict.fromkeys(j for f in found for j in f.job_ids))
        examined = jobs_examined_in(replace(found[0], job_ids=jobs), diagnosis)
        causes.append(code + on + (f" ({examined})" if examined else ""))
    return f"{subject}: blocked by " + "; ".join(causes)


def waiting_line(w: Waiting) -> str:
    """ "waiting: position 2 in the queue, for its turn ..." (a PENDING job: what it depends on)."""
    eta = f"; may start about {epoch_ms(w.start_estimate_ms)}" if w.start_estimate_ms else ""
    return f"waiting: {w.place}, for {w.waits_for}{eta}"


def to_text(diagnosis: Diagnosis, subject: str) -> str:
    """Findings most severe first, each with its evidence, fix and jobs."""
    lines = [f"Diagnosis of {subject}: {diagnosis.examined_text}"]
    if not diagnosis.findings:
        lines.append("nothing stuck: no PENDING, RUNNABLE or long-STARTING job")
    for f in diagnosis.findings:
        lines.append("")
        jobs = jobs_examined_in(f, diagnosis)
        lines.append(f"[{f.severity.value.upper()}] {f.code}" + (f" ({jobs})" if jobs else ""))
        lines.append(f"  {f.title}")
        for e in f.evidence:
            lines.append(f"    evidence: {e.value}  <- {e.call} {e.field}")
        hint = action_hint(f)
        lines.append(f"  fix: {f.fix.rstrip('.')}" + (f"; {hint}" if hint else ""))
        if f.job_ids and diagnosis.jobs_examined > 1:
            shown = ", ".join(f.job_ids[:JOBS_SHOWN])
            more = f" and {len(f.job_ids) - JOBS_SHOWN} more" if len(f.job_ids) > JOBS_SHOWN else ""
            lines.append(f"  jobs: {shown}{more}")
    if diagnosis.jobs_examined == 1 and diagnosis.waiting:
        w = diagnosis.waiting[0]
        lines.append("")
        lines.append(waiting_line(w))
    verdict = "BLOCKED" if diagnosis.blocking else "no blocking cause"
    worst = [f for f in diagnosis.findings if f.severity is Severity.BLOCKING]
    lines.append("")
    lines.append(f"{verdict}" + (f": {count(len(worst), 'cause')}" if worst else ""))
    return "\n".join(lines)
