"""AWS Lambda handler: new images under the bucket's prefix -> one Batch job per event batch.

S3 sends ObjectCreated notifications to this function; it writes the new keys to a small manifest
in S3 and submits one tagging job for them (an array job when there are more keys than
IMAGES_PER_JOB), so images uploaded one by one are still tagged in batches.
Environment: JOB_QUEUE, JOB_DEFINITION, LABELS_TABLE, IMAGES_PER_JOB (default 100),
MANIFEST_PREFIX (default ``manifests/``).

``python -m batchtui_worker.s3_event EVENT.json`` invokes the handler once with the event in
the file (``-`` or nothing: standard input), as Lambda would, and prints its result: how the
sandbox's stand-in for S3 -> Lambda runs it, and a way to try an event by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.parse
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

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


def main(argv: list[str] | None = None) -> int:
    """Invoke the handler once with the event in the file named (or on standard input)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        if not args or args[0] == "-":
            event = json.load(sys.stdin)
        else:
            with open(args[0], encoding="utf-8") as f:
                event = json.load(f)
    except (OSError, ValueError) as e:
        print(json.dumps({"event": "bad-event", "error": str(e)}), flush=True)
        return 2
    if not isinstance(event, dict):
        print(json.dumps({"event": "bad-event", "error": "not a JSON object"}), flush=True)
        return 2
    try:
        result = handler(event)
    except KeyError as e:  # a setting the function's environment lacks
        print(json.dumps({"event": "misconfigured", "error": f"{e.args[0]} is not set"}))
        return 2
    except (ClientError, BotoCoreError) as e:  # Lambda would log it and retry the event
        print(json.dumps({"event": "failed", "error": f"{type(e).__name__}: {e}"}), flush=True)
        return 1
    print(json.dumps({"event": "done", **result}, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
