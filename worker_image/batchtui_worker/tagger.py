"""Tag one slice of the images: ``python -m batchtui_worker.tagger``.

Array child ``i`` tags images ``[i * IMAGES_PER_JOB, (i + 1) * IMAGES_PER_JOB)`` of the manifest
(or of the sorted listing of IMAGE_PREFIX). Each image's labels are written to DynamoDB with a
conditional put, so a retried attempt never overwrites a newer result and re-running a slice is
harmless. Exit codes (the job definition's retryStrategy keys on them):

- 0: every image of the slice is tagged or permanently skipped (not an image, too large, gone);
- 1: some images failed transiently (throttling, service errors): retrying the job helps;
- 2: the job is misconfigured (missing settings, no such table): retrying does not help.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from batchtui_worker.config import ConfigError, WorkerConfig

#: Rekognition errors that retrying the same image will not fix.
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
}


def log(event: str, **fields: Any) -> None:
    """One JSON line per event on stdout: Batch sends stdout to the job's CloudWatch stream."""
    print(json.dumps({"event": event, **fields}, sort_keys=True), flush=True)


def image_keys(s3: Any, cfg: WorkerConfig) -> list[str]:
    if cfg.manifest_key:
        body = s3.get_object(Bucket=cfg.bucket, Key=cfg.manifest_key)["Body"].read()
        return [line.strip() for line in body.decode("utf-8").splitlines() if line.strip()]
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=cfg.bucket, Prefix=cfg.prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return sorted(keys)


def my_slice(keys: list[str], cfg: WorkerConfig) -> list[str]:
    start = cfg.array_index * cfg.images_per_job
    return keys[start : start + cfg.images_per_job]


def with_retries(call: Callable[[], Any], sleep: Callable[[float], None], tries: int = 4) -> Any:
    from botocore.exceptions import ClientError

    for attempt in range(tries):
        try:
            return call()
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if code not in TRANSIENT or attempt == tries - 1:
                raise
            sleep(min(8.0, 0.5 * 2**attempt))
    raise AssertionError("unreachable")


def tag_images(
    clients: dict[str, Any],
    cfg: WorkerConfig,
    keys: list[str],
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[tuple[str, str]]:
    """Tag each key; yields (key, outcome) with outcome tagged | skipped:<code> | failed:<code>."""
    from botocore.exceptions import ClientError

    rek, ddb = clients["rekognition"], clients["dynamodb"]
    for key in keys:
        try:
            resp = with_retries(
                functools.partial(
                    rek.detect_labels,
                    Image={"S3Object": {"Bucket": cfg.bucket, "Name": key}},
                    MaxLabels=cfg.max_labels,
                    MinConfidence=cfg.min_confidence,
                ),
                sleep,
            )
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "Unknown")
            yield key, (f"skipped:{code}" if code in PERMANENT else f"failed:{code}")
            continue
        labels = [
            {"M": {"name": {"S": lb["Name"]}, "confidence": {"N": f"{lb['Confidence']:.2f}"}}}
            for lb in resp.get("Labels", [])
        ]
        try:
            with_retries(
                functools.partial(
                    ddb.put_item,
                    TableName=cfg.table,
                    Item={
                        "image_key": {"S": f"s3://{cfg.bucket}/{key}"},
                        "labels": {"L": labels},
                        "job_id": {"S": cfg.job_id},
                        "attempt": {"N": str(cfg.attempt)},
                        "tagged_at": {"N": str(int(time.time()))},
                    },
                    # A later attempt's result wins; an older one never overwrites it.
                    ConditionExpression="attribute_not_exists(image_key) OR attempt <= :a",
                    ExpressionAttributeValues={":a": {"N": str(cfg.attempt)}},
                ),
                sleep,
            )
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "Unknown")
            if code == "ConditionalCheckFailedException":
                yield key, "skipped:newer-result-exists"
                continue
            if code == "ResourceNotFoundException":
                raise ConfigError(f"DynamoDB table {cfg.table!r} does not exist") from None
            yield key, f"failed:{code}"
            continue
        yield key, "tagged"


def make_clients() -> dict[str, Any]:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "adaptive", "max_attempts": 5})
    return {name: boto3.client(name, config=config) for name in ("s3", "rekognition", "dynamodb")}


def main(argv: list[str] | None = None) -> int:
    del argv
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
        counts: dict[str, int] = {}
        for key, outcome in tag_images(clients, cfg, keys):
            counts[outcome] = counts.get(outcome, 0) + 1
            log("image", key=key, outcome=outcome)
    except ConfigError as e:
        log("misconfigured", error=str(e))
        return 2
    failed = sum(n for outcome, n in counts.items() if outcome.startswith("failed:"))
    log("done", counts=counts, failed=failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
