"""Planning profiles: ``profiles/*.toml`` -> a typed, validated :class:`Profile`.

A profile describes one Batch setup (quotas, compute environments, job queues, the job
definition) and one workload, plus the planner's assumptions. Validation collects every problem
as ``file:line: dotted.key: message``; unknown keys are errors with a did-you-mean. tomllib
gives no line numbers, so :class:`~batchtui.toml_positions.KeyLines` finds them with a light scan
of the text.

The modules, in the order a profile goes through them:

- :mod:`.loading` finds a profile by path or name and parses its TOML;
- :mod:`.builders` (with :mod:`.workload`) checks each table against :mod:`.schema` with the
  small framework of :mod:`.validation`, then checks the tables against each other;
- :mod:`.spec` holds the values they build.
"""

from batchtui.profiles.builders import FARGATE_FRACTIONAL_VCPUS
from batchtui.profiles.loading import (
    PROFILE_DIRS,
    load_profile,
    parse_profile,
    resolve_profile_path,
)
from batchtui.profiles.schema import ALLOCATION_STRATEGIES, DISTRIBUTIONS
from batchtui.profiles.spec import (
    DEFAULT_INSTANCE_DISK_GIB,
    SPOT_INTERRUPTION_REASON,
    Assumptions,
    ComputeEnvironmentSpec,
    Distribution,
    EvaluateOnExit,
    JobDefinitionSpec,
    JobQueueSpec,
    Profile,
    QuotaSpec,
    RetryStrategy,
    UpdatePolicy,
    WorkloadSpec,
)
from batchtui.profiles.validation import INT32_MAX
from batchtui.toml_positions import KeyLines

__all__ = [
    "ALLOCATION_STRATEGIES",
    "DEFAULT_INSTANCE_DISK_GIB",
    "DISTRIBUTIONS",
    "FARGATE_FRACTIONAL_VCPUS",
    "INT32_MAX",
    "PROFILE_DIRS",
    "SPOT_INTERRUPTION_REASON",
    "Assumptions",
    "ComputeEnvironmentSpec",
    "Distribution",
    "EvaluateOnExit",
    "JobDefinitionSpec",
    "JobQueueSpec",
    "KeyLines",
    "Profile",
    "QuotaSpec",
    "RetryStrategy",
    "UpdatePolicy",
    "WorkloadSpec",
    "load_profile",
    "parse_profile",
    "resolve_profile_path",
]
