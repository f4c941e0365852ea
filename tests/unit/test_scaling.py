"""Batch's rules for scaling a compute environment, checked before the call."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchtui.changes.scaling import check_scaling
from batchtui.model import ComputeEnvironment, PurchaseModel

CE = ComputeEnvironment(
    name="spot-ce",
    arn="",
    state="ENABLED",
    status="VALID",
    min_vcpus=0,
    desired_vcpus=16,
    max_vcpus=256,
    purchase_model=PurchaseModel.SPOT,
)


def test_raising_max_and_desired_sends_only_what_changed() -> None:
    r = check_scaling(CE, min_vcpus=0, max_vcpus=512, desired_vcpus=32)
    assert r.ok and r.compute_resources() == {"maxvCpus": 512, "desiredvCpus": 32}


def test_desired_is_never_lowered() -> None:
    r = check_scaling(CE, desired_vcpus=8)
    assert not r.ok and "cannot be lowered (16 -> 8)" in r.problems[0]


def test_desired_within_min_and_max() -> None:
    assert any(
        "outside [minvCpus 0, maxvCpus 8]" in p for p in check_scaling(CE, max_vcpus=8).problems
    )
    r = check_scaling(CE, min_vcpus=64)
    assert any("raise desiredvCpus to at least 64" in p for p in r.problems)
    assert check_scaling(CE, min_vcpus=64, desired_vcpus=64).ok


def test_min_not_above_max_and_no_negatives() -> None:
    assert any("above maxvCpus" in p for p in check_scaling(CE, min_vcpus=300).problems)
    assert any("must be 0 or more" in p for p in check_scaling(CE, max_vcpus=-1).problems)


def test_fargate_has_only_max() -> None:
    fargate = replace(CE, purchase_model=PurchaseModel.FARGATE, desired_vcpus=0)
    assert check_scaling(fargate, max_vcpus=64).ok
    assert not check_scaling(fargate, min_vcpus=1).ok


@pytest.mark.parametrize("status", ["CREATING", "UPDATING", "DELETING"])
def test_not_while_the_ce_changes(status: str) -> None:
    assert not check_scaling(replace(CE, status=status), max_vcpus=300).ok


def test_unmanaged_does_not_scale() -> None:
    assert not check_scaling(replace(CE, type="UNMANAGED"), max_vcpus=300).ok


def test_nothing_to_change() -> None:
    r = check_scaling(CE, min_vcpus=0, max_vcpus=256, desired_vcpus=16)
    assert r.ok and not r.changes_anything and r.compute_resources() == {}


@given(
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.integers(0, 1000),
)
def test_an_accepted_change_always_satisfies_batch(cmin, cdes, cmax, nmin, ndes, nmax) -> None:
    ce = replace(CE, min_vcpus=cmin, desired_vcpus=cdes, max_vcpus=cmax)
    r = check_scaling(ce, min_vcpus=nmin, max_vcpus=nmax, desired_vcpus=ndes)
    if r.ok:
        assert nmin <= ndes <= nmax and ndes >= cdes
    else:
        assert not (nmin <= ndes <= nmax and ndes >= cdes)


@pytest.mark.parametrize(
    ("change", "rule", "what_to_do"),
    [
        ({"desired_vcpus": 8}, "cannot be lowered (16 -> 8)", "leave it, Batch lowers it by itself"),
        ({"desired_vcpus": 300}, "outside [minvCpus 0, maxvCpus 256]", "raise maxvCpus to at least 300"),
        ({"min_vcpus": 64}, "outside [minvCpus 64, maxvCpus 256]", "raise desiredvCpus to at least 64"),
        ({"min_vcpus": 300}, "minvCpus 300 is above maxvCpus 256", "lower minvCpus to 256 or less"),
        ({"max_vcpus": 8}, "outside [minvCpus 0, maxvCpus 8]", "raise maxvCpus to at least 16"),
    ],
)  # fmt: skip
def test_every_problem_says_the_rule_and_what_to_do(change, rule, what_to_do) -> None:
    """A new user who typed a value Batch refuses reads which rule and how to fix it."""
    problems = " | ".join(check_scaling(CE, **change).problems)
    assert rule in problems and what_to_do in problems, problems
