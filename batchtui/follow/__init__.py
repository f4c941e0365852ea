"""Pure core of log following: cursors that emit every event exactly once, the poll schedule,
and the follow loop over an injected source, clock and sleep. No boto3, no clock, no I/O."""

from batchtui.follow.cursor import LookbackSettings, StreamCursor
from batchtui.follow.loop import FollowSettings, FollowSource, follow_loop
from batchtui.follow.model import FollowBatch, LogEvent, LogTarget, Page, Query, SourceState
from batchtui.follow.schedule import PollSchedule, RequestBudget, ScheduleSettings

__all__ = [
    "FollowBatch",
    "FollowSettings",
    "FollowSource",
    "LogEvent",
    "LogTarget",
    "LookbackSettings",
    "Page",
    "PollSchedule",
    "Query",
    "RequestBudget",
    "ScheduleSettings",
    "SourceState",
    "StreamCursor",
    "follow_loop",
]
