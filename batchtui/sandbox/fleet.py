"""The EC2 instances of the sandbox's compute environments, and the vCPU budget they draw on.

A CE launches instances (BEST_FIT: the smallest instance type that holds the job, among those EC2
will launch for it, :mod:`launches`) only while its vCPUs stay within maxvCpus AND its purchase
pool's vCPU quota, which every CE of that pool shares. Each instance registers as an ECS
container instance when it is ready (if it can, :mod:`joining`); jobs are packed onto
instances by vCPU, memory (what the ECS agent leaves) and GPUs. No timing here: the scheduler
decides when instances become ready or go away.
"""

from __future__ import annotations

from collections.abc import Callable

from batchtui.capacity import fits, smallest_fitting
from batchtui.model import (
    ON_DEMAND_STANDARD_QUOTA,
    SPOT_STANDARD_QUOTA,
    InstanceType,
    PurchaseModel,
    ResourceRequest,
)
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord, Instance, Job
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.launches import VCPU_LIMIT, Launches


class Fleet:
    def __init__(
        self, store: BatchStore, quotas: dict[str, float], clock: Callable[[], float]
    ) -> None:
        self.store = store
        self.quotas = quotas  # Service Quotas code -> vCPUs (shared dict: updates apply live)
        self.pool_used: dict[bool, int] = {False: 0, True: 0}  # spot? -> vCPUs launched
        self.clock = clock
        #: What EC2 launches where, and the Auto Scaling groups' activity.
        self.launches = Launches(store.region)

    def quota(self, spot: bool) -> float:
        return self.quotas[SPOT_STANDARD_QUOTA if spot else ON_DEMAND_STANDARD_QUOTA]

    def find_room(self, ce: ComputeEnvironmentRecord, request: ResourceRequest) -> Instance | None:
        """A live instance of the CE with room for the job; ready ones first."""
        best: Instance | None = None
        for inst in ce.instances.values():
            if inst.exclusive:
                continue
            if (
                inst.free_vcpus >= request.vcpus
                and inst.free_memory >= request.memory_mib
                and inst.free_gpus >= request.gpus
            ):
                if inst.ready:
                    return inst
                best = best or inst
        return best

    def launchable(
        self, ce: ComputeEnvironmentRecord, request: ResourceRequest
    ) -> tuple[InstanceType | None, bool]:
        """(instance type to launch, or None; whether EC2's capacity or the pool's quota is
        what stops it). A type EC2 refuses (:mod:`launches`) gives way to the next that fits;
        when none is left the group records the smallest's failure."""
        wanted = smallest_fitting(request, ce.instance_types)
        if wanted is None:
            return None, False
        allowed, refused = self.launches.sort_out(ce)
        itype = smallest_fitting(request, allowed) if refused else wanted
        spot = ce.purchase.is_spot
        if itype is None:
            kind, message = refused[wanted.name]
            if ce.desired_vcpus + wanted.vcpus <= ce.max_vcpus:
                self.launches.failed(ce, kind, message, self.clock())
            return None, kind == "capacity"
        if ce.desired_vcpus + itype.vcpus > ce.max_vcpus:
            return None, False
        # maxvCpus bounds this CE (above); the quota bounds every CE of the pool together.
        if itype.vcpus > self.quota(spot) - self.pool_used[spot]:
            limit = VCPU_LIMIT.format(limit=self.quota(spot))
            self.launches.failed(ce, "quota", limit, self.clock())
            return None, True
        return itype, False

    def launch(self, ce: ComputeEnvironmentRecord, itype: InstanceType, now: float) -> Instance:
        inst = Instance(f"i-{self.store.new_hex(17)}", ce.name, itype, ce.purchase.is_spot, now)
        inst.subnet, inst.zone = self.launches.subnet_for(ce, itype)
        self.launches.launched(ce, inst, now)
        ce.instances[inst.id] = inst
        self.store.instances[inst.id] = inst
        self.pool_used[inst.spot] += itype.vcpus
        return inst

    def register(self, inst: Instance, now: float) -> None:
        """The instance is up and its ECS agent registered it as a container instance."""
        ce = self.store.compute_environments[inst.ce_name]
        cluster = ce.ecs_cluster_arn.rsplit("/", 1)[-1]
        inst.ready = True
        inst.ready_at = now
        inst.container_instance_arn = (
            f"arn:aws:ecs:{self.store.region}:{self.store.account}:container-instance/"
            f"{cluster}/{self.store.new_hex(32)}"
        )

    def terminate(self, inst: Instance) -> None:
        ce = self.store.compute_environments.get(inst.ce_name)
        if ce is not None:
            ce.instances.pop(inst.id, None)
        if self.store.instances.pop(inst.id, None) is not None:
            self.pool_used[inst.spot] -= inst.itype.vcpus

    def assign(self, inst: Instance, job: Job) -> None:
        req = job.request
        inst.free_vcpus -= req.vcpus
        inst.free_memory -= req.memory_mib
        inst.free_gpus -= req.gpus
        inst.jobs.add(job.job_id)
        inst.idle_since = None
        job.instance_id = inst.id

    def release(self, job: Job, now: float) -> Instance | None:
        """Give the job's resources back; returns the instance if it just became idle."""
        inst = self.store.instances.get(job.instance_id or "")
        job.instance_id = None
        if inst is None or job.job_id not in inst.jobs:
            return None
        req = job.request
        inst.free_vcpus += req.vcpus
        inst.free_memory += req.memory_mib
        inst.free_gpus += req.gpus
        inst.jobs.discard(job.job_id)
        if not inst.jobs:
            inst.idle_since = now
            inst.exclusive = False
            return inst
        return None

    def fill_to(self, ce: ComputeEnvironmentRecord, vcpus: int, now: float) -> list[Instance]:
        """Launch the CE's smallest instance type until it holds ``vcpus`` (min/desired)."""
        launched: list[Instance] = []
        if not ce.instance_types:
            return launched
        smallest = ce.instance_types[0]
        probe = ResourceRequest(vcpus=smallest.vcpus, memory_mib=0)
        while ce.desired_vcpus < vcpus and len(launched) < 100:
            itype, _ = self.launchable(ce, probe)
            if itype is None:
                break
            launched.append(self.launch(ce, itype, now))
        return launched


def pool_of(ce: ComputeEnvironmentRecord) -> PurchaseModel:
    return ce.purchase


def request_fits_ce(request: ResourceRequest, ce: ComputeEnvironmentRecord) -> bool:
    return any(fits(request, it) for it in ce.instance_types)
