"""The worker's settings, from the environment Batch gives the container."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(Exception):
    """A required setting is missing or malformed; the job fails with exit code 2."""


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
            value = e.get(name, "").strip()
            if not value:
                raise ConfigError(f"{name} is not set")
            return value

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
