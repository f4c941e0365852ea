"""Diagnosing a queue of 10,000 RUNNABLE jobs: wall time and API calls by operation, beside the
calls a per-job approach makes (AWSSupport-TroubleshootAWSBatchJob checks one job per run).

The queue: a FIFO queue whose head asks for more vCPUs than its compute environment's maxvCpus,
holding back 9,999 jobs behind it. The sandbox runs in a process of its own and the jobs are
submitted inside it (10,000 SubmitJob calls over HTTP would be most of the run); the diagnosis
goes over HTTP like any AWS client.
The per-job figure diagnoses a sample of jobs one at a time (`batchtui diagnose JOB_ID`) and
multiplies its calls per job by the queue's size.
"""

from __future__ import annotations

import json
import time
from typing import Any

from common import print_table

JOBS = 10_000
SAMPLE = 20
ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


def _serve(conn: Any) -> None:
    """The sandbox in its own process (AWS is not in the client's process either): seeds the
    queue, sends (url, region, credentials), serves until told to stop."""
    sb, queue = _queue_of_stuck_jobs()
    try:
        conn.send((sb.url, sb.region, sb.credentials, queue, sb.now()))
        conn.recv()
    finally:
        sb.stop()


def _queue_of_stuck_jobs() -> tuple[Any, str]:
    import boto3

    from batchtui.sandbox import Sandbox, SandboxConfig
    from batchtui.sandbox.batch_api import BatchApi

    sb = Sandbox(SandboxConfig(seed="empty", manual_clock=True, resource_transition_seconds=0.0))
    sb.start()
    kw = {"endpoint_url": sb.url, "region_name": sb.region, "aws_access_key_id": sb.credentials[0],
          "aws_secret_access_key": sb.credentials[1]}  # fmt: skip
    iam, batch = boto3.client("iam", **kw), boto3.client("batch", **kw)
    iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps({"Statement": []}))
    iam.attach_role_policy(RoleName="bench", PolicyArn=ECS_INSTANCE_POLICY)
    profile = iam.create_instance_profile(InstanceProfileName="bench")["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName="bench", RoleName="bench")
    batch.create_compute_environment(computeEnvironmentName="bench-ce", type="MANAGED", computeResources={
        "type": "EC2", "minvCpus": 0, "maxvCpus": 16, "instanceTypes": ["m5"], "subnets": ["subnet-1"],
        "instanceRole": profile})  # fmt: skip
    batch.create_job_queue(jobQueueName="bench-q", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "bench-ce"}])  # fmt: skip
    for name, vcpus in (("wide", "48"), ("small", "1")):
        batch.register_job_definition(jobDefinitionName=name, type="container", containerProperties={
            "image": "busybox", "command": ["true"], "resourceRequirements": [
                {"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": "1024"}]})  # fmt: skip
    api = BatchApi(sb.store, sb.scheduler, sb.catalog)
    with sb.scheduler.lock:
        api.jobs.submit_job({"jobName": "too-wide", "jobQueue": "bench-q", "jobDefinition": "wide"})
        for i in range(JOBS - 1):
            api.jobs.submit_job(
                {"jobName": f"small-{i}", "jobQueue": "bench-q", "jobDefinition": "small"}
            )
    sb.advance(60)
    return sb, "bench-q"


def _aws(url: str, region: str, credentials: tuple[str, str]) -> Any:
    from batchtui.aws.session import Aws, AwsTarget

    return Aws(AwsTarget(region=region, endpoint_url=url, sandbox=True, credentials=credentials))


def main() -> None:
    import multiprocessing
    import os

    from batchtui.aws.diagnosis import gather_for_job, gather_for_queue
    from batchtui.diagnose import diagnose

    # fork: the child builds its sandbox after the fork, so no thread is copied mid-flight.
    ours, theirs = multiprocessing.get_context("fork").Pipe()
    server = multiprocessing.get_context("fork").Process(target=_serve, args=(theirs,))
    server.start()
    url, region, credentials, queue, now = ours.recv()
    try:
        aws = _aws(url, region, credentials)
        t0 = time.perf_counter()
        facts = gather_for_queue(aws, queue, now)
        gathered = time.perf_counter() - t0
        result = diagnose(facts)
        wall = time.perf_counter() - t0
        calls = aws.counter.snapshot()
        runnable = sum(1 for j in facts.jobs if j.status == "RUNNABLE")

        one = _aws(url, region, credentials)
        sample = [j.job_id for j in facts.jobs[:SAMPLE]]
        t1 = time.perf_counter()
        for job_id in sample:
            diagnose(gather_for_job(one, job_id, now))
        per_job_s = (time.perf_counter() - t1) / len(sample)
        per_job_calls = one.counter.total / len(sample)
    finally:
        ours.send("stop")
        server.join(timeout=60)

    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; sandbox in its own process"
    )
    print(f"queue {queue}: {runnable:,} RUNNABLE jobs; top cause {result.findings[0].code} "
          f"({len(result.findings[0].job_ids):,} jobs)")  # fmt: skip
    print_table(
        ("operation", "calls"),
        [(f"{svc}:{op}", n) for (svc, op), n in sorted(calls.items(), key=lambda kv: -kv[1])],
    )
    total = sum(calls.values())
    print_table(
        ("approach", "API calls", "wall s"),
        [
            ("batchtui diagnose --queue (measured)", total, f"{wall:.2f} (gather {gathered:.2f})"),
            (f"per job, x {runnable:,} (measured on {len(sample)} jobs)",
             f"{per_job_calls * runnable:,.0f}", f"{per_job_s * runnable:,.0f}"),
        ],
    )  # fmt: skip
    print(f"calls per 100 jobs: {total / runnable * 100:.1f} (goal: O(N/100)); "
          f"per-job approach makes {per_job_calls * runnable / total:,.0f}x the calls")  # fmt: skip


if __name__ == "__main__":
    import sys

    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    main()
