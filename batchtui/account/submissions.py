"""The submissions a user can watch, and one reading of them, for ``submit --status`` and the
TUI's ``:submissions`` view.

Where they are found: the journals under ``batchtui/submissions/`` in the image buckets of the
planning profiles in ./profiles (their ``[data] bucket``; on the sandbox the bundled ones too),
or of the one profile or bucket named. The journal
is what ``batchtui submit`` writes first and keeps up to date, and it names every job, so no
queue has to be listed to find a submission's jobs (ListJobs cannot filter by tag).

What a reading costs is bounded: one ListObjectsV2 page per bucket, then for each of the
:data:`MAX_SUBMISSIONS` newest journals the calls of :func:`~batchtui.aws.submissions.read_progress`,
except for what cannot change any more: a complete journal is not read again, and a finished
submission (SUCCEEDED or FAILED) is not read again until the user asks (``r``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from batchtui.errors import BatchtuiError, UsageError

if TYPE_CHECKING:
    from batchtui.aws.session import Aws
    from batchtui.aws.submissions import JournalRead
    from batchtui.submission.progress import Progress

#: Submissions read at once, the newest journals first.
MAX_SUBMISSIONS = 20
FINISHED = ("SUCCEEDED", "FAILED")


def image_buckets(profile: str | None, *, sandbox: bool = False) -> list[str]:
    """The buckets to look for journals in: ``profile``'s (a name or a path), or the buckets of
    the planning profiles in ./profiles; on the sandbox the bundled profiles' too (they name
    its demo bucket). On AWS the bundled profiles are never read from: their buckets are
    examples (``example-image-tagging``), names anyone may own."""
    from batchtui.profiles import load_profile  # the profiles: when a reading starts

    if profile:
        bucket = load_profile(profile).data.bucket
        if not bucket:
            raise UsageError(
                f"profile {profile!r} names no image bucket", hint="add bucket = ... under [data]"
            )
        return [bucket]
    from batchtui.account.plan_facts import profile_names  # the planner: as above

    own = Path.cwd() / "profiles"
    names = profile_names() if sandbox else sorted(p.stem for p in own.glob("*.toml"))
    buckets: list[str] = []
    for name in names:
        try:
            bucket = load_profile(str(own / f"{name}.toml") if not sandbox else name).data.bucket
        except BatchtuiError:  # another profile's problem is not this reading's
            continue
        if bucket and bucket not in buckets:
            buckets.append(bucket)
    if not buckets:
        raise UsageError(
            "no planning profile in ./profiles names an image bucket to look for submissions in",
            hint="name one: --profile P, or s3://BUCKET (:submissions s3://BUCKET in the TUI)",
        )
    return buckets


def buckets_named(what: str, *, sandbox: bool = False) -> list[str]:
    """``:submissions`` argument: ``s3://bucket``, a profile (name or path), or nothing (every
    profile's bucket)."""
    what = what.strip()
    if what.startswith("s3://"):
        bucket = what.removeprefix("s3://").strip("/")
        if not bucket:
            raise UsageError(f"{what!r}: names no bucket", hint="e.g. s3://my-images")
        return [bucket]
    return image_buckets(what or None, sandbox=sandbox)


@dataclass(frozen=True)
class Watched:
    """One submission as last read: its journal and its progress."""

    read: JournalRead
    progress: Progress

    @property
    def finished(self) -> bool:
        return self.progress.status in FINISHED


@dataclass(frozen=True)
class SubmissionsRead:
    """A reading of every submission found, newest first."""

    buckets: tuple[str, ...]
    submissions: tuple[Watched, ...]
    #: Journals found beyond :data:`MAX_SUBMISSIONS` (not read).
    left_out: int = 0


def load_submissions(
    aws: Aws,
    buckets: Sequence[str],
    previous: Mapping[str, Watched] | None = None,
    *,
    full: bool = False,
) -> SubmissionsRead:
    """Every submission in ``buckets`` (the newest :data:`MAX_SUBMISSIONS`), reusing from
    ``previous`` what cannot have changed unless ``full`` (the user asked for a re-read)."""
    # boto3: the reading runs in a worker once connected, never at start-up.
    from batchtui.aws.submissions import list_submissions, read_progress, read_submission_journal

    before = previous or {}
    found: list[tuple[float, str, str]] = []
    for bucket in buckets:
        found += [(at, sid, bucket) for sid, at in list_submissions(aws, bucket)]
    found.sort(key=lambda f: (-f[0], f[1]))
    out: list[Watched] = []
    for _, sid, bucket in found[:MAX_SUBMISSIONS]:
        known = before.get(sid)
        if known is not None and known.read.bucket != bucket:
            known = None
        if known is not None and known.finished and not full:
            out.append(known)
            continue
        journal = known.read if known is not None and known.read.complete else None
        if journal is None:
            journal = read_submission_journal(aws, bucket, sid)
        if journal is None:  # deleted since the listing
            continue
        progress = read_progress(aws, journal, known.progress if known and not full else None)
        out.append(Watched(journal, progress))
    return SubmissionsRead(tuple(buckets), tuple(out), max(0, len(found) - MAX_SUBMISSIONS))
