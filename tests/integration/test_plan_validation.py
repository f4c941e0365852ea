"""The plan against what the sandbox's scheduler measures for the same small workload.

The planner and the sandbox share batchtui/capacity (placement, BEST_FIT, jobs per instance); the
rest is independent: the sandbox runs every job on its simulated clock, the planner estimates.
Expected makespan and cost must agree within 15%.
"""

from __future__ import annotations

from typing import Any

import pytest

from batchtui.model import PurchaseModel
from batchtui.planner import Facts, run_plan
from batchtui.pricing import snapshot_price_book
from batchtui.profiles import parse_profile

PROFILE = """\
name = "validation"
region = "us-east-1"
[quotas]
on_demand_vcpus = 256
spot_vcpus = 128
[[compute_environments]]
name = "{ce}"
purchase_model = "ON_DEMAND"
allocation_strategy = "BEST_FIT"
instance_types = ["c5"]
max_vcpus = 16
[[job_queues]]
name = "{queue}"
compute_environments = ["{ce}"]
[job_definition]
name = "sleeper"
image = "busybox"
vcpus = {vcpus}
memory_mib = {memory}
[workload]
images = {jobs}
images_per_job = 1
array_size = {jobs}
deadline_hours = 2
job_overhead_seconds = {starting}
[workload.seconds_per_image]
distribution = "fixed"
value = {seconds}
[assumptions]
scale_up_delay_seconds = {scale_up}
scale_down_idle_seconds = {idle}
"""
STEP = 5.0


@pytest.mark.parametrize(
    ("jobs", "vcpus", "memory", "seconds"),
    [(20, "2", "3072", 300), (12, "1", "1024", 240)],
)
def test_plan_matches_the_sandbox_within_15_percent(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any,
    jobs: int, vcpus: str, memory: str, seconds: int,
) -> None:  # fmt: skip
    batch = aws_client("batch")
    names = batch_queue(ces=[{"type": "EC2", "allocationStrategy": "BEST_FIT",
                              "instanceTypes": ["c5"], "maxvCpus": 16}])  # fmt: skip
    jd = job_definition(["sh", "-c", f"sleep {seconds}"], vcpus=vcpus, memory=memory)
    book = snapshot_price_book(sandbox.region)

    start = sandbox.now()
    parent = batch.submit_job(jobName="validate", jobQueue=names["queue"], jobDefinition=jd,
                              arrayProperties={"size": jobs})["jobId"]  # fmt: skip
    ce = sandbox.store.compute_environments[names["ce0"]]
    cost = 0.0
    finished = None
    for _ in range(int(3 * 3600 / STEP)):
        # Bill every instance the CE holds (launching, running or idle) for this step.
        cost += sum(book.on_demand[i.itype.name] for i in ce.instances.values()) * STEP / 3600
        if finished is None:
            status = batch.describe_jobs(jobs=[parent])["jobs"][0]["status"]
            if status == "SUCCEEDED":
                finished = sandbox.now() - start
            assert status != "FAILED"
        elif not ce.instances:
            break
        sandbox.advance(STEP)
    assert finished is not None and not ce.instances

    cfg = sandbox.config
    profile = parse_profile(PROFILE.format(
        ce=names["ce0"], queue=names["queue"], vcpus=vcpus, memory=memory, jobs=jobs,
        seconds=seconds, starting=cfg.starting_seconds, scale_up=cfg.scale_up_seconds,
        idle=cfg.scale_down_idle_seconds))  # fmt: skip
    quotas = {PurchaseModel.EC2: 256.0, PurchaseModel.SPOT: 128.0}
    plan = run_plan(profile, Facts(book, quotas, "test"), trials=50, seed=1)
    own = plan.scenarios[0]
    assert own.makespan_mean == pytest.approx(finished, rel=0.15)
    assert own.cost_mean == pytest.approx(cost, rel=0.15)
