"""The values the follow core works on: where a job logs, one log event, one query and its page.

They are plain frozen values so the core stays pure: the aws layer builds them from CloudWatch
Logs answers (``FilterLogEvents``/``GetLogEvents``) and the TUI and CLI only read them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LogTarget:
    """One CloudWatch Logs stream of one job attempt (of one array child or node).

    ``label`` is what a reader sees in front of a line when several targets are merged:
    ``attempt 2``, ``child 7 attempt 1``, ``node 0``.
    """

    job_id: str
    log_group: str
    log_stream: str
    attempt: int  #: 1-based attempt number
    region: str = ""
    child: int | None = None  #: array index, for an array child
    node: int | None = None  #: node index, for a multi-node job
    label: str = ""
    #: Why the attempt ended, as AWS says (statusReason, the container's reason): what a
    #: stream that was never written is explained with.
    ended: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.log_group, self.log_stream)


@dataclass(frozen=True)
class LogEvent:
    """One log event as CloudWatch Logs reports it.

    ``event_id`` is CloudWatch's ``eventId`` (FilterLogEvents); GetLogEvents reports none, so a
    reader that used it leaves it empty. ``target`` is the stream's :class:`LogTarget` when known.
    """

    timestamp: int  #: epoch milliseconds, as the producer stamped the line
    message: str
    ingestion_time: int = 0  #: epoch milliseconds, when CloudWatch Logs stored it
    event_id: str = ""
    log_stream: str = ""
    target: LogTarget | None = None


@dataclass(frozen=True)
class Query:
    """One FilterLogEvents request a cursor wants made."""

    log_group: str
    log_streams: tuple[str, ...]
    start_time: int | None
    end_time: int | None = None
    filter_pattern: str | None = None
    next_token: str | None = None


@dataclass(frozen=True)
class Page:
    """One FilterLogEvents answer: events in CloudWatch's order and the token for more."""

    events: tuple[LogEvent, ...]
    next_token: str | None = None


@dataclass(frozen=True)
class SourceState:
    """What the follow loop learns from the job (DescribeJobs) on each refresh."""

    targets: tuple[LogTarget, ...]
    status: str  #: the job's status (SUBMITTED ... SUCCEEDED/FAILED)
    finished: bool  #: the job reached a final status: no new attempt, no new line will come
    note: str = ""  #: why there is nothing to read yet, e.g. "job is RUNNABLE: waiting for it"


@dataclass(frozen=True)
class FollowBatch:
    """What the follow loop yields: new events (each exactly once) and notices for the user."""

    events: tuple[LogEvent, ...] = ()
    notices: tuple[str, ...] = ()
    new_targets: tuple[LogTarget, ...] = ()
    status: str = ""
    done: bool = False  #: the job finished and its streams are drained; the loop ends
