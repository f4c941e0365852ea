"""A submission's I/O: list the images, write the manifests, read and write the journal, find
jobs already submitted, and submit the rest, each exactly once.

The plan (id, arrays, fan-in, requests) is :mod:`batchtui.submission`'s; this module only
carries it out. Safe to repeat: before any SubmitJob the journal is read (a local copy and the
one in S3 beside the manifests, so another machine sees it) and the queue is searched for the
submission's job names (ListJobs' JOB_NAME filter on its name prefix), which finds a job whose
SubmitJob answered but whose journal write never happened (a crash, Ctrl-C, a lost network).
After each SubmitJob the journal is written locally first (cheap, survives a lost network), then
to S3.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batchtui.aws.errors import ChangeMayHaveRun
from batchtui.aws.session import Aws, AwsTarget
from batchtui.errors import AwsError, NotFound, UsageError
from batchtui.submission import Image, Journal, Layout, manifest_body, read_journal
from batchtui.submission.identity import normalize_etag
from batchtui.submission.journal import pending_steps
from batchtui.submission.layout import array_step, job_name_prefix
from batchtui.submission.pacing import TokenBucket
from batchtui.submission.requests import submit_request
from batchtui.submission.status import FOUND, JOURNALED, PENDING, SUBMITTED, StepState
from batchtui.wording import count

LIST_PAGE = 1000  # ListObjectsV2's largest page
FIND_PAGE = 100  # ListJobs' largest page with a filter

Progress = Callable[[str], None]


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where local journals live: ``$XDG_STATE_HOME/batchtui/submissions`` (``~/.local/state``)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or str(
        Path(env.get("HOME", "~")).expanduser() / ".local/state"
    )
    return Path(base) / "batchtui" / "submissions"


def list_images(aws: Aws, bucket: str, prefix: str, progress: Progress) -> list[Image]:
    """Every object under ``prefix``, 1,000 a page, with a progress line per 10 pages."""
    images: list[Image] = []
    params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": LIST_PAGE}
    pages = 0
    try:
        while True:
            page = aws.call("s3", "ListObjectsV2", **params)
            images += [Image(o["Key"], normalize_etag(o["ETag"])) for o in page.get("Contents", ())]
            pages += 1
            if not page.get("IsTruncated"):
                break
            params["ContinuationToken"] = page["NextContinuationToken"]
            if pages % 10 == 0:
                progress(
                    f"submit: listed {count(len(images), 'object')} in s3://{bucket}/{prefix} ..."
                )
    except NotFound:
        raise UsageError(
            f"--images s3://{bucket}/{prefix}: the bucket {bucket!r} does not exist",
            hint="check the bucket's name and the region",
        ) from None
    progress(f"submit: listed {count(len(images), 'object')} in s3://{bucket}/{prefix}")
    return images


@dataclass
class SubmissionState:
    """What the account holds of a submission: the journal's steps and the ones found."""

    layout: Layout
    journal: Journal
    how: dict[str, str] = field(default_factory=dict)  # step -> JOURNALED | FOUND | SUBMITTED

    @property
    def pending(self) -> list[str]:
        return pending_steps(self.layout, self.journal)

    def steps(self) -> list[StepState]:
        ids = self.journal.job_ids
        return [
            StepState(s, self.layout.job_name(s), ids.get(s), self.how.get(s, PENDING))
            for s in self.layout.steps
        ]


class SubmitFailed(AwsError):
    """A SubmitJob (or a journal write) failed: names the step and what was submitted."""

    title = "Submit failed"
    default_hint = "run the same command again: it finds what was submitted and does the rest"


def local_journal_path(layout: Layout, directory: Path, target: AwsTarget) -> Path:
    """The local journal, one per endpoint, region and credentials profile: the same images
    submitted to another account (or to a sandbox started afresh) are another submission's."""
    where = f"{target.endpoint_url or 'aws'}|{target.region}|{target.aws_profile or ''}"
    digest = hashlib.sha256(where.encode("utf-8")).hexdigest()[:8]
    return directory / f"{layout.submission_id}-{digest}.json"


@dataclass(frozen=True)
class Targets:
    """Whether Batch would take this submission's jobs: found with two reads before anything
    is listed or written."""

    queue_exists: bool
    problems: tuple[str, ...]


def check_targets(aws: Aws, job_queue: str, job_definition: str) -> Targets:
    """The profile's queue missing or DISABLED, its job definition without an ACTIVE revision."""
    problems: list[str] = []
    queues = aws.call("batch", "DescribeJobQueues", jobQueues=[job_queue]).get("jobQueues", [])
    if not queues:
        problems.append(f"job queue {job_queue!r} does not exist in {aws.target.region}")
    elif queues[0].get("state") == "DISABLED":
        problems.append(f"job queue {job_queue!r} is DISABLED: Batch refuses jobs submitted to it")
    definitions = aws.call(
        "batch", "DescribeJobDefinitions", jobDefinitionName=job_definition, status="ACTIVE"
    ).get("jobDefinitions", [])
    if not definitions:
        problems.append(
            f"job definition {job_definition!r} has no ACTIVE revision in {aws.target.region}"
        )
    return Targets(bool(queues), tuple(problems))


def read_state(aws: Aws, layout: Layout, local: Path, job_queue: str) -> SubmissionState:
    """The journals (local and S3, merged) and, when steps remain, the queue's jobs that carry
    the submission's names but no journal entry (``job_queue`` empty: a queue that does not
    exist holds none)."""
    journal = Journal(layout.submission_id)
    how: dict[str, str] = {}
    texts = [(str(local), _read_local(local)), (_s3_url(layout, layout.journal_key),
                                               _read_s3(aws, layout.bucket, layout.journal_key))]  # fmt: skip
    for where, text in texts:
        if text is None:
            continue
        for step, job_id in read_journal(text, where, layout.submission_id).job_ids.items():
            if step not in journal.job_ids:
                journal = journal.recorded(step, job_id)
                how[step] = JOURNALED
    state = SubmissionState(layout, journal, how)
    if state.pending and job_queue:
        for step, job_id in find_submitted(aws, layout, job_queue, state.pending).items():
            state.journal = state.journal.recorded(step, job_id)
            state.how[step] = FOUND
    return state


def find_submitted(
    aws: Aws, layout: Layout, job_queue: str, steps: Sequence[str]
) -> dict[str, str]:
    """Jobs in ``job_queue`` named like ``steps`` of this submission (names carry its id), the
    earliest of each name: a job submitted twice by a race is taken once, never a third time."""
    wanted = {layout.job_name(s): s for s in steps}
    prefix = job_name_prefix(layout.profile_name, layout.submission_id) + "-"
    params: dict[str, Any] = {
        "jobQueue": job_queue,
        "filters": [{"name": "JOB_NAME", "values": [prefix + "*"]}],
        "maxResults": FIND_PAGE,
    }
    found: dict[str, tuple[int, str]] = {}
    while True:
        page = aws.call("batch", "ListJobs", **params)
        for job in page.get("jobSummaryList", ()):
            step = wanted.get(job.get("jobName", ""))
            if step is None:
                continue
            created = int(job.get("createdAt") or 0)
            if step not in found or created < found[step][0]:
                found[step] = (created, str(job["jobId"]))
        if not page.get("nextToken"):
            break
        params["nextToken"] = page["nextToken"]
    return {step: job_id for step, (_, job_id) in found.items()}


def write_manifests(aws: Aws, layout: Layout, images: tuple[Image, ...], steps: Sequence[str],
                    progress: Progress) -> None:  # fmt: skip
    """The manifest of every array among ``steps`` (the same bytes however often written)."""
    todo = [a for a in layout.arrays if array_step(a.index) in steps]
    for array in todo:
        aws.call("s3", "PutObject", Bucket=layout.bucket, Key=array.manifest_key,
                 Body=manifest_body(images, array), ContentType="application/x-ndjson")  # fmt: skip
    if todo:
        where = _s3_url(layout, layout.folder)
        progress(f"submit: wrote {count(len(todo), 'manifest')} to {where}")


def submit_pending(
    aws: Aws,
    state: SubmissionState,
    local: Path,
    *,
    job_queue: str,
    job_definition: str,
    summary_command: Sequence[str],
    progress: Progress,
    bucket: TokenBucket | None = None,
    summary_environment: Mapping[str, str] | None = None,
) -> SubmissionState:
    """Submit every pending step in order, writing the journal after each."""
    layout = state.layout
    pace = bucket or TokenBucket()
    pending = state.pending
    for n, step in enumerate(pending, 1):
        request = submit_request(layout, step, job_queue=job_queue, job_definition=job_definition,
                                 job_ids=state.journal.job_ids, summary_command=summary_command,
                                 summary_environment=summary_environment)  # fmt: skip
        delay = pace.delay(aws.clock())
        if delay > 0:
            aws.sleep(delay)
        try:
            job_id = str(aws.call("batch", "SubmitJob", **request)["jobId"])
            how = SUBMITTED
        except AwsError as e:
            # The answer may have been lost after Batch took the job: look before giving up.
            again = (
                find_submitted(aws, layout, job_queue, [step])
                if isinstance(e, ChangeMayHaveRun)
                else {}
            )
            if step not in again:
                raise _failed(state, step, e) from None
            job_id, how = again[step], FOUND
        state.journal = state.journal.recorded(step, job_id)
        state.how[step] = how
        write_journal(aws, state, local, step)
        progress(f"submit: {step} {how} as {request['jobName']} ({job_id}) [{n}/{len(pending)}]")
    return state


def write_journal(aws: Aws, state: SubmissionState, local: Path, step: str) -> None:
    layout = state.layout
    text = state.journal.to_json(layout)
    _write_local(local, text)
    try:
        aws.call("s3", "PutObject", Bucket=layout.bucket, Key=layout.journal_key,
                 Body=text.encode("utf-8"), ContentType="application/json")  # fmt: skip
    except AwsError as e:
        raise _failed(state, step, e, journaled_locally=str(local)) from None


def _failed(
    state: SubmissionState, step: str, e: AwsError, journaled_locally: str | None = None
) -> SubmitFailed:
    layout = state.layout
    done = [s for s in layout.steps if s in state.journal.job_ids]
    if journaled_locally:
        what = f"{step} was submitted, but its journal could not be written to S3 ({e.message})"
        where = f"; the journal is in {journaled_locally}"
    else:
        what = f"SubmitJob of {step} ({layout.job_name(step)}) failed: {e.message}"
        where = ""
    return SubmitFailed(
        f"submission {layout.submission_id}: {what}; already submitted: {len(done)} of "
        f"{len(layout.steps)} steps" + (f" ({', '.join(done)})" if done else "") + where
    )


def _s3_url(layout: Layout, key: str) -> str:
    return f"s3://{layout.bucket}/{key}"


def _read_s3(aws: Aws, bucket: str, key: str) -> str | None:
    try:
        answer = aws.call("s3", "GetObject", Bucket=bucket, Key=key)
    except NotFound:
        return None
    body: Any = answer["Body"]
    return str(body.read().decode("utf-8"))


def _read_local(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as e:
        raise UsageError(
            f"{path}: cannot read the submission's journal: {e.strerror or e}"
        ) from None


def _write_local(path: Path, text: str) -> None:
    """Atomically: a kill mid-write leaves the previous journal, never half of one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        raise UsageError(
            f"{path}: cannot write the submission's journal: {e.strerror or e}"
        ) from None
