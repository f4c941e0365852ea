"""The jobs that hold a consumable resource, named in the evidence of a job waiting for it."""

from __future__ import annotations

from test_diagnose import facts, job

from batchtui.diagnose import Consumable, ConsumableHolder, diagnose


def holder(i: int, quantity: int = 1) -> ConsumableHolder:
    return ConsumableHolder(f"id-{i}", f"holder-{i}", quantity, "RUNNING")


def evidence_of(c: Consumable, job_id: str = "j1") -> list[str]:
    waiting = job(job_id=job_id, consumable_resources=(("licences", 1),))
    (finding,) = [f for f in diagnose(facts(waiting, consumables={"licences": c})).findings
                  if f.code == "CONSUMABLE_RESOURCE_IN_USE"]  # fmt: skip
    return [f"{e.call} {e.value}" for e in finding.evidence]


def test_the_holders_are_named_with_their_quantities() -> None:
    c = Consumable("licences", 3, 3, (holder(1, 2), holder(2)))
    assert evidence_of(c) == [
        "batch:DescribeConsumableResource licences: 3 of 3 in use",
        "batch:ListJobsByConsumableResource licences: holder-1 (id-1) holds 2, "
        "holder-2 (id-2) holds 1",
    ]


def test_many_holders_are_counted_past_the_first_five() -> None:
    c = Consumable("licences", 7, 7, tuple(holder(i) for i in range(7)))
    (_, named) = evidence_of(c)
    assert named.count(" holds 1") == 5 and named.endswith(", and 2 more")


def test_holders_not_read_leave_the_count_alone() -> None:
    assert evidence_of(Consumable("licences", 1, 1)) == [
        "batch:DescribeConsumableResource licences: 1 of 1 in use"
    ]
    held_elsewhere = Consumable("licences", 1, 1, ())  # held by jobs listed past the page
    assert evidence_of(held_elsewhere)[1].endswith("licences: no STARTING or RUNNING job holds it")


def test_a_starting_holder_is_named_with_its_status() -> None:
    starting = ConsumableHolder("id-9", "warming-up", 1, "STARTING")
    c = Consumable("licences", 2, 2, (starting, holder(1)))
    assert evidence_of(c)[1].endswith(
        "licences: warming-up (id-9, STARTING) holds 1, holder-1 (id-1) holds 1"
    )
