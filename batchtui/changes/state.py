"""The two sides of a change set: the desired state (a profile's Batch setup) and the live
state (what the account has), as values.

A job queue or compute environment batchtui creates is tagged ``batchtui:profile = <profile
name>`` (:data:`PROFILE_TAG`): one so tagged that its profile no longer names was removed from
the profile, and ``--allow-delete`` deletes it. Resources without the tag (made by hand, by
another tool, or by a batchtui that did not tag them yet) are never deleted.

A compute environment the profile names ``X`` is found in the account as ``X`` or as one of its
blue/green generations ``X-2``, ``X-3``, ...: a replacement needs a new name (Batch names are
unique), and finding generations by name is what lets a re-run pick up a half-made replacement
instead of making another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from batchtui.model import (
    ComputeEnvironment,
    JobDefinition,
    JobQueue,
    PurchaseModel,
)
from batchtui.profiles import ComputeEnvironmentSpec, JobDefinitionSpec, JobQueueSpec, Profile

#: Statuses of a compute environment or queue that is going away (not a live resource).
GONE_STATUSES = ("DELETING", "DELETED")
#: The tag on the job queues and compute environments batchtui creates: the name of the
#: profile that made them.
PROFILE_TAG = "batchtui:profile"


class VcpuSetting(Protocol):
    """A recommended compute environment setting (the planner's ``VcpuSetting``; the planner
    is a sibling layer, so it is named by shape here)."""

    @property
    def compute_environment(self) -> str: ...
    @property
    def min_vcpus(self) -> int: ...
    @property
    def max_vcpus(self) -> int: ...
    @property
    def desired_vcpus(self) -> int: ...
    @property
    def instance_types(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class DesiredState:
    """What the profile asks for: its compute environments, job queues and job definition."""

    compute_environments: tuple[ComputeEnvironmentSpec, ...]
    job_queues: tuple[JobQueueSpec, ...]
    job_definitions: tuple[JobDefinitionSpec, ...] = ()
    #: The profile's name: what the queues it creates are tagged with ("": none are tagged, and
    #: no queue is ever found removed from it).
    profile: str = ""

    @classmethod
    def from_profile(cls, profile: Profile) -> DesiredState:
        return cls(
            profile.compute_environments,
            profile.job_queues,
            (profile.job_definition,),
            profile=profile.name,
        )

    def compute_environment(self, name: str) -> ComputeEnvironmentSpec:
        return next(ce for ce in self.compute_environments if ce.name == name)

    def with_recommendation(
        self,
        scenario: str,
        settings: Sequence[VcpuSetting],
        queue: str,
        *,
        chosen: str = "the recommended scenario",
    ) -> tuple[DesiredState, list[str]]:
        """The desired state with a plan's recommended vCPU settings applied, and notes.

        ``chosen`` names the scenario in the messages (a scenario the user picked is not the
        recommended one).

        Each setting sets its compute environment's min/max/desired vCPUs and instance types;
        the workload queue's other compute environments get no vCPUs (the scenario does not
        use them). A setting naming a compute environment the profile does not have is a
        ValueError: apply changes only what a profile names.
        """
        known = {ce.name for ce in self.compute_environments}
        foreign = [s.compute_environment for s in settings if s.compute_environment not in known]
        if foreign:
            raise ValueError(
                f"{chosen} {scenario!r} uses compute environment(s) "
                f"{', '.join(foreign)}, which the profile does not have"
            )
        by_name = {s.compute_environment: s for s in settings}
        in_queue = next((q.compute_environments for q in self.job_queues if q.name == queue), ())
        notes = []
        ces = []
        for ce in self.compute_environments:
            setting = by_name.get(ce.name)
            if setting is not None:
                ce = replace(
                    ce,
                    min_vcpus=setting.min_vcpus,
                    max_vcpus=setting.max_vcpus,
                    desired_vcpus=setting.desired_vcpus,
                    instance_types=setting.instance_types or ce.instance_types,
                )
            elif ce.name in in_queue:
                notes.append(
                    f"{ce.name}: not used by {chosen} {scenario!r}: "
                    "maxvCpus 0 (it stays in the queue, launching nothing)"
                )
                ce = replace(ce, min_vcpus=0, max_vcpus=0, desired_vcpus=0)
            ces.append(ce)
        return replace(self, compute_environments=tuple(ces)), notes


@dataclass(frozen=True)
class LiveState:
    """What the account has, as read before planning.

    ``job_definitions``: the newest ACTIVE revision of each name. ``missing_instance_profiles``:
    instance roles the desired compute environments name that IAM does not know.
    ``quotas``: the vCPU quota per purchase pool, where known.
    """

    compute_environments: tuple[ComputeEnvironment, ...] = ()
    job_queues: tuple[JobQueue, ...] = ()
    job_definitions: tuple[JobDefinition, ...] = ()
    missing_instance_profiles: frozenset[str] = frozenset()
    quotas: Mapping[PurchaseModel, float] = field(default_factory=dict)

    def compute_environment(self, name: str) -> ComputeEnvironment | None:
        return next((c for c in self.compute_environments if c.name == name), None)

    def job_queue(self, name: str) -> JobQueue | None:
        return next((q for q in self.job_queues if q.name == name), None)

    def job_definition(self, name: str) -> JobDefinition | None:
        return next((d for d in self.job_definitions if d.name == name), None)

    def generations(self, name: str) -> list[ComputeEnvironment]:
        """The live compute environments of profile name ``name``: ``name`` itself and its
        blue/green generations ``name-2``, ``name-3``, ..., oldest first; none going away."""
        found = [
            ce
            for ce in self.compute_environments
            if generation_of(ce.name, name) is not None and ce.status not in GONE_STATUSES
        ]
        return sorted(found, key=lambda ce: generation_of(ce.name, name) or 0)

    def removed_queues(self, desired: DesiredState) -> list[JobQueue]:
        """Queues the desired state's profile created (tagged with its name) that it no longer
        names, by name; none going away."""
        if not desired.profile:
            return []
        named = {q.name for q in desired.job_queues}
        return sorted(
            (
                q
                for q in self.job_queues
                if q.tag(PROFILE_TAG) == desired.profile
                and q.name not in named
                and q.status not in GONE_STATUSES
            ),
            key=lambda q: q.name,
        )

    def removed_compute_environments(self, desired: DesiredState) -> list[ComputeEnvironment]:
        """Compute environments the desired state's profile created (tagged with its name) that
        are neither one it names nor a blue/green generation of one, by name; none going
        away."""
        if not desired.profile:
            return []
        named = [ce.name for ce in desired.compute_environments]
        return sorted(
            (
                ce
                for ce in self.compute_environments
                if ce.tag(PROFILE_TAG) == desired.profile
                and all(generation_of(ce.name, n) is None for n in named)
                and ce.status not in GONE_STATUSES
            ),
            key=lambda ce: ce.name,
        )

    def queues_using(self, ce_name: str) -> list[JobQueue]:
        return [
            q
            for q in self.job_queues
            if q.status not in GONE_STATUSES and ce_name in queue_order_names(q)
        ]


def generation_of(live_name: str, profile_name: str) -> int | None:
    """1 for ``X`` itself, N for ``X-N`` (N >= 2), None for another name."""
    if live_name == profile_name:
        return 1
    m = re.fullmatch(re.escape(profile_name) + r"-(\d+)", live_name)
    if m and int(m.group(1)) >= 2:
        return int(m.group(1))
    return None


def generation_name(profile_name: str, generation: int) -> str:
    return profile_name if generation == 1 else f"{profile_name}-{generation}"


def short_name(ref: str) -> str:
    """A compute environment's or role's name from its ARN (or the name itself)."""
    return ref.rsplit("/", 1)[-1]


def queue_order_names(q: JobQueue) -> tuple[str, ...]:
    """The queue's compute environments by name, in its order."""
    return tuple(short_name(o.compute_environment) for o in q.compute_environment_order)
