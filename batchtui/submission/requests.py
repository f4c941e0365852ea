"""The SubmitJob request of each step, in AWS's field names.

A step's dependencies are named by step in the layout; here they become the job ids the journal
recorded, so a step is requested only once everything it waits for is submitted. Fan-in jobs and
the summary run ``wait_command`` and ``summary_command`` in the job definition's image (the
worker image has Python, so ``["python", "-c", "pass"]`` waits, and
``python -m batchtui_worker.summary`` writes the submission's report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from batchtui.submission.layout import SUMMARY_STEP, Layout, array_step


def submit_request(
    layout: Layout,
    step: str,
    *,
    job_queue: str,
    job_definition: str,
    job_ids: Mapping[str, str],
    wait_command: Sequence[str] = ("python", "-c", "pass"),
    summary_command: Sequence[str] = ("python", "-m", "batchtui_worker.summary"),
    summary_environment: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """SubmitJob's parameters for ``step`` (``array-0003``, ``fanin-1-0000``, ``summary``).

    ``summary_environment`` adds to the summary job's settings: what was estimated
    (``ESTIMATED_VCPU_HOURS``, ``ESTIMATED_COST_USD``); the labels table comes from the job
    definition's environment. Raises KeyError when a step it depends on has no job id yet:
    submit in :func:`~batchtui.submission.journal.pending_steps` order.
    """
    base: dict[str, Any] = {
        "jobQueue": job_queue,
        "jobDefinition": job_definition,
        "tags": layout.tags(step),
        "propagateTags": True,
    }
    arrays = {array_step(a.index): a for a in layout.arrays}
    if step in arrays:
        array = arrays[step]
        env = [{"name": k, "value": v} for k, v in layout.environment(array).items()]
        request = {"jobName": array.job_name, **base, "containerOverrides": {"environment": env}}
        if array.is_array:
            request["arrayProperties"] = {"size": array.children}
        return request
    fan_ins = {f.step: f for f in layout.fan_ins}
    if step in fan_ins:
        name, needs, command = fan_ins[step].job_name, fan_ins[step].depends_on, wait_command
    elif step == SUMMARY_STEP:
        name, needs, command = layout.summary_job_name, layout.summary_depends_on, summary_command
    else:
        raise ValueError(f"{step!r} is not a step of submission {layout.submission_id}")
    overrides: dict[str, Any] = {"command": list(command)}
    if step == SUMMARY_STEP:  # what the summary reads: the journal names every job and manifest
        summary_env = {
            "SUBMISSION_ID": layout.submission_id,
            "IMAGE_BUCKET": layout.bucket,
            "JOURNAL_KEY": layout.journal_key,
            **(summary_environment or {}),
        }
        overrides["environment"] = [{"name": k, "value": v} for k, v in summary_env.items()]
    return {
        "jobName": name,
        **base,
        "dependsOn": [{"jobId": job_ids[n]} for n in needs],
        "containerOverrides": overrides,
    }
