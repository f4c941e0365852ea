"""The summary job's pure parts: the BatchGetItem rounds, the bounded key lists."""

from __future__ import annotations

from typing import Any

import pytest
from batchtui_worker.config import ConfigError, SummaryConfig
from batchtui_worker.summary import KEYS_LISTED, Incomplete, Tally, read_items, report


def test_unprocessed_keys_are_asked_again_up_to_the_sdk_attempts() -> None:
    """DynamoDB leaves keys unprocessed when it throttles reads: they are asked again."""
    asked: list[list[str]] = []
    waits: list[int] = []

    def batch_get(request: dict[str, Any]) -> dict[str, Any]:
        keys = [k["image_key"]["S"] for k in request["t"]["Keys"]]
        asked.append(keys)
        done, left = keys[: len(keys) // 2 or 1], keys[len(keys) // 2 or 1 :]
        answer: dict[str, Any] = {"Responses": {"t": [{"image_key": {"S": k}} for k in done]}}
        if left:
            answer["UnprocessedKeys"] = {"t": {**request["t"],
                                               "Keys": [{"image_key": {"S": k}} for k in left]}}  # fmt: skip
        return answer

    keys = [f"s3://b/{i:03d}" for i in range(104)]
    found = read_items(batch_get, "t", keys, attempts=8, wait=waits.append)
    assert sorted(found) == keys
    assert [len(a) for a in asked] == [100, 50, 25, 13, 7, 4, 2, 1, 4, 2, 1]
    assert waits == [1, 2, 3, 4, 5, 6, 7, 1, 2]
    with pytest.raises(Incomplete, match="left 13 keys unprocessed after 3 attempts"):
        read_items(batch_get, "t", keys, attempts=3, wait=waits.append)


def test_bounded_key_lists_keep_the_whole_counts() -> None:
    tally = Tally()
    for i in range(KEYS_LISTED + 5):
        tally.add(f"k{i:04d}", {"status": {"S": "skipped"}, "reason": {"S": "too-small"}})
    tally.add("gone", None)
    cfg = SummaryConfig.from_env({"IMAGE_BUCKET": "b", "LABELS_TABLE": "t", "SUBMISSION_ID": "s"})
    body = report(cfg, ["m.jsonl"], tally, {})
    [reason] = body["skippedByReason"]
    assert (reason["count"], len(reason["keys"]), reason["keysOmitted"]) == (105, 100, 5)
    assert (body["skipped"], body["missing"], body["images"]) == (105, 1, 106)
    with pytest.raises(ConfigError, match="ESTIMATED_VCPU_HOURS='lots' is not a number"):
        SummaryConfig.from_env({"IMAGE_BUCKET": "b", "LABELS_TABLE": "t", "SUBMISSION_ID": "s",
                                "ESTIMATED_VCPU_HOURS": "lots"})  # fmt: skip
