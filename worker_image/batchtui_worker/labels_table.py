"""The labels table: exactly one item per image, written once per version of the image.

The item's partition key ``image_key`` is ``s3://bucket/key``: one image, one item, however
often it is replaced. The item records which version it describes: ``etag`` (the object's ETag,
without its quotes) and ``source_modified`` (its LastModified, epoch seconds). ``status`` is
``tagged`` (with ``labels``) or ``skipped`` (with ``reason``, a stable code, and ``detail``, a
sentence), so the summary counts what was skipped and why from the table alone.

Every write is a conditional put that succeeds only when the table holds nothing for the image,
or holds an older version of it::

    attribute_not_exists(image_key) OR (etag <> :etag AND source_modified <= :modified)

So a retried attempt, or a second child given the same image, writes nothing (the item already
holds this ETag); an object replaced with new content is tagged again and its item overwritten;
and a slow child still holding the old version never overwrites the newer one's item. (Two
versions written within the same second compare equal; the later run's item wins then.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

CONDITION = "attribute_not_exists(image_key) OR (etag <> :etag AND source_modified <= :modified)"


@dataclass(frozen=True)
class ImageVersion:
    """One version of one image: what its item is keyed by and records."""

    bucket: str
    key: str
    etag: str  # without quotes; "" when the object was not found
    modified: int  # LastModified, epoch seconds; 0 when not found

    @property
    def image_key(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def tagged_item(image: ImageVersion, labels: list[dict[str, Any]]) -> dict[str, Any]:
    """The attributes of a tagged image (DetectLabels' labels: name and confidence)."""
    return {
        "status": {"S": "tagged"},
        "labels": {
            "L": [
                {
                    "M": {
                        "name": {"S": lb["Name"]},
                        "confidence": {"N": f"{lb['Confidence']:.2f}"},
                    }
                }
                for lb in labels
            ]
        },
    }


def skipped_item(reason: str, detail: str) -> dict[str, Any]:
    """The attributes of an image Rekognition cannot take (not retried)."""
    return {"status": {"S": "skipped"}, "reason": {"S": reason}, "detail": {"S": detail}}


def recorded(ddb: Any, table: str, image: ImageVersion) -> str | None:
    """``already-recorded`` or ``superseded`` when the table's item for the image already
    holds this version or a newer one, else None. Read before DetectLabels, so a retried
    attempt or a duplicate child does not pay Rekognition again for what is done."""
    held = ddb.get_item(
        TableName=table,
        Key={"image_key": {"S": image.image_key}},
        ProjectionExpression="etag, source_modified",
        ConsistentRead=True,
    ).get("Item")
    if not held:
        return None
    if held.get("etag", {}).get("S") == image.etag:
        return "already-recorded"
    if int(held.get("source_modified", {}).get("N", "0")) > image.modified:
        return "superseded"
    return None


def put_once(
    ddb: Any,
    table: str,
    image: ImageVersion,
    attributes: dict[str, Any],
    *,
    job_id: str,
    attempt: int,
) -> str:
    """Write the image's item unless the table already has this version or a newer one.

    Returns ``written``, ``already-recorded`` (this ETag is there: a retry or a duplicate) or
    ``superseded`` (a newer version is there). Other DynamoDB errors propagate.
    """
    item = {
        "image_key": {"S": image.image_key},
        "etag": {"S": image.etag},
        "source_modified": {"N": str(image.modified)},
        "job_id": {"S": job_id},
        "attempt": {"N": str(attempt)},
        "recorded_at": {"N": str(int(time.time()))},
        **attributes,
    }
    try:
        ddb.put_item(
            TableName=table,
            Item=item,
            ConditionExpression=CONDITION,
            ExpressionAttributeValues={
                ":etag": {"S": image.etag},
                ":modified": {"N": str(image.modified)},
            },
        )
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        held = ddb.get_item(
            TableName=table,
            Key={"image_key": {"S": image.image_key}},
            ProjectionExpression="etag",
            ConsistentRead=True,
        ).get("Item", {})
        same = held.get("etag", {}).get("S") == image.etag
        return "already-recorded" if same else "superseded"
    return "written"
