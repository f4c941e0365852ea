"""The journal: which of a submission's jobs are submitted, and their job ids.

It is written (to S3, next to the manifests) after every SubmitJob, so a re-run of an interrupted
submission reads it and submits only the steps it lacks: no array job is submitted twice. Its
exact form, AWS's camelCase as batchtui's JSON output uses::

    {
      "journalVersion": 1,
      "submissionId": "0f1e2d3c4b5a6978",
      "imageCount": 7, "imagesPerJob": 2, "arraySize": 10,
      "arrays": [{"arrayIndex": 0, "jobName": "image-tagging-0f1e2d3c4b5a6978-array-0000",
                  "jobId": "8c0b...", "manifestKey": "batchtui/submissions/.../array-0000.jsonl"}],
      "fanIns": [{"level": 1, "index": 0, "jobName": "...", "jobId": "..."}],
      "summary": {"jobName": "...", "jobId": "..."}
    }

``summary`` is null until the summary job is submitted. Entries are kept in step order.
``imageCount``, ``imagesPerJob`` and ``arraySize`` are what a reader of the progress needs to
lay the arrays out again and count images from their children (:func:`read_image_counts`); a
journal without them still reads. ``arraySize`` is there only when the profile chose it (the
most children per array); without it the arrays were filled evenly up to AWS's 10,000.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from batchtui.errors import UsageError
from batchtui.submission.identity import MAX_ARRAY_SIZE, MIN_ARRAY_SIZE
from batchtui.submission.layout import SUMMARY_STEP, Layout, array_step, fan_in_step

JOURNAL_VERSION = 1


@dataclass(frozen=True)
class Journal:
    """Step name (``array-0003``, ``fanin-1-0000``, ``summary``) -> job id."""

    submission_id: str
    job_ids: dict[str, str] = field(default_factory=dict)

    def recorded(self, step: str, job_id: str) -> Journal:
        """The journal with one more step submitted."""
        return Journal(self.submission_id, {**self.job_ids, step: job_id})

    def to_json(self, layout: Layout) -> str:
        """The journal's text, with the layout's job names beside the ids."""
        if layout.submission_id != self.submission_id:
            raise ValueError("the journal belongs to another submission")
        ids = self.job_ids
        body: dict[str, Any] = {
            "journalVersion": JOURNAL_VERSION,
            "submissionId": self.submission_id,
            "imageCount": layout.image_count,
            "imagesPerJob": layout.images_per_job,
            **({"arraySize": layout.array_size} if layout.array_size is not None else {}),
            "arrays": [
                {
                    "arrayIndex": a.index,
                    "jobName": a.job_name,
                    "jobId": ids[array_step(a.index)],
                    "manifestKey": a.manifest_key,
                }
                for a in layout.arrays
                if array_step(a.index) in ids
            ],
            "fanIns": [
                {"level": f.level, "index": f.index, "jobName": f.job_name, "jobId": ids[f.step]}
                for f in layout.fan_ins
                if f.step in ids
            ],
            "summary": (
                {"jobName": layout.summary_job_name, "jobId": ids[SUMMARY_STEP]}
                if SUMMARY_STEP in ids
                else None
            ),
        }
        return json.dumps(body, indent=2) + "\n"


def read_journal(text: str, where: str, submission_id: str) -> Journal:
    """The journal in ``text`` (read from ``where``, named in errors); it must be this
    submission's. A journal that does not parse is bad input, never silently ignored: ignoring
    it would submit every array again."""
    try:
        body = json.loads(text)
        if body.get("journalVersion") != JOURNAL_VERSION:
            raise ValueError(f"journalVersion {body.get('journalVersion')!r} is not 1")
        if body.get("submissionId") != submission_id:
            raise ValueError(
                f"it is submission {body.get('submissionId')!r}'s, not {submission_id!r}'s"
            )
        ids = {array_step(int(a["arrayIndex"])): str(a["jobId"]) for a in body["arrays"]}
        for f in body["fanIns"]:
            ids[fan_in_step(int(f["level"]), int(f["index"]))] = str(f["jobId"])
        if body["summary"] is not None:
            ids[SUMMARY_STEP] = str(body["summary"]["jobId"])
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise UsageError(f"{where}: not a submission journal batchtui can read: {e}") from None
    return Journal(submission_id, ids)


class ImageCounts(NamedTuple):
    """What lays a submission's arrays out again: ``array_shapes(*counts)``."""

    image_count: int
    images_per_job: int
    array_size: int | None = None  # None: evenly filled up to AWS's 10,000


def read_image_counts(text: str) -> ImageCounts | None:
    """The counts of a journal that :func:`read_journal` accepted; None when it does not say
    (written before they were recorded)."""
    body = json.loads(text)
    count, per_job = body.get("imageCount"), body.get("imagesPerJob")
    size = body.get("arraySize")
    if not (isinstance(size, int) and MIN_ARRAY_SIZE <= size <= MAX_ARRAY_SIZE):
        size = None
    if isinstance(count, int) and isinstance(per_job, int) and count > 0 and per_job > 0:
        return ImageCounts(count, per_job, size)
    return None


def pending_steps(layout: Layout, journal: Journal) -> list[str]:
    """The steps still to submit, in order: arrays, fan-ins level by level, the summary (a job
    is submitted after everything it depends on, whose ids it names)."""
    steps = [array_step(a.index) for a in layout.arrays]
    steps += [f.step for f in layout.fan_ins]
    steps.append(SUMMARY_STEP)
    return [s for s in steps if s not in journal.job_ids]
