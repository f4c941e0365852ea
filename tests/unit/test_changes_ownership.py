"""Resources under a profile's names that the profile did not make: the change set is refused,
naming each, until the user adopts them (--adopt: a TagResource step first); one another
profile made is never adopted."""

from __future__ import annotations

from dataclasses import replace

from test_changes import ce_spec, live_ce, queue

from batchtui.changes import DesiredState, LiveState, StepKind, compute_change_set, simulate
from batchtui.changes.state import PROFILE_TAG
from batchtui.profiles import JobQueueSpec
from batchtui.render.changes import render_change_set, summary_line

OURS = ((PROFILE_TAG, "p"),)
SPEC = ce_spec()


def desired(profile: str = "p") -> DesiredState:
    return DesiredState((SPEC,), (JobQueueSpec("q", 1, ("ce",)),), profile=profile)


def account(ce_tags: tuple[tuple[str, str], ...] = (), q_tags: tuple[tuple[str, str], ...] = ()):  # type: ignore[no-untyped-def]
    return LiveState(
        (live_ce(SPEC, arn="arn:ce/ce", tags=ce_tags, max_vcpus=8),),
        (queue("q", ("ce",), tags=q_tags),),
    )


def test_untagged_resources_under_the_profiles_names_refuse_the_change_set() -> None:
    cs = compute_change_set(desired(), account())
    assert not cs.ok
    assert len(cs.problems) == 2, cs.problems
    ce, q = cs.problems
    assert ce.startswith(
        "computeEnvironment ce exists but is not managed by profile 'p' (it has no "
        "batchtui:profile tag"
    ), ce
    assert "adopt it with `batchtui apply --adopt`" in ce
    assert q.startswith("jobQueue q exists but is not managed by profile 'p'"), q
    assert summary_line(cs) == "refused: 2 problems below, nothing is sent"
    # The diff still shows what would change once adopted.
    assert "~ computeEnvironment ce (scaling-update)" in render_change_set(cs, "h")


def test_adopt_tags_them_first_then_changes_them_and_a_rerun_is_empty() -> None:
    live = account()
    cs = compute_change_set(desired(), live, adopt=True)
    assert cs.ok, cs.problems
    kinds = [(s.kind, s.resource, s.name) for s in cs.steps]
    assert kinds[:2] == [
        (StepKind.ADOPT, "computeEnvironment", "ce"),
        (StepKind.ADOPT, "jobQueue", "q"),
    ]
    assert (StepKind.SCALING_UPDATE, "computeEnvironment", "ce") in kinds
    tag = cs.steps[0]
    assert (tag.operation, dict(tag.params)) == (
        "TagResource",
        {"resourceArn": "arn:ce/ce", "tags": {PROFILE_TAG: "p"}},
    )
    after = simulate(live, cs.steps)
    assert after.compute_environment("ce").tag(PROFILE_TAG) == "p"  # type: ignore[union-attr]
    assert compute_change_set(desired(), after).empty
    assert compute_change_set(desired(), after, adopt=True).empty


def test_another_profiles_resource_is_never_adopted() -> None:
    theirs = ((PROFILE_TAG, "other"),)
    for adopt in (False, True):
        cs = compute_change_set(desired(), account(ce_tags=theirs, q_tags=OURS), adopt=adopt)
        (problem,) = cs.problems
        assert problem.startswith(
            "computeEnvironment ce exists and is managed by profile 'other', not 'p'"
        ), problem
        assert not any(s.kind is StepKind.ADOPT for s in cs.steps)


def test_the_profiles_own_resources_and_a_desired_state_without_a_name_pass() -> None:
    assert compute_change_set(desired(), account(OURS, OURS)).ok
    assert compute_change_set(desired(profile=""), account()).ok


def test_an_untagged_blue_green_generation_needs_adopting_too() -> None:
    live = account(OURS, OURS)
    live = replace(
        live,
        compute_environments=(
            *live.compute_environments,
            live_ce(SPEC, name="ce-2", arn="arn:ce/ce-2"),
        ),
    )
    (problem,) = compute_change_set(desired(), live).problems
    assert problem.startswith("computeEnvironment ce-2 exists but is not managed"), problem


def test_the_summary_counts_each_kind_in_the_right_number() -> None:
    from batchtui.render.changes import _counted

    assert _counted(2, "scaling update") == "2 scaling updates"
    assert _counted(1, "scaling update") == "1 scaling update"
    assert _counted(3, "new revision") == "3 new revisions"
    assert _counted(3, "to create") == "3 to create"
