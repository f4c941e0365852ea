"""Which compute environment an Auto Scaling group (and so an instance) belongs to."""

from __future__ import annotations

from batchtui.aws.account_reads import _ce_of_group
from batchtui.model import ComputeEnvironment


def named(*names: str) -> list[ComputeEnvironment]:
    return [
        ComputeEnvironment(n, f"arn:aws:batch:::compute-environment/{n}", "ENABLED", "VALID")
        for n in names
    ]


def test_a_group_belongs_to_the_longest_ce_name_before_asg() -> None:
    ces = named("ce-1", "ce-12")
    found = _ce_of_group("ce-12-asg-0b6c5b9e-1111-2222-3333-444455556666", ces)
    assert found is not None and found.name == "ce-12"


def test_a_group_of_another_ce_with_a_longer_name_is_nobodys() -> None:
    # The queue's CEs are read alone: demo-spot-render's group is not demo-spot's.
    assert _ce_of_group("demo-spot-render-asg-0b6c5b9e", named("demo-spot")) is None
    assert _ce_of_group("demo-spot", named("demo-spot")) is None
