"""Compute environments removed from a profile: one the profile made (tagged with its name) that
it no longer names leaves the profile's queues through their update, is disabled, and is deleted
once drained, only with --allow-delete (without it the steps are shown as skipped); any other
compute environment is left alone."""

from __future__ import annotations

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
from batchtui.render.changes import render_change_set, summary_line

OURS = ((PROFILE_TAG, "p"),)
KEPT = ce_spec("kept")
GONE = ce_spec("gone", min_vcpus=2, desired_vcpus=2)


def desired(profile: str = "p") -> DesiredState:
    """The profile after ``gone`` was dropped from it and from its queue."""
    return DesiredState((KEPT,), (JobQueueSpec("q", 1, ("kept",)),), profile=profile)


def account(*extra_queues: object, gone_tags: tuple[tuple[str, str], ...] = OURS) -> LiveState:
    """What the profile made before: both compute environments, in its queue."""
    return LiveState(
        (live_ce(KEPT, tags=OURS), live_ce(GONE, tags=gone_tags)),
        (queue("q", ("kept", "gone"), tags=OURS), *extra_queues),  # type: ignore[arg-type]
    )


def kinds(steps: object) -> list[tuple[StepKind, str, str]]:
    return [(s.kind, s.resource, s.name) for s in steps]  # type: ignore[attr-defined]


def test_without_allow_delete_it_leaves_the_queue_and_its_deletion_is_skipped() -> None:
    cs = compute_change_set(desired(), account())
    assert kinds(cs.steps) == [(StepKind.QUEUE_UPDATE, "jobQueue", "q")]
    assert kinds(cs.skipped) == [
        (StepKind.RETIRE, "computeEnvironment", "gone"),
        (StepKind.DELETE, "computeEnvironment", "gone"),
    ]
    assert (
        "computeEnvironment gone: would delete (needs --allow-delete): made by profile p, "
        "which no longer names it" in cs.notes
    )
    line = summary_line(cs)
    assert line.startswith("1 step: 1 queue update; skipped: 1 deletion"), line
    assert "(needs --allow-delete)" in line
    text = render_change_set(cs, "h")
    assert "SKIPPED (needs --allow-delete; not sent)" in text
    assert "- computeEnvironment gone (delete)" in text
    # Once out of the queue, a run without the flag has nothing to send, and says why.
    after = simulate(account(), cs.steps)
    again = compute_change_set(desired(), after)
    assert again.empty and kinds(again.skipped)[-1][0] is StepKind.DELETE
    assert summary_line(again).startswith("no changes; skipped: 1 deletion")


def test_with_allow_delete_it_is_detached_disabled_then_deleted_and_a_rerun_is_empty() -> None:
    live = account()
    cs = compute_change_set(desired(), live, allow_delete=True)
    assert kinds(cs.steps) == [
        (StepKind.QUEUE_UPDATE, "jobQueue", "q"),
        (StepKind.RETIRE, "computeEnvironment", "gone"),
        (StepKind.DELETE, "computeEnvironment", "gone"),
    ]
    assert not cs.skipped and cs.ok
    detach, disable, delete = cs.steps
    assert "gone leaves the queue: the profile does not list it there" in detach.why
    assert "successor" not in detach.why
    assert detach.params["computeEnvironmentOrder"] == [{"order": 1, "computeEnvironment": "kept"}]
    assert dict(disable.params) == {
        "computeEnvironment": "gone",
        "state": "DISABLED",
        "computeResources": {"minvCpus": 0},
    }
    assert (delete.operation, dict(delete.params), delete.wait) == (
        "DeleteComputeEnvironment",
        {"computeEnvironment": "gone"},
        Wait.GONE,
    )
    after = simulate(live, cs.steps)
    assert after.compute_environment("gone") is None
    assert compute_change_set(desired(), after, allow_delete=True).empty


def test_a_half_done_removal_continues_where_it_stopped() -> None:
    spec_gone = live_ce(GONE, tags=OURS, state="DISABLED", min_vcpus=0)
    live = LiveState((live_ce(KEPT, tags=OURS), spec_gone), (queue("q", ("kept",), tags=OURS),))
    cs = compute_change_set(desired(), live, allow_delete=True)
    assert kinds(cs.steps) == [(StepKind.DELETE, "computeEnvironment", "gone")]
    going = LiveState(
        (live_ce(KEPT, tags=OURS), live_ce(GONE, tags=OURS, status="DELETING")),
        (queue("q", ("kept",), tags=OURS),),
    )
    assert compute_change_set(desired(), going, allow_delete=True).empty


def test_untagged_or_other_profiles_compute_environments_are_never_touched() -> None:
    for tags in ((), ((PROFILE_TAG, "other"),)):
        live = LiveState(
            (live_ce(KEPT, tags=OURS), live_ce(GONE, tags=tags)),
            (queue("q", ("kept",), tags=OURS),),
        )
        cs = compute_change_set(desired(), live, allow_delete=True)
        assert cs.empty and not cs.skipped and not cs.notes, (tags, cs)
    # A desired state without a profile name recognises none as its own.
    unnamed = compute_change_set(desired(profile=""), account(), allow_delete=True)
    assert "gone" not in {s.name for s in unnamed.steps}


def test_a_blue_green_generation_of_a_named_one_is_not_a_removal() -> None:
    live = LiveState(
        (live_ce(KEPT, tags=OURS), live_ce(KEPT, name="kept-2", tags=OURS)),
        (queue("q", ("kept-2",), tags=OURS),),
    )
    assert live.removed_compute_environments(desired()) == []


def test_one_a_queue_outside_the_profile_still_uses_is_left_as_it_is() -> None:
    live = account(queue("by-hand", ("gone",)))
    cs = compute_change_set(desired(), live, allow_delete=True)
    assert "gone" not in {s.name for s in cs.steps} and not cs.skipped
    assert any(
        "computeEnvironment gone: made by profile p" in n
        and "job queue by-hand (not in the profile) still uses it" in n
        for n in cs.notes
    ), cs.notes


def test_a_created_compute_environment_carries_the_profile_tag() -> None:
    cs = compute_change_set(desired(), LiveState())
    creates = [s for s in cs.steps if s.operation == "CreateComputeEnvironment"]
    assert [s.params["tags"] for s in creates] == [{PROFILE_TAG: "p"}]
    live = simulate(LiveState(), cs.steps)
    assert live.compute_environment("kept").tag(PROFILE_TAG) == "p"  # type: ignore[union-attr]


def test_the_fingerprint_covers_a_compute_environment_to_be_removed() -> None:
    live = account()
    before = fingerprint(desired(), live)
    assert "computeEnvironment:gone" in before
    changed = LiveState(
        (live_ce(KEPT, tags=OURS), live_ce(GONE, tags=OURS, max_vcpus=99)), live.job_queues
    )
    assert (
        fingerprint(desired(), changed)["computeEnvironment:gone"]
        != before["computeEnvironment:gone"]
    )
