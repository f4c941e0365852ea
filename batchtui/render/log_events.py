"""``batchtui logs --output json``: one log event per line (batchtui/data/logs.schema.json).

Field names are AWS's: CloudWatch Logs' ``timestamp``, ``ingestionTime``, ``eventId``,
``message``, ``logGroupName`` and ``logStreamName``, and Batch's ``jobId`` and ``nodeIndex``;
an array child's index is ``arrayIndex`` (Batch's ``arrayProperties.index``, and the
``AWS_BATCH_JOB_ARRAY_INDEX`` the child ran with). Times are epoch milliseconds, as AWS reports
them. ``attempt`` numbers the job's attempts from 1, in the order of its ``attempts`` list.
"""

from __future__ import annotations

from typing import Any

from batchtui.follow import LogEvent


def log_event_json(event: LogEvent) -> dict[str, Any]:
    """One event with the job, attempt, child or node and stream it came from (null: unknown)."""
    t = event.target
    return {
        "jobId": t.job_id if t else None,
        "attempt": t.attempt if t else None,
        "arrayIndex": t.child if t else None,
        "nodeIndex": t.node if t else None,
        "logGroupName": t.log_group if t else None,
        "logStreamName": event.log_stream or (t.log_stream if t else None),
        "eventId": event.event_id or None,
        "timestamp": event.timestamp,
        "ingestionTime": event.ingestion_time or None,
        "message": event.message,
    }
