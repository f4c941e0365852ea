"""Multi-node parallel (MNP) jobs: node ranges, the nodes ``<id>#<i>``, gang placement.

As the AWS Batch user guide describes them ("Multi-node parallel jobs", "Job lifecycle for MNP
jobs", "Compute environment considerations for MNP"): a job definition of type ``multinode``
gives each node range (``targetNodes`` ``"0:"``, ``"1:3"``, ``":2"``, ``"4"``, inclusive) its
container; SubmitJob makes the parent and one node job per node. Capacity for every node is
taken at once, one instance per node (nodes are single-tenant), in one on-demand EC2 CE (spot CEs
do not run MNP jobs). The main node starts first; when it is RUNNING the other nodes start. The
job ends when the main node exits: the other nodes are stopped and the parent takes the main
node's status, exit and times. Retries of MNP jobs are not modelled (nodes run once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from batchtui.capacity import fits, smallest_fitting
from batchtui.model import InstanceType
from batchtui.sandbox import placement
from batchtui.sandbox.batch_errors import BatchApiError
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord, Instance, Job
from batchtui.sandbox.batch_views import private_ip
from batchtui.sandbox.fleet import Fleet
from batchtui.sandbox.job_specs import check_container, override_container
from batchtui.sandbox.job_specs import resource_request as request_of
from batchtui.sandbox.scheduling import JobTransitions
from batchtui.sandbox.status_reasons import ESSENTIAL_EXIT

MAX_NODES = 1000  #: a guess at AWS's limit of nodes per job
#: The words a child node ends with when the main node exits (a guess: AWS says only "stopped").
CHILD_STOPPED = "Main node exited: child node stopped"
# Refusals whose exact AWS wording could not be confirmed (the rules are AWS's documented ones).
NO_FARGATE = "Fargate doesn't support multi-node parallel jobs"
NO_SPOT = (
    "Multi-node parallel jobs aren't supported on compute environments that use Spot Instances"
)


def parse_target(spec: Any, num_nodes: int) -> tuple[int, int]:
    """``targetNodes`` as (first, last) node, inclusive; open ends are 0 and the last node."""
    text = str(spec or "").strip()
    lo, colon, hi = text.partition(":")
    try:
        first = int(lo) if lo else 0
        last = (int(hi) if hi else num_nodes - 1) if colon else first
    except ValueError:
        raise BatchApiError(f"targetNodes {text!r} must be N, N:, :N or N:M") from None
    if not colon and not lo:
        raise BatchApiError("targetNodes is required for each node range")
    if not 0 <= first <= last < num_nodes:
        raise BatchApiError(f"targetNodes {text!r} is outside nodes 0..{num_nodes - 1}")
    return first, last


def check_node_properties(props: Any, platform: list[str]) -> dict[str, Any]:
    """RegisterJobDefinition's nodeProperties, validated: every node in exactly one range."""
    if "FARGATE" in platform:
        raise BatchApiError(NO_FARGATE)
    if not isinstance(props, dict):
        raise BatchApiError("nodeProperties is required for a multinode job definition")
    num, main = props.get("numNodes"), props.get("mainNode")
    if not isinstance(num, int) or not 1 <= num <= MAX_NODES:
        raise BatchApiError(f"nodeProperties.numNodes must be between 1 and {MAX_NODES}")
    if not isinstance(main, int) or not 0 <= main < num:
        raise BatchApiError("nodeProperties.mainNode must be less than numNodes")
    ranges = props.get("nodeRangeProperties")
    if not isinstance(ranges, list) or not ranges:
        raise BatchApiError("nodeProperties.nodeRangeProperties must list at least one range")
    covered = [0] * num
    for r in ranges:
        if not isinstance(r, dict) or not isinstance(r.get("container"), dict):
            raise BatchApiError("each node range needs targetNodes and a container")
        first, last = parse_target(r.get("targetNodes"), num)
        check_container(r["container"], need_resources=True)
        for i in range(first, last + 1):
            covered[i] += 1
    if any(c != 1 for c in covered):
        bad = [i for i, c in enumerate(covered) if c != 1]
        raise BatchApiError(f"node ranges must cover every node exactly once; nodes {bad} do not")
    return dict(props)


def with_overrides(props: dict[str, Any], overrides: Any) -> dict[str, Any]:
    """SubmitJob's nodeOverrides: numNodes and per-range containerOverrides."""
    if not overrides:
        return props
    if not isinstance(overrides, dict):
        raise BatchApiError("nodeOverrides must be an object")
    out = {**props, "nodeRangeProperties": [dict(r) for r in props["nodeRangeProperties"]]}
    if overrides.get("numNodes") is not None:
        out["numNodes"] = overrides["numNodes"]
    for o in overrides.get("nodePropertyOverrides") or ():
        target = str(o.get("targetNodes", ""))
        ranges = [r for r in out["nodeRangeProperties"] if r.get("targetNodes") == target]
        if not ranges:
            raise BatchApiError(f"nodePropertyOverrides: no node range {target!r}")
        ranges[0]["container"] = override_container(
            ranges[0]["container"], o.get("containerOverrides")
        )
    return check_node_properties(out, ["EC2"])


def container_of(props: dict[str, Any], node: int) -> dict[str, Any]:
    num = int(props["numNodes"])
    for r in props["nodeRangeProperties"]:
        first, last = parse_target(r.get("targetNodes"), num)
        if first <= node <= last:
            return dict(r["container"])
    raise BatchApiError(f"no node range covers node {node}")  # checked at registration


def check_queue(ces: list[ComputeEnvironmentRecord]) -> None:
    """SubmitJob refuses an MNP job for a queue none of whose CEs could ever run it."""
    if ces and all(ce.purchase.is_spot for ce in ces):
        raise BatchApiError(NO_SPOT)


# ---------------------------------------------------------------- lifecycle


def spawn_nodes(lifecycle: JobTransitions, parent: Job) -> None:
    """Dependencies met: the parent makes its nodes; the main node becomes RUNNABLE."""
    props = parent.node_properties or {}
    parent.nodes = []
    parent.status_counts = {}
    for i in range(int(props["numNodes"])):
        node = Job(f"{parent.job_id}#{i}", parent.name, parent.queue, parent.job_def)
        node.container = container_of(props, i)
        node.request = request_of(node.container)
        node.retry_strategy = None
        node.timeout = parent.timeout if i == parent.main_node else None
        node.parameters = parent.parameters
        node.share_identifier = parent.share_identifier
        node.scheduling_priority = parent.scheduling_priority
        node.node_index, node.num_nodes, node.main_node = i, parent.num_nodes, parent.main_node
        node.parent = parent
        node.status = "PENDING"
        node.created_at = lifecycle.now
        lifecycle.store.add_job(node)
        parent.nodes.append(node)
    lifecycle.store.set_status(parent, "PENDING")
    lifecycle.to_runnable(parent.nodes[parent.main_node])  # the parent follows its main node


def is_main(job: Job) -> bool:
    return job.node_index is not None and job.node_index == job.main_node


def main_running(lifecycle: JobTransitions, main: Job) -> None:
    """The main node's container runs: the other nodes start on the instances held for them."""
    assert main.parent is not None and main.parent.nodes is not None
    for node in main.parent.nodes:
        if node is main or node.status != "PENDING":
            continue
        lifecycle.to_runnable(node)
        inst = lifecycle.store.instances.get(node.instance_id or "")
        if inst is not None and inst.ready:
            lifecycle.start(node)


def main_finished(lifecycle: JobTransitions, parent: Job, main: Job) -> None:
    """The main node exited: stop the other nodes; the parent ends as the main node did."""
    for node in parent.nodes or ():
        if node is main or node.is_final:
            continue
        if node.status in ("STARTING", "RUNNING"):
            code = 143 if node.status == "RUNNING" else None
            lifecycle.end_attempt(
                node,
                exit_code=code,
                status_reason=ESSENTIAL_EXIT,
                retryable=False,
                final_reason=CHILD_STOPPED,
            )
        else:
            lifecycle.finish(node, "FAILED", CHILD_STOPPED)
    parent.attempts = list(main.attempts)
    parent.exit_code = main.exit_code
    parent.started_at = main.started_at or parent.started_at
    lifecycle.finish(parent, main.status, main.status_reason)


def environment(_context: object, job: Job) -> dict[str, str]:
    """The variables AWS sets in each node ("Environment variables" of MNP jobs).

    They depend on the job alone; the first argument (whoever asks: the scheduler, an attempt)
    is not read.
    """
    env = {
        "AWS_BATCH_JOB_NODE_INDEX": str(job.node_index),
        "AWS_BATCH_JOB_NUM_NODES": str(job.num_nodes),
        "AWS_BATCH_JOB_MAIN_NODE_INDEX": str(job.main_node),
    }
    if not is_main(job) and job.parent is not None and job.parent.nodes:
        main = job.parent.nodes[job.main_node]
        env["AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"] = private_ip(main.task_arn)
    return env


def start_line(job: Job) -> str:
    env = environment(None, job)
    where = env.get("AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS")
    role = "main node" if where is None else f"child node; main node at {where}"
    return f"[batch] node {job.node_index} of {job.num_nodes} ({role})"


# ---------------------------------------------------------------- placement


#: Launches an instance of a type in a CE; the scheduler registers it when it is up.
Launch = Callable[[ComputeEnvironmentRecord, InstanceType], Instance]


def place_gang(
    main: Job, ces: list[ComputeEnvironmentRecord], fleet: Fleet, launch: Launch
) -> Literal[True] | str | None:
    """Hold one instance per node in one on-demand EC2 CE, all at once, or none.

    True when placed (the caller starts the main node once its instance is up); else a blocking
    statusReason, or None when the job waits for room.
    """
    parent = main.parent
    assert parent is not None and parent.nodes is not None
    ec2 = [ce for ce in ces if not ce.purchase.is_spot and not ce.purchase.is_fargate]
    for req in {n.request for n in parent.nodes}:
        reason = placement.misconfiguration(req, ec2)
        if reason is not None:
            return reason
    if not any(_fits_under_max(ce, parent.nodes) for ce in ec2 if ce.status != "INVALID"):
        return placement.COMPUTE_ENVIRONMENT_MAX_RESOURCE
    for ce in ec2:
        if ce.schedulable and _reserve(ce, parent.nodes, fleet, launch):
            return True
    return None


def _fits_under_max(ce: ComputeEnvironmentRecord, nodes: list[Job]) -> bool:
    total = 0
    for n in nodes:
        itype = smallest_fitting(n.request, ce.instance_types)
        if itype is None:
            return False
        total += itype.vcpus
    return total <= ce.max_vcpus


def _reserve(ce: ComputeEnvironmentRecord, nodes: list[Job], fleet: Fleet, launch: Launch) -> bool:
    idle = [i for i in ce.instances.values() if not i.jobs and not i.exclusive]
    plan: list[tuple[Job, Instance | None, Any]] = []
    extra = 0
    for node in nodes:
        inst = next((i for i in idle if fits(node.request, i.itype)), None)
        if inst is not None:
            idle.remove(inst)
            plan.append((node, inst, None))
            continue
        itype = smallest_fitting(node.request, ce.instance_types)
        if itype is None or ce.desired_vcpus + extra + itype.vcpus > ce.max_vcpus:
            return False
        extra += itype.vcpus
        plan.append((node, None, itype))
    if extra > fleet.quota(False) - fleet.pool_used[False]:
        return False
    for node, inst, itype in plan:
        if inst is None:
            inst = launch(ce, itype)
        fleet.assign(inst, node)
        inst.exclusive = True  # single-tenant: no other job is packed next to a node
    return True
