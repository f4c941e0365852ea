"""The schema of a profile's TOML: every table's keys, their types, defaults and checks.

Each table is a mapping of key -> :class:`~batchtui.profiles.validation.Field`; the builders
check a table against its schema before they read it.
"""

from __future__ import annotations

from batchtui.profiles.validation import (
    NUMBER,
    Field,
    aws_int,
    in_range,
    is_quota,
    is_scheduling_policy_arn,
    non_negative,
    one_of,
    positive,
)

ALLOCATION_STRATEGIES = (
    "BEST_FIT",
    "BEST_FIT_PROGRESSIVE",
    "SPOT_CAPACITY_OPTIMIZED",
    "SPOT_PRICE_CAPACITY_OPTIMIZED",
)
DISTRIBUTIONS = ("fixed", "uniform", "normal", "lognormal")

TOP = {
    "name": Field(str),
    "description": Field(str, default=""),
    "region": Field(str, required=True),
    "quotas": Field(dict, required=True),
    "compute_environments": Field(list, required=True),
    "job_queues": Field(list, required=True),
    "job_definition": Field(dict, required=True),
    "workload": Field(dict, required=True),
    "assumptions": Field(dict, default={}),
    "data": Field(dict, default={}),
    "iam": Field(dict, default={}),
}
QUOTAS = {
    "on_demand_vcpus": Field((int, float, str), required=True, check=is_quota),
    "spot_vcpus": Field((int, float, str), required=True, check=is_quota),
    "fargate_vcpus": Field(NUMBER, check=non_negative),
}
COMPUTE_ENVIRONMENT = {
    "name": Field(str, required=True),
    "purchase_model": Field(
        str, required=True, check=one_of("SPOT", "ON_DEMAND", "EC2", "FARGATE", "FARGATE_SPOT")
    ),
    "allocation_strategy": Field(str, default="", check=one_of("", *ALLOCATION_STRATEGIES)),
    "instance_types": Field(list, default=[], strings=True),
    "min_vcpus": Field(int, default=0, check=aws_int(non_negative)),
    "max_vcpus": Field(int, required=True, check=aws_int(non_negative)),
    "desired_vcpus": Field(int, default=None, check=aws_int(non_negative)),
    "bid_percentage": Field(int, check=in_range(1, 100)),
    "subnets": Field(list, default=[], strings=True),
    "security_group_ids": Field(list, default=[], strings=True),
    "instance_role": Field(str, default=""),
    "service_role": Field(str, default=""),
    "launch_template": Field(str, default=""),
    "state": Field(str, default="ENABLED", check=one_of("ENABLED", "DISABLED")),
    "update_policy": Field(dict, default={}),
}
#: UpdateComputeEnvironment's updatePolicy, sent with every infrastructure update.
UPDATE_POLICY = {
    "terminate_jobs_on_update": Field(bool, default=False),
    "job_execution_timeout_minutes": Field(int, default=30, check=in_range(1, 360)),
}
JOB_QUEUE = {
    "name": Field(str, required=True),
    "priority": Field(int, default=1, check=aws_int(non_negative)),
    "compute_environments": Field(list, required=True, strings=True),
    "job_state_time_limit_actions": Field(list, default=[]),
    "state": Field(str, default="ENABLED", check=one_of("ENABLED", "DISABLED")),
    "scheduling_policy_arn": Field(str, default="", check=is_scheduling_policy_arn),
}
TIME_LIMIT_ACTION = {
    "reason": Field(str, required=True),
    "state": Field(str, default="RUNNABLE", check=one_of("RUNNABLE")),
    "max_time_seconds": Field(int, required=True, check=in_range(600, 86400)),
    "action": Field(str, default="CANCEL", check=one_of("CANCEL")),
}
JOB_DEFINITION = {
    "name": Field(str, required=True),
    "image": Field(str, required=True),
    "vcpus": Field(NUMBER, required=True, check=positive),
    "memory_mib": Field(int, required=True, check=aws_int(positive)),
    "gpus": Field(int, default=0, check=aws_int(non_negative)),
    "timeout_seconds": Field(int, check=in_range(60, 14 * 86400)),
    "retry_strategy": Field(dict, default={}),
    "environment": Field(dict, default={}),
    "disk_gib": Field(int, check=aws_int(positive)),
}
RETRY_STRATEGY = {
    "attempts": Field(int, default=1, check=in_range(1, 10)),
    "evaluate_on_exit": Field(list, default=[]),
}
EVALUATE_ON_EXIT = {
    "action": Field(str, required=True, check=one_of("RETRY", "EXIT")),
    "on_status_reason": Field(str, default=""),
    "on_reason": Field(str, default=""),
    "on_exit_code": Field(str, default=""),
}
WORKLOAD = {
    "images": Field(int, required=True, check=positive),
    "images_per_job": Field(int, default=1, check=positive),
    "seconds_per_image": Field(dict, required=True),
    "queue": Field(str),
    "deadline_hours": Field(NUMBER, required=True, check=positive),
    "budget_usd": Field(NUMBER, check=positive),
    "array_size": Field(int, default=1, check=in_range(1, 1_000_000)),
    "dependencies_per_job": Field(int, default=0, check=non_negative),
    "job_overhead_seconds": Field(NUMBER, default=15.0, check=non_negative),
}
SECONDS_PER_IMAGE = {
    "distribution": Field(str, required=True, check=one_of(*DISTRIBUTIONS)),
    "mean": Field(NUMBER, check=positive),
    "stddev": Field(NUMBER, check=non_negative),
    "p95": Field(NUMBER, check=positive),
    "min": Field(NUMBER, check=non_negative),
    "max": Field(NUMBER, check=positive),
    "value": Field(NUMBER, check=positive),
}
ASSUMPTIONS = {
    "trials": Field(int, default=200, check=in_range(1, 100_000)),
    "confidence": Field(NUMBER, default=0.9, check=in_range(0.5, 0.999)),
    "scale_up_delay_seconds": Field(NUMBER, default=180.0, check=non_negative),
    "fargate_start_seconds": Field(NUMBER, default=45.0, check=non_negative),
    "scale_down_idle_seconds": Field(NUMBER, default=300.0, check=non_negative),
    "interruption_rate_per_hour": Field(dict, default={}),
    "spot_mixes": Field(list, default=[0.0, 0.25, 0.5, 0.75, 1.0]),
    "seed": Field(int, default=0),
}
