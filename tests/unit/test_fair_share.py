"""The fair-share order and accounting (batchtui.sandbox.fair_share) on plain records."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from batchtui.model import ResourceRequest
from batchtui.sandbox.batch_records import Job, JobDefinitionRecord, SchedulingPolicyRecord
from batchtui.sandbox.fair_share import QueueUsage

_ids = itertools.count()
DEFINITION = JobDefinitionRecord(
    "jd", 1, "arn:aws:batch:us-east-1:123456789012:job-definition/jd:1"
)


def job(share: str, priority: int = 0, vcpus: float = 1.0) -> Job:
    j = Job(f"job-{next(_ids)}", "job", "q", DEFINITION)
    j.share_identifier, j.scheduling_priority = share, priority
    j.request = ResourceRequest(vcpus=vcpus, memory_mib=1024, gpus=0)
    j.runnable_seq = next(_ids)
    return j


def policy(**fairshare: object) -> SchedulingPolicyRecord:
    p = SchedulingPolicyRecord("p", "arn:aws:batch:us-east-1:123456789012:scheduling-policy/p")
    p.fairshare_policy = {"shareDecaySeconds": 0, "computeReservation": 0, **fairshare}
    return p


def test_weights_share_out_a_pass_in_inverse_proportion() -> None:
    weighted = policy(
        shareDistribution=[
            {"shareIdentifier": "heavy", "weightFactor": 1.0},
            {"shareIdentifier": "light", "weightFactor": 3.0},
        ]
    )
    pending = [job("light") for _ in range(100)] + [job("heavy") for _ in range(100)]
    first = list(QueueUsage().dispatch_order("q", weighted, pending, 0.0))[:40]
    heavy = sum(j.share_identifier == "heavy" for j in first)
    assert heavy == 30  # 3:1 in favour of the lower weight


def test_a_prefix_entry_weighs_every_share_it_starts() -> None:
    p = policy(shareDistribution=[{"shareIdentifier": "team*", "weightFactor": 0.25}])
    assert p.weight_of("teamA") == 0.25
    assert p.weight_of("other") == 1.0


def test_within_a_share_higher_priority_first_then_arrival() -> None:
    early_low, late_high, late_low = job("a", 1), job("a", 9), job("a", 1)
    order = list(QueueUsage().dispatch_order("q", policy(), [early_low, late_high, late_low], 0))
    assert order == [late_high, early_low, late_low]


def test_recent_usage_decays_so_an_idle_share_catches_up() -> None:
    usage, p = QueueUsage(), policy(shareDecaySeconds=600)
    busy = job("busy", vcpus=8)
    usage.placed(busy, 0.0, 600)
    usage.released(busy, 600.0, 600)
    right_after = usage.usage("q", "busy", 600.0, 600)
    much_later = usage.usage("q", "busy", 6000.0, 600)
    assert right_after > much_later > 0
    assert much_later < 0.01 * right_after
    order = list(usage.dispatch_order("q", p, [job("busy"), job("fresh")], 600.0))
    assert [j.share_identifier for j in order] == ["fresh", "busy"]


def test_compute_reservation_keeps_room_for_shares_not_running() -> None:
    usage, p = QueueUsage(), policy(computeReservation=50)
    for _ in range(8):
        usage.placed(job("a"), 0.0, 600)
    assert not usage.reserve_allows(job("a"), p, 16.0)  # 8 of 16 in use, half held back
    assert usage.reserve_allows(job("b"), p, 16.0)  # the reserve is for shares like b


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(1, 4)), max_size=30))
def test_capacity_held_is_what_was_placed_and_not_yet_released(
    placements: list[tuple[str, int]],
) -> None:
    usage = QueueUsage()
    jobs = [job(share, vcpus=v) for share, v in placements]
    for i, j in enumerate(jobs):
        usage.placed(j, float(i), 600)
    for i, j in enumerate(jobs[::2]):
        usage.released(j, float(len(jobs) + i), 600)
        usage.released(j, float(len(jobs) + i), 600)  # a second release changes nothing
    kept = jobs[1::2]
    assert usage.in_use("q") == sum(j.request.vcpus for j in kept)
    by_share = usage.held_by_share("q")
    for share in "abc":
        held = sum(j.request.vcpus for j in kept if j.share_identifier == share)
        assert by_share.get(share, 0.0) == held
