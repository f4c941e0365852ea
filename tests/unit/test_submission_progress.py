"""A submission's progress from its array jobs' children: counts, fraction, ETA."""

from __future__ import annotations

import itertools
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from batchtui.submission import SubmitOptions, plan_layout
from batchtui.submission.journal import Journal, read_image_counts
from batchtui.submission.progress import (
    ArrayShape,
    ArrayState,
    FailedChild,
    History,
    Progress,
    Sample,
    StepState,
    array_shapes,
    eta_seconds,
    observed_rate,
    pace_is_known,
    since_start,
    waiting_children,
)

SID = "0123456789abcdef"


def test_the_shapes_are_the_layouts_arrays() -> None:
    # 10,001 children of 3 images (the last holding 2) make arrays of 5,001 and 5,000.
    shapes = array_shapes(30_002, 3)
    assert [(s.children, s.image_count) for s in shapes] == [(5001, 15_003), (5000, 14_999)]
    assert [s.last_child_images for s in shapes] == [3, 2]
    layout = plan_layout(SID, "p", 30_002, SubmitOptions("b", 3))
    assert [(a.children, a.image_count) for a in layout.arrays] == [
        (s.children, s.image_count) for s in shapes
    ]
    assert array_shapes(0, 3) == ()


@settings(deadline=None)
@given(st.integers(1, 200_000), st.integers(1, 500))
def test_shapes_hold_every_image_once(images: int, per_job: int) -> None:
    shapes = array_shapes(images, per_job)
    assert sum(s.image_count for s in shapes) == images
    assert sum(s.children for s in shapes) == math.ceil(images / per_job)
    assert all(1 <= s.last_child_images <= per_job for s in shapes)
    assert all(s.last_child_images == per_job for s in shapes[:-1])


@settings(deadline=None)
@given(st.integers(1, 40), st.integers(1, 9), st.data())
def test_children_by_status_partition_the_images(children: int, per_job: int, data) -> None:
    """Whichever child is in which status, the images per status add up to the array's, and
    each is the sum of its children's images (the last child's status known)."""
    images = data.draw(st.integers((children - 1) * per_job + 1, children * per_job))
    shape = ArrayShape(0, children, images, per_job)
    statuses = data.draw(
        st.lists(st.sampled_from(["RUNNING", "SUCCEEDED", "FAILED"]), min_size=children,
                 max_size=children)
    )  # fmt: skip
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    state = ArrayState(shape, "a", children_by_status=counts, last_child_status=statuses[-1])
    per_child = [per_job] * (children - 1) + [shape.last_child_images]
    for status in ("RUNNING", "SUCCEEDED", "FAILED"):
        expected = sum(n for n, s in zip(per_child, statuses, strict=True) if s == status)
        assert state.images_in(status) == expected
    assert sum(state.images_in(s) for s in ("RUNNING", "SUCCEEDED", "FAILED")) == images


def _run(done: int, failed: int = 0, running: int = 0, **kw: str) -> Progress:
    """7 images at 2 a child: one array of 4 children, the last holding 1 image."""
    shape = array_shapes(7, 2)[0]
    counts = {"SUCCEEDED": done, "FAILED": failed, "RUNNING": running}
    counts["RUNNABLE"] = 4 - done - failed - running
    array = ArrayState(shape, "a", "tag-array-0000", "RUNNING", counts, started_at=1_000_000,
                       **kw)  # fmt: skip
    return Progress(SID, "photos", 7, 2, (array,), observed_at=1_100.0)


def test_images_done_count_the_short_child_as_what_it_holds() -> None:
    assert _run(3, last_child_status="SUCCEEDED").images_done == 5
    assert _run(3, last_child_status="RUNNING").images_done == 6
    assert _run(3).images_done == 6  # unknown: counted as another child, never past the set
    assert _run(4).images_done == 7
    p = _run(1, failed=1, running=2, last_child_status="FAILED")
    assert (p.images_done, p.images_failed, p.images_left) == (2, 1, 4)
    assert p.fraction == 2 / 7
    assert p.children_by_status() == {
        "SUBMITTED": 0, "PENDING": 0, "RUNNABLE": 0, "STARTING": 0, "RUNNING": 2,
        "SUCCEEDED": 1, "FAILED": 1,
    }  # fmt: skip


def test_children_of_arrays_not_submitted_yet_count_as_submitted() -> None:
    shapes = array_shapes(30_002, 3)
    first = ArrayState(shapes[0], "a0", children_by_status={"RUNNING": 5001})
    p = Progress(SID, "b", 30_002, 3, (first,), pending_steps=("array-0001", "summary"))
    assert p.children_by_status()["SUBMITTED"] == 5000
    assert p.planned_children == 10_001 and p.children == 5001
    assert p.status == "SUBMITTING"


def test_status_follows_the_summary_then_the_failures() -> None:
    summary = StepState("summary", "s", status="SUCCEEDED")
    done = _run(4)
    assert done.status == "RUNNING"  # every child done, the summary still to run
    assert Progress(**{**done.__dict__, "steps": (summary,)}).status == "SUCCEEDED"
    failed = _run(3, failed=1, last_child_status="FAILED")
    assert failed.status == "FAILED" and failed.failed_count == 1
    assert _run(2, failed=1, running=1).status == "RUNNING"  # one child still runs
    child = FailedChild("a:3", "tag-array-0000", 3, "Essential container in task exited", 2)
    assert Progress(**{**failed.__dict__, "failed_children": (child,)}).failed_children[0] == child


def test_eta_from_the_rate_since_the_first_child_started() -> None:
    # 6 images in the 100 s since the first child started (1,000 s): 1 left at 0.06/s.
    p = _run(3, running=1, last_child_status="RUNNING")
    samples = since_start(p)
    assert samples == [Sample(1000.0, 0), Sample(1100.0, 6)]
    assert observed_rate(samples) == 0.06
    assert eta_seconds(p, samples) == 1 / 0.06
    assert eta_seconds(_run(4), since_start(_run(4))) == 0.0
    nothing = _run(0, running=2)
    assert eta_seconds(nothing, since_start(nothing)) is None  # no image done: no rate yet
    assert observed_rate([Sample(5.0, 1)]) is None
    assert observed_rate([Sample(5.0, 4), Sample(9.0, 2)]) is None


def _wave(succeeded: int, running: int, at: float, failed: int = 0) -> Progress:
    """100,000 images at 100 a child: 1,000 children in one array, the first started at 1,000 s
    (``at``: seconds since)."""
    shape = array_shapes(100_000, 100)[0]
    counts = {"SUCCEEDED": succeeded, "FAILED": failed, "RUNNING": running}
    counts["RUNNABLE"] = 1_000 - succeeded - failed - running
    array = ArrayState(shape, "a", "tag-array-0000", "RUNNING", counts, started_at=1_000_000)
    return Progress(SID, "photos", 100_000, 100, (array,), observed_at=1_000.0 + at)


def test_no_eta_while_the_first_wave_runs_then_the_rate_of_the_finished_children() -> None:
    # 50 children run at once, 300 s each. At 310 s one has finished: 100 images in 310 s
    # would say 0.32 images/s, an ETA of 3 days. Estimating instead.
    first = _wave(succeeded=1, running=49, at=310.0)
    assert not pace_is_known(first)
    assert observed_rate(since_start(first)) == 100 / 310
    assert eta_seconds(first, since_start(first)) is None
    # At 600 s the first wave (50) has finished and 50 run: 5,000 images in 600 s, 95,000 left.
    second = _wave(succeeded=50, running=50, at=600.0)
    assert pace_is_known(second)
    assert eta_seconds(second, since_start(second)) == 95_000 / (5_000 / 600)  # 11,400 s
    # Failed children are finished children too; STARTING ones run.
    assert pace_is_known(_wave(succeeded=20, failed=30, running=50, at=600.0))
    assert not pace_is_known(_wave(succeeded=0, running=0, at=5.0))  # none finished yet
    waiting = _run(0, running=4)
    assert not pace_is_known(waiting) and eta_seconds(waiting, since_start(waiting)) is None
    assert pace_is_known(_run(2, running=2))  # as many finished as run
    assert not pace_is_known(_run(1, running=2))


def test_the_history_measures_the_last_window_once_it_spans_it() -> None:
    history = History(window=100.0)
    base = _run(1, running=1)
    # Younger than the window: the rate since the first child started (1,000 s).
    early = history.observe(Progress(**{**base.__dict__, "observed_at": 1_050.0}))
    assert early == [Sample(1000.0, 0), Sample(1050.0, 2)]
    history.observe(Progress(**{**_run(2, running=1).__dict__, "observed_at": 1_100.0}))
    late = history.observe(Progress(**{**_run(3, running=1).__dict__, "observed_at": 1_160.0}))
    # Spanning the window (110 s): the samples since the last one at or before its start
    # (1,060 s) - 1,050 s stays, as 1,100 s comes after that start.
    assert late == [Sample(1050.0, 2), Sample(1100.0, 4), Sample(1160.0, 6)]
    assert observed_rate(late) == 4 / 110


def test_the_journal_says_the_image_counts() -> None:
    layout = plan_layout(SID, "p", 7, SubmitOptions("photos", 2))
    text = Journal(SID).recorded("array-0000", "a").to_json(layout)
    assert read_image_counts(text) == (7, 2, None)
    older = json.loads(text)
    del older["imageCount"]
    assert read_image_counts(json.dumps(older)) is None


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(1, 300), st.integers(0, 3)), min_size=1, max_size=40))
def test_the_history_keeps_the_window_and_nothing_older(steps: list[tuple[int, int]]) -> None:
    """Whatever the readings, the rate is measured over time-ordered samples that span the
    window from its start (one sample at or before it), or since the run's start."""
    history = History(window=100.0)
    at, done = 2_000.0, 0
    shape = array_shapes(1_000, 1)[0]
    for gap, more in steps:
        at, done = at + gap, min(1_000, done + more)
        array = ArrayState(shape, "a", children_by_status={"SUCCEEDED": done}, started_at=1_000_000)
        samples = history.observe(Progress(SID, "b", 1_000, 1, (array,), observed_at=at))
        assert samples[-1] == Sample(at, done)
        assert all(a.at < b.at for a, b in itertools.pairwise(samples))
        if samples[0].at != 1_000.0:  # not the run since its start: the window's
            assert samples[0].at <= at - 100.0 < samples[1].at


def test_children_that_wait_while_none_runs_give_no_eta() -> None:
    # Three children done at 0.06 images/s, one waiting: no ETA until it runs.
    waiting = _run(3, last_child_status="RUNNABLE")
    assert waiting_children(waiting) == {"RUNNABLE": 1}
    assert pace_is_known(waiting) and observed_rate(since_start(waiting)) == 0.06
    assert eta_seconds(waiting, since_start(waiting)) is None
    running = _run(3, running=1, last_child_status="RUNNING")
    assert waiting_children(running) == {}
    assert eta_seconds(running, since_start(running)) == 1 / 0.06
    assert waiting_children(_run(4)) == {}  # none waits
