"""Building a :class:`Profile` from parsed TOML: each table checked against its schema, then
the checks across tables (names that must match, pools a queue may not mix, vCPUs the workload's
platform takes). Every problem found is reported, not only the first.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from batchtui.capacity.fit import FARGATE_SIZES, INSTANCE_TYPE_KEYWORDS, is_known_instance_type
from batchtui.model import PurchaseModel
from batchtui.pricing import instance_catalog
from batchtui.profiles.access import build_data, build_iam
from batchtui.profiles.schema import (
    COMPUTE_ENVIRONMENT,
    EVALUATE_ON_EXIT,
    JOB_DEFINITION,
    JOB_QUEUE,
    QUOTAS,
    RETRY_STRATEGY,
    TIME_LIMIT_ACTION,
    TOP,
    UPDATE_POLICY,
)
from batchtui.profiles.spec import (
    ComputeEnvironmentSpec,
    EvaluateOnExit,
    JobDefinitionSpec,
    JobQueueSpec,
    Profile,
    QuotaSpec,
    RetryStrategy,
    UpdatePolicy,
    WorkloadSpec,
)
from batchtui.profiles.validation import Problems, check_table
from batchtui.profiles.workload import build_assumptions, build_workload

#: retryStrategy.evaluateOnExit: AWS Batch takes at most this many conditions.
MAX_EVALUATE_ON_EXIT = 5
#: The fractional vCPUs a job can have: Fargate's smallest task sizes (EC2 takes whole vCPUs).
FARGATE_FRACTIONAL_VCPUS = tuple(v for v, _ in FARGATE_SIZES if not v.is_integer())


def build_profile(data: dict[str, Any], path: str, problems: Problems) -> Profile | None:
    """The profile in ``data`` (parsed TOML), or None when ``problems`` holds why not."""
    top = check_table(data, TOP, "", problems)
    if top is None:
        return None
    quotas = check_table(top["quotas"], QUOTAS, "quotas", problems)
    ces = [
        _compute_environment(d, i, problems)
        for i, d in enumerate(_tables(top, "compute_environments", problems))
    ]
    queues = [
        _job_queue(d, i, problems) for i, d in enumerate(_tables(top, "job_queues", problems))
    ]
    jobdef = _job_definition(top["job_definition"], problems)
    workload = build_workload(top["workload"], problems)
    assumptions = build_assumptions(top["assumptions"], problems)
    environment = dict(jobdef.environment) if jobdef is not None else {}
    access = build_data(top["data"], environment, problems), build_iam(top["iam"], problems)
    if None in (quotas, jobdef, workload, assumptions, *access) or None in ces or None in queues:
        return None
    assert quotas is not None and jobdef is not None and workload is not None
    data_spec, iam_spec = access
    assert assumptions is not None and data_spec is not None and iam_spec is not None
    ce_specs = [c for c in ces if c is not None]
    queue_specs = [q for q in queues if q is not None]
    _cross_checks(ce_specs, queue_specs, workload, problems)
    if not queue_specs:
        return None
    if not workload["queue"]:
        workload["queue"] = queue_specs[0].name
    _check_job_vcpus(jobdef, ce_specs, queue_specs, workload["queue"], problems)
    return Profile(
        path=path,
        name=top["name"] or Path(path).stem,
        description=top["description"],
        region=top["region"],
        quotas=QuotaSpec(
            on_demand_vcpus=_quota(quotas["on_demand_vcpus"]),
            spot_vcpus=_quota(quotas["spot_vcpus"]),
            fargate_vcpus=quotas["fargate_vcpus"],
        ),
        compute_environments=tuple(ce_specs),
        job_queues=tuple(queue_specs),
        job_definition=jobdef,
        workload=WorkloadSpec(**workload),
        assumptions=assumptions,
        data=data_spec,
        iam=iam_spec,
    )


def _quota(v: Any) -> float | None:
    return None if v == "auto" else float(v)


def _tables(top: dict[str, Any], key: str, problems: Problems) -> list[Any]:
    items = top[key]
    if not items:
        problems.add(key, "needs at least one entry")
    return list(items)


def _compute_environment(d: Any, i: int, problems: Problems) -> ComputeEnvironmentSpec | None:
    key = f"compute_environments[{i}]"
    v = check_table(d, COMPUTE_ENVIRONMENT, key, problems)
    if v is None:
        return None
    pool = PurchaseModel.parse(v["purchase_model"])
    desired = v["desired_vcpus"] if v["desired_vcpus"] is not None else v["min_vcpus"]
    ok = True
    if v["max_vcpus"] < v["min_vcpus"]:
        problems.add(
            f"{key}.max_vcpus", f"must be >= min_vcpus ({v['max_vcpus']} < {v['min_vcpus']})"
        )
        ok = False
    if pool.is_fargate:
        for name in ("instance_types", "allocation_strategy", "bid_percentage", "launch_template"):
            if d.get(name):
                problems.add(f"{key}.{name}", f"not allowed for {pool.label} compute environments")
                ok = False
    elif not v["instance_types"]:
        problems.add(f"{key}.instance_types", "required for EC2 and SPOT compute environments")
        ok = False
    else:
        for j, name in enumerate(v["instance_types"]):
            unknown = _unknown_instance_type(name)
            if unknown:
                problems.add(f"{key}.instance_types", f"[{j}] {unknown}")
                ok = False
    if v["bid_percentage"] is not None and pool is not PurchaseModel.SPOT:
        problems.add(f"{key}.bid_percentage", "only SPOT compute environments take a bid")
        ok = False
    policy = check_table(v["update_policy"], UPDATE_POLICY, f"{key}.update_policy", problems)
    if policy is None:
        ok = False
    strategy = v["allocation_strategy"] or ("" if pool.is_fargate else "BEST_FIT_PROGRESSIVE")
    if strategy.startswith("SPOT_") and pool is not PurchaseModel.SPOT:
        problems.add(f"{key}.allocation_strategy", f"{strategy} is for SPOT compute environments")
        ok = False
    if not ok:
        return None
    return ComputeEnvironmentSpec(
        name=v["name"],
        purchase_model=pool,
        allocation_strategy=strategy,
        instance_types=tuple(v["instance_types"]),
        min_vcpus=v["min_vcpus"],
        max_vcpus=v["max_vcpus"],
        desired_vcpus=desired,
        bid_percentage=v["bid_percentage"],
        subnets=tuple(v["subnets"]),
        security_group_ids=tuple(v["security_group_ids"]),
        instance_role=v["instance_role"],
        service_role=v["service_role"],
        launch_template=v["launch_template"],
        state=v["state"],
        update_policy=UpdatePolicy(**policy) if policy else UpdatePolicy(),
        line=problems.lines.line_of(key),
    )


def _unknown_instance_type(name: str) -> str | None:
    """Why the planner cannot use ``name``, or None: it places and prices jobs with the bundled
    catalog, and an instance type or family outside it would silently launch nothing."""
    catalog = instance_catalog()
    if is_known_instance_type(name, catalog):
        return None
    families = sorted({it.family for it in catalog.values()})
    close = difflib.get_close_matches(name, [*families, *catalog, *INSTANCE_TYPE_KEYWORDS], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"{name!r} is not an instance type or family of the bundled catalog "
        f"({', '.join(families)}){hint}"
    )


def _job_queue(d: Any, i: int, problems: Problems) -> JobQueueSpec | None:
    key = f"job_queues[{i}]"
    v = check_table(d, JOB_QUEUE, key, problems)
    if v is None:
        return None
    actions = []
    for j, a in enumerate(v["job_state_time_limit_actions"]):
        checked = check_table(
            a, TIME_LIMIT_ACTION, f"{key}.job_state_time_limit_actions[{j}]", problems
        )
        if checked is None:
            return None
        actions.append(checked)
    if not v["compute_environments"]:
        problems.add(f"{key}.compute_environments", "needs at least one compute environment")
        return None
    return JobQueueSpec(
        name=v["name"],
        priority=v["priority"],
        compute_environments=tuple(v["compute_environments"]),
        job_state_time_limit_actions=tuple(actions),
        state=v["state"],
        scheduling_policy_arn=v["scheduling_policy_arn"],
    )


def _job_definition(d: Any, problems: Problems) -> JobDefinitionSpec | None:
    v = check_table(d, JOB_DEFINITION, "job_definition", problems)
    if v is None:
        return None
    rs = check_table(v["retry_strategy"], RETRY_STRATEGY, "job_definition.retry_strategy", problems)
    if rs is None:
        return None
    rules = []
    for j, r in enumerate(rs["evaluate_on_exit"]):
        key = f"job_definition.retry_strategy.evaluate_on_exit[{j}]"
        checked = check_table(r, EVALUATE_ON_EXIT, key, problems)
        if checked is None:
            return None
        if not (checked["on_status_reason"] or checked["on_reason"] or checked["on_exit_code"]):
            problems.add(key, "needs on_status_reason, on_reason or on_exit_code")
            return None
        code = checked["on_exit_code"]
        if code and not (code == "*" or code.removesuffix("*").isdigit()):
            problems.add(
                f"{key}.on_exit_code", f"{code!r}: AWS takes digits, optionally ending in *"
            )
            return None
        rules.append(EvaluateOnExit(**checked))
    if len(rules) > MAX_EVALUATE_ON_EXIT:
        problems.add(
            "job_definition.retry_strategy.evaluate_on_exit",
            f"AWS takes at most {MAX_EVALUATE_ON_EXIT} rules (got {len(rules)})",
        )
        return None
    env = v["environment"]
    bad = [k for k, val in env.items() if not isinstance(val, str)]
    for k in bad:
        problems.add(f"job_definition.environment.{k}", "environment values must be strings")
    if bad:
        return None
    return JobDefinitionSpec(
        name=v["name"],
        image=v["image"],
        vcpus=float(v["vcpus"]),
        memory_mib=v["memory_mib"],
        gpus=v["gpus"],
        timeout_seconds=v["timeout_seconds"],
        retry_strategy=RetryStrategy(rs["attempts"], tuple(rules)),
        environment=dict(env),
        disk_gib=v["disk_gib"],
    )


def _check_job_vcpus(
    jobdef: JobDefinitionSpec,
    ces: list[ComputeEnvironmentSpec],
    queues: list[JobQueueSpec],
    queue_name: str,
    problems: Problems,
) -> None:
    """A fractional vCPU count must be one AWS takes where the workload's queue runs jobs.

    The job definition is registered for the workload queue's platform (a queue never mixes EC2
    and Fargate): on EC2 AWS takes whole vCPUs only, on Fargate 0.25 and 0.5 are task sizes.
    So this is an error, not a warning: the profile's own setup could not be applied. The EC2
    scenarios the planner adds are for EC2 queues only (a Fargate queue's mixes stay Fargate),
    so a Fargate profile's 0.25 or 0.5 never meets them.
    """
    if jobdef.vcpus.is_integer():
        return
    queue = next((q for q in queues if q.name == queue_name), None)
    pools = [ce.purchase_model for ce in ces if queue and ce.name in queue.compute_environments]
    if pools and all(p.is_fargate for p in pools):
        if jobdef.vcpus not in FARGATE_FRACTIONAL_VCPUS:
            problems.add(
                "job_definition.vcpus",
                f"a fractional vCPU count must be 0.25 or 0.5 on Fargate (got {jobdef.vcpus:g})",
            )
    elif pools:
        problems.add(
            "job_definition.vcpus",
            f"must be a whole number for EC2 and SPOT compute environments (got "
            f"{jobdef.vcpus:g}); only Fargate takes 0.25 or 0.5",
        )


def _cross_checks(
    ces: list[ComputeEnvironmentSpec],
    queues: list[JobQueueSpec],
    workload: dict[str, Any],
    problems: Problems,
) -> None:
    names = [ce.name for ce in ces]
    for i, ce in enumerate(ces):
        if names.index(ce.name) != i:
            problems.add(f"compute_environments[{i}].name", f"duplicate name {ce.name!r}")
    for i, q in enumerate(queues):
        pools = set()
        for j, ce_name in enumerate(q.compute_environments):
            if ce_name not in names:
                close = difflib.get_close_matches(ce_name, names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.add(
                    f"job_queues[{i}].compute_environments",
                    f"[{j}] {ce_name!r} is not a compute environment of this profile{hint}",
                )
            else:
                pools.add(next(c for c in ces if c.name == ce_name).purchase_model.is_fargate)
        if len(pools) > 1:
            problems.add(
                f"job_queues[{i}].compute_environments",
                "a job queue cannot mix EC2/SPOT and FARGATE compute environments",
            )
    qnames = [q.name for q in queues]
    if workload["queue"] and workload["queue"] not in qnames:
        close = difflib.get_close_matches(workload["queue"], qnames, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.add(
            "workload.queue", f"{workload['queue']!r} is not a job queue of this profile{hint}"
        )
