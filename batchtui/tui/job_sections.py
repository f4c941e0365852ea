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


def _container(job: dict[str, Any]) -> dict[str, Any]:
    return job.get("container") or {}


def resources(container: dict[str, Any]) -> tuple[str, str, str]:
    """(vCPUs, memory MiB, GPUs) from resourceRequirements, else the legacy fields."""
    req = {r.get("type"): r.get("value") for r in container.get("resourceRequirements", []) or []}
    return (
        str(req.get("VCPU", container.get("vcpus", "-"))),
        str(req.get("MEMORY", container.get("memory", "-"))),
        str(req.get("GPU", "0")),
    )


def log_location(job: dict[str, Any]) -> tuple[str, str]:
    """(log group, log stream) the job's container writes to (its real configuration)."""
    container = _container(job)
    options = (container.get("logConfiguration") or {}).get("options") or {}
    group = options.get("awslogs-group", DEFAULT_LOG_GROUP)
    return group, container.get("logStreamName", "") or ""


def summary(
    job: dict[str, Any], keys: Keys = DEFAULT_KEYS, blocker: Explanation | None = None
) -> RenderableType:
    grid = _grid()
    started, stopped = job.get("startedAt"), job.get("stoppedAt")
    ran = duration((stopped - started) / 1000) if started and stopped else "-"
    reason = job.get("statusReason") or "-"
    grid.add_row("name", _plain(job.get("jobName")))
    grid.add_row("job id", _plain(job.get("jobId")))
    grid.add_row("status", _status(job.get("status", "")))
    grid.add_row(
        "status reason",
        Text(reason, style="bold yellow" if job.get("status") in ("RUNNABLE", "FAILED") else ""),
    )
    explained = None
    if job.get("status") == "RUNNABLE":
        explained = explain(reason, keys) if job.get("statusReason") else blocker
    if explained is not None:
        grid.add_row("what it means", Text(explained.meaning))
        grid.add_row("what to do", Text(explained.todo))
    grid.add_row("queue", _plain(str(job.get("jobQueue", "")).rsplit("/", 1)[-1]))
    grid.add_row("definition", _plain(str(job.get("jobDefinition", "")).rsplit("/", 1)[-1]))
    grid.add_row("created", _plain(epoch_ms(job.get("createdAt"))))
    grid.add_row("started", _plain(epoch_ms(started)))
    grid.add_row("stopped", _plain(epoch_ms(stopped)))
    grid.add_row("ran for", _plain(ran))
    grid.add_row("platform", _plain(", ".join(job.get("platformCapabilities", []) or ["EC2"])))
    if job.get("schedulingPriority") is not None or job.get("shareIdentifier"):
        grid.add_row(
            "scheduling",
            _plain(
                f"priority {job.get('schedulingPriority', '-')} share {job.get('shareIdentifier', '-')}"
            ),
        )
    return grid


def attempts(job: dict[str, Any]) -> RenderableType:
    rows = job.get("attempts", []) or []
    if not rows:
        return Text("no attempts yet", style="dim")
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in ("#", "STARTED", "STOPPED", "EXIT", "REASON", "LOG STREAM"):
        table.add_column(col)
    for i, a in enumerate(rows, start=1):
        c = a.get("container") or {}
        exit_code = c.get("exitCode")
        table.add_row(
            str(i),
            epoch_ms(a.get("startedAt")),
            epoch_ms(a.get("stoppedAt")),
            Text(
                "-" if exit_code is None else str(exit_code), style="red" if exit_code else "green"
            ),
            Text(a.get("statusReason") or c.get("reason") or "-"),
            Text(c.get("logStreamName") or "-"),
        )
    return table


def container(job: dict[str, Any]) -> RenderableType:
    c = _container(job)
    if not c:
        props = job.get("ecsProperties") or job.get("eksProperties") or job.get("nodeProperties")
        return Text(
            "no container properties" + (" (ECS/EKS/multi-node job)" if props else ""), style="dim"
        )
    vcpus, memory, gpus = resources(c)
    grid = _grid()
    grid.add_row("image", _plain(c.get("image")))
    grid.add_row("vCPUs / memory", _plain(f"{vcpus} vCPU   {memory} MiB   {gpus} GPU"))
    grid.add_row("command", Text(" ".join(map(str, c.get("command", []) or [])) or "-"))
    grid.add_row("job role", _plain(c.get("jobRoleArn")))
    grid.add_row("execution role", _plain(c.get("executionRoleArn")))
    grid.add_row("exit code", _plain(c.get("exitCode")))
    grid.add_row("reason", _plain(c.get("reason")))
    env = c.get("environment", []) or []
    env_text = Text()
    for e in env:
        env_text.append(f"{e.get('name')}", style="green")
        env_text.append(f"={e.get('value')}\n")
    env_text.rstrip()
    grid.add_row("environment", env_text if env else _plain(None))
    return grid


def policy(job: dict[str, Any]) -> RenderableType:
    grid = _grid()
    timeout = (job.get("timeout") or {}).get("attemptDurationSeconds")
    grid.add_row("timeout", _plain(f"{timeout} s per attempt" if timeout else "none"))
    retry = job.get("retryStrategy") or {}
    grid.add_row("retry attempts", _plain(retry.get("attempts", 1)))
    for rule in retry.get("evaluateOnExit", []) or []:
        cond = ", ".join(
            f"{k}={rule[k]}" for k in ("onStatusReason", "onReason", "onExitCode") if k in rule
        )
        grid.add_row("  on exit", Text(f"{rule.get('action', '?')} when {cond or 'any'}"))
    return grid


def _job_line(d: dict[str, Any], kind: str = "") -> Text:
    text = Text()
    text.append(f"{d.get('jobId', '?')}  ")
    text.append(str(d.get("jobName", "")), style="bold")
    text.append("  ")
    text.append_text(_status(str(d.get("status", "?"))))
    if kind:
        text.append(f"  ({kind})", style="dim")
    return text


def dependencies(detail: JobDetail) -> RenderableType:
    job = detail.job
    kinds = {d.get("jobId"): d.get("type", "") for d in job.get("dependsOn", []) or []}
    parts: list[RenderableType] = [Text("waits on:", style="bold")]
    if detail.depends_on:
        parts += [_job_line(d, kinds.get(d.get("jobId"), "")) for d in detail.depends_on]
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


def array(job: dict[str, Any]) -> RenderableType | None:
    props = job.get("arrayProperties") or {}
    if not props:
        return None
    grid = _grid()
    if "size" in props:
        grid.add_row("size", _plain(props["size"]))
        summary_ = props.get("statusSummary") or {}
        line = Text()
        for status, n in summary_.items():
            line.append(f"{status} {n}  ", style=STATUS_COLOURS.get(status, ""))
        grid.add_row("children", line or _plain(None))
        grid.add_row("", Text("a: list the children", style="dim"))
    if "index" in props:
        grid.add_row("index", _plain(props["index"]))
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
