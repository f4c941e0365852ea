"""The image-tagging submission, planned without I/O: its id, its array jobs and manifests, the
fan-in to the summary job, and the journal a re-run reads to submit nothing twice.

Pure, like the planner: it gets the profile's bytes, the image listing (keys and ETags) and the
options as values; listing S3, writing manifests and calling SubmitJob belong to the caller.

- :mod:`.identity` — the image set and the submission id;
- :mod:`.layout` — arrays of at most 10,000 children (or the profile's array size), manifests, names, tags, fan-in jobs;
- :mod:`.journal` — which steps are submitted (JSON), and which are still to do;
- :mod:`.requests` — each step's SubmitJob parameters, its dependencies as job ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from batchtui.errors import UsageError
from batchtui.submission.identity import (
    MANIFEST_PREFIX,
    MAX_ARRAY_SIZE,
    MIN_ARRAY_SIZE,
    Image,
    ProfileRef,
    SubmitOptions,
    image_set,
    image_set_digest,
    normalize_etag,
    profile_ref,
    submission_id,
)
from batchtui.submission.journal import Journal, pending_steps, read_journal
from batchtui.submission.layout import (
    MAX_DEPENDENCIES,
    SUMMARY_STEP,
    ArraySlice,
    FanIn,
    Layout,
    array_sizes,
    array_step,
    manifest_body,
    plan_layout,
)
from batchtui.submission.requests import submit_request


def plan_submission(
    profile: ProfileRef, images: Iterable[Image], options: SubmitOptions
) -> tuple[Layout, tuple[Image, ...]]:
    """The submission's layout and its image set (sorted; what the manifests list)."""
    kept = image_set(images, options)
    if not kept:
        raise UsageError(f"no images to submit in s3://{options.bucket}")
    sid = submission_id(profile, image_set_digest(kept), options)
    return plan_layout(sid, profile.name, len(kept), options), kept


__all__ = [
    "MANIFEST_PREFIX",
    "MAX_ARRAY_SIZE",
    "MAX_DEPENDENCIES",
    "MIN_ARRAY_SIZE",
    "SUMMARY_STEP",
    "ArraySlice",
    "FanIn",
    "Image",
    "Journal",
    "Layout",
    "ProfileRef",
    "SubmitOptions",
    "array_sizes",
    "array_step",
    "image_set",
    "image_set_digest",
    "manifest_body",
    "normalize_etag",
    "pending_steps",
    "plan_layout",
    "plan_submission",
    "profile_ref",
    "read_journal",
    "submission_id",
    "submit_request",
]
