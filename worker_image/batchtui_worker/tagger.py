"""Tag one slice of the images: ``python -m batchtui_worker.tagger``.

Array child ``i`` tags images ``[i * IMAGES_PER_JOB, (i + 1) * IMAGES_PER_JOB)`` of the manifest
(or of the sorted listing of IMAGE_PREFIX). For each image: HeadObject (size, ETag), a
consistent GetItem (is this version recorded already? then nothing more is done), a ranged GET
of its first bytes (format and pixel size: :mod:`.image_header`), DetectLabels, then one
conditional put into the labels table (:mod:`.labels_table`): an image ends with exactly one
item, ``tagged`` or ``skipped`` with the reason, whatever is retried or run twice.

SIGTERM (a spot instance reclaimed, TerminateJob) does not kill the slice mid-image: the image
under way is finished and recorded, what is left is logged, and the worker exits with
EXIT_INTERRUPTED. Exit codes (the job definition's retryStrategy evaluateOnExit keys on them):

- 0: every image of the slice is recorded (tagged, skipped, or already there);
- 1 (EXIT_TRANSIENT): some images failed transiently (throttling, service errors): retry;
- 2 (EXIT_MISCONFIGURED): a setting, the table, the bucket, the manifest or a permission is
  wrong: retrying does not help;
- 143 (EXIT_INTERRUPTED): stopped by SIGTERM before the slice was done: retry. 143 is what a
  process killed by SIGTERM reports (128 + 15), so one rule covers a worker stopped before its
  handler was installed too.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from batchtui_worker.config import ConfigError, WorkerConfig
from batchtui_worker.image_header import HEADER_CHUNK, HEADER_LIMIT, dimensions, skip_reason
from batchtui_worker.labels_table import (
    ImageVersion,
    put_once,
    recorded,
    skipped_item,
    tagged_item,
)

EXIT_DONE = 0
EXIT_TRANSIENT = 1
EXIT_MISCONFIGURED = 2
EXIT_INTERRUPTED = 143

#: Rekognition errors that retrying the same image will not fix: the image is skipped.
PERMANENT = {
    "InvalidImageFormatException",
    "ImageTooLargeException",
    "InvalidS3ObjectException",
    "InvalidParameterException",
}
#: Errors worth a few quick retries inside this attempt before giving up on the image.
TRANSIENT = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "InternalServerError",
    "ServiceUnavailableException",
    "SlowDown",
    "RequestLimitExceeded",
}
#: Errors that mean the job is set up wrong (role, bucket, table), not that one image is bad.
MISCONFIGURED = {
    "AccessDenied",
    "AccessDeniedException",
    "NoSuchBucket",
    "ResourceNotFoundException",
    "UnrecognizedClientException",
}


def log(event: str, **fields: Any) -> None:
    """One JSON line per event on stdout: Batch sends stdout to the job's CloudWatch stream."""
    print(json.dumps({"event": event, **fields}, sort_keys=True), flush=True)


def error_code(e: ClientError) -> str:
    return str(e.response.get("Error", {}).get("Code", "Unknown"))


def refusal(e: ClientError) -> str:
    """An AWS error in one line: the operation, its code and AWS's message."""
    message = e.response.get("Error", {}).get("Message", "")
    return f"{e.operation_name}: {error_code(e)}: {message}".rstrip(": ")


def manifest_keys(body: str, manifest_key: str) -> list[str]:
    """The image keys of a manifest: JSON Lines (``.jsonl``: one ``{"key": ..., "eTag": ...}``
    a line, as ``batchtui submit`` writes them) or else one key a line."""
    lines = [line for line in body.splitlines() if line.strip()]
    if manifest_key.endswith(".jsonl"):
        return [str(json.loads(line)["key"]) for line in lines]
    return [line.strip() for line in lines]


def image_keys(s3: Any, cfg: WorkerConfig) -> list[str]:
    if cfg.manifest_key:
        try:
            body = s3.get_object(Bucket=cfg.bucket, Key=cfg.manifest_key)["Body"].read()
        except ClientError as e:
            if error_code(e) in ("NoSuchKey", "404"):
                raise ConfigError(
                    f"manifest s3://{cfg.bucket}/{cfg.manifest_key} does not exist"
                ) from None
            raise
        return manifest_keys(body.decode("utf-8"), cfg.manifest_key)
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=cfg.bucket, Prefix=cfg.prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return sorted(keys)


def my_slice(keys: list[str], cfg: WorkerConfig) -> list[str]:
    start = cfg.array_index * cfg.images_per_job
    return keys[start : start + cfg.images_per_job]


class Interrupted(Exception):
    """SIGTERM came while an image waited to retry: it is left for the job's next attempt."""


def with_retries(
    call: Callable[[], Any], stopping: threading.Event, tries: int = 4, backoff: float = 0.5
) -> Any:
    """``call()``, retried on throttling and service errors with exponential backoff from
    ``backoff`` seconds; the backoff is cut short by SIGTERM (the image is then left for the
    next attempt)."""
    for attempt in range(tries):
        try:
            return call()
        except ClientError as e:
            if error_code(e) not in TRANSIENT or attempt == tries - 1:
                raise
        if stopping.wait(min(8.0, backoff * 2**attempt)):
            raise Interrupted
    raise AssertionError("unreachable")


def current_version(s3: Any, bucket: str, key: str) -> tuple[ImageVersion, int] | None:
    """The object's version and size, or None when it does not exist."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as e:
        if error_code(e) in ("404", "NoSuchKey", "NotFound"):
            return None
        if error_code(e) in ("403", "AccessDenied"):
            raise ConfigError(f"the job's role may not read s3://{bucket}/{key}") from None
        raise
    etag = str(head.get("ETag", "")).strip('"')
    modified = int(head["LastModified"].timestamp())
    return ImageVersion(bucket, key, etag, modified), int(head.get("ContentLength", 0))


def read_header(s3: Any, image: ImageVersion, size: int) -> bytes:
    """The object's first bytes, enough to tell its format and (mostly) its pixel size."""
    head = b""
    while len(head) < min(size, HEADER_LIMIT):
        end = min(size, len(head) + HEADER_CHUNK) - 1
        got = s3.get_object(
            Bucket=image.bucket,
            Key=image.key,
            Range=f"bytes={len(head)}-{end}",
            IfMatch=f'"{image.etag}"',
        )["Body"].read()
        if not got:
            break
        head += got
        if dimensions(head) is not None or not head.startswith(b"\xff\xd8"):
            break  # a PNG's size is in its first 24 bytes; only a JPEG may need more
    return head


def tag_image(
    clients: dict[str, Any], cfg: WorkerConfig, key: str, stopping: threading.Event
) -> str:
    """Tag one image and record it; returns its outcome: ``tagged``, ``skipped:<reason>``,
    ``already-recorded``, ``superseded`` or ``failed:<code>``. Raises ConfigError when the job
    is set up wrong."""
    s3, rek, ddb = clients["s3"], clients["rekognition"], clients["dynamodb"]
    reason: str | None  # why the image is skipped; None when it is tagged
    try:
        found = with_retries(lambda: current_version(s3, cfg.bucket, key), stopping)
        if found is None:
            image = ImageVersion(cfg.bucket, key, "", 0)
            attributes = skipped_item("not-found", "the object does not exist")
            reason = "not-found"
        else:
            image, size = found
            done = with_retries(lambda: recorded(ddb, cfg.table, image), stopping)
            if done is not None:
                return done
            skip = skip_reason(size, None) or skip_reason(
                size, with_retries(lambda: read_header(s3, image, size), stopping)
            )
            if skip is not None:
                attributes, reason = skipped_item(skip.reason, skip.detail), skip.reason
            else:
                attributes, reason = detect(rek, cfg, image, stopping)
        written = with_retries(
            lambda: put_once(
                ddb, cfg.table, image, attributes, job_id=cfg.job_id, attempt=cfg.attempt
            ),
            stopping,
        )
    except Interrupted:
        return "failed:interrupted"
    except ClientError as e:
        code = error_code(e)
        if code == "ResourceNotFoundException":
            raise ConfigError(f"DynamoDB table {cfg.table!r} does not exist") from None
        if code in MISCONFIGURED:
            raise ConfigError(refusal(e)) from None
        return f"failed:{code}"
    except BotoCoreError as e:  # connection refused, read timeout: the network, not the image
        return f"failed:{type(e).__name__}"
    if written != "written":
        return written
    return "tagged" if reason is None else f"skipped:{reason}"


def detect(
    rek: Any, cfg: WorkerConfig, image: ImageVersion, stopping: threading.Event
) -> tuple[dict[str, Any], str | None]:
    """The item's attributes from DetectLabels, and the skip reason when Rekognition refuses
    the image for good."""
    try:
        resp = with_retries(
            lambda: rek.detect_labels(
                Image={"S3Object": {"Bucket": image.bucket, "Name": image.key}},
                MaxLabels=cfg.max_labels,
                MinConfidence=cfg.min_confidence,
            ),
            stopping,
        )
    except ClientError as e:
        code = error_code(e)
        if code not in PERMANENT:
            raise
        message = str(e.response.get("Error", {}).get("Message", ""))
        return skipped_item(code, f"Rekognition: {message}"), code
    return tagged_item(image, resp.get("Labels", [])), None


def make_clients() -> dict[str, Any]:
    import boto3
    from botocore.config import Config

    # The SDK's own retries (throttling, 5xx, dropped connections); how many is the SDK's
    # setting (AWS_MAX_ATTEMPTS: the image sets 5), so it stays tunable per job definition.
    config = Config(retries={"mode": "adaptive"})
    return {name: boto3.client(name, config=config) for name in ("s3", "rekognition", "dynamodb")}


def stop_on_sigterm() -> threading.Event:
    """An event that SIGTERM sets: the loop checks it between images."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    return stopping


def main(argv: list[str] | None = None) -> int:
    del argv
    stopping = stop_on_sigterm()
    counts: dict[str, int] = {}
    try:
        cfg = WorkerConfig.from_env()
        clients = make_clients()
        keys = my_slice(image_keys(clients["s3"], cfg), cfg)
        log(
            "start",
            job_id=cfg.job_id,
            attempt=cfg.attempt,
            array_index=cfg.array_index,
            images=len(keys),
            bucket=cfg.bucket,
            table=cfg.table,
        )
        for done, key in enumerate(keys):
            if stopping.is_set():
                failed = sum(n for o, n in counts.items() if o.startswith("failed:"))
                log("interrupted", counts=counts, failed=failed, left=len(keys) - done, next=key)
                return EXIT_INTERRUPTED
            outcome = tag_image(clients, cfg, key, stopping)
            counts[outcome] = counts.get(outcome, 0) + 1
            log("image", key=key, outcome=outcome)
    except ConfigError as e:
        log("misconfigured", error=str(e))
        return EXIT_MISCONFIGURED
    except ClientError as e:  # reading the manifest or listing the prefix
        code = error_code(e)
        if code in MISCONFIGURED:
            log("misconfigured", error=refusal(e))
            return EXIT_MISCONFIGURED
        log("failed", error=refusal(e))
        return EXIT_TRANSIENT
    except BotoCoreError as e:
        log("failed", error=f"{type(e).__name__}: {e}")
        return EXIT_TRANSIENT
    failed = sum(n for outcome, n in counts.items() if outcome.startswith("failed:"))
    log("done", counts=counts, failed=failed)
    return EXIT_TRANSIENT if failed else EXIT_DONE


if __name__ == "__main__":
    sys.exit(main())
