"""EC2 instance types as Batch sees them, from moto's copy of DescribeInstanceTypes."""

from __future__ import annotations

import functools

from batchtui.model import InstanceType
from batchtui.sandbox import moto_glue


@functools.lru_cache(maxsize=1)
def instance_types() -> dict[str, InstanceType]:
    out: dict[str, InstanceType] = {}
    for name, d in moto_glue.instance_type_catalog().items():
        gpus = sum(int(g.get("Count", 0)) for g in (d.get("GpuInfo") or {}).get("Gpus", ()))
        arch = (d.get("ProcessorInfo") or {}).get("SupportedArchitectures") or ["x86_64"]
        out[name] = InstanceType(
            name=name,
            vcpus=int(d["VCpuInfo"]["DefaultVCpus"]),
            memory_mib=int(d["MemoryInfo"]["SizeInMiB"]),
            gpus=gpus,
            arch=str(arch[0]),
        )
    return out
