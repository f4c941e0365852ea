"""AWS Lambda handler: new images under the bucket's prefix -> one Batch job per event batch.

S3 sends ObjectCreated notifications to this function; it writes the new keys to a small manifest
in S3 and submits one tagging job for them (an array job when there are more keys than
IMAGES_PER_JOB), so images uploaded one by one are still tagged in batches.
Environment: JOB_QUEUE, JOB_DEFINITION, LABELS_TABLE, IMAGES_PER_JOB (default 100),
MANIFEST_PREFIX (default ``manifests/``).
"""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from typing import Any

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def new_image_keys(event: dict[str, Any]) -> dict[str, list[str]]:
    """Bucket -> image keys created, from an S3 notification event (keys arrive URL-encoded)."""
    out: dict[str, list[str]] = {}
    for record in event.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record.get("s3", {})
        bucket = s3.get("bucket", {}).get("name")
        key = urllib.parse.unquote_plus(s3.get("object", {}).get("key", ""))
        if bucket and key.lower().endswith(IMAGE_SUFFIXES):
            out.setdefault(bucket, []).append(key)
    return out


def handler(
    event: dict[str, Any], context: Any = None, clients: dict[str, Any] | None = None
) -> dict[str, Any]:
    del context
    if clients is None:
        import boto3

        clients = {"s3": boto3.client("s3"), "batch": boto3.client("batch")}
    per_job = int(os.environ.get("IMAGES_PER_JOB", "100"))
    prefix = os.environ.get("MANIFEST_PREFIX", "manifests/")
    submitted = []
    for bucket, keys in new_image_keys(event).items():
        body = "\n".join(sorted(set(keys))) + "\n"
        manifest = f"{prefix}{hashlib.sha256(body.encode()).hexdigest()[:16]}.txt"
        clients["s3"].put_object(Bucket=bucket, Key=manifest, Body=body.encode())
        n_jobs = -(-len(set(keys)) // per_job)
        params: dict[str, Any] = {
            # The manifest's hash names the job, so a redelivered event is easy to spot.
            "jobName": f"tag-{manifest.rsplit('/', 1)[-1][:-4]}",
            "jobQueue": os.environ["JOB_QUEUE"],
            "jobDefinition": os.environ["JOB_DEFINITION"],
            "containerOverrides": {
                "environment": [
                    {"name": "IMAGE_BUCKET", "value": bucket},
                    {"name": "MANIFEST_KEY", "value": manifest},
                    {"name": "LABELS_TABLE", "value": os.environ["LABELS_TABLE"]},
                    {"name": "IMAGES_PER_JOB", "value": str(per_job)},
                ]
            },
        }
        if n_jobs > 1:
            params["arrayProperties"] = {"size": n_jobs}
        job = clients["batch"].submit_job(**params)
        submitted.append(
            {
                "jobId": job["jobId"],
                "bucket": bucket,
                "manifest": manifest,
                "images": len(set(keys)),
            }
        )
    return {"submitted": submitted}
