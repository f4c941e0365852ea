"""Batch's rules for a change set, checked before the first request rather than learnt from
AWS's refusals half-way through.

Problems forbid the change (exit 2, nothing sent); warnings are for the user to read (AWS
accepts the change, but it will not do what the numbers suggest).
"""

from __future__ import annotations

from collections.abc import Mapping

from batchtui.capacity import expand_instance_types
from batchtui.changes.state import DesiredState, LiveState, short_name
from batchtui.model import PurchaseModel
from batchtui.pricing import instance_catalog

#: Compute environments a job queue may have (AWS's limit).
MAX_CES_PER_QUEUE = 3


def check_rules(
    desired: DesiredState, live: LiveState, *, targets: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """(problems, warnings) of applying ``desired`` over ``live``; ``targets`` maps each profile
    compute environment to the live name its queues will list."""
    problems: list[str] = []
    warnings: list[str] = []
    for q in desired.job_queues:
        problems += _queue_problems(desired, q.name, q.compute_environments)
        current = live.job_queue(q.name)
        if current is not None and current.scheduling_policy_arn:
            if not q.scheduling_policy_arn:
                problems.append(
                    f"job queue {q.name}: has scheduling policy "
                    f"{short_name(current.scheduling_policy_arn)}, which can be replaced but not "
                    "removed; give scheduling_policy_arn, or make a new queue"
                )
        elif current is not None and q.scheduling_policy_arn:
            problems.append(
                f"job queue {q.name}: a FIFO queue cannot get a scheduling policy once created; "
                "remove scheduling_policy_arn, or make a new queue"
            )
    for ce in desired.compute_environments:
        role = ce.instance_role
        if role and not ce.purchase_model.is_fargate and role in live.missing_instance_profiles:
            problems.append(
                f"compute environment {ce.name}: instance profile {short_name(role)} does not "
                "exist; Batch would make the compute environment INVALID (create it first)"
            )
    warnings += _quota_warnings(desired, live)
    return problems, warnings


def _queue_problems(desired: DesiredState, name: str, ces: tuple[str, ...]) -> list[str]:
    out = []
    if len(ces) > MAX_CES_PER_QUEUE:
        out.append(
            f"job queue {name}: {len(ces)} compute environments, Batch allows at most "
            f"{MAX_CES_PER_QUEUE}"
        )
    specs = [desired.compute_environment(n) for n in ces]
    if len({s.purchase_model.is_fargate for s in specs}) > 1:
        out.append(f"job queue {name}: cannot mix EC2/SPOT and Fargate compute environments")
    catalog = instance_catalog()
    arches: dict[str, list[str]] = {}
    for s in specs:
        if s.purchase_model.is_fargate:
            continue
        for arch in sorted({it.arch for it in expand_instance_types(s.instance_types, catalog)}):
            arches.setdefault(arch, []).append(s.name)
    if len(arches) > 1:
        which = "; ".join(f"{a}: {', '.join(n)}" for a, n in sorted(arches.items()))
        out.append(f"job queue {name}: mixes CPU architectures ({which}); one per queue")
    return out


def _quota_warnings(desired: DesiredState, live: LiveState) -> list[str]:
    totals: dict[PurchaseModel, int] = {}
    for ce in desired.compute_environments:
        if ce.state == "ENABLED":
            pool = PurchaseModel.FARGATE if ce.purchase_model.is_fargate else ce.purchase_model
            totals[pool] = totals.get(pool, 0) + ce.max_vcpus
    out = []
    for pool, total in totals.items():
        quota = live.quotas.get(pool)
        if quota is not None and total > quota:
            out.append(
                f"maxvCpus of the {pool.label} compute environments add up to {total}, above the "
                f"account's {pool.label} vCPU quota of {quota:g}: Batch launches at most "
                f"{quota:g} vCPUs there (ask for a higher quota in Service Quotas)"
            )
    return out
