"""A followed log opens at its end: the newest lines are on screen as soon as they are read,
not the first line until the next one arrives."""

from __future__ import annotations

import asyncio
from typing import Any

from conftest import batch_client, settle
from screen_text import screen_text

from batchtui.tui.screens.logs import LogBatch, LogsScreen
from batchtui.tui.widgets.log_view import LogView


async def test_a_followed_log_opens_with_its_last_line_visible(make_app, demo) -> None:
    demo.advance(3600)  # an hour of progress lines: more than the view holds
    running = batch_client(demo).list_jobs(jobQueue="demo-main", jobStatus="RUNNING")
    job = next(j for j in running["jobSummaryList"] if j["jobName"].startswith("stream-"))
    batches = asyncio.Event()

    def hook(message: Any) -> None:
        if isinstance(message, LogBatch) and message.batch.events:
            batches.set()

    app = make_app()
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await settle(app, pilot)
        screen = LogsScreen(job["jobId"], name=job["jobName"])
        await app.push_screen(screen)
        # The follow reader never finishes on a running job: wait for its first lines instead.
        await asyncio.wait_for(batches.wait(), timeout=60)
        await pilot.pause()
        await pilot.pause()
        view = screen.query_one(LogView)
        lines = [line.text for line in screen.buffer.lines]
        assert len(lines) > view.size.height, "the log must be longer than the view"
        assert view.follow and view.scroll_offset.y == view.max_scroll_y > 0
        text = screen_text(app)
        assert lines[-1] in text and lines[0] not in text
