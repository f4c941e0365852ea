"""Where an attempt's output goes: the log group and stream its job definition's
logConfiguration names, written through moto's logs backend with simulated timestamps."""

from __future__ import annotations

from typing import Any

from batchtui.sandbox import moto_glue

DEFAULT_GROUP = "/aws/batch/job"


def log_target(
    container: dict[str, Any], job_def_name: str, task_id: str
) -> tuple[str, str] | None:
    """(group, stream) for an attempt, or None when its log driver is not awslogs.

    AWS Batch's default is awslogs into ``/aws/batch/job``, stream
    ``<job definition name>/default/<ECS task id>``; ``awslogs-group`` and
    ``awslogs-stream-prefix`` replace the group and the first part.
    """
    conf = container.get("logConfiguration") or {}
    driver = conf.get("logDriver", "awslogs")
    if driver != "awslogs":
        return None
    options = conf.get("options") or {}
    group = options.get("awslogs-group") or DEFAULT_GROUP
    prefix = options.get("awslogs-stream-prefix") or job_def_name
    return group, f"{prefix}/default/{task_id}"


class LogWriter:
    def __init__(self, region: str) -> None:
        self.region = region
        self.events_written = 0

    def write(self, group: str, stream: str, lines: list[tuple[float, str]]) -> None:
        """Append (simulated epoch seconds, text) lines, in time order."""
        if not lines:
            return
        events = [{"timestamp": int(t * 1000), "message": text} for t, text in lines]
        moto_glue.append_log_events(self.region, group, stream, events)
        self.events_written += len(events)
