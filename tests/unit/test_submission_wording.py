"""How `batchtui submit` words the jobs it makes: counts in the right number, and a slice of
one child named a single job (AWS refuses arrays of one), never "1 jobs in 1 array job(s)"."""

from __future__ import annotations

import pytest

from batchtui.render.submission import confirmation, jobs_wording
from batchtui.submission import SubmitOptions, plan_layout

SID = "0123456789abcdef"


@pytest.mark.parametrize(
    ("images", "per_job", "says"),
    [
        (7, 2, "4 jobs in 1 array job, then 1 summary job"),
        (2, 2, "1 single job, then 1 summary job"),
        (1, 100, "1 single job, then 1 summary job"),
        (20_001, 1, "20,001 jobs in 3 array jobs, then 1 summary job"),
        (210_000, 1, "210,000 jobs in 21 array jobs, then 2 fan-in jobs, 1 summary job"),
        (250_000, 1, "250,000 jobs in 25 array jobs, then 2 fan-in jobs, 1 summary job"),
        (200_000, 1, "200,000 jobs in 20 array jobs, then 1 summary job"),
    ],
)
def test_counts_are_worded_in_the_right_number(images: int, per_job: int, says: str) -> None:
    layout = plan_layout(SID, "p", images, SubmitOptions("b", per_job))
    assert jobs_wording(layout) == says


@pytest.mark.parametrize(
    ("children", "size", "says"),
    [
        (21, 10, "21 jobs in 2 array jobs and 1 single job, then 1 summary job"),
        (25, 10, "25 jobs in 3 array jobs, then 1 summary job"),
        (3, 2, "3 jobs in 1 array job and 1 single job, then 1 summary job"),
        (41, 2, "41 jobs in 20 array jobs and 1 single job, then 2 fan-in jobs, 1 summary job"),
    ],
)
def test_arrays_of_the_profiles_size_and_a_last_single_job(
    children: int, size: int, says: str
) -> None:
    layout = plan_layout(SID, "p", children, SubmitOptions("b", 1, array_size=size))
    assert jobs_wording(layout) == says


@pytest.mark.parametrize(
    ("children", "size", "done", "asks"),
    [
        (5, None, 0, "Submit 1 array job of 5 children and 1 summary job (2 SubmitJob calls)?"),
        (1, None, 0, "Submit 1 single job and 1 summary job (2 SubmitJob calls)?"),
        (21, 10, 0, "Submit 2 array jobs of 20 children, 1 single job and 1 summary job "
                    "(4 SubmitJob calls)?"),
        (41, 2, 0, "Submit 20 array jobs of 40 children, 1 single job, 2 fan-in jobs and "
                   "1 summary job (24 SubmitJob calls)?"),
        # Submitted before, then interrupted: only what is left.
        (25, 10, 2, "Submit 1 array job of 5 children and 1 summary job (2 SubmitJob calls)?"),
        (25, 10, 3, "Submit 1 summary job (1 SubmitJob call)?"),
    ],
)  # fmt: skip
def test_the_question_counts_what_the_summary_counts_and_the_calls(
    children: int, size: int | None, done: int, asks: str
) -> None:
    """The summary says "5 jobs in 1 array job, then 1 summary job": the question does not
    ask about "these 2 jobs" without saying what they hold."""
    layout = plan_layout(SID, "p", children, SubmitOptions("b", 1, array_size=size))
    assert confirmation(layout, layout.steps[done:]) == asks
