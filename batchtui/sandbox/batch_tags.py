"""AWS Batch's tag rules, for every call that sets tags: the create calls, SubmitJob, TagResource.

AWS allows 50 tags per resource, keys of 1 to 128 characters and values of up to 256, and
reserves the ``aws:`` prefix for itself (users can neither set nor remove such keys). What a
resource already holds counts towards the 50 on TagResource.
"""

from __future__ import annotations

from typing import Any

from batchtui.sandbox.batch_errors import BatchApiError

MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256
RESERVED_PREFIX = "aws:"


def check_tags(tags: Any, held: dict[str, str] | None = None) -> dict[str, str]:
    """``tags`` as a resource stores them, or AWS's refusal.

    ``held`` are the tags the resource already has (TagResource adds to them).
    """
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise BatchApiError("tags must be a map of tag keys to values")
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY:
            raise BatchApiError(f"Tag key {key!r} must be 1 to {MAX_KEY} characters long")
        if key.lower().startswith(RESERVED_PREFIX):
            # AWS's wording of this refusal is a guess; the rule is documented.
            raise BatchApiError(
                f"Tag key {key!r} is not valid: the prefix 'aws:' is reserved for AWS use"
            )
        if not isinstance(value, str) or len(value) > MAX_VALUE:
            raise BatchApiError(f"Tag value of {key!r} must be a string of up to {MAX_VALUE} "
                                "characters")  # fmt: skip
    total = len(set(tags) | set(held or {}))
    if total > MAX_TAGS:
        raise BatchApiError(
            f"Too many tags: a resource can have at most {MAX_TAGS} tags, this request would "
            f"give it {total}"
        )
    return dict(tags)


def check_untag(keys: list[str]) -> None:
    """UntagResource refuses ``aws:`` keys as TagResource does."""
    for key in keys:
        if key.lower().startswith(RESERVED_PREFIX):
            raise BatchApiError(
                f"Tag key {key!r} is not valid: the prefix 'aws:' is reserved for AWS use"
            )


def propagation_refused(job: Any) -> str | None:
    """Why a job fails at once: with propagateTags, its tags and its job definition's together
    go to its ECS task, and more than 50 fail the job (AWS documents this; the reason's words
    are the sandbox's)."""
    if not job.propagate_tags:
        return None
    total = len(set(job.tags or {}) | set(job.job_def.tags))
    if total <= MAX_TAGS:
        return None
    return (
        f"The job's tags and its job definition's make {total} tags to propagate to its task; "
        f"at most {MAX_TAGS} are allowed"
    )
