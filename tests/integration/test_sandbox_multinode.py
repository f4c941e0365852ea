"""Multi-node parallel (MNP) jobs in the sandbox over HTTP: definitions, nodes, gang placement,
main node first, per-node containers and log streams, the job ending with its main node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def batch(aws_client: Any) -> Any:
    return aws_client("batch")


def resources(vcpus: str = "1", memory: str = "1024") -> list[dict[str, str]]:
    return [{"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}]


@pytest.fixture
def mnp_definition(batch: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """A multinode definition: main node 0 runs ``main_cmd``, nodes 1: run ``child_cmd``."""

    def make(num_nodes: int = 3, main_cmd: str = "sleep 300", child_cmd: str = "sleep 600",
             child_group: str | None = None, **extra: Any) -> str:  # fmt: skip
        name = unique_name("mnp")
        child: dict[str, Any] = {
            "image": "busybox",
            "command": ["sh", "-c", child_cmd],
            "resourceRequirements": resources(),
        }
        if child_group:
            child["logConfiguration"] = {
                "logDriver": "awslogs",
                "options": {"awslogs-group": child_group, "awslogs-stream-prefix": "workers"},
            }
        main = {"image": "busybox", "command": ["sh", "-c", main_cmd]}
        batch.register_job_definition(
            jobDefinitionName=name,
            type="multinode",
            nodeProperties={
                "numNodes": num_nodes,
                "mainNode": 0,
                "nodeRangeProperties": [
                    {
                        "targetNodes": "0",
                        "container": {**main, "resourceRequirements": resources()},
                    },
                    {"targetNodes": "1:", "container": child},
                ],
            },
            **extra,
        )
        return name

    return make


def describe(batch: Any, *ids: str) -> list[dict[str, Any]]:
    by_id = {j["jobId"]: j for j in batch.describe_jobs(jobs=list(ids))["jobs"]}
    return [by_id[i] for i in ids]


def env_of(sandbox: Any, job_id: str) -> dict[str, str]:
    from batchtui.sandbox import multinode

    sched = sandbox.scheduler
    return multinode.environment(sched, sched.store.jobs[job_id])


def test_register_multinode_definition_and_describe_it(batch: Any, mnp_definition: Any) -> None:
    name = mnp_definition(num_nodes=4)
    d = batch.describe_job_definitions(jobDefinitionName=name)["jobDefinitions"][0]
    assert d["type"] == "multinode"
    assert d["nodeProperties"]["numNodes"] == 4
    assert [r["targetNodes"] for r in d["nodeProperties"]["nodeRangeProperties"]] == ["0", "1:"]
    assert "containerProperties" not in d


@pytest.mark.parametrize(
    ("props", "words"),
    [
        ({"numNodes": 2, "mainNode": 2, "nodeRangeProperties": []}, "mainNode"),
        (
            {"numNodes": 3, "mainNode": 0, "nodeRangeProperties": [{"targetNodes": "0:1"}]},
            "container",
        ),
        (
            {"numNodes": 3, "mainNode": 0, "nodeRangeProperties": [{"targetNodes": "x:y"}]},
            "container",
        ),
    ],
)
def test_register_refuses_bad_node_properties(
    batch: Any, unique_name: Any, props: dict[str, Any], words: str
) -> None:
    with pytest.raises(ClientError, match=words):
        batch.register_job_definition(
            jobDefinitionName=unique_name("bad"), type="multinode", nodeProperties=props
        )


def test_register_refuses_uncovered_nodes_and_fargate(batch: Any, unique_name: Any) -> None:
    c = {"image": "busybox", "resourceRequirements": resources()}
    uncovered = {"numNodes": 3, "mainNode": 0, "nodeRangeProperties": [
        {"targetNodes": "0:1", "container": c}]}  # fmt: skip
    with pytest.raises(ClientError, match=r"nodes \[2\]"):
        batch.register_job_definition(
            jobDefinitionName=unique_name("bad"), type="multinode", nodeProperties=uncovered
        )
    whole = {"numNodes": 2, "mainNode": 0, "nodeRangeProperties": [
        {"targetNodes": "0:", "container": c}]}  # fmt: skip
    with pytest.raises(ClientError, match="Fargate"):
        batch.register_job_definition(
            jobDefinitionName=unique_name("bad"),
            type="multinode",
            nodeProperties=whole,
            platformCapabilities=["FARGATE"],
        )


def test_mnp_job_main_node_first_then_the_others_and_ends_with_main(
    sandbox: Any, batch: Any, aws_client: Any, batch_queue: Any, mnp_definition: Any
) -> None:
    names = batch_queue()
    jd = mnp_definition(num_nodes=3, main_cmd="sleep 300", child_cmd="sleep 900")
    job_id = batch.submit_job(jobName="mnp", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(2)
    parent, main, n1 = describe(batch, job_id, f"{job_id}#0", f"{job_id}#1")
    assert parent["status"] == "RUNNABLE"
    assert parent["nodeProperties"]["numNodes"] == 3 and "container" not in parent
    assert main["status"] == "RUNNABLE" and n1["status"] == "PENDING"
    assert main["nodeDetails"] == {"nodeIndex": 0, "isMainNode": True}
    assert n1["nodeDetails"] == {"nodeIndex": 1, "isMainNode": False}
    # Gang placement: one instance per node (single-tenant), all launched at once.
    ce = batch.describe_compute_environments(computeEnvironments=[names["ce0"]])
    assert ce["computeEnvironments"][0]["computeResources"]["desiredvCpus"] == 6  # 3 x m5.large

    sandbox.advance(sandbox.config.scale_up_seconds + sandbox.config.starting_seconds)
    parent, main, n1, n2 = describe(batch, job_id, *(f"{job_id}#{i}" for i in range(3)))
    assert parent["status"] == main["status"] == "RUNNING"
    assert n1["status"] == n2["status"] == "STARTING"  # launched once the main node runs
    sandbox.advance(sandbox.config.starting_seconds)
    parent, main, n1, n2 = describe(batch, job_id, *(f"{job_id}#{i}" for i in range(3)))
    assert n1["status"] == n2["status"] == "RUNNING"
    hosts = {j["container"]["containerInstanceArn"] for j in (main, n1, n2)}
    assert len(hosts) == 3
    streams = {j["container"]["logStreamName"] for j in (main, n1, n2)}
    assert len(streams) == 3
    main_ip = main["container"]["networkInterfaces"][0]["privateIpv4Address"]
    env1 = env_of(sandbox, f"{job_id}#1")
    assert env1 == {
        "AWS_BATCH_JOB_NODE_INDEX": "1",
        "AWS_BATCH_JOB_NUM_NODES": "3",
        "AWS_BATCH_JOB_MAIN_NODE_INDEX": "0",
        "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS": main_ip,
    }
    assert "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS" not in env_of(sandbox, f"{job_id}#0")

    listed = batch.list_jobs(multiNodeJobId=job_id)["jobSummaryList"]  # RUNNING by default
    assert sorted(s["jobId"] for s in listed) == [f"{job_id}#{i}" for i in range(3)]
    assert {s["jobId"]: s["nodeProperties"]["isMainNode"] for s in listed}[f"{job_id}#0"]
    top = batch.list_jobs(jobQueue=names["queue"])["jobSummaryList"]
    assert [s["jobId"] for s in top] == [job_id]
    assert top[0]["nodeProperties"] == {"numNodes": 3}

    logs = aws_client("logs")
    events = logs.get_log_events(
        logGroupName="/aws/batch/job", logStreamName=n1["container"]["logStreamName"]
    )["events"]
    assert any(f"node 1 of 3 (child node; main node at {main_ip})" in e["message"] for e in events)

    sandbox.advance(300)  # the main node exits 0; the children still had 600 s to go
    parent, main, n1 = describe(batch, job_id, f"{job_id}#0", f"{job_id}#1")
    assert main["status"] == "SUCCEEDED"
    assert parent["status"] == "SUCCEEDED"
    assert parent["startedAt"] == main["startedAt"]
    assert parent["stoppedAt"] == main["stoppedAt"]
    assert parent["attempts"][0]["container"]["exitCode"] == 0
    assert n1["status"] == "FAILED" and n1["statusReason"].startswith("Main node exited")
    assert n1["attempts"][0]["container"]["exitCode"] == 143
    sandbox.advance(sandbox.config.scale_down_idle_seconds + 1)
    ce = batch.describe_compute_environments(computeEnvironments=[names["ce0"]])
    assert ce["computeEnvironments"][0]["computeResources"]["desiredvCpus"] == 0


def test_mnp_job_fails_with_its_main_node_and_children_may_exit_first(
    sandbox: Any, batch: Any, batch_queue: Any, mnp_definition: Any
) -> None:
    names = batch_queue()
    jd = mnp_definition(num_nodes=2, main_cmd="sleep 200; exit 3", child_cmd="sleep 50")
    job_id = batch.submit_job(jobName="mnp", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(2 + sandbox.config.scale_up_seconds + 2 * sandbox.config.starting_seconds + 60)
    parent, child = describe(batch, job_id, f"{job_id}#1")
    assert child["status"] == "SUCCEEDED" and parent["status"] == "RUNNING"  # AWS does nothing
    sandbox.advance(200)
    parent, main = describe(batch, job_id, f"{job_id}#0")
    assert main["status"] == parent["status"] == "FAILED"
    assert parent["attempts"][0]["container"]["exitCode"] == 3


def test_mnp_nodes_need_room_for_all_nodes_in_one_ce(
    sandbox: Any, batch: Any, batch_queue: Any, mnp_definition: Any
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 4}])  # two m5.large: not three
    jd = mnp_definition(num_nodes=3)
    job_id = batch.submit_job(jobName="mnp", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(5)
    (parent,) = describe(batch, job_id)
    assert parent["status"] == "RUNNABLE"
    assert parent["statusReason"].startswith("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")


def test_mnp_overrides_terminate_and_refusals(
    sandbox: Any, batch: Any, batch_queue: Any, mnp_definition: Any, job_definition: Any
) -> None:
    names = batch_queue()
    jd = mnp_definition(num_nodes=3)
    job_id = batch.submit_job(
        jobName="mnp", jobQueue=names["queue"], jobDefinition=jd, nodeOverrides={"numNodes": 2}
    )["jobId"]
    sandbox.advance(2 + sandbox.config.scale_up_seconds + 2 * sandbox.config.starting_seconds)
    (parent,) = describe(batch, job_id)
    assert parent["nodeProperties"]["numNodes"] == 2 and parent["status"] == "RUNNING"
    batch.terminate_job(jobId=job_id, reason="stop it")
    parent, n0, n1 = describe(batch, job_id, f"{job_id}#0", f"{job_id}#1")
    assert parent["status"] == n0["status"] == n1["status"] == "RUNNING"  # containers stopping
    assert parent["isTerminated"]
    sandbox.advance(sandbox.config.stop_seconds)
    parent, n0, n1 = describe(batch, job_id, f"{job_id}#0", f"{job_id}#1")
    assert parent["status"] == n0["status"] == n1["status"] == "FAILED"
    assert parent["isTerminated"] and parent["statusReason"] == "stop it"

    with pytest.raises(ClientError, match="nodeOverrides"):
        batch.submit_job(
            jobName="x", jobQueue=names["queue"], jobDefinition=jd,
            containerOverrides={"command": ["true"]},
        )  # fmt: skip
    with pytest.raises(ClientError, match="multi-node"):
        batch.submit_job(
            jobName="x", jobQueue=names["queue"], jobDefinition=job_definition(),
            nodeOverrides={"numNodes": 2},
        )  # fmt: skip
    spot = batch_queue(ces=[{"type": "SPOT"}])
    with pytest.raises(ClientError, match="Spot"):
        batch.submit_job(jobName="x", jobQueue=spot["queue"], jobDefinition=jd)


def test_cancel_a_runnable_mnp_job(
    sandbox: Any, batch: Any, batch_queue: Any, mnp_definition: Any
) -> None:
    names = batch_queue(ces=[{"maxvCpus": 2}])
    jd = mnp_definition(num_nodes=2)
    job_id = batch.submit_job(jobName="mnp", jobQueue=names["queue"], jobDefinition=jd)["jobId"]
    sandbox.advance(5)
    batch.cancel_job(jobId=job_id, reason="no room")
    parent, n0, n1 = describe(batch, job_id, f"{job_id}#0", f"{job_id}#1")
    assert parent["status"] == n0["status"] == n1["status"] == "FAILED"
    assert parent["isCancelled"] and parent["statusReason"] == "no room"


def test_a_real_node_sees_its_mnp_environment(
    sandbox: Any, batch: Any, aws_client: Any, batch_queue: Any, unique_name: Any
) -> None:
    names = batch_queue()
    name = unique_name("mnp-real")
    res = resources()
    batch.register_job_definition(
        jobDefinitionName=name,
        type="multinode",
        nodeProperties={
            "numNodes": 2,
            "mainNode": 0,
            "nodeRangeProperties": [
                {"targetNodes": "0", "container": {"image": "busybox", "command": [
                    "sh", "-c", "sleep 300"], "resourceRequirements": res}},
                {"targetNodes": "1", "container": {"image": "busybox", "command": [
                    "python", "-m", "batchtui.sandbox.echo_worker"], "resourceRequirements": res}},
            ],
        },
    )  # fmt: skip
    job_id = batch.submit_job(jobName="real", jobQueue=names["queue"], jobDefinition=name)["jobId"]
    sandbox.advance(2 + sandbox.config.scale_up_seconds + 2 * sandbox.config.starting_seconds)
    assert sandbox.wait_for_workers(timeout=120)
    sandbox.advance(1)
    main, node = describe(batch, f"{job_id}#0", f"{job_id}#1")
    assert node["status"] == "SUCCEEDED", node
    events = aws_client("logs").get_log_events(
        logGroupName="/aws/batch/job", logStreamName=node["container"]["logStreamName"]
    )["events"]
    text = [e["message"] for e in events]
    ip = main["container"]["networkInterfaces"][0]["privateIpv4Address"]
    for line in ("AWS_BATCH_JOB_NODE_INDEX=1", "AWS_BATCH_JOB_NUM_NODES=2",
                 "AWS_BATCH_JOB_MAIN_NODE_INDEX=0",
                 f"AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS={ip}"):  # fmt: skip
        assert line in text
    assert f"AWS_BATCH_JOB_ID={job_id}#1" in text
