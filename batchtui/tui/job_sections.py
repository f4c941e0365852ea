"""A described job as rich renderables, section by section (no textual: rich only).

Every value from AWS enters as plain Text, never as markup, so a command line or an environment
value containing ``[`` or escape sequences is shown, not interpreted.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from batchtui.account.snapshots import JobDetail
from batchtui.model import Container, Job
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


def summary(
    job: Job, keys: Keys = DEFAULT_KEYS, blocker: Explanation | None = None
) -> RenderableType:
    grid = _grid()
    started, stopped = job.started_at, job.stopped_at
    ran = duration((stopped - started) / 1000) if started and stopped else "-"
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
    grid.add_row("ran for", _plain(ran))
    grid.add_row("platform", _plain(", ".join(job.platform_capabilities or ("EC2",))))
    if job.scheduling_priority is not None or job.share_identifier:
        priority = "-" if job.scheduling_priority is None else job.scheduling_priority
        grid.add_row(
            "scheduling",
            _plain(f"priority {priority} share {job.share_identifier or '-'}"),
        )
    return grid


def attempts(job: Job) -> RenderableType:
    if not job.attempts:
        return Text("no attempts yet", style="dim")
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
    return table


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
    detail: JobDetail, keys: Keys = DEFAULT_KEYS, blocker: Explanation | None = None
) -> RenderableType:
    """Every section of the job; ``blocker`` explains a RUNNABLE job AWS gives no reason for."""
    job = detail.job
    group, stream = log_location(job)
    logs = _grid()
    logs.add_row("log group", _plain(group))
    logs.add_row("log stream", _plain(stream))
    parts: list[RenderableType] = [summary(job, keys, blocker)]
    arr = array(job)
    if arr is not None:
        parts += [_title("Array"), arr]
    parts += [_title("Attempts"), attempts(job)]
    parts += [_title("Dependencies"), dependencies(detail)]
    parts += [_title("Container"), container(job)]
    parts += [_title("Timeout and retries"), policy(job)]
    parts += [_title("Logs"), logs]
    return Group(*parts)
