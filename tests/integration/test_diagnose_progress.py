"""How far a queue's diagnosis has read, as its progress callback hears it (the TUI shows it)."""

from __future__ import annotations

from typing import Any

from batchtui.aws.diagnosis import gather_for_queue
from batchtui.aws.session import Aws, AwsTarget


def test_listing_then_describing_each_reported_in_order(demo_sandbox: Any, aws_client: Any) -> None:
    sb = demo_sandbox
    batch = aws_client(sb, "batch")
    listed = sum(
        len(batch.list_jobs(jobQueue="demo-batch-low", jobStatus=s)["jobSummaryList"])
        for s in ("PENDING", "RUNNABLE", "STARTING")
    )
    assert listed > 0
    aws = Aws(AwsTarget(region=sb.region, endpoint_url=sb.url, sandbox=True,
                        credentials=("testing", "testing")))  # fmt: skip
    heard: list[tuple[int, int]] = []
    facts = gather_for_queue(aws, "demo-batch-low", sb.now(), lambda d, t: heard.append((d, t)))
    assert len(facts.jobs) == listed
    listing = [t for d, t in heard if d == 0]
    describing = [(d, t) for d, t in heard if d > 0]
    # One report per page listed, each counting every job listed so far (0 described yet).
    assert listing == sorted(listing) and listing[-1] == listed
    assert heard[: len(listing)] == [(0, t) for t in listing]
    # Then one per DescribeJobs batch of 100, the last when all are read.
    assert len(describing) == -(-listed // 100) and describing[-1] == (listed, listed)
