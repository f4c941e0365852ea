"""A described job as rich renderables, section by section (no textual: rich only).

Every value from AWS enters as plain Text, never as markup, so a command line or an environment
value containing ``[`` or escape sequences is shown, not interpreted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from batchtui.account.snapshots import JobDetail
from batchtui.model import Container, Job, JobSummary
from batchtui.render.text import duration, epoch_ms
from batchtui.tui.cells import STATUS_COLOURS
from batchtui.tui.reasons import DEFAULT_KEYS, Explanation, Keys, explain

DEFAULT_LOG_GROUP = "/aws/batch/job"


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True, min_width=18)
    grid.add_column()
    return grid


def _plain(value: Any) -> Text:
    return Text("-" if value in (None, "", [], {}) else str(value))


def _status(status: str) -> Text:
    return Text(status, style=f"bold {STATUS_COLOURS.get(status, '')}")


def _title(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _number(value: float | None) -> str:
    """1.0 -> "1", 0.25 -> "0.25", 122880 -> "122880" (as AWS wrote them)."""
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else str(value)


def resources(container: Container) -> tuple[str, str, str]:
    """(vCPUs, memory MiB, GPUs) from resourceRequirements, else the legacy fields."""
    return _number(container.vcpus), _number(container.memory_mib), str(container.gpus)


def log_location(job: Job) -> tuple[str, str]:
    """(log group, log stream) the job's container writes to (its real configuration)."""
    container = job.container or Container()
    conf = container.log_configuration
    group = (conf.option("awslogs-group") if conf else "") or DEFAULT_LOG_GROUP
    return group, container.log_stream_name


def ran_for(job: Job, now_ms: int | None) -> tuple[str, str]:
    """("ran for", "4m00s") for a job that ran and stopped; ("running for", "3m12s") for one
    running at ``now_ms`` (the endpoint's clock when it was described); "-" when not started."""
    started, stopped = job.started_at, job.stopped_at
    if started and stopped:
        return "ran for", duration((stopped - started) / 1000)
    if started and now_ms is not None and job.status in ("STARTING", "RUNNING"):
        return "running for", duration(max(0, now_ms - started) / 1000)
    return "ran for", "-"


def summary(
    job: Job,
    keys: Keys = DEFAULT_KEYS,
    blocker: Explanation | None = None,
    now_ms: int | None = None,
) -> RenderableType:
    grid = _grid()
    started, stopped = job.started_at, job.stopped_at
    ran_label, ran = ran_for(job, now_ms)
    reason = job.status_reason or "-"
    grid.add_row("name", _plain(job.job_name))
    grid.add_row("job id", _plain(job.job_id))
    grid.add_row("status", _status(job.status))
    grid.add_row(
        "status reason",
        Text(reason, style="bold yellow" if job.status in ("RUNNABLE", "FAILED") else ""),
    )
    explained = None
    if job.status == "RUNNABLE":
        explained = explain(reason, keys) if job.status_reason else blocker
    if explained is not None:
        grid.add_row("what it means", Text(explained.meaning))
        grid.add_row("what to do", Text(explained.todo))
    grid.add_row("queue", _plain(job.queue_name))
    grid.add_row("definition", _plain(job.definition_name))
    grid.add_row("created", _plain(epoch_ms(job.created_at or None)))
    grid.add_row("started", _plain(epoch_ms(started)))
    grid.add_row("stopped", _plain(epoch_ms(stopped)))
    grid.add_row(ran_label, _plain(ran))
    grid.add_row("platform", _plain(", ".join(job.platform_capabilities or ("EC2",))))
    if job.scheduling_priority is not None or job.share_identifier:
        priority = "-" if job.scheduling_priority is None else job.scheduling_priority
        grid.add_row(
            "scheduling",
            _plain(f"priority {priority} share {job.share_identifier or '-'}"),
        )
    return grid


def current_attempt(job: Job, now_ms: int | None = None) -> Text | None:
    """The attempt under way (AWS lists an attempt in ``attempts`` only once it ends):
    "attempt 1 running since 2026-11-18T10:40:00Z (3m12s)"; None when none is."""
    if job.status not in ("STARTING", "RUNNING"):
        return None
    n = len(job.attempts) + 1
    if job.status == "STARTING" or not job.started_at:
        return Text(f"attempt {n} starting: placed, its container not running yet")
    text = Text(f"attempt {n} running since {epoch_ms(job.started_at)}")
    if now_ms is not None:
        text.append(f" ({duration(max(0, now_ms - job.started_at) / 1000)})")
    stream = job.container.log_stream_name if job.container else ""
    if stream:
        text.append(f"  log stream {stream}")
    return text


def attempts(job: Job, now_ms: int | None = None) -> RenderableType:
    current = current_attempt(job, now_ms)
    if not job.attempts:
        return current or Text("no attempts yet", style="dim")
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in ("#", "STARTED", "STOPPED", "EXIT", "REASON", "LOG STREAM"):
        table.add_column(col)
    for i, a in enumerate(job.attempts, start=1):
        exit_code = a.container.exit_code
        table.add_row(
            str(i),
            epoch_ms(a.started_at),
            epoch_ms(a.stopped_at),
            Text(
                "-" if exit_code is None else str(exit_code), style="red" if exit_code else "green"
            ),
            Text(a.status_reason or a.container.reason or "-"),
            Text(a.container.log_stream_name or "-"),
        )
    return table if current is None else Group(table, current)


def container(job: Job) -> RenderableType:
    c = job.container
    if c is None:
        return Text(
            "no container properties"
            + (" (ECS/EKS/multi-node job)" if job.has_other_properties else ""),
            style="dim",
        )
    vcpus, memory, gpus = resources(c)
    grid = _grid()
    grid.add_row("image", _plain(c.image))
    grid.add_row("vCPUs / memory", _plain(f"{vcpus} vCPU   {memory} MiB   {gpus} GPU"))
    grid.add_row("command", Text(" ".join(c.command) or "-"))
    grid.add_row("job role", _plain(c.job_role_arn))
    grid.add_row("execution role", _plain(c.execution_role_arn))
    grid.add_row("exit code", _plain(c.exit_code))
    grid.add_row("reason", _plain(c.reason))
    env_text = Text()
    for name, value in c.environment:
        env_text.append(name, style="green")
        env_text.append(f"={value}\n")
    env_text.rstrip()
    grid.add_row("environment", env_text if c.environment else _plain(None))
    return grid


def policy(job: Job) -> RenderableType:
    grid = _grid()
    timeout = job.attempt_duration_s
    grid.add_row("timeout", _plain(f"{timeout} s per attempt" if timeout else "none"))
    grid.add_row("retry attempts", _plain(job.retry_attempts))
    for rule in job.retry_rules:
        cond = ", ".join(f"{k}={v}" for k, v in rule.conditions)
        grid.add_row("  on exit", Text(f"{rule.action} when {cond or 'any'}"))
    return grid


def _job_line(job: Job, kind: str = "") -> Text:
    text = Text()
    text.append(f"{job.job_id}  ")
    text.append(job.job_name, style="bold")
    text.append("  ")
    text.append_text(_status(job.status or "?"))
    if kind:
        text.append(f"  ({kind})", style="dim")
    return text


def dependencies(detail: JobDetail) -> RenderableType:
    kinds = dict(detail.job.depends_on)
    parts: list[RenderableType] = [Text("waits on:", style="bold")]
    if detail.depends_on:
        parts += [_job_line(d, kinds.get(d.job_id, "")) for d in detail.depends_on]
    else:
        parts.append(Text("  nothing", style="dim"))
    parts.append(Text("waited on by:", style="bold"))
    if detail.dependents:
        parts += [_job_line(d) for d in detail.dependents]
    else:
        parts.append(Text("  no PENDING job", style="dim"))
    n = detail.dependents_scanned
    note = f"  (looked through {n} PENDING job{'' if n == 1 else 's'} of the queue"
    note += ")" if detail.dependents_complete else ", the first ones only)"
    parts.append(Text(note, style="dim"))
    return Group(*parts)


@dataclass(frozen=True)
class Related:
    """A job the detail links to: ``enter`` on it opens its detail."""

    kind: str  # "waits on", "waited on by", "array parent", "child"
    job: JobSummary


#: The detail links to at most this many children of an array job (``a`` lists them all).
CHILD_LINKS = 10


def related_jobs(detail: JobDetail) -> list[Related]:
    """The jobs the detail links to: those it waits on, those that wait on it, its array parent
    (a child's id is ``parent:index``), and its first :data:`CHILD_LINKS` children."""
    job = detail.job
    out = [Related("waits on", d.summary()) for d in detail.depends_on if d.status != "?"]
    out += [Related("waited on by", d.summary()) for d in detail.dependents]
    if job.array_index is not None and ":" in job.job_id:
        parent = job.job_id.rsplit(":", 1)[0]
        out.append(Related("array parent", JobSummary(parent, job.job_name, "")))
    if job.array_size:
        out += [
            Related("child", JobSummary(f"{job.job_id}:{i}", job.job_name, "", array_index=i))
            for i in range(min(job.array_size, CHILD_LINKS))
        ]
    return out


def related_line(related: Related) -> Text:
    """One link: "waits on  first-step  RUNNING  <job id>"."""
    text = Text(f"{related.kind:<13}", style="dim")
    text.append(related.job.job_name or "?", style="bold")
    if related.job.array_index is not None:
        text.append(f":{related.job.array_index}")
    if related.job.status:
        text.append("  ")
        text.append_text(_status(related.job.status))
    text.append(f"  {related.job.job_id}", style="dim")
    return text


def array(job: Job) -> RenderableType | None:
    if job.array_size is None and job.array_index is None:
        return None
    grid = _grid()
    if job.array_size is not None:
        grid.add_row("size", _plain(job.array_size))
        line = Text()
        for status, n in job.array_status_summary:
            line.append(f"{status} {n}  ", style=STATUS_COLOURS.get(status, ""))
        grid.add_row("children", line or _plain(None))
        grid.add_row("", Text("a: list the children", style="dim"))
    if job.array_index is not None:
        grid.add_row("index", _plain(job.array_index))
    return grid


def render_job(
    detail: JobDetail,
    keys: Keys = DEFAULT_KEYS,
    blocker: Explanation | None = None,
    now: float | None = None,
) -> RenderableType:
    """Every section of the job; ``blocker`` explains a RUNNABLE job AWS gives no reason for.
    ``now``: the endpoint's clock (epoch seconds) a running job's time counts to, when it has
    moved on since the description was read (the time the endpoint said then, otherwise)."""
    job = detail.job
    group, stream = log_location(job)
    logs = _grid()
    logs.add_row("log group", _plain(group))
    logs.add_row("log stream", _plain(stream))
    now = now if now is not None else detail.server_time
    now_ms = int(now * 1000) if now is not None else None
    parts: list[RenderableType] = [summary(job, keys, blocker, now_ms)]
    arr = array(job)
    if arr is not None:
        parts += [_title("Array"), arr]
    parts += [_title("Attempts"), attempts(job, now_ms)]
    parts += [_title("Dependencies"), dependencies(detail)]
    parts += [_title("Container"), container(job)]
    parts += [_title("Timeout and retries"), policy(job)]
    parts += [_title("Logs"), logs]
    return Group(*parts)
