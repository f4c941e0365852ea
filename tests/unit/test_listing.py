"""What a queue's listing reads and who is at the front of the queue (account.listing)."""

from __future__ import annotations

from batchtui.account.jobstore import JobIndex
from batchtui.account.listing import listing_order, queue_head, reads_aws
from batchtui.account.snapshots import LISTING_ORDER, FirstPage, QueueFront
from batchtui.model import JobSummary


def test_the_tab_in_sight_is_listed_first() -> None:
    assert listing_order("ALL") == list(LISTING_ORDER)
    order = listing_order("SUCCEEDED")
    assert order[0] == "SUCCEEDED" and sorted(order) == sorted(LISTING_ORDER)


def test_reused_first_pages_read_aws_only_when_more_follow() -> None:
    whole = FirstPage((), None, "q", 0.0)
    more = FirstPage((), "token", "q", 0.0)
    assert not reads_aws(["RUNNING"], {"RUNNING": whole})
    assert reads_aws(["RUNNING"], {"RUNNING": more})
    assert reads_aws(["RUNNING", "FAILED"], {"RUNNING": whole})


def _index(*jobs: JobSummary) -> JobIndex:
    index = JobIndex()
    index.put(jobs)
    return index


def test_the_front_of_the_queue_is_named_and_counted() -> None:
    index = _index(
        JobSummary(
            "a", "first", "RUNNABLE", status_reason="CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
        ),
        JobSummary("b", "second", "RUNNABLE"),
        JobSummary("c", "third", "RUNNABLE"),
    )
    head = queue_head(QueueFront(("a", "b", "c"), 400.0), index)
    assert head is not None
    assert (head.name, head.behind, head.waited_s, head.row_id) == ("first", 2, 400.0, "a")
    assert head.own_reason == "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
    assert queue_head(QueueFront(()), index) is None
    assert queue_head(None, index) is None


def test_an_array_child_at_the_front_is_named_by_its_parent() -> None:
    index = _index(JobSummary("p", "parent", "PENDING", status_reason="parent's", array_size=3))
    head = queue_head(QueueFront(("p:2",)), index)
    assert head is not None
    assert (head.name, head.row_id, head.own_reason) == ("parent child 2", "p", "")
    unknown = queue_head(QueueFront(("x",)), JobIndex())
    assert unknown is not None and unknown.name == "x" and unknown.job is None
