"""A merged array log says from how many of its children the lines come: the demo's history
arrays keep the lines of their first three children only (the rest are past retention), and
neither the CLI nor the TUI may show them as the whole log."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import batch_client, settle
from screen_text import screen_text

from batchtui.tui.screens.logs import LogsScreen

QUEUE, NAME = "demo-batch-low", "transform-array"


def _array(demo: Any) -> tuple[str, int]:
    """(job id, size) of the demo's finished array whose first three children alone logged."""
    batch = batch_client(demo)
    for status in ("SUCCEEDED", "FAILED"):
        for job in batch.list_jobs(jobQueue=QUEUE, jobStatus=status)["jobSummaryList"]:
            if job["jobName"] == NAME:
                return job["jobId"], job["arrayProperties"]["size"]
    raise AssertionError(f"the demo has no {NAME} in {QUEUE}")


def test_cli_child_all_says_how_many_children_had_lines(
    demo: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from batchtui.cli import main

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    job_id, size = _array(demo)
    assert size > 3
    code = main(
        ["logs", job_id, "--child", "all", "--endpoint-url", demo.url, "--region", demo.region]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    children = {line.split("]")[0] for line in out.splitlines()}
    assert children == {f"[child {i} attempt 1" for i in range(3)}
    assert f"showing the lines of 3 of {size} children: {size - 3} had none" in err


async def test_tui_merged_log_status_line_says_it_within_80_columns(make_app, demo) -> None:
    job_id, size = _array(demo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *f"jobs {QUEUE}", "enter")
        await settle(app, pilot)
        await pilot.press("slash", *NAME, "enter", "l")  # l on the array parent
        await settle(app, pilot)
        logs = app.screen
        assert isinstance(logs, LogsScreen) and logs.job_id == job_id
        assert logs.children_with_lines == {0, 1, 2}
        text = screen_text(app)
        said = f"{len(logs.buffer)} lines from 3 of {size} children"
        [line] = [line for line in text.splitlines() if said in line]
        assert "finished: every line read" in line  # the whole line fits
