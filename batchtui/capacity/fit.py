"""Placement: which instance types can run a job."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from batchtui.model import InstanceType, ResourceRequest

#: Memory the ECS container agent and the OS keep on every container instance. AWS documents
#: that a job asking for an instance's full nominal memory is never placed ("Compute resource
#: memory management"); this is the model's fixed part of that reservation, in MiB.
ECS_AGENT_RESERVED_MIB = 256
#: The model's proportional part: the kernel and the OS take a share of nominal memory.
OS_RESERVED_FRACTION = 0.04

#: "optimal" launches from the newest of these families the catalog offers (AWS: C4/M4/R4, or
#: C5/M5/R5 in regions without them; default_x86_64 chooses newer families).
OPTIMAL_FAMILIES: tuple[tuple[str, ...], ...] = (("c4", "m4", "r4"), ("c5", "m5", "r5"))
DEFAULT_X86_FAMILIES = ("c6i", "m6i", "r6i", "c5", "m5", "r5")
DEFAULT_ARM_FAMILIES = ("c6g", "m6g", "r6g", "c7g", "m7g", "r7g")

#: Fargate's valid (vCPU, memory MiB) pairs (AWS Fargate task sizes).
FARGATE_SIZES: tuple[tuple[float, tuple[int, ...]], ...] = (
    (0.25, (512, 1024, 2048)),
    (0.5, tuple(range(1024, 4097, 1024))),
    (1.0, tuple(range(2048, 8193, 1024))),
    (2.0, tuple(range(4096, 16385, 1024))),
    (4.0, tuple(range(8192, 30721, 1024))),
    (8.0, tuple(range(16384, 61441, 4096))),
    (16.0, tuple(range(32768, 122881, 8192))),
)


def schedulable_memory_mib(instance_type: InstanceType) -> int:
    """Memory a container instance of this type registers with ECS, available to jobs."""
    reserved = ECS_AGENT_RESERVED_MIB + int(instance_type.memory_mib * OS_RESERVED_FRACTION)
    return max(0, instance_type.memory_mib - reserved)


def fits(request: ResourceRequest, instance_type: InstanceType) -> bool:
    """True when one job with ``request`` can be placed on an empty instance of this type."""
    return (
        request.vcpus <= instance_type.vcpus
        and request.memory_mib <= schedulable_memory_mib(instance_type)
        and request.gpus <= instance_type.gpus
    )


def fits_fargate(request: ResourceRequest) -> tuple[float, int] | None:
    """The smallest Fargate size (vCPU, MiB) that holds ``request``, or None (GPUs never fit)."""
    if request.gpus:
        return None
    for vcpu, memories in FARGATE_SIZES:
        if vcpu < request.vcpus:
            continue
        for mem in memories:
            if mem >= request.memory_mib:
                return vcpu, mem
    return None


#: instanceTypes values Batch expands itself rather than naming a type or a family.
INSTANCE_TYPE_KEYWORDS = ("optimal", "default_x86_64", "default_arm64")


def is_known_instance_type(name: str, catalog: Mapping[str, InstanceType]) -> bool:
    """True when ``name`` is an instance type or family of ``catalog``, or a keyword Batch
    expands: what :func:`expand_instance_types` does not skip."""
    if name in INSTANCE_TYPE_KEYWORDS or name in catalog:
        return True
    return "." not in name and any(it.family == name for it in catalog.values())


def expand_instance_types(
    spec: Iterable[str], catalog: Mapping[str, InstanceType]
) -> list[InstanceType]:
    """The instance types a compute environment may launch.

    ``spec`` is the CE's ``instanceTypes``: exact names (``m5.large``), families (``c5``), or
    ``optimal`` / ``default_x86_64`` / ``default_arm64``. Names the catalog does not know are
    skipped (the caller decides whether that is an error). Sorted by vCPUs, then memory.
    """
    by_family: dict[str, list[InstanceType]] = {}
    for it in catalog.values():
        by_family.setdefault(it.family, []).append(it)

    chosen: dict[str, InstanceType] = {}

    def add_families(families: Sequence[str]) -> None:
        for fam in families:
            for it in by_family.get(fam, ()):
                chosen[it.name] = it

    for item in spec:
        item = item.strip()
        if item == "optimal":
            for group in OPTIMAL_FAMILIES:
                if any(f in by_family for f in group):
                    add_families(group)
                    break
        elif item == "default_x86_64":
            add_families(DEFAULT_X86_FAMILIES)
        elif item == "default_arm64":
            add_families(DEFAULT_ARM_FAMILIES)
        elif "." in item:
            if item in catalog:
                chosen[item] = catalog[item]
        else:
            add_families((item,))
    return sorted(chosen.values(), key=lambda it: (it.vcpus, it.memory_mib, it.name))


def instance_types_fitting(
    request: ResourceRequest, instance_types: Iterable[InstanceType]
) -> list[InstanceType]:
    """The instance types, of those given, that can hold one job with ``request``."""
    return [it for it in instance_types if fits(request, it)]


def smallest_fitting(
    request: ResourceRequest, instance_types: Iterable[InstanceType]
) -> InstanceType | None:
    """The instance type BEST_FIT would launch for one job: fewest vCPUs, then least memory."""
    fitting = instance_types_fitting(request, instance_types)
    if not fitting:
        return None
    return min(fitting, key=lambda it: (it.vcpus, it.memory_mib, it.name))


def jobs_per_instance(request: ResourceRequest, instance_type: InstanceType) -> int:
    """How many jobs with ``request`` one instance holds at once (0 when it holds none)."""
    if not fits(request, instance_type):
        return 0
    by_cpu = int(instance_type.vcpus // request.vcpus) if request.vcpus > 0 else 1 << 16
    by_mem = (
        schedulable_memory_mib(instance_type) // request.memory_mib
        if request.memory_mib > 0
        else 1 << 16
    )
    by_gpu = instance_type.gpus // request.gpus if request.gpus else 1 << 16
    return max(0, min(by_cpu, by_mem, by_gpu))


def no_fit_reason(request: ResourceRequest, instance_types: Sequence[InstanceType]) -> str:
    """Why no instance type of ``instance_types`` holds ``request`` (for a RUNNABLE job)."""
    if not instance_types:
        return "the compute environments allow no instance type the catalog knows"
    most_cpu = max(instance_types, key=lambda it: it.vcpus)
    most_mem = max(instance_types, key=schedulable_memory_mib)
    most_gpu = max(instance_types, key=lambda it: it.gpus)
    parts = []
    if request.vcpus > most_cpu.vcpus:
        parts.append(f"{request.vcpus:g} vCPUs > {most_cpu.vcpus} of {most_cpu.name}")
    if request.memory_mib > schedulable_memory_mib(most_mem):
        parts.append(
            f"{request.memory_mib} MiB > {schedulable_memory_mib(most_mem)} MiB that "
            f"{most_mem.name} leaves jobs after the ECS agent's reservation"
        )
    if request.gpus > most_gpu.gpus:
        parts.append(f"{request.gpus} GPUs > {most_gpu.gpus} of {most_gpu.name}")
    if not parts:
        parts.append("no single instance type meets vCPUs, memory and GPUs together")
    return "; ".join(parts)
