"""A submission's progress, read from the account: read calls only.

Where each fact comes from, and what it costs a reading:

- the journal: one S3 GetObject (``batchtui/submissions/<id>/journal.json`` in the image
  bucket); a finished submission's journal no longer changes, so a caller may keep it;
- every job of the journal (arrays, fan-ins, the summary) and the short last child of the last
  array: DescribeJobs, 100 ids a call (a million images at 100 a child is one call);
- the failed children, with their reasons: ListJobs of an array with ``jobStatus=FAILED``, one
  page of 100, for the first :data:`FAILED_ARRAYS` arrays that have any, and only when their
  count changed since the previous reading;
- the submissions of a bucket (the TUI's list): one ListObjectsV2 page under the prefix.

The images done are counted from the children (:mod:`batchtui.submission.progress` says why not
from DynamoDB).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from batchtui.aws.batch import describe_jobs
from batchtui.aws.session import Aws
from batchtui.errors import NotFound, UsageError
from batchtui.model import Job
from batchtui.submission.identity import ID_LENGTH, MANIFEST_PREFIX
from batchtui.submission.journal import ImageCounts, Journal, read_image_counts, read_journal
from batchtui.submission.layout import SUMMARY_STEP, array_step
from batchtui.submission.progress import (
    ArrayShape,
    ArrayState,
    FailedChild,
    Progress,
    StepState,
    array_shapes,
    child_statuses,
)

#: Arrays whose failed children are listed in one reading (each is one ListJobs call).
FAILED_ARRAYS = 10
#: Failed children listed per array: one ListJobs page (the count is exact regardless).
FAILED_PAGE = 100
#: Journals listed in one ListObjectsV2 page; manifests share the prefix, so fewer submissions.
LIST_PAGE = 1000
JOURNAL_NAME = "journal.json"


def journal_key(submission_id: str) -> str:
    return f"{MANIFEST_PREFIX}{submission_id}/{JOURNAL_NAME}"


def check_submission_id(text: str) -> str:
    """A submission id as ``batchtui submit`` prints it: 16 hex digits."""
    sid = text.strip().lower()
    if len(sid) != ID_LENGTH or any(c not in "0123456789abcdef" for c in sid):
        raise UsageError(
            f"submission {text!r}: not a submission id",
            hint=f"{ID_LENGTH} hex digits, as `batchtui submit` prints it",
        )
    return sid


@dataclass(frozen=True)
class JournalRead:
    """A submission's journal as read from its bucket."""

    bucket: str
    journal: Journal
    #: (imageCount, imagesPerJob, arraySize); None for a journal that does not say.
    counts: ImageCounts | None
    #: Steps still to submit (the layout's steps the journal lacks); unknown without counts.
    complete: bool

    @property
    def submission_id(self) -> str:
        return self.journal.submission_id

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{journal_key(self.submission_id)}"


def read_submission_journal(aws: Aws, bucket: str, submission_id: str) -> JournalRead | None:
    """The journal of ``submission_id`` in ``bucket``; None when the bucket has none (or is not
    there). A journal that does not parse is bad input (UsageError)."""
    key = journal_key(submission_id)
    try:
        body = aws.call("s3", "GetObject", Bucket=bucket, Key=key)["Body"].read()
    except NotFound:
        return None
    text = body.decode("utf-8", errors="replace")
    journal = read_journal(text, f"s3://{bucket}/{key}", submission_id)
    counts = read_image_counts(text)
    return JournalRead(bucket, journal, counts, _complete(journal, counts))


def _complete(journal: Journal, counts: ImageCounts | None) -> bool:
    if SUMMARY_STEP not in journal.job_ids:
        return False
    if counts is None:
        return True  # the summary is submitted last: everything before it is
    arrays = array_shapes(*counts)
    return all(array_step(s.index) in journal.job_ids for s in arrays)


def find_submission(aws: Aws, buckets: Sequence[str], submission_id: str) -> JournalRead:
    """The journal in the first of ``buckets`` that has it.

    As for a job or a queue that does not exist: a well-formed id that no bucket has a journal
    for is :class:`NotFound` (exit 1: the read found nothing), naming every bucket looked in;
    a malformed id, or no bucket to look in, is bad input (:class:`UsageError`, exit 2)."""
    sid = check_submission_id(submission_id)
    if not buckets:
        raise UsageError(
            f"submission {sid}: no image bucket to look in",
            hint="give --profile with a [data] bucket",
        )
    for bucket in buckets:
        found = read_submission_journal(aws, bucket, sid)
        if found is not None:
            return found
    where = ", ".join(f"s3://{b}/{MANIFEST_PREFIX}" for b in buckets)
    raise NotFound(
        f"no submission {sid} in {where}",
        hint="check the id `batchtui submit` printed, and --profile",
    )


def list_submissions(aws: Aws, bucket: str) -> list[tuple[str, float]]:
    """(submission id, when its journal was last written, epoch seconds) of the journals in
    ``bucket``, newest first: one ListObjectsV2 page. A bucket that does not exist has none."""
    try:
        page = aws.call("s3", "ListObjectsV2", Bucket=bucket, Prefix=MANIFEST_PREFIX,
                        MaxKeys=LIST_PAGE)  # fmt: skip
    except NotFound:
        return []
    found = []
    for obj in page.get("Contents", []):
        key = str(obj.get("Key", ""))
        sid, _, name = key.removeprefix(MANIFEST_PREFIX).partition("/")
        if name == JOURNAL_NAME and len(sid) == ID_LENGTH:
            modified = obj.get("LastModified")
            at = modified.timestamp() if isinstance(modified, datetime) else 0.0
            found.append((sid, at))
    found.sort(key=lambda f: (-f[1], f[0]))
    return found


def read_progress(aws: Aws, read: JournalRead, previous: Progress | None = None) -> Progress:
    """The submission's progress now. ``previous`` (the last reading of the same submission)
    saves the ListJobs of arrays whose failed count has not changed since."""
    ids = read.journal.job_ids
    array_ids = {int(step.removeprefix("array-")): job_id for step, job_id in ids.items()
                 if step.startswith("array-")}  # fmt: skip
    wanted = list(ids.values())
    counts = read.counts
    shapes = {s.index: s for s in array_shapes(*counts)} if counts else {}
    short_children = {
        index: f"{array_ids[index]}:{shape.children - 1}"
        for index, shape in shapes.items()
        if index in array_ids
        and shape.children >= 2
        and shape.last_child_images < shape.images_per_job
    }
    jobs = {j.job_id: j for j in describe_jobs(aws, wanted + list(short_children.values()))}
    if counts is None:
        counts = _counts_from_jobs([jobs[i] for i in array_ids.values() if i in jobs])
        shapes = {s.index: s for s in array_shapes(*counts)} if counts else {}
    arrays = []
    for index, job_id in sorted(array_ids.items()):
        job = jobs.get(job_id)
        shape = shapes.get(index) or ArrayShape(index, 1, 0, counts[1] if counts else 1)
        short = jobs.get(short_children.get(index, ""))
        arrays.append(_array_state(shape, job_id, job, short.status if short else None))
    steps = tuple(
        _step_state(step, job_id, jobs.get(job_id))
        for step, job_id in ids.items()
        if not step.startswith("array-")
    )
    image_count, per_job = (counts.image_count, counts.images_per_job) if counts else (0, 1)
    pending = _pending(read, shapes)
    failed = _failed_children(aws, arrays, jobs, previous)
    return Progress(
        submission_id=read.submission_id,
        bucket=read.bucket,
        image_count=image_count,
        images_per_job=per_job,
        arrays=tuple(arrays),
        steps=steps,
        pending_steps=pending,
        failed_children=failed,
        observed_at=aws.server_time if aws.server_time is not None else time.time(),
    )


def _step_state(step: str, job_id: str, job: Job | None) -> StepState:
    if job is None:
        return StepState(step, job_id)
    return StepState(step, job_id, job.job_name, job.status, job.status_reason)


def _pending(read: JournalRead, shapes: dict[int, ArrayShape]) -> tuple[str, ...]:
    if read.complete:
        return ()
    ids = read.journal.job_ids
    missing = [array_step(i) for i in sorted(shapes) if array_step(i) not in ids]
    return (*missing, SUMMARY_STEP) if SUMMARY_STEP not in ids else tuple(missing)


def _counts_from_jobs(arrays: Iterable[Job]) -> ImageCounts | None:
    """A journal without its counts: the images per child from the array jobs' environment,
    every child counted full (at most one image too many per array). Such a journal predates
    chosen array sizes: its arrays were filled evenly."""
    children, per_job = 0, 0
    for job in arrays:
        env = dict(job.container.environment) if job.container else {}
        per_job = per_job or int(env.get("IMAGES_PER_JOB", "0") or 0)
        children += job.array_size or 1
    if not per_job or not children:
        return None
    return ImageCounts(children * per_job, per_job)


def _array_state(shape: ArrayShape, job_id: str, job: Job | None, short: str | None) -> ArrayState:
    if job is None:  # past Batch's retention, or not visible yet: nothing known of it
        return ArrayState(shape, job_id)
    if job.array_size:
        by_status = child_statuses(job.array_status_summary)
    else:  # one slice: a plain job is its own only child
        by_status = {job.status: 1}
        short = job.status
    return ArrayState(
        shape, job_id, job.job_name, job.status, by_status, short, job.started_at, job.queue_name
    )


def _failed_children(
    aws: Aws, arrays: Sequence[ArrayState], jobs: dict[str, Job], previous: Progress | None
) -> tuple[FailedChild, ...]:
    before = {a.job_id: a.count("FAILED") for a in previous.arrays} if previous else {}
    kept: dict[str, list[FailedChild]] = {}
    for child in previous.failed_children if previous else ():
        kept.setdefault(child.job_id.partition(":")[0], []).append(child)
    out: list[FailedChild] = []
    listed = 0
    for array in arrays:
        failed = array.count("FAILED")
        if not failed:
            continue
        job = jobs.get(array.job_id)
        if job is not None and not job.array_size:
            out.append(FailedChild(job.job_id, job.job_name, None, job.status_reason,
                                   job.container.exit_code if job.container else None,
                                   job.stopped_at))  # fmt: skip
            continue
        if before.get(array.job_id) == failed and array.job_id in kept:
            out.extend(kept[array.job_id])
            continue
        if listed >= FAILED_ARRAYS:
            continue
        listed += 1
        page = aws.call("batch", "ListJobs", arrayJobId=array.job_id, jobStatus="FAILED",
                        maxResults=FAILED_PAGE)  # fmt: skip
        for d in page.get("jobSummaryList", []):
            out.append(
                FailedChild(
                    str(d["jobId"]),
                    str(d.get("jobName", "")),
                    (d.get("arrayProperties") or {}).get("index"),
                    str(d.get("statusReason", "") or ""),
                    (d.get("container") or {}).get("exitCode"),
                    d.get("stoppedAt"),
                )
            )
    return tuple(out)
