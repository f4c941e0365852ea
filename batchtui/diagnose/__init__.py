"""Why is this job stuck? Rules over the account's facts -> findings with evidence and a fix.

Pure: no I/O, no clock, no boto3. :mod:`batchtui.aws.diagnosis` gathers the facts
(:class:`BatchFacts`), :func:`diagnose` runs the rules, :mod:`batchtui.render.diagnosis` shows
the findings. Capacity questions (which instance type fits, the ECS agent's reservation, quotas)
are answered by :mod:`batchtui.capacity`, the model the planner and the sandbox use too.
"""

from batchtui.diagnose.context import Settings
from batchtui.diagnose.engine import DIAGNOSED_STATUSES, diagnose
from batchtui.diagnose.facts import (
    BatchFacts,
    Consumable,
    ConsumableHolder,
    InstanceRole,
    JobFacts,
    QueuePosition,
    RolePolicy,
    ScalingActivity,
    ServiceRole,
    Subnet,
    TaskTimes,
    Unknown,
)
from batchtui.diagnose.findings import (
    DEFAULT_ACTION_KEYS,
    Action,
    Diagnosis,
    Evidence,
    Finding,
    Severity,
    Waiting,
)

__all__ = [
    "DEFAULT_ACTION_KEYS",
    "DIAGNOSED_STATUSES",
    "Action",
    "BatchFacts",
    "Consumable",
    "ConsumableHolder",
    "Diagnosis",
    "Evidence",
    "Finding",
    "InstanceRole",
    "JobFacts",
    "QueuePosition",
    "RolePolicy",
    "ScalingActivity",
    "ServiceRole",
    "Settings",
    "Severity",
    "Subnet",
    "TaskTimes",
    "Unknown",
    "Waiting",
    "diagnose",
]
