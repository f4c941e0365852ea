"""What a submission is, and its id: the profile, the image set and the options, hashed.

The same profile file, the same images (keys and ETags) and the same options always give the
same id; any change to one of them gives another. So a re-run of an interrupted submission finds
its own journal, manifests and jobs by the id, and a changed image set is a new submission.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass

from batchtui.errors import UsageError
from batchtui.model import SUBMISSIONS_PREFIX

#: Where manifests and the journal go in the image bucket, under the submission's id. Keys under
#: it are never images (a listing of the whole bucket would otherwise find them).
MANIFEST_PREFIX = SUBMISSIONS_PREFIX
ID_LENGTH = 16  # hex digits: 64 bits


@dataclass(frozen=True, order=True)
class Image:
    """One image of the set: its S3 key and ETag (without the quotes S3 puts around it)."""

    key: str
    etag: str


@dataclass(frozen=True)
class ProfileRef:
    """The profile a submission runs: its name and the SHA-256 of its file's bytes."""

    name: str
    sha256: str


#: AWS Batch takes 2 to 10,000 children per array job.
MIN_ARRAY_SIZE = 2
MAX_ARRAY_SIZE = 10_000


@dataclass(frozen=True)
class SubmitOptions:
    """What shapes a submission besides its profile and images.

    ``array_size``: the most children an array job gets (the profile's ``workload.array_size``),
    every array full but the last; None: as few arrays as AWS's 10,000 allows, evenly filled.
    """

    bucket: str
    images_per_job: int
    manifest_prefix: str = MANIFEST_PREFIX
    array_size: int | None = None

    def __post_init__(self) -> None:
        if self.images_per_job < 1:
            raise UsageError(f"images per job must be at least 1 (got {self.images_per_job})")
        if not self.bucket:
            raise UsageError("the image bucket is not named")
        if self.array_size is not None and not (
            MIN_ARRAY_SIZE <= self.array_size <= MAX_ARRAY_SIZE
        ):
            raise UsageError(
                f"children per array job must be {MIN_ARRAY_SIZE} to {MAX_ARRAY_SIZE:,}, as AWS "
                f"Batch takes (got {self.array_size:,})"
            )


def profile_ref(name: str, content: bytes) -> ProfileRef:
    """The profile's reference from its name and its file's bytes (read by the caller)."""
    return ProfileRef(name, hashlib.sha256(content).hexdigest())


def normalize_etag(etag: str) -> str:
    """S3 quotes ETags (``"abc"``); the set, the manifests and the table hold them bare."""
    return etag.strip('"')


def image_set(images: Iterable[Image], options: SubmitOptions) -> tuple[Image, ...]:
    """The images sorted by key, without the submissions' own objects (manifests, journals).

    A key given twice is bad input: an image is tagged once, so it must be listed once.
    """
    kept = sorted(
        Image(i.key, normalize_etag(i.etag))
        for i in images
        if not i.key.startswith(options.manifest_prefix)
    )
    for before, after in itertools.pairwise(kept):
        if before.key == after.key:
            raise UsageError(f"image key {after.key!r} is listed twice")
    return tuple(kept)


def image_set_digest(images: tuple[Image, ...]) -> str:
    """SHA-256 of the sorted keys and ETags, one JSON pair a line (no key can break it)."""
    digest = hashlib.sha256()
    for image in images:
        digest.update(json.dumps([image.key, image.etag], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def submission_id(profile: ProfileRef, digest: str, options: SubmitOptions) -> str:
    """The submission's id: a hash of the profile, the image set's digest and the options.

    Every option that changes the layout is in it, so a re-run finds its own journal and never
    one of another layout. ``arraySize`` is hashed only when set: a submission laid out by
    AWS's limit keeps the id it had before the array size could be chosen, so it still resumes.
    """
    what: dict[str, object] = {
        "profile": {"name": profile.name, "sha256": profile.sha256},
        "imageSetSha256": digest,
        "bucket": options.bucket,
        "imagesPerJob": options.images_per_job,
    }
    if options.array_size is not None:
        what["arraySize"] = options.array_size
    canonical = json.dumps(what, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:ID_LENGTH]
