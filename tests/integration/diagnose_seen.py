"""What the end-to-end diagnose tests share: ``batchtui diagnose`` run against a sandbox and its
JSON read back (checked against its schema), and the same job opened in the TUI's diagnosis
screen as the app's ``D`` opens it, to check that the screen names the cause the CLI names.

The fixtures that bind these to a sandbox are in this folder's conftest.py.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

import pytest

from batchtui.cli import main

REPO = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "batchtui" / "data" / "diagnose.schema.json").read_text())

#: ``run(*args)`` -> (exit code, the JSON document, or ``{"stderr": ...}`` when stdout is empty).
Run = Callable[..., tuple[int, dict[str, Any]]]


def point_at(monkeypatch: pytest.MonkeyPatch, sb: Any) -> None:
    """The CLI's environment for ``sb``, as a user points the aws CLI at an endpoint."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", sb.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", sb.credentials[1])
    monkeypatch.setenv("AWS_ENDPOINT_URL", sb.url)
    monkeypatch.setenv("AWS_REGION", sb.region)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")


def runner(capsys: pytest.CaptureFixture[str]) -> Run:
    """``batchtui diagnose ARGS --output json`` in this process, wherever the environment
    points; a document that is printed must match the published schema."""
    import jsonschema

    def run(*args: str) -> tuple[int, dict[str, Any]]:
        capsys.readouterr()
        rc = main(["diagnose", *args, "--output", "json"])
        out, err = capsys.readouterr()
        if not out.strip():
            return rc, {"stderr": err}
        doc = json.loads(out)
        jsonschema.validate(doc, SCHEMA)
        return rc, doc

    return run


def submit(batch: Any, queue: str, jd: str, name: str = "job", **extra: Any) -> str:
    return str(batch.submit_job(jobName=name, jobQueue=queue, jobDefinition=jd, **extra)["jobId"])


def first(doc: dict[str, Any]) -> dict[str, Any]:
    assert doc.get("findings"), doc
    return dict(doc["findings"][0])


def evidence(finding: dict[str, Any]) -> str:
    return " | ".join(f"{e['call']} {e['field']} {e['value']}" for e in finding["evidence"])


# -- the same diagnosis in the TUI -----------------------------------------------------------
@dataclass(frozen=True)
class Seen:
    """The diagnosis screen as the test found it: the first finding's tree line and the lines
    folded under it, the highlighted finding shown whole, and the summary above."""

    line: str
    folded: tuple[str, ...]
    expanded: bool
    whole: str
    summary: str
    codes: tuple[str, ...]


def assert_shows(seen: Seen, finding: dict[str, Any]) -> None:
    """The first finding on the screen is the CLI's ``finding``: its code, severity and title on
    the finding's line, unfolded, with every piece of evidence (value, call and field) and the
    fix under it, and all of it again in the whole-finding pane."""
    assert seen.codes[:1] == (finding["code"],), (seen.codes, finding)
    assert seen.expanded, seen
    assert f" {finding['severity'].upper()} " in seen.line and finding["title"] in seen.line, seen
    assert seen.folded[0] == f"code: {finding['code']}", seen.folded
    shown = [f"evidence: {e['value']}  <- {e['call']} {e['field']}" for e in finding["evidence"]]
    assert [line for line in seen.folded if line.startswith("evidence: ")] == shown, seen.folded
    assert f"fix: {finding['fix']}" in seen.folded, seen.folded
    for part in (finding["code"], finding["title"], finding["fix"]):
        assert part in seen.whole, (part, seen.whole)


def seen_on(screen: Any) -> Seen:
    """What a :class:`~batchtui.tui.screens.diagnosis.DiagnosisScreen` shows once diagnosed."""
    from textual.widgets import Static

    from batchtui.tui.widgets.finding_tree import FindingTree

    assert screen.diagnosis is not None, screen
    top = screen.query_one(FindingTree).root.children[0]
    return Seen(
        line=str(top.label),
        folded=tuple(str(child.label) for child in top.children),
        expanded=top.is_expanded,
        whole=str(screen.query_one("#finding-text", Static).content),
        summary=str(screen.query_one("#diagnosis-summary", Static).content),
        codes=tuple(f.code for f in screen.diagnosis.findings),
    )


def app_on(sb: Any, refresh_interval: float = 0.0) -> Any:
    """The TUI connected to ``sb``, its clock fixed, its refresh timer off (by default)."""
    from batchtui.aws.session import Aws, AwsTarget
    from batchtui.tui.app import create_app
    from batchtui.tui.config import TuiConfig

    aws = Aws(AwsTarget(region=sb.region, endpoint_url=sb.url, sandbox=True,
                        credentials=sb.credentials))  # fmt: skip
    return create_app(
        aws, sandbox=sb, config=TuiConfig(refresh_interval=refresh_interval), clock=lambda: 1.0
    )


class Tui:
    """The TUI on a sandbox, kept open across a module's tests in a thread of its own, as a user
    keeps it open while jobs get stuck: starting it reads every queue of the account for the
    overview, which on the session sandbox holding every test's queues costs more than the
    diagnosis checked.

    Its refresh timer is on at a day's interval of a clock that stands still: nothing is ever
    due, so going back to the overview after a check reads nothing (with the timer off, every
    screen shown again reads all it shows). One task of the thread's event loop runs the app
    (Textual keeps the running app in context variables of the task that started it) and takes
    the checks from a queue.

    ``with Tui(sb) as tui: tui.assert_names(finding, job=job_id)``
    """

    def __init__(self, sb: Any) -> None:
        self.sb = sb
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="tui", daemon=True)

    def __enter__(self) -> Tui:
        self.thread.start()
        self.asks: asyncio.Queue[tuple[str, Future[Seen]] | None] = asyncio.Queue()
        ready: Future[None] = Future()
        self.running = asyncio.run_coroutine_threadsafe(self._run_app(ready), self.loop)
        wait([ready, self.running], return_when=FIRST_COMPLETED)
        if not ready.done():
            self.running.result()  # the app failed to start: say why
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.loop.call_soon_threadsafe(self.asks.put_nowait, None)
            self.running.result()
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join()
            self.loop.close()

    def assert_names(self, finding: dict[str, Any], *, job: str) -> Seen:
        """The diagnosis screen of ``job``, opened as ``D`` on it in the jobs list opens it,
        shows the CLI's ``finding`` first (:func:`assert_shows`)."""
        answer: Future[Seen] = Future()
        self.loop.call_soon_threadsafe(self.asks.put_nowait, (job, answer))
        wait([answer, self.running], return_when=FIRST_COMPLETED)
        if not answer.done():
            self.running.result()  # the app ended: say why
            raise AssertionError("the TUI closed before it diagnosed the job")
        seen = answer.result()
        assert_shows(seen, finding)
        return seen

    async def _run_app(self, ready: Future[None]) -> None:
        app = app_on(self.sb, refresh_interval=86_400.0)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(app, pilot)
            home = app.screen
            ready.set_result(None)
            while (ask := await self.asks.get()) is not None:
                job, answer = ask
                try:
                    answer.set_result(await self._diagnose(app, pilot, job))
                except BaseException as e:  # the test's thread raises it
                    answer.set_exception(e)
                finally:  # back to the overview: a screen left open ticks every second
                    for _ in range(len(app.screen_stack)):
                        if app.screen is home:
                            break
                        await pilot.press("escape")

    @staticmethod
    async def _diagnose(app: Any, pilot: Any, job: str) -> Seen:
        from batchtui.tui.screens.diagnosis import DiagnosisScreen

        name = str(app.aws.call("batch", "DescribeJobs", jobs=[job])["jobs"][0]["jobName"])
        # What D on the job's row in the jobs list opens (that key is tested in tests/tui):
        # opening the list first would cost a listing of the queue, and half the check's time.
        app.navigate.open_diagnosis(job_id=job, job_name=name)
        await settle(app, pilot)
        assert isinstance(app.screen, DiagnosisScreen), app.screen
        assert app.screen.subject == f"job {name}  {job}", app.screen.subject
        return seen_on(app.screen)


async def settle(app: Any, pilot: Any) -> None:
    """Every worker finished and every message it posted handled (never a timed wait). An
    exclusive worker that a newer one superseded ends cancelled: the newer one is waited for."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        for _ in range(10):
            try:
                await app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                await pilot.pause()
        await pilot.pause()
