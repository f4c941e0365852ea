"""The worker's settings, from the environment Batch gives the container."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(Exception):
    """A required setting is missing or malformed; the job fails with exit code 2."""


def _need(e: Mapping[str, str], name: str) -> str:
    value = e.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set")
    return value


def _optional_number(e: Mapping[str, str], name: str) -> float | None:
    raw = e.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if value < 0 or value != value:  # NaN is not an estimate
        raise ConfigError(f"{name}={raw!r} must be a number from 0 up")
    return value


@dataclass(frozen=True)
class WorkerConfig:
    bucket: str
    table: str
    manifest_key: str | None  # an S3 object listing one image key per line
    prefix: str  # used when there is no manifest: every object under it
    images_per_job: int
    array_index: int
    job_id: str
    attempt: int
    max_labels: int
    min_confidence: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkerConfig:
        e = os.environ if env is None else env

        def need(name: str) -> str:
            return _need(e, name)

        def number(name: str, default: str, kind: type = int) -> int | float:
            raw = e.get(name, default)
            try:
                value = kind(raw)
            except ValueError:
                raise ConfigError(f"{name}={raw!r} is not a number") from None
            if value < 0:
                raise ConfigError(f"{name}={raw!r} must not be negative")
            return value

        per_job = int(number("IMAGES_PER_JOB", "100"))
        if per_job < 1:
            raise ConfigError("IMAGES_PER_JOB must be at least 1")
        return cls(
            bucket=need("IMAGE_BUCKET"),
            table=need("LABELS_TABLE"),
            manifest_key=e.get("MANIFEST_KEY") or None,
            prefix=e.get("IMAGE_PREFIX", ""),
            images_per_job=per_job,
            array_index=int(number("AWS_BATCH_JOB_ARRAY_INDEX", "0")),
            job_id=e.get("AWS_BATCH_JOB_ID", "local"),
            attempt=int(number("AWS_BATCH_JOB_ATTEMPT", "1")),
            max_labels=int(number("MAX_LABELS", "10")),
            min_confidence=float(number("MIN_CONFIDENCE", "70", float)),
        )


#: Where ``batchtui submit`` puts a submission's manifests, journal and report in the bucket.
SUBMISSION_PREFIX = "batchtui/submissions/"


@dataclass(frozen=True)
class SummaryConfig:
    """The summary job's settings: the submission, where its manifests are, the labels table
    and what ``batchtui submit`` estimated."""

    bucket: str
    table: str
    submission_id: str
    folder: str  # batchtui/submissions/<id>/: manifests, journal.json, report.json
    manifest_keys: tuple[str, ...]  # empty: every ``.jsonl`` object in the folder
    journal_key: str
    estimated_vcpu_hours: float | None
    estimated_cost_usd: float | None

    @property
    def report_key(self) -> str:
        return f"{self.folder}report.json"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SummaryConfig:
        e = os.environ if env is None else env
        sid = _need(e, "SUBMISSION_ID")
        if "/" in sid or sid in (".", ".."):
            raise ConfigError(f"SUBMISSION_ID={sid!r} is not a submission id")
        prefix = e.get("SUBMISSION_PREFIX", SUBMISSION_PREFIX)
        if prefix and not prefix.endswith("/"):
            raise ConfigError(f"SUBMISSION_PREFIX={prefix!r} must end with '/'")
        folder = f"{prefix}{sid}/"
        manifests = tuple(k.strip() for k in e.get("MANIFEST_KEYS", "").split(",") if k.strip())
        return cls(
            bucket=_need(e, "IMAGE_BUCKET"),
            table=_need(e, "LABELS_TABLE"),
            submission_id=sid,
            folder=folder,
            manifest_keys=manifests,
            journal_key=e.get("JOURNAL_KEY", "").strip() or f"{folder}journal.json",
            estimated_vcpu_hours=_optional_number(e, "ESTIMATED_VCPU_HOURS"),
            estimated_cost_usd=_optional_number(e, "ESTIMATED_COST_USD"),
        )
