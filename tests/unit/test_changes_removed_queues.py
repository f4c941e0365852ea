"""Queues removed from a profile: a queue the profile made (tagged with its name) that it no
longer names is disabled, then deleted, only with --allow-delete; any other queue is left alone."""

from __future__ import annotations

from dataclasses import replace

from test_changes import ce_spec, live_ce, queue

from batchtui.changes import (
    DesiredState,
    LiveState,
    StepKind,
    Wait,
    compute_change_set,
    fingerprint,
    simulate,
)
from batchtui.changes.state import PROFILE_TAG
from batchtui.profiles import JobQueueSpec

OURS = ((PROFILE_TAG, "p"),)


def desired(*queues: JobQueueSpec, profile: str = "p") -> DesiredState:
    return DesiredState((ce_spec(),), queues or (JobQueueSpec("q", 1, ("ce",)),), profile=profile)


def account(*extra: object) -> LiveState:
    spec = ce_spec()
    return LiveState((live_ce(spec, tags=OURS),), (queue("q", ("ce",), tags=OURS), *extra))  # type: ignore[arg-type]


def kinds(cs: object) -> list[tuple[StepKind, str, str]]:
    return [(s.kind, s.resource, s.name) for s in cs.steps]  # type: ignore[attr-defined]


def test_a_queue_the_profile_made_and_dropped_waits_for_allow_delete() -> None:
    live = account(queue("old", ("ce",), tags=OURS))
    cs = compute_change_set(desired(), live)
    assert cs.empty and cs.ok
    assert "jobQueue old: would delete (needs --allow-delete): made by profile p, which no " \
        "longer names it" in cs.notes  # fmt: skip


def test_with_allow_delete_it_is_disabled_then_deleted_and_a_rerun_has_nothing_left() -> None:
    live = account(queue("old", ("ce",), tags=OURS))
    cs = compute_change_set(desired(), live, allow_delete=True)
    assert kinds(cs) == [
        (StepKind.RETIRE, "jobQueue", "old"),
        (StepKind.DELETE, "jobQueue", "old"),
    ]
    disable, delete = cs.steps
    assert (disable.operation, dict(disable.params)) == (
        "UpdateJobQueue",
        {"jobQueue": "old", "state": "DISABLED"},
    )
    assert (delete.operation, dict(delete.params), delete.wait) == (
        "DeleteJobQueue",
        {"jobQueue": "old"},
        Wait.GONE,
    )
    assert "SUBMITTED..RUNNING jobs" in delete.why
    after = simulate(live, cs.steps)
    assert after.job_queue("old") is None
    assert compute_change_set(desired(), after, allow_delete=True).empty


def test_a_half_done_removal_continues_with_the_delete() -> None:
    live = account(queue("old", ("ce",), tags=OURS, state="DISABLED"))
    cs = compute_change_set(desired(), live, allow_delete=True)
    assert kinds(cs) == [(StepKind.DELETE, "jobQueue", "old")]
    going = account(queue("old", ("ce",), tags=OURS, state="DISABLED", status="DELETING"))
    assert compute_change_set(desired(), going, allow_delete=True).empty


def test_queues_the_profile_did_not_make_are_never_touched() -> None:
    live = account(
        queue("by-hand", ("ce",)),
        queue("other-profile", ("ce",), tags=((PROFILE_TAG, "other"),)),
    )
    cs = compute_change_set(desired(), live, allow_delete=True)
    assert cs.empty and not cs.notes
    # A desired state without a profile name recognises no queue as its own.
    untagged = compute_change_set(desired(profile=""), account(queue("old", ("ce",), tags=OURS)))
    assert untagged.empty and not untagged.notes


def test_a_created_queue_carries_the_profile_tag_and_is_found_once_dropped() -> None:
    spec = ce_spec()
    both = desired(JobQueueSpec("q", 1, ("ce",)), JobQueueSpec("extra", 1, ("ce",)))
    cs = compute_change_set(
        both, LiveState((live_ce(spec, tags=OURS),), (queue("q", ("ce",), tags=OURS),))
    )
    (create,) = cs.steps
    assert create.params["tags"] == {PROFILE_TAG: "p"}
    live = simulate(
        LiveState((live_ce(spec, tags=OURS),), (queue("q", ("ce",), tags=OURS),)), cs.steps
    )
    assert live.job_queue("extra") is not None and live.job_queue("extra").tag(PROFILE_TAG) == "p"  # type: ignore[union-attr]
    dropped = compute_change_set(desired(), live, allow_delete=True)
    assert kinds(dropped)[-1] == (StepKind.DELETE, "jobQueue", "extra")


def test_a_removed_queue_is_deleted_before_a_replaced_ce_it_lists_retires() -> None:
    spec = ce_spec(allocation_strategy="BEST_FIT_PROGRESSIVE", instance_types=("c5",))
    old = live_ce(spec, instance_types=("m5",), allocation_strategy="BEST_FIT", tags=OURS)
    live = LiveState((old,), (queue("q", ("ce",), tags=OURS), queue("old", ("ce",), tags=OURS)))
    d = replace(desired(), compute_environments=(spec,))
    kept = compute_change_set(d, live)
    assert any("old (not in the profile) still uses it" in n for n in kept.notes), kept.notes
    cs = compute_change_set(d, live, allow_delete=True)
    order = kinds(cs)
    assert order.index((StepKind.DELETE, "jobQueue", "old")) < order.index(
        (StepKind.DELETE, "computeEnvironment", "ce")
    )
    assert compute_change_set(d, simulate(live, cs.steps), allow_delete=True).empty


def test_the_fingerprint_covers_a_queue_to_be_removed() -> None:
    live = account(queue("old", ("ce",), tags=OURS))
    print_ = fingerprint(desired(), live)
    assert "jobQueue:old" in print_
    changed = account(queue("old", ("ce",), tags=OURS, priority=9))
    assert fingerprint(desired(), changed)["jobQueue:old"] != print_["jobQueue:old"]
