"""A job's CloudWatch logs: where they are, reading them, and following them live.

Where a job logs is read from what AWS reports, never assumed: each attempt's
``container.logStreamName`` (``attempts[]`` for finished attempts, ``container`` for the current
one), the log group and region from the job's ``logConfiguration`` (or its job definition's),
array children (``jobId:N``) and the nodes of a multi-node job (``jobId#N``).

Reading one stream uses GetLogEvents (25 TPS, forward tokens); merging several streams
(children, nodes, a filter pattern) uses FilterLogEvents. Following always uses FilterLogEvents,
because only it reports ``eventId``, which :mod:`batchtui.follow` needs to emit every event
exactly once.

API for the TUI and the CLI::

    logs = resolve_job_logs(aws, job_id, LogSelection(attempt=None, child=3))
    for batch in read_events(aws, logs.targets, start_ms=..., filter_pattern=...): ...
    stop = threading.Event()
    for batch in follow(aws, job_id, LogSelection(), stop=stop): ...   # FollowBatch values

Why one module past 400 lines: its three sections (resolving, reading, following) share private
pieces — the per-region client, the FilterLogEvents source, the explanation of a missing
stream, the job-definition cache — that a split would turn into an API between modules with
no other user.
"""

from __future__ import annotations

import dataclasses
import heapq
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from batchtui.aws.batch import describe_job, describe_job_definition, describe_jobs
from batchtui.aws.session import Aws
from batchtui.errors import NotFound, UsageError
from batchtui.follow import (
    FollowBatch,
    FollowSettings,
    LogEvent,
    LogTarget,
    Page,
    Query,
    SourceState,
    follow_loop,
)
from batchtui.model import FINAL_STATUSES, Container, Job, JobDefinition, LogConfiguration

DEFAULT_LOG_GROUP = "/aws/batch/job"  #: AWS Batch's default when awslogs-group is not set
PAGE_LIMIT = 10_000  #: GetLogEvents / FilterLogEvents maximum events per page
MAX_STREAMS_PER_FILTER = 100  #: FilterLogEvents' limit of logStreamNames

__all__ = [
    "DEFAULT_LOG_GROUP",
    "JobLogSource",
    "JobLogs",
    "LogSelection",
    "NoLogs",
    "TargetsSource",
    "follow",
    "follow_targets",
    "read_events",
    "read_stream_before",
    "resolve_job_logs",
    "resolve_log_targets",
]


class NoLogs(NotFound):
    """The job has no CloudWatch logs batchtui can read (not started, another log driver ...)."""

    title = "No logs"
    default_hint = "the job's status and statusReason say why"


@dataclass(frozen=True)
class LogSelection:
    """Which of a job's logs: an attempt (1-based; None = all, -1 = the latest), which array
    child (index or ``"all"``) and which node of a multi-node job (index or ``"all"``)."""

    attempt: int | None = None
    child: int | Literal["all"] | None = None
    node: int | Literal["all"] | None = None


@dataclass(frozen=True)
class JobLogs:
    """What AWS reports about where a job logs, right now."""

    job_id: str
    job_name: str
    status: str
    targets: tuple[LogTarget, ...]
    note: str = ""  #: why there are no (or not all) targets yet
    max_attempts: int = 1  #: the job's retryStrategy.attempts
    attempts_made: int = 0  #: attempts started so far (the most of any selected child / node)
    array_size: int | None = None
    num_nodes: int | None = None
    units: int = 1  #: how many children or nodes are selected

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def merged(self) -> bool:
        """True when lines of several streams can be shown together: mark each line's origin."""
        return self.units > 1 or self.max_attempts > 1 or len(self.targets) > 1


# ---------------------------------------------------------------- resolving


def resolve_log_targets(
    aws: Aws, job_id: str, selection: LogSelection | None = None
) -> list[LogTarget]:
    """The log streams of a job's selected attempts, children and nodes, in attempt order."""
    return list(resolve_job_logs(aws, job_id, selection).targets)


def resolve_job_logs(
    aws: Aws,
    job_id: str,
    selection: LogSelection | None = None,
    *,
    finished_units: dict[str, Job] | None = None,
    definitions: _DefinitionCache | None = None,
) -> JobLogs:
    """Where a job logs (NotFound for an unknown job, NoLogs for another log driver).

    ``finished_units`` (job id -> described job) is a cache the caller keeps across calls:
    children and nodes that have finished are not described again; ``definitions`` likewise
    keeps job definitions (immutable per revision) across calls.
    """
    sel = selection or LogSelection()
    job = describe_job(aws, job_id)
    units = _unit_ids(job, sel)
    cache = finished_units if finished_units is not None else {}
    if units[0][0] == job_id:
        by_id = {job_id: job}
    else:
        wanted = [u for u, _, _ in units if u not in cache]
        by_id = {d.job_id: d for d in describe_jobs(aws, wanted)}
        for unit_id, d in by_id.items():
            if d.status in FINAL_STATUSES:
                cache[unit_id] = d
        by_id.update((u, cache[u]) for u, _, _ in units if u in cache)
    definitions = definitions or _DefinitionCache(aws)
    targets: list[LogTarget] = []
    notes: list[str] = []
    made = 0
    for unit_id, child, node in units:
        detail = by_id.get(unit_id)
        if detail is None:
            notes.append(f"{_unit_name(child, node) or unit_id}: not found yet")
            continue
        made = max(made, detail.attempts_made)
        found, note = _targets_of(aws, detail, child, node, sel.attempt, definitions)
        targets.extend(found)
        if note:
            notes.append(note if len(units) == 1 else f"{_unit_name(child, node)}: {note}")
    status = job.status
    note = "; ".join(notes[:3]) + (f"; and {len(notes) - 3} more" if len(notes) > 3 else "")
    return JobLogs(
        job_id=job_id,
        job_name=job.job_name,
        status=status,
        targets=tuple(targets),
        note=note,
        max_attempts=job.retry_attempts,
        attempts_made=made,
        array_size=job.array_size,
        num_nodes=job.num_nodes,
        units=len(units),
    )


def attempts_made(job: Job) -> int:
    """Attempts a job has started: the finished ones in attempts[], and the one under way
    (AWS lists an attempt there only when it ends)."""
    return job.attempts_made


def _unit_ids(job: Job, sel: LogSelection) -> list[tuple[str, int | None, int | None]]:
    """(job id, child, node) of every job whose containers log: the job, children or nodes."""
    job_id = job.job_id
    size = job.array_size
    num_nodes = job.num_nodes if not job.is_node else None
    if sel.child is not None and not size:
        raise UsageError(f"--child: job {job_id} is not an array job")
    if sel.node is not None and not num_nodes:
        raise UsageError(f"--node: job {job_id} is not a multi-node parallel job")
    if size:
        if sel.child is None:
            raise UsageError(
                f"job {job_id} is an array job of {size} children: its logs are its children's",
                hint=f"pass --child I (0..{size - 1}) or --child all",
            )
        if sel.child == "all":
            return [(f"{job_id}:{i}", i, None) for i in range(size)]
        if not 0 <= sel.child < size:
            raise UsageError(f"--child {sel.child}: job {job_id} has children 0..{size - 1}")
        return [(f"{job_id}:{sel.child}", sel.child, None)]
    if num_nodes:
        if sel.node is None or sel.node == "all":
            return [(f"{job_id}#{i}", None, i) for i in range(num_nodes)]
        if not 0 <= sel.node < num_nodes:
            raise UsageError(f"--node {sel.node}: job {job_id} has nodes 0..{num_nodes - 1}")
        return [(f"{job_id}#{sel.node}", None, sel.node)]
    return [(job_id, None, None)]


def _unit_name(child: int | None, node: int | None) -> str:
    if child is not None:
        return f"child {child}"
    if node is not None:
        return f"node {node}"
    return ""


class _DefinitionCache:
    """DescribeJobDefinitions once per definition ARN, only when a job lacks logConfiguration."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self._cache: dict[str, JobDefinition | None] = {}

    def log_configuration(self, job: Job, node: int | None) -> LogConfiguration | None:
        if job.container is not None and job.container.log_configuration is not None:
            return job.container.log_configuration
        arn = job.job_definition
        if not arn:
            return None
        if arn not in self._cache:
            self._cache[arn] = describe_job_definition(self.aws, arn)
        definition = self._cache[arn]
        return definition.log_configuration(node) if definition is not None else None


def _targets_of(
    aws: Aws,
    job: Job,
    child: int | None,
    node: int | None,
    attempt: int | None,
    definitions: _DefinitionCache,
) -> tuple[list[LogTarget], str]:
    """The targets of one job (or child or node), and a note when some are missing."""
    job_id = job.job_id
    status = job.status
    if job.on_eks:
        raise NoLogs(
            f"job {job_id} runs on Amazon EKS: its container logs are in the cluster, "
            "not in CloudWatch Logs",
            hint="read them with kubectl logs",
        )
    conf = definitions.log_configuration(job, node)
    driver = conf.log_driver if conf is not None else "awslogs"
    if driver != "awslogs":
        raise NoLogs(
            f"job {job_id} uses the {driver!r} log driver: its output goes there, "
            "not to CloudWatch Logs, so batchtui cannot read it",
            hint=f"read them where the {driver} driver sends them",
        )
    conf = conf or LogConfiguration()
    group = conf.option("awslogs-group") or DEFAULT_LOG_GROUP
    region = conf.option("awslogs-region") or aws.target.region
    prefix = conf.option("awslogs-stream-prefix") or _definition_name(job)

    streams: list[str] = []
    endings: list[str] = []
    for a in job.attempts:
        streams.append(_stream_of(a.container, prefix))
        endings.append(_ending(a.status_reason, a.container.reason))
    current = _stream_of(job.container, prefix) if job.container is not None else ""
    if current and current not in streams and status not in FINAL_STATUSES:
        streams.append(current)  # the running attempt: AWS lists it in attempts when it ends
    elif current and not streams:
        streams.append(current)

    unit = _unit_name(child, node)
    targets = [
        LogTarget(
            job_id=job_id,
            log_group=group,
            log_stream=s,
            attempt=i + 1,
            region=region,
            child=child,
            node=node,
            label=" ".join(x for x in (unit, f"attempt {i + 1}") if x),
            ended=endings[i] if i < len(endings) else "",
        )
        for i, s in enumerate(streams)
        if s
    ]
    if attempt is not None:
        if attempt == -1:
            targets = targets[-1:]
        else:
            targets = [t for t in targets if t.attempt == attempt]
    note = ""
    if not targets:
        if status in FINAL_STATUSES:
            reason = job.status_reason or "no reason given"
            note = f"job {job_id} is {status} and no container of it ever ran ({reason})"
            if attempt is not None and attempt > 0 and streams:
                note = f"job {job_id} has {len(streams)} attempt(s), not {attempt}"
        elif status == "RUNNING":
            note = f"job {job_id} is RUNNING: waiting for its log stream"
        elif attempt is not None and attempt > 0 and streams:
            note = f"job {job_id} is {status}: waiting for attempt {attempt}"
        else:
            note = f"job {job_id} is {status}: it has not started, so it has no logs yet"
    return targets, note


def _ending(status_reason: str, container_reason: str) -> str:
    """An attempt's end in AWS's words: its statusReason and its container's reason."""
    parts = [status_reason.strip(), container_reason.strip()]
    return "; ".join(dict.fromkeys(p for p in parts if p))


def wrote_nothing(t: LogTarget) -> str:
    """Why a stream of ``t`` does not exist: its attempt ended before writing a line."""
    who = t.label or f"attempt {t.attempt}"
    if t.ended:
        said = t.ended.lower()
        # AWS's words for a reclaimed instance: "Host EC2 (instance i-…) terminated.", a Spot
        # interruption, "Your Spot Task was interrupted." on Fargate.
        if "spot" in said or "interrupt" in said or ("host ec2" in said and "terminated" in said):
            why = "its instance was reclaimed before the container started"
        else:
            why = "it ended before its container wrote a line"
        return f"{who} wrote nothing: {why} ({t.ended})"
    return f"{who}: log stream {t.log_stream} does not exist (the container wrote nothing)"


def _stream_of(container: Container, prefix: str) -> str:
    if container.log_stream_name:
        return container.log_stream_name
    task = container.task_arn
    # AWS Batch names a stream <prefix>/default/<ECS task id>; derive it if only the task is known.
    return f"{prefix}/default/{task.rsplit('/', 1)[-1]}" if task and prefix else ""


def _definition_name(job: Job) -> str:
    return job.definition_name.split(":", 1)[0]


# ---------------------------------------------------------------- reading


def read_events(
    aws: Aws,
    targets: Sequence[LogTarget],
    *,
    start_ms: int | None = None,
    end_ms: int | None = None,
    filter_pattern: str | None = None,
    on_notice: Callable[[str], object] | None = None,
) -> Iterator[list[LogEvent]]:
    """Batches of a job's log events, each event once: in attempt order for one job (one
    stream after another), in timestamp order when children or nodes are merged.

    Streams that do not exist (a container that never wrote) are skipped with a notice; a
    log group that does not exist raises :class:`NotFound`.
    """
    notice = on_notice or (lambda _m: None)
    if not targets:
        return
    units = {(t.child, t.node) for t in targets}
    if len(units) == 1 and not filter_pattern:
        for t in targets:
            yield from _get_stream(aws, t, start_ms, end_ms, notice)
        return
    readers = [
        _filter_streams(aws, group_targets, start_ms, end_ms, filter_pattern, notice)
        for group_targets in _chunks_by_group(targets)
    ]
    if len(readers) == 1:
        yield from readers[0]
        return
    merged = heapq.merge(*(_flatten(r) for r in readers), key=lambda e: e.timestamp)
    batch: list[LogEvent] = []
    for e in merged:
        batch.append(e)
        if len(batch) >= PAGE_LIMIT:
            yield batch
            batch = []
    if batch:
        yield batch


def _flatten(batches: Iterable[list[LogEvent]]) -> Iterator[LogEvent]:
    for b in batches:
        yield from b


def _chunks_by_group(targets: Sequence[LogTarget]) -> list[list[LogTarget]]:
    by_group: dict[tuple[str, str], list[LogTarget]] = {}
    for t in targets:
        by_group.setdefault((t.region, t.log_group), []).append(t)
    return [
        ts[i : i + MAX_STREAMS_PER_FILTER]
        for ts in by_group.values()
        for i in range(0, len(ts), MAX_STREAMS_PER_FILTER)
    ]


def _aws_for(aws: Aws, region: str) -> Aws:
    """A job may log to another region (awslogs-region); same credentials, that region."""
    if not region or region == aws.target.region:
        return aws
    return dataclasses.replace(aws, target=dataclasses.replace(aws.target, region=region))


def _get_stream(
    aws: Aws,
    t: LogTarget,
    start_ms: int | None,
    end_ms: int | None,
    notice: Callable[[str], object],
) -> Iterator[list[LogEvent]]:
    """GetLogEvents from the head of one stream, following forward tokens to the end."""
    client = _aws_for(aws, t.region)
    params: dict[str, Any] = {
        "logGroupName": t.log_group,
        "logStreamName": t.log_stream,
        "startFromHead": True,
        "limit": PAGE_LIMIT,
    }
    if start_ms is not None:
        params["startTime"] = start_ms
    if end_ms is not None:
        params["endTime"] = end_ms
    token: str | None = None
    while True:
        try:
            page = client.call("logs", "GetLogEvents", **params)
        except NotFound:
            _explain_missing(client, t, notice)
            return
        events = page.get("events") or []
        if events:
            yield [
                LogEvent(
                    timestamp=e["timestamp"],
                    message=e.get("message", ""),
                    ingestion_time=e.get("ingestionTime", 0),
                    log_stream=t.log_stream,
                    target=t,
                )
                for e in events
            ]
        nxt = page.get("nextForwardToken")
        # AWS answers the token it was given once the stream's end is reached.
        if not nxt or nxt == token:
            return
        token = params["nextToken"] = nxt


def read_stream_before(
    aws: Aws, t: LogTarget, *, end_ms: int, limit: int = PAGE_LIMIT, max_requests: int = 20
) -> list[LogEvent]:
    """Up to ``limit`` of the last events of one stream stamped at or before ``end_ms``, oldest
    first: GetLogEvents read backwards (``startFromHead`` false, ``nextBackwardToken``).

    For a reader that holds a stream's newest lines and pages back towards its start. AWS
    leaves out events stamped at ``endTime`` (moto keeps them), so ``end_ms + 1`` is asked and
    later events are dropped here: both give the same answer. The caller knows which of the
    events at ``end_ms`` it holds already. Raises :class:`NotFound` when the stream is gone.
    """
    client = _aws_for(aws, t.region)
    params: dict[str, Any] = {
        "logGroupName": t.log_group,
        "logStreamName": t.log_stream,
        "startFromHead": False,
        "endTime": end_ms + 1,
        "limit": max(1, min(limit, PAGE_LIMIT)),
    }
    pages: list[list[LogEvent]] = []
    got = 0
    token: str | None = None
    for _ in range(max_requests):  # AWS may answer short (1 MB) or empty pages on the way
        page = client.call("logs", "GetLogEvents", **params)
        events = [
            LogEvent(
                timestamp=e["timestamp"],
                message=e.get("message", ""),
                ingestion_time=e.get("ingestionTime", 0),
                log_stream=t.log_stream,
                target=t,
            )
            for e in page.get("events") or []
            if e["timestamp"] <= end_ms
        ]
        pages.append(events)
        got += len(events)
        nxt = page.get("nextBackwardToken")
        # AWS answers the token it was given once the stream's start is reached.
        if got >= limit or not nxt or nxt == token:
            break
        token = params["nextToken"] = nxt
    older = [e for events in reversed(pages) for e in events]
    return older[-limit:] if limit else []


def _filter_streams(
    aws: Aws,
    targets: list[LogTarget],
    start_ms: int | None,
    end_ms: int | None,
    filter_pattern: str | None,
    notice: Callable[[str], object],
) -> Iterator[list[LogEvent]]:
    """FilterLogEvents over up to 100 streams of one group, in timestamp order."""
    client = _aws_for(aws, targets[0].region)
    source = _FilterSource(client, {t.key: t for t in targets}, notice)
    token: str | None = None
    query = Query(
        log_group=targets[0].log_group,
        log_streams=tuple(t.log_stream for t in targets),
        start_time=start_ms,
        end_time=end_ms,
        filter_pattern=filter_pattern,
    )
    while True:
        page = source.fetch(dataclasses.replace(query, next_token=token))
        if page.events:
            yield list(page.events)
        token = page.next_token
        if not token:
            return


class _FilterSource:
    """FilterLogEvents for the follow loop and for merged reads."""

    def __init__(
        self,
        aws: Aws,
        targets: dict[tuple[str, str], LogTarget],
        notice: Callable[[str], object],
        *,
        group_may_appear: Callable[[], bool] = lambda: False,
    ) -> None:
        self.aws = aws
        self.targets = targets
        self.notice = notice
        #: While a job runs, its container may not have created its group and stream yet.
        self.group_may_appear = group_may_appear
        self.missing: set[tuple[str, str]] = set()  # streams AWS said do not exist (yet)
        self._announced: set[str] = set()  # say each "not there yet" once

    def fetch(self, q: Query) -> Page:
        streams = [s for s in q.log_streams if (q.log_group, s) not in self.missing]
        if not streams:
            return Page(())
        params: dict[str, Any] = {
            "logGroupName": q.log_group,
            "logStreamNames": streams,
            "limit": PAGE_LIMIT,
            "interleaved": True,  # deprecated and always on at AWS; moto needs it to merge
        }
        if q.start_time is not None:
            params["startTime"] = q.start_time
        if q.end_time is not None:
            params["endTime"] = q.end_time
        if q.filter_pattern:
            params["filterPattern"] = q.filter_pattern
        if q.next_token:
            params["nextToken"] = q.next_token
        try:
            page = self.aws.call("logs", "FilterLogEvents", **params)
        except NotFound:
            # AWS refuses the whole request if one named stream does not exist yet.
            self._find_missing(q.log_group, streams)
            return Page(())
        group = q.log_group
        events = tuple(
            LogEvent(
                timestamp=e["timestamp"],
                message=e.get("message", ""),
                ingestion_time=e.get("ingestionTime", 0),
                event_id=e.get("eventId", ""),
                log_stream=e.get("logStreamName", ""),
                target=self.targets.get((group, e.get("logStreamName", ""))),
            )
            for e in page.get("events") or []
        )
        return Page(events, page.get("nextToken") or None)

    def forget_missing(self) -> None:
        """Look again for streams that did not exist (called on each job refresh)."""
        self.missing.clear()

    def _find_missing(self, group: str, streams: list[str]) -> None:
        if not _group_exists(self.aws, group):
            if self.group_may_appear():
                self.missing.update((group, s) for s in streams)
                self._say_once(f"log group {group} does not exist yet: waiting for it")
                return
            raise NotFound(
                f"log group {group!r} does not exist in {self.aws.target.region}",
                hint="the job definition's awslogs-group names it; was it deleted?",
            )
        for s in streams:
            found = (
                self.aws.call(
                    "logs", "DescribeLogStreams", logGroupName=group, logStreamNamePrefix=s, limit=1
                ).get("logStreams")
                or []
            )
            if not any(x.get("logStreamName") == s for x in found):
                self.missing.add((group, s))
                t = self.targets.get((group, s))
                self._say_once(f"{t.label + ': ' if t and t.label else ''}no log stream {s} yet")

    def _say_once(self, message: str) -> None:
        if message not in self._announced:
            self._announced.add(message)
            self.notice(message)


def _group_exists(aws: Aws, group: str) -> bool:
    found = aws.call("logs", "DescribeLogGroups", logGroupNamePrefix=group, limit=50)
    return any(g.get("logGroupName") == group for g in found.get("logGroups") or [])


def _explain_missing(aws: Aws, t: LogTarget, notice: Callable[[str], object]) -> None:
    if not _group_exists(aws, t.log_group):
        raise NotFound(
            f"log group {t.log_group!r} does not exist in {aws.target.region}",
            hint="the job definition's awslogs-group names it; was it deleted?",
        )
    notice(wrote_nothing(t))


# ---------------------------------------------------------------- following


class JobLogSource:
    """The follow loop's source for one job: DescribeJobs on refresh, FilterLogEvents on fetch.

    A refresh re-reads only the children/nodes that have not finished, so following an array
    job of thousands of children does not re-describe the finished ones every few seconds.
    """

    def __init__(self, aws: Aws, job_id: str, selection: LogSelection | None = None) -> None:
        self.aws = aws
        self.job_id = job_id
        self.selection = selection or LogSelection()
        self.notices: list[str] = []
        self._targets: dict[tuple[str, str], LogTarget] = {}
        self._sources: dict[str, _FilterSource] = {}
        self._finished_units: dict[str, Job] = {}
        self._definitions = _DefinitionCache(aws)
        self.last: JobLogs | None = None

    def refresh(self) -> SourceState:
        logs = resolve_job_logs(
            self.aws,
            self.job_id,
            self.selection,
            finished_units=self._finished_units,
            definitions=self._definitions,
        )
        self.last = logs
        for t in logs.targets:
            self._targets[t.key] = t
        for s in self._sources.values():
            s.forget_missing()
        note = logs.note
        if logs.finished and not logs.targets:
            note = note or f"job {self.job_id} is {logs.status} and has no logs"
        return SourceState(
            targets=tuple(self._targets.values()),
            status=logs.status,
            finished=logs.finished,
            note=note,
        )

    def ended_silent(self, seen: set[tuple[str, str]]) -> list[LogTarget]:
        """The targets of attempts that ended with a reason and of which no line was seen."""
        return [t for k, t in self._targets.items() if t.ended and k not in seen]

    def fetch(self, query: Query) -> Page:
        region = next(
            (t.region for t in self._targets.values() if t.log_group == query.log_group), ""
        )
        source = self._sources.get(region)
        if source is None:
            source = _FilterSource(
                _aws_for(self.aws, region),
                self._targets,
                self.notices.append,
                group_may_appear=lambda: self.last is None or not self.last.finished,
            )
            self._sources[region] = source
        return source.fetch(query)


def follow(
    aws: Aws,
    job_id: str,
    selection: LogSelection | None = None,
    *,
    start_ms: int | None = None,
    filter_pattern: str | None = None,
    stop: threading.Event | None = None,
    settings: FollowSettings | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] | None = None,
) -> Iterator[FollowBatch]:
    """Follow a job's logs until it has finished and its streams are drained, or ``stop`` is set.

    Run it in a thread worker; set ``stop`` to end it within one sleep. Each yielded batch holds
    new events (every event exactly once), notices for the user, and ``done`` on the last one.
    """
    stop_event = stop or threading.Event()
    cfg = settings or FollowSettings()
    if start_ms is not None or filter_pattern is not None:
        cfg = dataclasses.replace(cfg, start_time=start_ms, filter_pattern=filter_pattern)
    source = JobLogSource(aws, job_id, selection)
    seen: set[tuple[str, str]] = set()  # the streams lines came from
    for batch in follow_loop(
        source,
        clock=clock,
        sleep=sleep or stop_event.wait,
        settings=cfg,
        stop=stop_event.is_set,
    ):
        if source.notices:
            batch = dataclasses.replace(batch, notices=(*source.notices, *batch.notices))
            source.notices.clear()
        seen.update(e.target.key for e in batch.events if e.target is not None)
        if batch.done and batch.notices and start_ms is None and filter_pattern is None:
            # The last word names the attempts that wrote nothing, and why they ended.
            empty = source.ended_silent(seen)
            if empty:
                last = "; ".join((*(wrote_nothing(t) for t in empty), batch.notices[-1]))
                batch = dataclasses.replace(batch, notices=(*batch.notices[:-1], last))
        yield batch


class TargetsSource:
    """A follow source over fixed targets (no job): runs until stopped. For a stream the user
    picked by hand, and for the benchmark."""

    def __init__(self, aws: Aws, targets: Sequence[LogTarget]) -> None:
        self.targets = {t.key: t for t in targets}
        self.notices: list[str] = []
        self._source = _FilterSource(
            aws, self.targets, self.notices.append, group_may_appear=lambda: True
        )

    def refresh(self) -> SourceState:
        self._source.forget_missing()
        return SourceState(targets=tuple(self.targets.values()), status="", finished=False)

    def fetch(self, query: Query) -> Page:
        return self._source.fetch(query)


def follow_targets(
    aws: Aws,
    targets: Sequence[LogTarget],
    *,
    start_ms: int | None = None,
    filter_pattern: str | None = None,
    stop: threading.Event,
    settings: FollowSettings | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] | None = None,
) -> Iterator[FollowBatch]:
    """Follow fixed streams (all in ``aws``'s region) until ``stop`` is set."""
    cfg = dataclasses.replace(
        settings or FollowSettings(), start_time=start_ms, filter_pattern=filter_pattern
    )
    source = TargetsSource(aws, targets)
    for batch in follow_loop(
        source, clock=clock, sleep=sleep or stop.wait, settings=cfg, stop=stop.is_set
    ):
        if source.notices:
            batch = dataclasses.replace(batch, notices=(*source.notices, *batch.notices))
            source.notices.clear()
        yield batch
