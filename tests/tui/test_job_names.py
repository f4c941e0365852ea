"""Job names where batchtui's own differ only at their end (one submission's array jobs and
its summary) stay apart in the jobs list: the NAME column grows to the longest name up to
its cap, and a longer name is cut in its middle, keeping the end."""

from __future__ import annotations

from conftest import batch_client, settle
from screen_text import screen_text

from batchtui.submission.layout import SUMMARY_STEP, array_step, job_name_prefix
from batchtui.tui.widgets.job_table import NAME_MAX, NAME_MIN, JobTable, fit_name, name_width

PREFIX = job_name_prefix("sandbox", "54ff80df8b5f86c9")
NAMES = [f"{PREFIX}-{array_step(0)}", f"{PREFIX}-{array_step(1)}", f"{PREFIX}-{SUMMARY_STEP}"]


def test_fit_name_keeps_the_end_and_the_width() -> None:
    for name in [*NAMES, "x" * 200, "short"]:
        for width in range(NAME_MIN, NAME_MAX + 1):
            cut = fit_name(name, width)
            assert len(cut) == width
            if len(name) > width:
                assert cut.startswith(name[:4]) and "…" in cut
                assert name.endswith(cut.split("…")[1])
                assert len(cut.split("…")[1]) >= (width - 1) // 2
    ends = {fit_name(n, NAME_MIN).split("…")[1] for n in NAMES}
    assert len(ends) == len(NAMES)  # still told apart at the narrowest


def test_name_width_follows_the_longest_name_within_bounds() -> None:
    assert name_width(200, 10) == NAME_MIN
    assert name_width(200, 35) == 35
    assert name_width(200, 90) == NAME_MAX
    assert name_width(80, 35) == 80 // 3  # a third of a narrow screen at most


async def test_a_submissions_jobs_are_told_apart_at_80_and_120_columns(make_app, demo) -> None:
    batch = batch_client(demo)
    for name in NAMES:
        batch.submit_job(jobName=name, jobQueue="demo-main", jobDefinition="demo-etl")
    for size in [(80, 24), (120, 35)]:
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await pilot.press("colon", *"jobs demo-main", "enter")
            await settle(app, pilot)
            await pilot.press("slash", *PREFIX, "enter")
            await settle(app, pilot)
            table = app.screen.query_one(JobTable)
            assert sorted(j.job_name for j in table.rows) == sorted(NAMES)
            lines = screen_text(app).splitlines()
            for name in NAMES:
                shown = fit_name(name, table.name_column).rstrip()
                assert any(line.startswith(shown) or f" {shown} " in line for line in lines), (
                    size,
                    shown,
                )
                if size[0] >= 120:
                    assert any(name in line for line in lines), (size, name)  # whole
