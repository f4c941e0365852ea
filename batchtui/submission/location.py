"""Where the images are: ``s3://bucket/prefix/`` read into a bucket and a key prefix."""

from __future__ import annotations

import re

from batchtui.errors import UsageError

#: S3's bucket naming rules (general purpose buckets): 3 to 63 lowercase letters, digits, dots
#: and hyphens, starting and ending with a letter or digit.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_EXAMPLE = "e.g. --images s3://my-bucket/photos/"


def parse_images_url(url: str, option: str = "--images") -> tuple[str, str]:
    """``s3://bucket/prefix/`` -> ``("bucket", "prefix/")``; the prefix may be empty."""
    if not url.startswith("s3://"):
        raise UsageError(f"{option} {url!r}: not an s3:// URL", hint=_EXAMPLE)
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise UsageError(
            f"{option} {url!r}: {bucket!r} is not an S3 bucket name "
            "(3 to 63 lowercase letters, digits, dots and hyphens)",
            hint=_EXAMPLE,
        )
    if any(c in prefix for c in "*?"):
        raise UsageError(f"{option} {url!r}: a prefix is a folder, not a pattern", hint=_EXAMPLE)
    return bucket, prefix
