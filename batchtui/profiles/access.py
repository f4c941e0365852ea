"""What a profile says about access: where the workload's data lives and the roles it runs as.

Two optional tables. ``[data]`` names the S3 bucket and prefixes the image-tagging worker reads
and writes and its DynamoDB labels table; each may instead come from the job definition's
environment, the variables the worker reads (IMAGE_BUCKET, IMAGE_PREFIX, MANIFEST_PREFIX,
LABELS_TABLE). ``[iam]`` names the job role (and, when the compute environments give only
names, the account). They are checked for form when the profile loads; what generating the IAM
setup needs is asked for by :func:`require_access`, naming the key, and the line to add it at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from batchtui.errors import ProfileError
from batchtui.profiles.validation import Check, Field, Problems, check_table

#: S3's bucket naming rules (general purpose buckets): 3-63 lowercase letters, digits, dots,
#: hyphens, starting and ending with a letter or digit.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_TABLE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")  # DynamoDB table names
_ROLE = re.compile(r"^[\w+=,.@-]{1,64}$")  # IAM role and policy names
_ACCOUNT = re.compile(r"^\d{12}$")
#: Where the S3-event handler writes its manifests unless MANIFEST_PREFIX says otherwise.
DEFAULT_MANIFEST_PREFIX = "manifests/"
#: Where the worker's environment says the same thing as a [data] key.
ENVIRONMENT_NAMES = {
    "bucket": "IMAGE_BUCKET",
    "images_prefix": "IMAGE_PREFIX",
    "manifest_prefix": "MANIFEST_PREFIX",
    "labels_table": "LABELS_TABLE",
}


def _matches(pattern: re.Pattern[str], what: str) -> Check:
    def check(v: Any) -> str | None:
        return None if pattern.match(v) else f"{v!r} is not {what}"

    return check


def _prefix(v: Any) -> str | None:
    if v.startswith("/"):
        return f"must not start with '/' (S3 keys do not; got {v!r})"
    if any(c in v for c in "*?"):
        return f"must not hold '*' or '?' (they are wildcards in an IAM policy; got {v!r})"
    if v and not v.endswith("/"):
        return f"must end with '/', so the role reaches that folder only (got {v!r})"
    return None


DATA = {
    "bucket": Field(str, check=_matches(_BUCKET, "an S3 bucket name (3-63 a-z, 0-9, '.', '-')")),
    "images_prefix": Field(str, check=_prefix),
    "manifest_prefix": Field(str, check=_prefix),
    "labels_table": Field(str, check=_matches(_TABLE, "a DynamoDB table name")),
}
IAM = {
    "account_id": Field(str, check=_matches(_ACCOUNT, "a 12-digit AWS account id")),
    "job_role": Field(str, check=_matches(_ROLE, "an IAM role name (1-64 characters)")),
    "job_policy": Field(str, check=_matches(_ROLE, "an IAM policy name (1-64 characters)")),
    "instance_role": Field(str, check=_matches(_ROLE, "an IAM role name (1-64 characters)")),
}


@dataclass(frozen=True)
class DataSpec:
    """``[data]``, with what the job definition's environment adds; "" when not given."""

    bucket: str = ""
    images_prefix: str | None = None
    manifest_prefix: str | None = None
    labels_table: str = ""
    line: int = 0  # of the [data] table; 0 when the profile has none
    #: Key -> (dotted key, line) of the environment variable it was read from, when it was.
    from_environment: Mapping[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def manifests(self) -> str:
        """Where the S3-event handler writes its manifests: ``manifest_prefix`` or its default."""
        return self.manifest_prefix if self.manifest_prefix is not None else DEFAULT_MANIFEST_PREFIX


@dataclass(frozen=True)
class IamSpec:
    account_id: str = ""
    job_role: str = ""
    job_policy: str = ""
    instance_role: str = ""
    line: int = 0  # of the [iam] table; 0 when the profile has none


def build_data(d: Any, environment: dict[str, str], problems: Problems) -> DataSpec | None:
    """``[data]`` checked, each key filled from the environment's variable where not given;
    a key and its variable that disagree is a problem. A value read from the environment is
    the worker's setting, checked only when the IAM setup is made of it (:func:`require_access`):
    a profile that only plans loads as it did."""
    v = check_table(d, DATA, "data", problems)
    if v is None:
        return None
    ok = True
    sources: dict[str, tuple[str, int]] = {}
    for key, variable in ENVIRONMENT_NAMES.items():
        from_env = environment.get(variable)
        if from_env is None:
            continue
        if v[key] is not None and v[key] != from_env:
            problems.add(
                f"data.{key}",
                f"{v[key]!r} differs from job_definition.environment.{variable} ({from_env!r}); "
                "the worker reads the environment: make them the same",
            )
            ok = False
        elif v[key] is None:
            dotted = f"job_definition.environment.{variable}"
            sources[key] = (dotted, problems.lines.line_of(dotted))
            v[key] = from_env
    if not ok:
        return None
    return DataSpec(
        bucket=v["bucket"] or "",
        images_prefix=v["images_prefix"],
        manifest_prefix=v["manifest_prefix"],
        labels_table=v["labels_table"] or "",
        line=problems.lines.lines.get("data", 0),
        from_environment=sources,
    )


def build_iam(d: Any, problems: Problems) -> IamSpec | None:
    v = check_table(d, IAM, "iam", problems)
    if v is None:
        return None
    return IamSpec(
        **{k: v[k] or "" for k in IAM},
        line=problems.lines.lines.get("iam", 0),
    )


def require_access(
    path: str, data: DataSpec, iam: IamSpec, needed: list[tuple[str, str, Any]]
) -> None:
    """Raise one :class:`ProfileError` naming each ``(dotted key, what it is, value)`` of
    ``needed`` whose value is empty, at the line of its table (or saying to add the table),
    and each value read from the environment that an IAM policy cannot take, at its line."""
    problems = []
    for key, (dotted, line) in data.from_environment.items():
        check = DATA[key].check
        message = check(getattr(data, key)) if check is not None else None
        if message:
            where = f"{path}:{line}" if line else path
            problems.append(f"{where}: {dotted}: {message} (or set data.{key})")
    for key, what, value in needed:
        if value:
            continue
        table, _, name = key.partition(".")
        line = data.line if table == "data" else iam.line
        where = f"{path}:{line}" if line else path
        variable = ENVIRONMENT_NAMES.get(name) if table == "data" else None
        alt = f" or job_definition.environment.{variable}" if variable else ""
        add = "" if line else f" (add a [{table}] table)"
        problems.append(f"{where}: {key}: required to generate the IAM setup: {what}; "
                        f"set it{alt}{add}")  # fmt: skip
    if problems:
        raise ProfileError(problems)
