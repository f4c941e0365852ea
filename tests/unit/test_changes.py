"""The change set: a profile's Batch setup against a live state -> ordered steps, each with the
request it sends, and Batch's rules checked before any of them."""

from __future__ import annotations

import json
from dataclasses import replace

from batchtui.changes import (
    DesiredState,
    LiveState,
    Step,
    StepKind,
    changed_since,
    compute_change_set,
    fingerprint,
    simulate,
)
from batchtui.model import (
    ComputeEnvironment,
    ComputeEnvironmentOrder,
    JobDefinition,
    JobQueue,
    PurchaseModel,
)
from batchtui.profiles import ComputeEnvironmentSpec, JobDefinitionSpec, JobQueueSpec, load_profile

ROLE = "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"
SLR = "arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"
REGULAR = "arn:aws:iam::123456789012:role/AWSBatchServiceRole"


def ce_spec(name: str = "ce", **kw: object) -> ComputeEnvironmentSpec:
    base: dict[str, object] = {
        "name": name,
        "purchase_model": PurchaseModel.EC2,
        "allocation_strategy": "BEST_FIT_PROGRESSIVE",
        "instance_types": ("m5",),
        "min_vcpus": 0,
        "max_vcpus": 16,
        "desired_vcpus": 0,
        "subnets": ("subnet-a",),
        "security_group_ids": ("sg-1",),
        "instance_role": ROLE,
    }
    return ComputeEnvironmentSpec(**(base | kw))  # type: ignore[arg-type]


def live_ce(
    spec: ComputeEnvironmentSpec, name: str | None = None, **kw: object
) -> ComputeEnvironment:
    """The compute environment Batch would have made from ``spec`` (VALID), changed by ``kw``."""
    ce = replace(spec.to_model(), name=name or spec.name, service_role=SLR)
    return replace(ce, **kw)  # type: ignore[arg-type]


def queue(name: str, ces: tuple[str, ...], **kw: object) -> JobQueue:
    order = tuple(
        ComputeEnvironmentOrder(i + 1, f"arn:aws:batch:r:1:compute-environment/{n}")
        for i, n in enumerate(ces)
    )
    base = JobQueue(
        name, f"arn:q/{name}", "ENABLED", "VALID", priority=1, compute_environment_order=order
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def desired(*ces: ComputeEnvironmentSpec, queues: tuple[JobQueueSpec, ...] = ()) -> DesiredState:
    qs = queues or (JobQueueSpec("q", 1, tuple(c.name for c in ces)),)
    return DesiredState(tuple(ces), qs)


def one_step(cs: object) -> Step:
    steps = cs.steps  # type: ignore[attr-defined]
    assert len(steps) == 1, [s.title() for s in steps]
    return steps[0]


def test_an_empty_account_gets_everything_created_job_definition_then_ces_then_queue() -> None:
    profile = load_profile("sandbox")
    cs = compute_change_set(DesiredState.from_profile(profile), LiveState())
    assert [(s.kind, s.resource, s.name) for s in cs.steps] == [
        (StepKind.CREATE, "jobDefinition", "demo-image-tagger"),
        (StepKind.CREATE, "computeEnvironment", "demo-spot"),
        (StepKind.CREATE, "computeEnvironment", "demo-ondemand"),
        (StepKind.CREATE, "jobQueue", "demo-main"),
    ]
    ce = cs.steps[2].params
    assert ce["computeResources"]["desiredvCpus"] == 2
    assert ce["computeResources"]["allocationStrategy"] == "BEST_FIT_PROGRESSIVE"
    assert ce["serviceRole"] == REGULAR  # the demo account's, as the profile names it
    assert cs.steps[3].params["computeEnvironmentOrder"] == [
        {"order": 1, "computeEnvironment": "demo-spot"},
        {"order": 2, "computeEnvironment": "demo-ondemand"},
    ]
    assert cs.steps[3].needs_valid == ("demo-spot", "demo-ondemand")
    assert cs.ok and not cs.warnings


def test_the_same_state_is_no_change() -> None:
    spec = ce_spec()
    live = LiveState((live_ce(spec),), (queue("q", ("ce",)),))
    assert compute_change_set(desired(spec), live).empty


def test_raising_max_vcpus_is_one_scaling_update() -> None:
    spec = ce_spec(max_vcpus=64)
    live = LiveState((live_ce(spec, max_vcpus=16),), (queue("q", ("ce",)),))
    step = one_step(compute_change_set(desired(spec), live))
    assert step.kind is StepKind.SCALING_UPDATE
    assert step.operation == "UpdateComputeEnvironment"
    assert step.params == {"computeEnvironment": "ce", "computeResources": {"maxvCpus": 64}}
    assert [(c.field, c.old, c.new) for c in step.changes] == [("maxvCpus", 16, 64)]


def test_a_lower_desired_vcpus_is_never_sent_and_a_note_says_why() -> None:
    spec = ce_spec(min_vcpus=0, desired_vcpus=0)
    live = LiveState((live_ce(spec, desired_vcpus=8),), (queue("q", ("ce",)),))
    cs = compute_change_set(desired(spec), live)
    assert cs.empty
    assert any("desiredvCpus 8" in n and "not sent" in n for n in cs.notes)


def test_a_max_vcpus_under_the_desired_batch_holds_is_refused_not_dropped() -> None:
    # A spot CE that is to launch nothing while 116 vCPUs of its work run: AWS refuses the
    # update until desiredvCpus falls, so the change set says so instead of applying the rest
    # and calling the account matched.
    spec = ce_spec(min_vcpus=0, max_vcpus=0, desired_vcpus=0)
    live = LiveState((live_ce(spec, max_vcpus=256, desired_vcpus=116),), (queue("q", ("ce",)),))
    cs = compute_change_set(desired(spec), live)
    assert not cs.ok and cs.steps == ()
    assert cs.problems == (
        "ce: maxvCpus 0 is below the 116 desiredvCpus Batch holds for its work, and AWS "
        "refuses it until desiredvCpus falls: disable ce (its jobs finish, none start), then "
        "apply again",
    )
    # At exactly the desiredvCpus held, it is one scaling update.
    spec = ce_spec(min_vcpus=0, max_vcpus=116, desired_vcpus=0)
    step = one_step(compute_change_set(desired(spec), live))
    assert step.params == {"computeEnvironment": "ce", "computeResources": {"maxvCpus": 116}}


def test_raising_min_vcpus_above_the_live_desired_raises_desired_with_it() -> None:
    spec = ce_spec(min_vcpus=4, desired_vcpus=4)
    live = LiveState((live_ce(spec, min_vcpus=0, desired_vcpus=2),), (queue("q", ("ce",)),))
    step = one_step(compute_change_set(desired(spec), live))
    assert step.params["computeResources"] == {"minvCpus": 4, "desiredvCpus": 4}


def test_instance_types_of_a_best_fit_progressive_slr_ce_are_one_infrastructure_update() -> None:
    spec = ce_spec(instance_types=("c5", "m5"))
    live = LiveState((live_ce(spec, instance_types=("m5",)),), (queue("q", ("ce",)),))
    step = one_step(compute_change_set(desired(spec), live))
    assert step.kind is StepKind.INFRASTRUCTURE_UPDATE
    assert step.params == {
        "computeEnvironment": "ce",
        "computeResources": {"instanceTypes": ["c5", "m5"]},
        "updatePolicy": {"terminateJobsOnUpdate": False, "jobExecutionTimeoutMinutes": 30},
    }
    assert "running jobs may finish (up to 30 minutes)" in step.why


def test_instance_types_of_a_best_fit_ce_are_a_blue_green_replacement() -> None:
    spec = ce_spec(allocation_strategy="BEST_FIT", instance_types=("c5",))
    other = ce_spec("other")
    live = LiveState(
        (live_ce(spec, instance_types=("m5",)), live_ce(other)),
        (queue("q", ("other", "ce")),),
    )
    d = desired(other, spec)
    d = replace(d, job_queues=(JobQueueSpec("q", 1, ("other", "ce")),))
    cs = compute_change_set(d, live)
    kinds = [(s.kind, s.name) for s in cs.steps]
    assert kinds == [
        (StepKind.REPLACE, "ce-2"),
        (StepKind.QUEUE_UPDATE, "q"),
        (StepKind.RETIRE, "ce"),
    ]
    create, swap, retire = cs.steps
    assert create.operation == "CreateComputeEnvironment"
    assert create.params["computeResources"]["instanceTypes"] == ["c5"]
    assert "BEST_FIT" in create.why
    # The new one takes the old one's place in the same request: never a queue without it.
    assert swap.params["computeEnvironmentOrder"] == [
        {"order": 1, "computeEnvironment": "other"},
        {"order": 2, "computeEnvironment": "ce-2"},
    ]
    assert retire.params == {"computeEnvironment": "ce", "state": "DISABLED"}
    assert any("ce: replaced by ce-2" in n and "--allow-delete" in n for n in cs.notes)


def test_allow_delete_adds_the_deletion_of_the_replaced_ce_last() -> None:
    spec = ce_spec(
        allocation_strategy="BEST_FIT", instance_types=("c5",), min_vcpus=2, desired_vcpus=2
    )
    live = LiveState((live_ce(spec, instance_types=("m5",)),), (queue("q", ("ce",)),))
    cs = compute_change_set(desired(spec), live, allow_delete=True)
    assert [s.kind for s in cs.steps] == [
        StepKind.REPLACE,
        StepKind.QUEUE_UPDATE,
        StepKind.RETIRE,
        StepKind.DELETE,
    ]
    # Drained means scaled in to 0, so the retired one's minvCpus goes to 0.
    assert cs.steps[2].params["computeResources"] == {"minvCpus": 0}
    assert cs.steps[3].params == {"computeEnvironment": "ce"}


def test_a_regular_service_role_needs_blue_green() -> None:
    spec = ce_spec(instance_types=("c5",))
    live = LiveState(
        (live_ce(spec, instance_types=("m5",), service_role=REGULAR),), (queue("q", ("ce",)),)
    )
    cs = compute_change_set(desired(spec), live)
    assert cs.steps[0].kind is StepKind.REPLACE
    assert "service" in cs.steps[0].why


def test_a_half_made_replacement_is_picked_up_not_made_again() -> None:
    spec = ce_spec(allocation_strategy="BEST_FIT", instance_types=("c5",))
    live = LiveState(
        (live_ce(spec, instance_types=("m5",)), live_ce(spec, name="ce-2")),
        (queue("q", ("ce",)),),
    )
    cs = compute_change_set(desired(spec), live)
    assert [(s.kind, s.name) for s in cs.steps] == [
        (StepKind.QUEUE_UPDATE, "q"),
        (StepKind.RETIRE, "ce"),
    ]


def test_a_finished_replacement_without_delete_is_no_change() -> None:
    spec = ce_spec(allocation_strategy="BEST_FIT", instance_types=("c5",))
    live = LiveState(
        (live_ce(spec, instance_types=("m5",), state="DISABLED"), live_ce(spec, name="ce-2")),
        (queue("q", ("ce-2",)),),
    )
    cs = compute_change_set(desired(spec), live)
    assert cs.empty
    assert cs.notes  # the kept one is named


def test_queue_priority_state_and_time_limit_actions_are_one_queue_update() -> None:
    spec = ce_spec()
    action = {
        "reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
        "state": "RUNNABLE",
        "max_time_seconds": 600,
        "action": "CANCEL",
    }
    qspec = JobQueueSpec("q", 5, ("ce",), (action,), state="DISABLED")
    live = LiveState((live_ce(spec),), (queue("q", ("ce",)),))
    step = one_step(compute_change_set(desired(spec, queues=(qspec,)), live))
    assert step.params == {
        "jobQueue": "q",
        "priority": 5,
        "state": "DISABLED",
        "jobStateTimeLimitActions": [
            {
                "reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
                "state": "RUNNABLE",
                "maxTimeSeconds": 600,
                "action": "CANCEL",
            }
        ],
    }


def test_batch_rules_are_problems_before_any_request() -> None:
    specs = [ce_spec(f"c{i}") for i in range(4)]
    arm = ce_spec("arm", instance_types=("m6g",))
    fargate = ce_spec("f", purchase_model=PurchaseModel.FARGATE, instance_types=())
    d = DesiredState(
        (*specs, arm, fargate),
        (
            JobQueueSpec("four", 1, tuple(s.name for s in specs)),
            JobQueueSpec("arch", 1, ("c0", "arm")),
            JobQueueSpec("mixed", 1, ("c0", "f")),
        ),
    )
    problems = compute_change_set(d, LiveState()).problems
    assert any("four: 4 compute environments, Batch allows at most 3" in p for p in problems)
    assert any("arch: mixes CPU architectures (arm64: arm; x86_64: c0)" in p for p in problems)
    assert any("mixed: cannot mix EC2/SPOT and Fargate" in p for p in problems)


def test_a_scheduling_policy_can_be_replaced_not_removed() -> None:
    spec = ce_spec()
    live = LiveState((live_ce(spec),), (queue("q", ("ce",), scheduling_policy_arn="arn:sp/a"),))
    cs = compute_change_set(desired(spec), live)
    assert any("can be replaced but not removed" in p for p in cs.problems)
    policy = "arn:aws:batch:us-east-1:1:scheduling-policy/b"
    replaced = desired(spec, queues=(JobQueueSpec("q", 1, ("ce",), scheduling_policy_arn=policy),))
    step = one_step(compute_change_set(replaced, live))
    assert step.params == {"jobQueue": "q", "schedulingPolicyArn": policy}


def test_a_missing_instance_profile_and_a_quota_too_small_are_told() -> None:
    spec = ce_spec(max_vcpus=512)
    live = LiveState(missing_instance_profiles=frozenset({ROLE}), quotas={PurchaseModel.EC2: 256.0})
    cs = compute_change_set(desired(spec), live)
    assert any("instance profile ecsInstanceRole does not exist" in p for p in cs.problems)
    assert any("add up to 512" in w and "quota of 256" in w for w in cs.warnings)


def _jd(spec: JobDefinitionSpec, **container: object) -> JobDefinition:
    api = {
        "jobDefinitionName": spec.name,
        "jobDefinitionArn": f"arn:jd/{spec.name}:3",
        "revision": 3,
        "status": "ACTIVE",
        "type": "container",
        "containerProperties": {
            "image": spec.image,
            "vcpus": int(spec.vcpus),
            "memory": spec.memory_mib,
            "command": ["python", "-m", "w"],
            **container,
        },
        "retryStrategy": {"attempts": 1},
    }
    return JobDefinition.from_api(api)


def test_a_changed_job_definition_is_a_new_revision_keeping_the_rest_of_the_live_one() -> None:
    spec = JobDefinitionSpec("jd", "python:3.12", 1.0, 2048)
    d = DesiredState((), (), (spec,))
    assert compute_change_set(d, LiveState(job_definitions=(_jd(spec),))).empty
    live = LiveState(job_definitions=(_jd(spec, image="python:3.11"),))
    step = one_step(compute_change_set(d, live))
    assert step.kind is StepKind.NEW_REVISION
    assert step.operation == "RegisterJobDefinition"
    assert step.params["containerProperties"]["image"] == "python:3.12"
    assert step.params["containerProperties"]["command"] == ["python", "-m", "w"]
    assert [c.field for c in step.changes] == ["image"]


def test_steps_round_trip_through_json() -> None:
    cs = compute_change_set(DesiredState.from_profile(load_profile("sandbox")), LiveState())
    again = [Step.from_json(json.loads(json.dumps(s.to_json()))) for s in cs.steps]
    assert again == list(cs.steps)


def test_a_fingerprint_names_what_changed_since() -> None:
    spec = ce_spec()
    d = desired(spec)
    before = LiveState((live_ce(spec),), (queue("q", ("ce",)),))
    moved = LiveState((live_ce(spec, desired_vcpus=8, status="UPDATING"),), before.job_queues)
    assert changed_since(fingerprint(d, before), fingerprint(d, moved)) == []
    edited = LiveState((live_ce(spec, max_vcpus=99),), ())
    assert changed_since(fingerprint(d, before), fingerprint(d, edited)) == [
        "computeEnvironment ce (changed since)",
        "jobQueue q (gone since)",
    ]


def test_simulating_the_change_set_leaves_nothing_to_change() -> None:
    d = DesiredState.from_profile(load_profile("sandbox"))
    after = simulate(LiveState(), compute_change_set(d, LiveState()).steps)
    assert compute_change_set(d, after).empty


def _with(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_a_profile_states_the_update_policy_and_the_scheduling_policy() -> None:
    from batchtui.errors import ProfileError
    from batchtui.profiles import PROFILE_DIRS, parse_profile

    text = (PROFILE_DIRS[0] / "sandbox.toml").read_text()
    policy = "arn:aws:batch:us-east-1:123456789012:scheduling-policy/fair"
    text = _with(
        text, 'name = "demo-main"\n', f'name = "demo-main"\nscheduling_policy_arn = "{policy}"\n'
    )
    text = _with(
        text,
        'purchase_model = "SPOT"\n',
        'purchase_model = "SPOT"\nupdate_policy = { terminate_jobs_on_update = true, '
        "job_execution_timeout_minutes = 10 }\n",
    )
    profile = parse_profile(text)
    assert profile.job_queues[0].scheduling_policy_arn == policy
    assert profile.compute_environments[0].update_policy.to_api() == {
        "terminateJobsOnUpdate": True,
        "jobExecutionTimeoutMinutes": 10,
    }
    bad = _with(text, "terminate_jobs_on_update = true", 'terminate_jobs_on_update = "yes"')
    bad = _with(bad, f'"{policy}"', '"fair"')
    try:
        parse_profile(bad)
    except ProfileError as e:
        joined = "\n".join(e.problems)
        assert "compute_environments[0].update_policy.terminate_jobs_on_update" in joined
        assert "job_queues[0].scheduling_policy_arn: must be a scheduling policy ARN" in joined
    else:
        raise AssertionError("accepted a string for a boolean and a name for an ARN")


def test_a_recommendation_sets_the_vcpus_of_the_profiles_compute_environments() -> None:
    from batchtui.planner import VcpuSetting

    spot = ce_spec("spot", purchase_model=PurchaseModel.SPOT, max_vcpus=16)
    od = ce_spec("od", min_vcpus=2, desired_vcpus=2)
    d = DesiredState((spot, od), (JobQueueSpec("q", 1, ("spot", "od")),))
    setting = VcpuSetting("spot", "SPOT", 0, 96, 0, ("c5", "m5"))
    applied, notes = d.with_recommendation("spot 100%", (setting,), "q")
    assert applied.compute_environment("spot").max_vcpus == 96
    assert applied.compute_environment("spot").instance_types == ("c5", "m5")
    assert (applied.compute_environment("od").min_vcpus,
            applied.compute_environment("od").max_vcpus) == (0, 0)  # fmt: skip
    assert notes == [
        "od: not used by the recommended scenario 'spot 100%': maxvCpus 0 (it stays in the "
        "queue, launching nothing)"
    ]
    foreign = VcpuSetting("sandbox-fargate", "FARGATE", 0, 64, 0, ())
    try:
        d.with_recommendation("fargate", (foreign,), "q")
    except ValueError as e:
        assert (
            "uses compute environment(s) sandbox-fargate, which the profile does not have" in str(e)
        )
    else:
        raise AssertionError("a compute environment outside the profile was accepted")


def test_a_replacement_shows_every_field_the_new_one_changes() -> None:
    spec = ce_spec(allocation_strategy="BEST_FIT", instance_types=("c5",), max_vcpus=32)
    live = LiveState((live_ce(spec, instance_types=("m5",), max_vcpus=16),), (queue("q", ("ce",)),))
    step = compute_change_set(desired(spec), live).steps[0]
    assert [(c.field, c.old, c.new) for c in step.changes] == [
        ("instanceTypes", ["m5"], ["c5"]),
        ("maxvCpus", 16, 32),
    ]
    assert (
        "BEST_FIT_PROGRESSIVE, SPOT_CAPACITY_OPTIMIZED or SPOT_PRICE_CAPACITY_OPTIMIZED" in step.why
    )
