"""The submission's report: ``python -m batchtui_worker.summary``, its last job.

It runs after every array job of the submission has succeeded. It reads the submission's
manifests (JSON Lines, in ``batchtui/submissions/<id>/`` of the image bucket), looks up each
image's item in the labels table (BatchGetItem, 100 keys a request) and writes
``batchtui/submissions/<id>/report.json``: how many images were tagged, skipped (by reason, with
their keys) and missing (no item: the image failed, or its slice never ran), the labels found
most often, and the vCPU-hours ``batchtui submit`` estimated against those the array jobs used
(their attempts' run times from DescribeJobs, when the job role may call it; else null, and the
report says why). The report's fields are camelCase, as batchtui's JSON output.

Exit codes as the tagger's: 0 the report is written (whatever it counts), 1 a transient failure
(throttling or service errors the SDK's retries did not get past, the network), 2 misconfigured
(a setting, the bucket, the table, no manifest, a permission).
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from batchtui_worker.config import ConfigError, SummaryConfig
from batchtui_worker.tagger import (
    EXIT_DONE,
    EXIT_MISCONFIGURED,
    EXIT_TRANSIENT,
    MISCONFIGURED,
    error_code,
    log,
    manifest_keys,
    refusal,
    stop_on_sigterm,
)

REPORT_VERSION = 1
#: BatchGetItem takes at most 100 keys a request; DescribeJobs 100 job ids.
BATCH_GET_KEYS = 100
DESCRIBE_JOBS_IDS = 100
#: Keys listed per skip reason and for the missing images; the counts are always whole.
KEYS_LISTED = 100
TOP_LABELS = 20
#: Refusals that mean the job role may not call DescribeJobs: the actual usage is left out.
_NOT_ALLOWED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}


class Incomplete(Exception):
    """BatchGetItem still left keys unprocessed after the SDK's number of attempts."""


@dataclass
class Tally:
    """What the table says of the submission's images, counted as the items are read."""

    images: int = 0
    tagged: int = 0
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> keys
    missing: list[str] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, item: dict[str, Any] | None) -> None:
        """Count one image (its S3 key) from its item, None when the table has none."""
        self.images += 1
        if item is None:
            self.missing.append(key)
            return
        status = item.get("status", {}).get("S")
        if status == "tagged":
            self.tagged += 1
            names = {
                lb.get("M", {}).get("name", {}).get("S")
                for lb in item.get("labels", {}).get("L", [])
            }
            self.labels.update(n for n in names if n)
        else:  # skipped, or an item batchtui did not write: count it under its reason
            reason = item.get("reason", {}).get("S") or f"status:{status}"
            self.skipped.setdefault(reason, []).append(key)


def bounded(keys: Sequence[str]) -> dict[str, Any]:
    """The first KEYS_LISTED keys, sorted, and how many were left out."""
    ordered = sorted(keys)
    return {"keys": ordered[:KEYS_LISTED], "keysOmitted": max(0, len(ordered) - KEYS_LISTED)}


def report(cfg: SummaryConfig, manifests: Sequence[str], tally: Tally,
           usage: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """The report's body: counts, skips by reason, missing images, top labels, usage."""
    skipped = sorted(tally.skipped.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    top = sorted(tally.labels.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_LABELS]
    return {
        "reportVersion": REPORT_VERSION,
        "submissionId": cfg.submission_id,
        "bucket": cfg.bucket,
        "labelsTable": cfg.table,
        "manifests": list(manifests),
        "images": tally.images,
        "tagged": tally.tagged,
        "skipped": sum(len(keys) for _, keys in skipped),
        "missing": len(tally.missing),
        "skippedByReason": [
            {"reason": reason, "count": len(keys), **bounded(keys)} for reason, keys in skipped
        ],
        "missingImages": bounded(tally.missing),
        "topLabels": [{"name": name, "images": n} for name, n in top],
        "usage": usage,
    }


def chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_items(
    batch_get: Callable[[dict[str, Any]], dict[str, Any]],
    table: str,
    image_keys: Sequence[str],
    *,
    attempts: int,
    wait: Callable[[int], None],
) -> dict[str, dict[str, Any]]:
    """``image_key`` -> item for the keys the table has, 100 keys a BatchGetItem.

    DynamoDB may answer with some keys unprocessed (throttled reads, a response over 16 MB);
    they are asked for again, up to ``attempts`` requests in all (the SDK's max attempts), with
    ``wait(attempt)`` (the SDK's backoff) before each repeat. Raises :class:`Incomplete` when
    keys are still unprocessed then."""
    found: dict[str, dict[str, Any]] = {}
    names = {"#k": "image_key", "#s": "status", "#r": "reason", "#l": "labels"}
    for chunk in chunks(image_keys, BATCH_GET_KEYS):
        request: dict[str, Any] = {
            table: {
                "Keys": [{"image_key": {"S": k}} for k in chunk],
                "ProjectionExpression": "#k, #s, #r, #l",
                "ExpressionAttributeNames": names,
                "ConsistentRead": True,
            }
        }
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                wait(attempt - 1)
            answer = batch_get(request)
            for item in answer.get("Responses", {}).get(table, []):
                found[item["image_key"]["S"]] = item
            request = answer.get("UnprocessedKeys") or {}
            if not request.get(table, {}).get("Keys"):
                break
        else:
            left = len(request[table]["Keys"])
            raise Incomplete(f"BatchGetItem left {left} keys unprocessed after {attempts} attempts")
    return found


def manifests_of(s3: Any, cfg: SummaryConfig) -> list[str]:
    """The submission's manifest keys: MANIFEST_KEYS, else the ones its journal names, else
    every ``.jsonl`` in its folder (the last needs s3:ListBucket, which the job role batchtui
    generates does not grant: the journal names them)."""
    if cfg.manifest_keys:
        return list(cfg.manifest_keys)
    text = read_text(s3, cfg.bucket, cfg.journal_key)
    if text is not None:
        try:
            named = [str(a["manifestKey"]) for a in json.loads(text).get("arrays", [])]
        except (ValueError, KeyError, TypeError, AttributeError):
            named = []
        if named:
            return named
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=cfg.bucket, Prefix=cfg.folder):
        keys += [o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(".jsonl")]
    if not keys:
        raise ConfigError(f"no manifest (*.jsonl) in s3://{cfg.bucket}/{cfg.folder}")
    return sorted(keys)


def read_text(s3: Any, bucket: str, key: str) -> str | None:
    """The object's text, None when it does not exist."""
    try:
        return str(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8"))
    except ClientError as e:
        if error_code(e) in ("NoSuchKey", "404"):
            return None
        raise


def vcpus_of(job: dict[str, Any]) -> float:
    container = job.get("container") or {}
    for r in container.get("resourceRequirements") or ():
        if r.get("type") == "VCPU":
            return float(r["value"])
    return float(container.get("vcpus") or 0)


def run_vcpu_seconds(job: dict[str, Any]) -> float:
    """vCPU-seconds of every attempt of one (non-array or child) job that ran."""
    runs = job.get("attempts") or [job]
    seconds = sum(
        (a["stoppedAt"] - a["startedAt"]) / 1000
        for a in runs
        if a.get("startedAt") and a.get("stoppedAt")
    )
    return seconds * vcpus_of(job)


def array_job_ids(journal_text: str) -> list[str]:
    """The array jobs' ids from the submission's journal (fan-ins and the summary only wait)."""
    body = json.loads(journal_text)
    return [str(a["jobId"]) for a in body.get("arrays", [])]


def actual_usage(batch: Any, job_ids: Sequence[str]) -> tuple[float, int]:
    """vCPU-hours the jobs' attempts ran (each array child's), and how many jobs were read."""
    seconds = 0.0
    children: list[str] = []
    read = 0
    for chunk in chunks(list(job_ids), DESCRIBE_JOBS_IDS):
        for job in batch.describe_jobs(jobs=list(chunk))["jobs"]:
            size = (job.get("arrayProperties") or {}).get("size")
            if size:
                children += [f"{job['jobId']}:{i}" for i in range(int(size))]
            else:
                seconds += run_vcpu_seconds(job)
                read += 1
    for chunk in chunks(children, DESCRIBE_JOBS_IDS):
        for job in batch.describe_jobs(jobs=list(chunk))["jobs"]:
            seconds += run_vcpu_seconds(job)
            read += 1
    return seconds / 3600, read


def usage(clients: dict[str, Any], cfg: SummaryConfig) -> dict[str, Any]:
    """Estimated against actual vCPU-hours; the actual is null, with the reason, when the
    journal is not there or the job role may not call DescribeJobs."""
    out: dict[str, Any] = {
        "estimatedVcpuHours": cfg.estimated_vcpu_hours,
        "estimatedCostUsd": cfg.estimated_cost_usd,
        "actualVcpuHours": None,
        "jobsRead": 0,
        "note": None,
    }
    text = read_text(clients["s3"], cfg.bucket, cfg.journal_key)
    if text is None:
        out["note"] = f"no journal at s3://{cfg.bucket}/{cfg.journal_key}: no jobs to read"
        return out
    try:
        ids = array_job_ids(text)
    except (ValueError, KeyError, TypeError, AttributeError):
        out["note"] = f"s3://{cfg.bucket}/{cfg.journal_key} is not a journal the summary can read"
        return out
    try:
        hours, read = actual_usage(clients["batch"], ids)
    except ClientError as e:
        if error_code(e) not in _NOT_ALLOWED:
            raise
        out["note"] = f"the job role may not read the jobs ({refusal(e)}): actual left out"
        return out
    out["actualVcpuHours"] = round(hours, 6)
    out["jobsRead"] = read
    return out


def make_clients() -> dict[str, Any]:
    import boto3
    from botocore.config import Config

    # The SDK's retries (AWS_MAX_ATTEMPTS, adaptive), as the tagger's.
    config = Config(retries={"mode": "adaptive"})
    return {name: boto3.client(name, config=config) for name in ("s3", "dynamodb", "batch")}


def sdk_backoff(stopping: threading.Event) -> Callable[[int], None]:
    """Waits as the SDK's standard backoff for DynamoDB would before a retry (cut short by
    SIGTERM): the repeat of a BatchGetItem's unprocessed keys is paced like any retry."""
    from botocore.retries.standard import ExponentialBackoff, RetryContext

    backoff = ExponentialBackoff(service_name="dynamodb")

    def wait(attempt: int) -> None:
        stopping.wait(backoff.delay_amount(RetryContext(attempt_number=attempt)))

    return wait


def summarize(
    clients: dict[str, Any], cfg: SummaryConfig, stopping: threading.Event
) -> dict[str, Any]:
    """Read the manifests and the table, then the jobs; the report's body."""
    s3, ddb = clients["s3"], clients["dynamodb"]
    manifests = manifests_of(s3, cfg)
    keys: list[str] = []
    for manifest in manifests:
        text = read_text(s3, cfg.bucket, manifest)
        if text is None:
            raise ConfigError(f"manifest s3://{cfg.bucket}/{manifest} does not exist")
        try:
            keys += manifest_keys(text, manifest)
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(
                f"manifest s3://{cfg.bucket}/{manifest} does not parse: {e}"
            ) from None
    unique = sorted(set(keys))
    log("manifests", manifests=len(manifests), images=len(unique))
    image_key = {k: f"s3://{cfg.bucket}/{k}" for k in unique}
    attempts = int(ddb.meta.config.retries.get("total_max_attempts", 3))
    try:
        items = read_items(
            lambda request: ddb.batch_get_item(RequestItems=request),
            cfg.table,
            list(image_key.values()),
            attempts=attempts,
            wait=sdk_backoff(stopping),
        )
    except ClientError as e:
        if error_code(e) == "ResourceNotFoundException":
            raise ConfigError(f"DynamoDB table {cfg.table!r} does not exist") from None
        raise
    tally = Tally()
    for key in unique:
        tally.add(key, items.get(image_key[key]))
    return report(cfg, manifests, tally, usage(clients, cfg))


def main(argv: list[str] | None = None) -> int:
    del argv
    stopping = stop_on_sigterm()
    try:
        cfg = SummaryConfig.from_env()
        clients = make_clients()
        log("start", submission_id=cfg.submission_id, bucket=cfg.bucket, table=cfg.table)
        body = summarize(clients, cfg, stopping)
        clients["s3"].put_object(
            Bucket=cfg.bucket,
            Key=cfg.report_key,
            Body=(json.dumps(body, indent=2) + "\n").encode("utf-8"),
            ContentType="application/json",
        )
    except ConfigError as e:
        log("misconfigured", error=str(e))
        return EXIT_MISCONFIGURED
    except ClientError as e:
        if error_code(e) in MISCONFIGURED:
            log("misconfigured", error=refusal(e))
            return EXIT_MISCONFIGURED
        log("failed", error=refusal(e))
        return EXIT_TRANSIENT
    except (BotoCoreError, Incomplete) as e:
        log("failed", error=f"{type(e).__name__}: {e}")
        return EXIT_TRANSIENT
    counts = {k: body[k] for k in ("images", "tagged", "skipped", "missing")}
    log("done", report=f"s3://{cfg.bucket}/{cfg.report_key}", **counts,
        actual_vcpu_hours=body["usage"]["actualVcpuHours"])  # fmt: skip
    return EXIT_DONE


if __name__ == "__main__":
    sys.exit(main())
