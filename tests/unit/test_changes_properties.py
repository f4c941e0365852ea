"""Invariants of the change set over generated live states: applied as Batch would, it leaves
nothing to change; desiredvCpus is never sent lower; a queue never lacks a compute environment
nor holds more than 3; an infrastructure update only where AWS allows one."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from batchtui.changes import DesiredState, LiveState, compute_change_set, simulate
from batchtui.changes.state import queue_order_names
from batchtui.changes.steps import StepKind
from batchtui.model import (
    UPDATABLE_STRATEGIES,
    ComputeEnvironmentOrder,
    JobQueue,
    PurchaseModel,
    is_service_linked,
)
from batchtui.profiles import ComputeEnvironmentSpec, JobQueueSpec

ROLE = "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"
REGULAR = "arn:aws:iam::123456789012:role/AWSBatchServiceRole"
STRATEGIES = ("BEST_FIT", "BEST_FIT_PROGRESSIVE", "SPOT_CAPACITY_OPTIMIZED")


@st.composite
def ce_specs(draw: st.DrawFn, name: str) -> ComputeEnvironmentSpec:
    pool = draw(st.sampled_from((PurchaseModel.EC2, PurchaseModel.SPOT)))
    strategy = draw(st.sampled_from(STRATEGIES))
    if strategy.startswith("SPOT_") and pool is not PurchaseModel.SPOT:
        strategy = "BEST_FIT_PROGRESSIVE"
    lo = draw(st.integers(0, 8))
    hi = draw(st.integers(lo, 64))
    desired = draw(st.integers(lo, hi))
    return ComputeEnvironmentSpec(
        name=name,
        purchase_model=pool,
        allocation_strategy=strategy,
        instance_types=tuple(draw(st.sets(st.sampled_from(("m5", "c5", "r5")), min_size=1))),
        min_vcpus=lo,
        max_vcpus=hi,
        desired_vcpus=desired,
        subnets=tuple(draw(st.sets(st.sampled_from(("subnet-a", "subnet-b")), min_size=1))),
        instance_role=ROLE,
        state=draw(st.sampled_from(("ENABLED", "DISABLED"))),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[DesiredState, LiveState]:
    names = ("a", "b")[: draw(st.integers(1, 2))]
    specs = tuple(draw(ce_specs(n)) for n in names)
    live_ces = []
    for name in names:
        if draw(st.booleans()):
            before = draw(ce_specs(name))
            desired_now = draw(st.integers(before.min_vcpus, before.max_vcpus))
            ce = replace(
                before.to_model(),
                desired_vcpus=desired_now,
                service_role=draw(st.sampled_from(("", REGULAR))),
            )
            live_ces.append(ce)
            if draw(st.booleans()):  # a half-made or finished replacement
                live_ces.append(replace(draw(ce_specs(name)).to_model(), name=f"{name}-2"))
    queues = []
    present = [ce.name for ce in live_ces]
    if present and draw(st.booleans()):
        order = draw(st.lists(st.sampled_from(present), min_size=1, max_size=3, unique=True))
        queues.append(
            JobQueue(
                "q",
                "arn:q",
                "ENABLED",
                "VALID",
                compute_environment_order=tuple(
                    ComputeEnvironmentOrder(i + 1, n) for i, n in enumerate(order)
                ),
            )
        )
    order = tuple(draw(st.permutations(names)))
    desired = DesiredState(specs, (JobQueueSpec("q", draw(st.integers(0, 5)), order),))
    return desired, LiveState(tuple(live_ces), tuple(queues))


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.booleans())
def test_applying_the_change_set_yields_the_desired_state(
    scenario: tuple[DesiredState, LiveState], allow_delete: bool
) -> None:
    desired, live = scenario
    cs = compute_change_set(desired, live, allow_delete=allow_delete)
    if not cs.ok:
        # Refused only where AWS would refuse: a maxvCpus under the desiredvCpus Batch holds.
        # The problem names the live compute environment (a blue/green generation: NAME-2).
        spec_of = {ce.name: spec for spec in desired.compute_environments
                   for ce in live.generations(spec.name)}  # fmt: skip
        held = {ce.name: ce.desired_vcpus for ce in live.compute_environments}
        for problem in cs.problems:
            name = problem.split(":")[0]
            assert "AWS refuses it until desiredvCpus falls" in problem, problem
            assert spec_of[name].max_vcpus < held[name], problem
        return
    state = live
    for step in cs.steps:
        if step.operation == "UpdateComputeEnvironment":
            ce = state.compute_environment(str(step.params["computeEnvironment"]))
            assert ce is not None
            sent = dict(step.params.get("computeResources") or {})
            if "desiredvCpus" in sent:
                assert sent["desiredvCpus"] > ce.desired_vcpus
            if step.kind is StepKind.INFRASTRUCTURE_UPDATE:
                assert is_service_linked(ce.service_role)
                assert ce.allocation_strategy in UPDATABLE_STRATEGIES
        if step.operation == "DeleteComputeEnvironment":
            ce = state.compute_environment(str(step.params["computeEnvironment"]))
            assert ce is not None and ce.state == "DISABLED"
            assert not state.queues_using(ce.name)
        state = simulate(state, [step])
        q = state.job_queue("q")
        if q is not None:
            assert 1 <= len(queue_order_names(q)) <= 3
    again = compute_change_set(desired, state, allow_delete=allow_delete)
    assert again.empty, [s.title() for s in again.steps]
    final = state.job_queue("q")
    assert final is not None
    assert [n.split("-")[0] for n in queue_order_names(final)] == list(
        desired.job_queues[0].compute_environments
    )
