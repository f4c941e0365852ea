"""Desired state against live state -> an ordered :class:`ChangeSet`.

The order: job definition revisions; compute environments (creates, in-place updates, and the
new generation of each blue/green replacement, all waited on until VALID); job queues (created,
or updated in one request that also swaps a replacement in at its old one's place, so a queue
never lacks a compute environment and never holds more than 3); then each replaced compute
environment is retired: disabled (it is already out of every queue), and deleted only when
deletion is allowed, after it has drained. Queues the profile made and no longer names are
disabled, then deleted only when deletion is allowed, once they hold no active job (the executor
waits for them before the delete, which would terminate them), before any compute environment
is retired (a removed queue may still list one). Compute environments the profile made and no
longer names come last: out of the profile's queues by then (their updates drop them), disabled,
and deleted once drained, only when deletion is allowed (:mod:`.removals`).

Only what the profile names is managed, and what it made (``state.PROFILE_TAG``): other compute
environments and queues are left alone, and so are the job definition's other revisions.
"""

from __future__ import annotations

from dataclasses import dataclass

from batchtui.changes import requests as rq
from batchtui.changes.in_place import (
    infrastructure_update,
    scaling_fields,
    scaling_update,
    why_not_in_place,
)
from batchtui.changes.ownership import adopt as adopt_step
from batchtui.changes.ownership import problem as ownership_problem
from batchtui.changes.ownership import unmanaged
from batchtui.changes.removals import (
    delete_compute_environment,
    disable_compute_environment,
    remove_compute_environment,
    remove_queue,
    skipped_note,
)
from batchtui.changes.rules import check_rules
from batchtui.changes.state import (
    DesiredState,
    LiveState,
    generation_name,
    generation_of,
    queue_order_names,
)
from batchtui.changes.steps import ChangeSet, FieldChange, Step, StepKind, Wait
from batchtui.model import ComputeEnvironment
from batchtui.profiles import ComputeEnvironmentSpec, JobQueueSpec

CE = "computeEnvironment"
#: How a change set shows a compute environment without a serviceRole of its own.
SERVICE_LINKED = "AWSServiceRoleForBatch (service-linked)"
QUEUE = "jobQueue"
JOB_DEFINITION = "jobDefinition"


@dataclass(frozen=True)
class _Target:
    """Where a profile compute environment ends up: the live name its queues will list."""

    name: str
    retired: tuple[ComputeEnvironment, ...] = ()


def compute_change_set(
    desired: DesiredState, live: LiveState, *, allow_delete: bool = False, adopt: bool = False
) -> ChangeSet:
    """The steps that make ``live`` match ``desired``, with Batch's rules checked first.

    ``allow_delete``: delete replaced compute environments (after they drain) and the queues and
    compute environments the profile made and no longer names (disabled, then deleted once
    without active jobs); without it replaced compute environments are left DISABLED and out of
    every queue, removed queues and compute environments as they are: their steps are
    ``skipped`` and a note says so.

    ``adopt``: resources under the profile's names that are not its own (no ``batchtui:profile``
    tag) are tagged as its own first; without it they refuse the change set (:mod:`.ownership`).
    """
    steps: list[Step] = []
    skipped: list[Step] = []
    notes: list[str] = []
    refused: list[str] = []  # problems: the change set is refused
    for found in unmanaged(desired, live):
        if adopt and not found.owner:
            steps.append(adopt_step(found, desired.profile))
        else:
            refused.append(ownership_problem(found, desired.profile))
    steps += _job_definitions(desired, live)
    targets: dict[str, _Target] = {}
    # Scaling changes AWS would refuse now go to ``refused`` too.
    for spec in desired.compute_environments:
        ce_steps, target, ce_notes = _compute_environment(spec, live, refused, desired.profile)
        steps += ce_steps
        notes += ce_notes
        targets[spec.name] = target
    for qspec in desired.job_queues:
        steps += _job_queue(qspec, live, targets, desired.profile)
    managed_queues = {q.name for q in desired.job_queues}
    for removed in live.removed_queues(desired):
        if allow_delete:
            steps += remove_queue(removed, desired.profile)
            managed_queues.add(removed.name)  # deleted before any compute environment retires
        else:
            skipped += remove_queue(removed, desired.profile)
            notes.append(skipped_note(QUEUE, removed.name, desired.profile))
    for spec in desired.compute_environments:
        for old in targets[spec.name].retired:
            others = [q.name for q in live.queues_using(old.name) if q.name not in managed_queues]
            if others:
                notes.append(
                    f"{old.name}: replaced by {targets[spec.name].name}, but left as it is: "
                    f"job queue {', '.join(others)} (not in the profile) still uses it"
                )
                continue
            retire, retire_notes = _retire(old, targets[spec.name].name, allow_delete)
            steps += retire
            notes += retire_notes
    for old in live.removed_compute_environments(desired):
        others = [q.name for q in live.queues_using(old.name) if q.name not in managed_queues]
        if others:
            notes.append(
                f"{CE} {old.name}: made by profile {desired.profile}, which no longer names it, "
                f"but left as it is: job queue {', '.join(others)} (not in the profile) still "
                "uses it"
            )
        elif allow_delete:
            steps += remove_compute_environment(old, desired.profile)
        else:
            skipped += remove_compute_environment(old, desired.profile)
            notes.append(skipped_note(CE, old.name, desired.profile))
    problems, warnings = check_rules(desired, live, targets={k: t.name for k, t in targets.items()})
    return ChangeSet(
        tuple(steps), tuple(refused + problems), tuple(warnings), tuple(notes), tuple(skipped)
    )


def _job_definitions(desired: DesiredState, live: LiveState) -> list[Step]:
    steps = []
    fargate = any(ce.purchase_model.is_fargate for ce in desired.compute_environments)
    for spec in desired.job_definitions:
        current = live.job_definition(spec.name)
        wanted = rq.job_definition_fields(spec)
        have = rq.live_job_definition_fields(current) if current is not None else {}
        changes = tuple(
            FieldChange(k, have.get(k), v) for k, v in wanted.items() if have.get(k) != v
        )
        if not changes:
            continue
        why = (
            f"revision {current.revision} differs; a job definition revision never changes, "
            "so a new one is registered (jobs submitted by name get the newest)"
            if current is not None
            else "not in the account"
        )
        steps.append(
            Step(
                StepKind.NEW_REVISION if current is not None else StepKind.CREATE,
                JOB_DEFINITION,
                spec.name,
                why,
                "RegisterJobDefinition",
                rq.register_job_definition(spec, current, fargate=_jd_on_fargate(desired, fargate)),
                changes,
            )
        )
    return steps


def _jd_on_fargate(desired: DesiredState, any_fargate: bool) -> bool:
    """Fargate only when every compute environment of the profile is Fargate."""
    return any_fargate and all(ce.purchase_model.is_fargate for ce in desired.compute_environments)


def _compute_environment(
    spec: ComputeEnvironmentSpec, live: LiveState, refused: list[str], profile: str
) -> tuple[list[Step], _Target, list[str]]:
    """Its steps, where its queues find it, and notes; a scaling change AWS would refuse now
    goes to ``refused`` (dropping it quietly would leave an apply that says it matches)."""
    generations = live.generations(spec.name)
    if not generations:
        params = rq.create_compute_environment(spec, spec.name, profile)
        step = Step(
            StepKind.CREATE,
            CE,
            spec.name,
            "not in the account",
            "CreateComputeEnvironment",
            params,
            _created_fields(params["computeResources"]),
            Wait.VALID,
        )
        return [step], _Target(spec.name), []
    matching = [
        ce
        for ce in generations
        if not rq.infrastructure_changes(spec, ce) and rq.same_service_role(spec, ce)
    ]
    in_queues = [ce for ce in generations if live.queues_using(ce.name)]
    if matching:
        # A generation that already has the desired infrastructure: the one in a queue, else
        # the newest (a half-made replacement is picked up, not made again).
        keep = next((ce for ce in reversed(matching) if ce in in_queues), matching[-1])
        steps, notes, not_now = scaling_update(spec, keep)
        refused += not_now
        return steps, _Target(keep.name, tuple(c for c in generations if c != keep)), notes
    current = in_queues[-1] if in_queues else generations[-1]
    changes = rq.infrastructure_changes(spec, current)
    why_not = why_not_in_place(spec, current, changes)
    if why_not is None:
        steps = infrastructure_update(spec, current, changes)
        return steps, _Target(current.name, tuple(c for c in generations if c != current)), []
    gen = max(generation_of(ce.name, spec.name) or 1 for ce in generations) + 1
    new_name = generation_name(spec.name, gen)
    params = rq.create_compute_environment(spec, new_name, profile)
    fields = tuple(FieldChange(k, old, new) for k, (old, new) in changes.items())
    # The new one is created with the profile's vCPUs: show where they differ from the old's.
    fields += tuple(
        FieldChange(k, old, new)
        for k, (old, new) in scaling_fields(spec, current).items()
        if k != "desiredvCpus"
    )
    if not rq.same_service_role(spec, current):
        fields += (
            FieldChange(
                "serviceRole",
                current.service_role or SERVICE_LINKED,
                spec.service_role or SERVICE_LINKED,
            ),
        )
    step = Step(
        StepKind.REPLACE,
        CE,
        new_name,
        f"replaces {current.name}: {why_not}; blue/green: the new compute environment is "
        f"created, swapped into its queues at {current.name}'s place, and {current.name} "
        "is drained and disabled",
        "CreateComputeEnvironment",
        params,
        fields,
        Wait.VALID,
    )
    return [step], _Target(new_name, tuple(generations)), []


def _created_fields(cr: dict[str, object]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(k, None, v) for k, v in cr.items())


def _job_queue(
    qspec: JobQueueSpec, live: LiveState, targets: dict[str, _Target], profile: str
) -> list[Step]:
    order = tuple(targets[n].name for n in qspec.compute_environments)
    q = live.job_queue(qspec.name)
    if q is None or q.status in ("DELETING", "DELETED"):
        create = rq.create_job_queue(qspec, order, profile)
        created = tuple(FieldChange(k, None, v) for k, v in create.items() if k != "jobQueueName")
        return [
            Step(
                StepKind.CREATE,
                QUEUE,
                qspec.name,
                "not in the account",
                "CreateJobQueue",
                create,
                created,
                Wait.VALID,
                needs_valid=order,
            )
        ]
    params: dict[str, object] = {"jobQueue": qspec.name}
    fields: list[FieldChange] = []
    live_order = queue_order_names(q)
    if live_order != order:
        params["computeEnvironmentOrder"] = rq.compute_environment_order(order)
        fields.append(FieldChange("computeEnvironmentOrder", list(live_order), list(order)))
    if q.priority != qspec.priority:
        params["priority"] = qspec.priority
        fields.append(FieldChange("priority", q.priority, qspec.priority))
    if q.state != qspec.state:
        params["state"] = qspec.state
        fields.append(FieldChange("state", q.state, qspec.state))
    actions = rq.time_limit_actions(qspec)
    if list(q.job_state_time_limit_actions) != actions:
        params["jobStateTimeLimitActions"] = actions
        fields.append(
            FieldChange("jobStateTimeLimitActions", list(q.job_state_time_limit_actions), actions)
        )
    if qspec.scheduling_policy_arn and q.scheduling_policy_arn != qspec.scheduling_policy_arn:
        params["schedulingPolicyArn"] = qspec.scheduling_policy_arn
        fields.append(
            FieldChange(
                "schedulingPolicyArn", q.scheduling_policy_arn or None, qspec.scheduling_policy_arn
            )
        )
    if not fields:
        return []
    leaving = [o for o in live_order if o not in order]
    replaced = {ce.name for t in targets.values() for ce in t.retired}
    swapped = [o for o in leaving if o in replaced]
    dropped = [o for o in leaving if o not in replaced]
    why = "changed in place"
    if swapped:
        why += f"; {', '.join(swapped)} leaves the queue in the same request its successor joins"
    if dropped:
        why += f"; {', '.join(dropped)} leaves the queue: the profile does not list it there"
    return [
        Step(
            StepKind.QUEUE_UPDATE,
            QUEUE,
            qspec.name,
            why,
            "UpdateJobQueue",
            params,
            tuple(fields),
            Wait.VALID,
            needs_valid=order,
        )
    ]


def _retire(
    old: ComputeEnvironment, successor: str, allow_delete: bool
) -> tuple[list[Step], list[str]]:
    notes: list[str] = []
    steps = disable_compute_environment(
        old,
        f"replaced by {successor} and out of every queue of the profile; disabled, its "
        "running jobs finish (nothing is terminated)",
    )
    if allow_delete:
        steps.append(
            delete_compute_environment(
                old,
                f"replaced by {successor}; deleted once DISABLED, out of every queue and drained",
            )
        )
    else:
        notes.append(
            f"{old.name}: replaced by {successor}, kept DISABLED and out of every queue "
            "(delete it with --allow-delete)"
        )
    return steps, notes
