"""The SubmitJob token bucket and the --images URL: pure, checked without AWS."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchtui.errors import UsageError
from batchtui.submission.location import parse_images_url
from batchtui.submission.pacing import SUBMIT_JOB_TPS, TokenBucket


def call_times(bucket: TokenBucket, gaps: list[float]) -> list[float]:
    """When each call goes out: it wants to go ``gap`` after the previous one went, then waits
    what the bucket says (on a simulated clock)."""
    now, sent = 0.0, []
    for gap in gaps:
        now += gap
        now += bucket.delay(now)
        sent.append(now)
    return sent


@given(st.lists(st.floats(min_value=0, max_value=0.2), min_size=1, max_size=300))
def test_no_window_holds_more_calls_than_the_burst_and_the_rate_allow(gaps: list[float]) -> None:
    bucket = TokenBucket(rate=40.0, burst=10.0)
    sent = call_times(bucket, gaps)
    for i, start in enumerate(sent):
        for j in range(i, len(sent)):
            window = sent[j] - start
            assert j - i + 1 <= 10 + 40.0 * window + 1e-6


def test_back_to_back_calls_settle_at_the_rate_below_aws_limit() -> None:
    sent = call_times(TokenBucket(), [0.0] * 1000)
    rate = (len(sent) - 1) / (sent[-1] - sent[0])
    assert rate <= SUBMIT_JOB_TPS
    assert rate == pytest.approx(SUBMIT_JOB_TPS * 0.8, rel=0.02)
    assert sent[:10] == [0.0] * 10  # the burst goes out at once


def test_a_paused_caller_does_not_wait() -> None:
    bucket = TokenBucket(rate=10, burst=2)
    assert [bucket.delay(t) for t in (0, 0, 0)] == [0, 0, pytest.approx(0.1)]
    assert bucket.delay(60) == 0  # refilled meanwhile


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://photos/", ("photos", "")),
        ("s3://photos", ("photos", "")),
        ("s3://my.photos-1/2026/may/", ("my.photos-1", "2026/may/")),
    ],
)
def test_an_s3_url_is_a_bucket_and_a_prefix(url: str, expected: tuple[str, str]) -> None:
    assert parse_images_url(url) == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("photos/", "not an s3:// URL"),
        ("https://photos.s3.amazonaws.com/", "not an s3:// URL"),
        ("s3://", "'' is not an S3 bucket name"),
        ("s3://Photos/", "'Photos' is not an S3 bucket name"),
        ("s3://a..b/", "is not an S3 bucket name"),
        ("s3://photos/*.jpg", "a prefix is a folder, not a pattern"),
    ],
)
def test_a_bad_url_is_bad_input_naming_the_option(url: str, says: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_images_url(url)
    assert e.value.message.startswith(f"--images {url!r}: ")
    assert says in e.value.message


def test_the_local_journal_is_one_per_endpoint_region_and_credentials_profile() -> None:
    from pathlib import Path

    from batchtui.aws.session import AwsTarget
    from batchtui.aws.submission import local_journal_path
    from batchtui.submission import SubmitOptions, plan_layout

    layout = plan_layout("0123456789abcdef", "p", 10, SubmitOptions("photos", 2))
    here = Path("/state")
    aws = local_journal_path(layout, here, AwsTarget(region="us-east-1"))
    assert aws.parent == here and aws.name.startswith("0123456789abcdef-")
    assert aws == local_journal_path(layout, here, AwsTarget(region="us-east-1"))
    others = {
        local_journal_path(layout, here, AwsTarget(region="eu-west-1")),
        local_journal_path(layout, here, AwsTarget(endpoint_url="http://127.0.0.1:4566")),
        local_journal_path(layout, here, AwsTarget(aws_profile="prod")),
    }
    assert len(others) == 3 and aws not in others
