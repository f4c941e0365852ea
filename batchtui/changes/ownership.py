"""Which of the resources a profile names are the profile's own, and adopting the others.

``apply`` manages what it made: the job queues and compute environments it creates carry
``batchtui:profile = <profile name>`` (:data:`~.state.PROFILE_TAG`). One the account already
has under a name the profile uses, without that tag, was made by hand, by another tool or by an
earlier batchtui: as Terraform will not take over a resource it did not create until it is
imported, the change set is refused, naming it, until the user adopts it (``--adopt``: a
TagResource step that marks it as the profile's, before any other). One tagged with another
profile's name belongs to that profile and is never adopted.
"""

from __future__ import annotations

from dataclasses import dataclass

from batchtui.changes.state import GONE_STATUSES, PROFILE_TAG, DesiredState, LiveState
from batchtui.changes.steps import FieldChange, Step, StepKind

CE = "computeEnvironment"
QUEUE = "jobQueue"


@dataclass(frozen=True)
class Unmanaged:
    """A live resource under a name the profile uses that is not the profile's."""

    resource: str  # computeEnvironment | jobQueue
    name: str
    arn: str
    #: The profile whose tag it carries ("": no tag).
    owner: str


def unmanaged(desired: DesiredState, live: LiveState) -> list[Unmanaged]:
    """The profile's compute environments (each blue/green generation) and queues that the
    account has without the profile's tag; none for a desired state without a profile name."""
    if not desired.profile:
        return []
    found = [
        Unmanaged(CE, ce.name, ce.arn, ce.tag(PROFILE_TAG))
        for spec in desired.compute_environments
        for ce in live.generations(spec.name)
        if ce.tag(PROFILE_TAG) != desired.profile
    ]
    for qspec in desired.job_queues:
        q = live.job_queue(qspec.name)
        live_queue = q is not None and q.status not in GONE_STATUSES
        if q is not None and live_queue and q.tag(PROFILE_TAG) != desired.profile:
            found.append(Unmanaged(QUEUE, q.name, q.arn, q.tag(PROFILE_TAG)))
    return found


def problem(u: Unmanaged, profile: str) -> str:
    """Why the change set is refused for ``u`` (exit 2, nothing sent), and what to do."""
    if u.owner:
        return (
            f"{u.resource} {u.name} exists and is managed by profile {u.owner!r}, not "
            f"{profile!r} (tag {PROFILE_TAG}): give it another name in one of the profiles"
        )
    return (
        f"{u.resource} {u.name} exists but is not managed by profile {profile!r} (it has no "
        f"{PROFILE_TAG} tag: made by hand, by another tool or by an earlier batchtui): adopt "
        "it with `batchtui apply --adopt`, which tags it as the profile's before changing it "
        "as the profile says, or give the profile another name for it"
    )


def adopt(u: Unmanaged, profile: str) -> Step:
    """TagResource: ``u`` becomes the profile's (as ``terraform import``): changed as the
    profile says from then on, deleted with --allow-delete once the profile drops it."""
    return Step(
        StepKind.ADOPT,
        u.resource,
        u.name,
        f"exists without the {PROFILE_TAG} tag: adopted (--adopt), it is profile "
        f"{profile}'s from now on; nothing else about it changes in this step",
        "TagResource",
        {"resourceArn": u.arn, "tags": {PROFILE_TAG: profile}},
        (FieldChange(f"tags.{PROFILE_TAG}", None, profile),),
    )
