"""``:submissions``: the submissions in an image bucket, their progress, and ``l`` on their
jobs. The submissions are made by hand as ``batchtui submit`` makes them (the pure core,
SubmitJob, the journal in S3), with the sandbox's synthetic workload in place of the tagger, so
every child takes the same simulated time.

moto's S3 belongs to the process, not to one sandbox: each test makes its bucket and deletes it,
so no test sees another's submissions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from conftest import SIZE, Clock, app_on, settle
from screen_text import screen_text
from textual.widgets import DataTable, Label

from batchtui.account.jobstore import JobQuery
from batchtui.account.pacing import ACTIVE_CAP_S, Pace
from batchtui.sandbox.images import sample_images
from batchtui.submission import (
    Image,
    Journal,
    Layout,
    SubmitOptions,
    manifest_body,
    pending_steps,
    plan_submission,
    profile_ref,
    submit_request,
)
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.logs import LogsScreen
from batchtui.tui.screens.submissions import SUBMISSION_COLUMNS, SubmissionsScreen


def _client(demo: Any, service: str) -> Any:
    return boto3.client(service, endpoint_url=demo.url, region_name=demo.region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip


BUCKET = "submissions-view-photos"


@pytest.fixture
def photos(demo: Any) -> Iterator[str]:
    """A bucket of 50 images, gone after the test (with the submissions' objects)."""
    s3 = _client(demo, "s3")
    s3.create_bucket(Bucket=BUCKET)
    for key, body in sample_images(50, seed=9):
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    yield BUCKET
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def submit_by_hand(
    demo: Any, per_job: int, *, seconds: int, exit_code: int = 0, steps: int | None = None
) -> Layout:
    """The bucket's 50 images at ``per_job`` a child on demo-main, each child running
    ``seconds`` and exiting ``exit_code``; the journal written after every job (only the first
    ``steps`` of them submitted: a submission interrupted)."""
    s3, batch = _client(demo, "s3"), _client(demo, "batch")
    listing = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    layout, images = plan_submission(
        profile_ref("image-tagging", b"tests"),
        [Image(o["Key"], o["ETag"]) for o in listing],
        SubmitOptions(BUCKET, per_job),
    )
    for array in layout.arrays:
        s3.put_object(Bucket=BUCKET, Key=array.manifest_key, Body=manifest_body(images, array))
    workload = [{"name": "SANDBOX_DURATION_SECONDS", "value": str(seconds)},
                {"name": "SANDBOX_EXIT_CODE", "value": str(exit_code)}]  # fmt: skip
    journal = Journal(layout.submission_id)
    for step in pending_steps(layout, journal)[:steps]:
        # The summary simulated like the children (the real one runs at the machine's pace).
        request = submit_request(layout, step, job_queue="demo-main", job_definition="demo-etl",
                                 job_ids=journal.job_ids, summary_command=("true",))  # fmt: skip
        overrides = request["containerOverrides"]
        overrides["environment"] = [*overrides.get("environment", []), *workload]
        journal = journal.recorded(step, batch.submit_job(**request)["jobId"])
        s3.put_object(Bucket=BUCKET, Key=layout.journal_key, Body=journal.to_json(layout).encode())
    return layout


def _rows(app: Any, table: str) -> list[str]:
    found = app.screen.query_one(f"#{table}", DataTable)
    return [str(k.value) for k in found.rows]


async def _open(pilot: Any) -> SubmissionsScreen:
    await settle(pilot.app, pilot)
    await pilot.press("colon", *f"submissions s3://{BUCKET}", "enter")
    await settle(pilot.app, pilot)
    assert isinstance(pilot.app.screen, SubmissionsScreen)
    return pilot.app.screen


async def test_the_view_lists_the_submissions_and_their_progress(demo, photos) -> None:
    ok = submit_by_hand(demo, 10, seconds=60)  # 5 children of 10 images
    bad = submit_by_hand(demo, 25, seconds=30, exit_code=3)  # 2 children that fail
    app = app_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert sorted(_rows(app, "submissions")) == sorted([ok.submission_id, bad.submission_id])
        first = screen.watched[ok.submission_id].progress
        assert (first.images_done, first.image_count, first.status) == (0, 50, "RUNNING")
        text = screen_text(app)
        assert ok.submission_id in text and "0 of 50" in text and "[....................]" in text

        demo.advance(600)  # every child and the summaries have run
        await pilot.press("r")
        await settle(app, pilot)
        done = screen.watched[ok.submission_id].progress
        assert (done.images_done, done.status) == (50, "SUCCEEDED")
        assert done.children_by_status()["SUCCEEDED"] == 5
        failed = screen.watched[bad.submission_id].progress
        assert failed.status == "FAILED" and failed.children_by_status()["FAILED"] == 2
        assert failed.images_failed == 50 and failed.images_done == 0
        assert sorted(c.array_index for c in failed.failed_children) == [0, 1]
        text = screen_text(app)
        assert "50 of 50" in text and "[####################] 100%" in text
        assert f"2 submissions in s3://{BUCKET}" in text


async def test_l_on_a_failed_child_opens_its_logs_and_on_an_array_its_childrens(
    demo, photos
) -> None:
    bad = submit_by_hand(demo, 25, seconds=30, exit_code=3)
    demo.advance(600)
    app = app_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        [array_id] = [a.job_id for a in screen.watched[bad.submission_id].progress.arrays]
        assert _rows(app, "submission-jobs")[0] == f"array {array_id}"
        assert f"child {array_id}:0" in _rows(app, "submission-jobs")
        text = screen_text(app)
        assert "child 0" in text and "exit 3" in text
        await pilot.press("enter")  # into the jobs of the submission
        assert app.focused is screen.query_one("#submission-jobs", DataTable)
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, LogsScreen)
        assert app.screen.job_id == array_id and app.screen.array_size == 2
        await pilot.press("escape")
        await settle(app, pilot)
        jobs = screen.query_one("#submission-jobs", DataTable)
        jobs.move_cursor(row=_rows(app, "submission-jobs").index(f"child {array_id}:1"))
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, LogsScreen)
        assert app.screen.job_id == f"{array_id}:1"
        for _ in range(50):  # message rounds: the first lines come after one fetch
            if len(app.screen.buffer):
                break
            await pilot.pause()
        assert len(app.screen.buffer) > 0
        await pilot.press("escape")
        await settle(app, pilot)
        jobs.move_cursor(row=0)  # the array: enter lists its children, l works on each
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.array_job_id == array_id
        assert sorted(j.array_index for j in app.screen.index.select(JobQuery())) == [0, 1]


async def test_the_view_reads_at_its_pace_and_not_what_is_finished(demo, photos) -> None:
    """The timer's reads come at the refresh interval while counts move, slower while none
    does; a finished submission is not read again (only the bucket's listing is). The timer
    itself is off (the test ticks by hand, on the app's clock): the screen is given the pace a
    5-second timer gives it."""
    submit_by_hand(demo, 25, seconds=30)
    clock = Clock()
    app = app_on(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        screen.pace = Pace(5.0, ACTIVE_CAP_S)
        assert app.aws is not None
        calls = app.aws.counter
        screen.reload(full=False)  # never read at this pace: due
        await settle(app, pilot)
        assert screen.pace.interval == 10  # nothing moved since the view opened: slower
        before = calls.total
        clock.now += 5
        screen.reload(full=False)  # not due yet: no call
        await settle(app, pilot)
        assert calls.total == before
        demo.advance(600)
        clock.now += 5
        screen.reload(full=False)
        await settle(app, pilot)
        [watched] = screen.watched.values()
        assert watched.progress.status == "SUCCEEDED"
        assert screen.pace.interval == 5  # it moved
        clock.now += 5
        before = calls.total
        screen.reload(full=False)
        await settle(app, pilot)
        assert calls.total - before == 1  # ListObjectsV2: the finished one is kept
        assert screen.pace.interval == 10  # unchanged: slower
        for _ in range(6):
            clock.now += screen.pace.interval
            screen.reload(full=False)
            await settle(app, pilot)
        assert screen.pace.interval == ACTIVE_CAP_S


async def test_a_failed_read_says_so_marks_the_data_stale_and_waits_its_turn(demo, photos) -> None:
    from batchtui.sandbox.control_client import SandboxControl

    control = SandboxControl.of(demo)
    control.inject_fault("s3", "ListObjectsV2", code="AccessDenied", status=403, times=100)
    clock = Clock()
    app = app_on(demo, clock=clock)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(app, pilot)
            await pilot.press("colon", *f"submissions s3://{BUCKET}", "enter")
            await settle(app, pilot, failures_expected=True)
            screen = app.screen
            assert isinstance(screen, SubmissionsScreen)
            assert "could not read the submissions" in screen_text(app)
            assert "access denied to s3:ListObjectsV2" in screen_text(app)
            assert app.aws is not None
            screen.pace = Pace(5.0, ACTIVE_CAP_S)
            screen.reload(full=False)  # the timer: due, fails again
            await settle(app, pilot, failures_expected=True)
            # (Not said after the first failure: the overview's own read, as the prompt closed
            # over it, came back after it and said the data fresh.)
            assert app.stale
            before = app.aws.counter.get("s3", "ListObjectsV2")
            screen.reload(full=False)  # at once: not due again yet
            await settle(app, pilot, failures_expected=True)
            assert app.aws.counter.get("s3", "ListObjectsV2") == before
            assert screen.pace.interval == 10  # a failed read slows it as an unchanged one
            clock.now += 10
            screen.reload(full=False)  # its turn
            await settle(app, pilot, failures_expected=True)
            assert app.aws.counter.get("s3", "ListObjectsV2") > before
    finally:
        control.clear_faults()


def test_snapshot_submissions_mid_run(demo, photos, snap_compare) -> None:
    """Two submissions part-way: one running (its bar; its last child waits for capacity and
    none runs, so no ETA), one whose children failed."""
    submit_by_hand(demo, 10, seconds=60)
    submit_by_hand(demo, 25, seconds=30, exit_code=3)
    demo.advance(150)
    label = f"SANDBOX http://127.0.0.1:PORT {demo.region}"  # any free port draws the same

    async def open_view(pilot: Any) -> None:
        await _open(pilot)
        pilot.app.update_status()  # the calls/min of now, not of the status bar's last tick
        await pilot.pause()

    app = app_on(demo, clock=lambda: 0.0, where_label=label)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_view)


async def test_no_submission_says_how_to_make_one(demo, photos) -> None:
    app = app_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        text = " ".join(screen_text(app).split())
        assert "no submission yet: batchtui submit --profile P" in text  # first: never cut
        info = str(app.screen.query_one("#submissions-info", Label).content)
        assert info.endswith(f"read s3://{BUCKET}"), info


async def test_at_80_columns_the_id_progress_images_and_eta_fit(demo, photos) -> None:
    """80x24: the bucket and the children's counts make room (the lines under the table say
    them); widened, the table has every column again."""
    ok = submit_by_hand(demo, 10, seconds=60)  # 5 children of 10 images
    demo.advance(150)
    app = app_on(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        table = screen.query_one("#submissions", DataTable)
        assert [str(c.value) for c in table.columns] == ["id", "status", "progress", "images",
                                                         "eta"]  # fmt: skip
        assert table.virtual_size.width <= table.size.width, "no column is cut off"
        lines = screen_text(app).splitlines()
        [header] = [line for line in lines if "SUBMISSION" in line]
        assert header.split() == ["SUBMISSION", "STATUS", "PROGRESS", "IMAGES", "DONE", "ETA"]
        row = next(line for line in lines if line.lstrip().startswith(ok.submission_id))
        progress = screen.watched[ok.submission_id].progress
        assert f"{progress.images_done} of 50" in row
        assert row.rstrip().endswith(_eta(screen, ok.submission_id)), row
        assert f"1 submission in s3://{BUCKET}" in screen_text(app)

        await pilot.resize_terminal(140, 40)
        await settle(app, pilot)
        assert [str(c.value) for c in table.columns] == [k for k, _ in SUBMISSION_COLUMNS]
        assert _rows(app, "submissions") == [ok.submission_id]
        assert "RUN/OK/FAIL" in screen_text(app) and BUCKET in screen_text(app)


def _eta(screen: SubmissionsScreen, sid: str) -> str:
    from batchtui.render.submission_status import eta_cell

    return eta_cell(screen.watched[sid].progress, screen.samples[sid])


async def test_a_submission_still_being_submitted_says_its_steps_left(demo, photos) -> None:
    interrupted = submit_by_hand(demo, 10, seconds=60, steps=1)  # the array, not the summary
    app = app_on(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert screen.watched[interrupted.submission_id].progress.status == "SUBMITTING"
        text = " ".join(screen_text(app).split())
        assert "SUBMITTING" in text and "to submit: 1 step" in text
        assert "1 steps" not in text
