"""The one model of AWS Batch capacity (pure: no I/O, no clock, no boto3).

Which instance types a job fits (the ECS agent's memory reservation included), which instance
types a compute environment may launch, and how many vCPUs a compute environment can really reach
under its maxvCpus and the vCPU quota of its purchase pool, shared by every compute environment
that draws on it. The planner simulates with it, the sandbox scheduler schedules with it and
diagnose explains with it, so all three agree.
"""

from batchtui.capacity.fit import (
    ECS_AGENT_RESERVED_MIB,
    FARGATE_SIZES,
    expand_instance_types,
    fits,
    fits_fargate,
    instance_types_fitting,
    is_known_instance_type,
    jobs_per_instance,
    no_fit_reason,
    schedulable_memory_mib,
    smallest_fitting,
)
from batchtui.capacity.pools import (
    PoolBudget,
    effective_max_vcpus,
    instances_within,
    pool_budgets,
    shared_pool_budgets,
)

__all__ = [
    "ECS_AGENT_RESERVED_MIB",
    "FARGATE_SIZES",
    "PoolBudget",
    "effective_max_vcpus",
    "expand_instance_types",
    "fits",
    "fits_fargate",
    "instance_types_fitting",
    "instances_within",
    "is_known_instance_type",
    "jobs_per_instance",
    "no_fit_reason",
    "pool_budgets",
    "schedulable_memory_mib",
    "shared_pool_budgets",
    "smallest_fitting",
]
