"""How numbers are worded for people: one formatter for every layer."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchtui.wording import count, duration, short_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "-"), (0, "0s"), (59.4, "59s"), (60, "1m00s"), (3725, "1h02m"), (90061, "1d01h")],
)
def test_duration(seconds: float | None, text: str) -> None:
    assert duration(seconds) == text


def test_short_duration_says_under_a_second() -> None:
    assert short_duration(0.4) == "<1s"
    assert short_duration(1.0) == "1s"


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1 vCPU"), (0, "0 vCPUs"), (0.5, "0.5 vCPUs"), (1000, "1,000 vCPUs")],
)
def test_count(n: float, text: str) -> None:
    assert count(n, "vCPU") == text


def test_count_takes_an_irregular_plural() -> None:
    assert count(2, "child", "children") == "2 children"


@given(st.floats(min_value=0, max_value=10 * 365 * 86400))
def test_a_duration_is_one_or_two_units_and_never_loses_a_day(seconds: float) -> None:
    text = duration(seconds)
    assert re.fullmatch(r"\d+s|\d+m\d\ds|\d+h\d\dm|\d+d\d\dh", text)
    if text.endswith("h") and "d" in text:
        assert int(text.split("d")[0]) == round(seconds) // 86400
