"""Batch's rules for scaling a compute environment, checked before UpdateComputeEnvironment.

Pure: gets the compute environment as a value and the numbers the user asked for, returns the
problems (AWS's own rules, in AWS's words where it has them) and the parameters worth sending.
The TUI's scale dialog shows the problems as the user types; the aws layer refuses to send a
request that has any.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from batchtui.model import ComputeEnvironment

#: Statuses in which Batch refuses an update of a compute environment.
_NOT_UPDATABLE = ("CREATING", "UPDATING", "DELETING", "DELETED")


@dataclass(frozen=True)
class ScalingRequest:
    """The outcome of checking a scaling change: what to send, or why not."""

    compute_environment: str
    min_vcpus: int | None = None  # None: leave as is
    max_vcpus: int | None = None
    desired_vcpus: int | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes_anything(self) -> bool:
        return any(v is not None for v in (self.min_vcpus, self.max_vcpus, self.desired_vcpus))

    def summary(self) -> str:
        """The change in words: ``minvCpus 0, desiredvCpus 20``."""
        return ", ".join(f"{k} {v}" for k, v in self.compute_resources().items())

    def compute_resources(self) -> dict[str, int]:
        """The ``computeResources`` parameter of UpdateComputeEnvironment (changed fields only)."""
        out: dict[str, int] = {}
        if self.min_vcpus is not None:
            out["minvCpus"] = self.min_vcpus
        if self.max_vcpus is not None:
            out["maxvCpus"] = self.max_vcpus
        if self.desired_vcpus is not None:
            out["desiredvCpus"] = self.desired_vcpus
        return out


def check_scaling(
    ce: ComputeEnvironment,
    *,
    min_vcpus: int | None = None,
    max_vcpus: int | None = None,
    desired_vcpus: int | None = None,
) -> ScalingRequest:
    """Check a change of a compute environment's min / max / desired vCPUs against Batch's rules.

    A value of None keeps the current one. The rules: only a MANAGED compute environment scales;
    Fargate ones have only maxvCpus; values are whole numbers >= 0; minvCpus <= maxvCpus;
    desiredvCpus lies within [minvCpus, maxvCpus] and is never lowered (UpdateComputeEnvironment
    refuses a lower desiredvCpus: Batch scales in by itself); the compute environment is not
    being created, updated or deleted.
    """
    problems: list[str] = []
    new_min = ce.min_vcpus if min_vcpus is None else min_vcpus
    new_max = ce.max_vcpus if max_vcpus is None else max_vcpus
    new_desired = ce.desired_vcpus if desired_vcpus is None else desired_vcpus

    if ce.type.upper() != "MANAGED":
        problems.append(
            f"{ce.name} is an UNMANAGED compute environment: Batch does not scale it; "
            "add or remove its instances in ECS yourself"
        )
    if ce.status in _NOT_UPDATABLE:
        problems.append(
            f"{ce.name} is {ce.status}: Batch refuses updates until it is VALID or INVALID; "
            "wait and refresh (r)"
        )
    for label, value in (
        ("minvCpus", min_vcpus),
        ("maxvCpus", max_vcpus),
        ("desiredvCpus", desired_vcpus),
    ):
        if value is not None and value < 0:
            problems.append(f"{label} must be 0 or more, not {value}")
    if ce.purchase_model.is_fargate and (min_vcpus is not None or desired_vcpus is not None):
        problems.append(
            "a Fargate compute environment has only maxvCpus: leave minvCpus and desiredvCpus "
            "as they are"
        )
    if new_min > new_max:
        problems.append(
            f"minvCpus {new_min} is above maxvCpus {new_max}: lower minvCpus to {new_max} or "
            f"less, or raise maxvCpus to {new_min} or more"
        )
    if not ce.purchase_model.is_fargate:
        if new_desired < ce.desired_vcpus:
            problems.append(
                f"desiredvCpus cannot be lowered ({ce.desired_vcpus} -> {new_desired}): "
                f"UpdateComputeEnvironment accepts only {ce.desired_vcpus} or more; leave it, "
                "Batch lowers it by itself (down to minvCpus) as jobs finish"
            )
        elif not new_min <= new_desired <= new_max:
            if new_desired < new_min:
                hint = f"raise desiredvCpus to at least {new_min}"
            else:
                hint = f"raise maxvCpus to at least {new_desired}"
                if new_max >= ce.desired_vcpus:
                    hint += f" or lower desiredvCpus to {new_max} or less"
            problems.append(
                f"desiredvCpus {new_desired} is outside [minvCpus {new_min}, maxvCpus {new_max}]"
                f": {hint}"
            )

    def changed(new: int | None, old: int) -> int | None:
        return new if new is not None and new != old else None

    return ScalingRequest(
        compute_environment=ce.name,
        min_vcpus=changed(min_vcpus, ce.min_vcpus),
        max_vcpus=changed(max_vcpus, ce.max_vcpus),
        desired_vcpus=changed(desired_vcpus, ce.desired_vcpus),
        problems=tuple(problems),
    )
