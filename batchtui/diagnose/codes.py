"""Every finding code a diagnosis can give, with its severity, what it means and the fix.

The one list of them: README.md's table of causes is written from it, and a unit test checks
that every code the rules emit is here and that README.md names each one. AWS's own reason
codes (:mod:`batchtui.diagnose.meaning`) are findings too when no rule explains a job better.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeDoc:
    """One finding code as the README documents it (``severity`` may say when it changes)."""

    code: str
    severity: str
    meaning: str
    fix: str


CODES: tuple[CodeDoc, ...] = (
    CodeDoc(
        "JOB_QUEUE_DISABLED",
        "blocking",
        "the queue is DISABLED: none of its jobs is placed",
        "enable the queue (`e`)",
    ),
    CodeDoc(
        "JOB_QUEUE_INVALID",
        "blocking",
        "the queue is INVALID (its statusReason shown)",
        "fix what it names (usually the compute environment order), then update the queue",
    ),
    CodeDoc(
        "COMPUTE_ENVIRONMENTS_DISABLED",
        "blocking",
        "no compute environment of the queue can place jobs: each is DISABLED (or ENABLED "
        "but INVALID), and AWS gives the jobs no reason",
        "enable one (`e`), or move the jobs to another queue",
    ),
    CodeDoc(
        "ACTION_REQUIRED",
        "blocking",
        "every ENABLED compute environment of the queue is INVALID (its statusReason shown)",
        "the fix for that reason: an existing instance profile (not a role) as "
        "instanceRole (where AWS refuses to change instanceRole in place: a regular service "
        "role or BEST_FIT, make the missing instance profile again), MIME multi-part user "
        "data in the launch template, a Kubernetes version AWS Batch supports; then update "
        "the compute environment",
    ),
    CodeDoc(
        "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
        "blocking",
        "no instance type of the queue holds the job's vCPUs, memory (counted after the "
        "ECS agent's reservation) or GPUs — the biggest type and the shortfall are named — "
        "or the job fits no Fargate task size",
        "a larger instance type or family, or ask for less",
    ),
    CodeDoc(
        "GPU_JOB_WITHOUT_GPU_INSTANCES",
        "blocking",
        "the job asks for GPUs; no instance type of the queue has one",
        "add a GPU family (g5, p4d, ...) or use a queue with one",
    ),
    CodeDoc(
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
        "blocking",
        "maxvCpus of every compute environment that fits the job is below its smallest "
        "instance type that does, or below that instance plus the vCPUs its minvCpus keeps",
        "raise maxvCpus to the figure named (`s`): the vCPUs the compute environment holds "
        "now plus that instance; or ask for fewer vCPUs",
    ),
    CodeDoc(
        "VCPU_QUOTA_EXHAUSTED",
        "blocking",
        "the on-demand or spot vCPU quota is below one instance that fits, or used up "
        "while AWS says CAPACITY (quota and vCPUs in use named), or launches fail on the "
        "EC2 limit",
        "a higher quota in Service Quotas (L-1216C47A on-demand, L-34B43A08 spot), or "
        "lower maxvCpus of the compute environments that hold it",
    ),
    CodeDoc(
        "INSTANCE_TYPE_NOT_OFFERED",
        "blocking",
        "the instance types that fit the job are offered in none of the subnets' "
        "availability zones",
        "subnets in zones that offer them, or other types",
    ),
    CodeDoc(
        "NO_ROUTE_TO_ECS",
        "blocking",
        "no instance has joined ECS and the subnets have no NAT gateway, no internet "
        "gateway with public IPs on launch and no ECS VPC endpoints",
        "a NAT route, an internet gateway with public IPs, or VPC endpoints for ecs, "
        "ecs-agent and ecs-telemetry",
    ),
    CodeDoc(
        "INSTANCES_NOT_JOINING_CLUSTER",
        "blocking",
        "instances of the compute environment have run for over 10 minutes without "
        "registering with its ECS cluster",
        "check the route to ECS, the instance role's ECS policy and the AMI's ECS agent; "
        "terminate the stray instances",
    ),
    CodeDoc(
        "INSTANCE_ROLE_MISSING",
        "blocking",
        "the instance profile named by instanceRole does not exist",
        "create it, or point instanceRole at one",
    ),
    CodeDoc(
        "INSTANCE_ROLE_NOT_AN_INSTANCE_PROFILE",
        "blocking",
        "instanceRole names a role, not an instance profile",
        "the ARN of an instance profile that holds the role",
    ),
    CodeDoc(
        "INSTANCE_ROLE_WITHOUT_ECS_POLICY",
        "warning; blocking once instances run without joining",
        "the instance profile's role lacks AmazonEC2ContainerServiceforEC2Role and none of its "
        "policies (their documents read) allows ecs:RegisterContainerInstance; every policy it "
        "has is named, with what each allows",
        "attach AmazonEC2ContainerServiceforEC2Role",
    ),
    CodeDoc(
        "MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS",
        "blocking",
        "the compute environment's service role does not exist, or AWS gives this reason",
        "the service-linked role AWSServiceRoleForBatch (leave serviceRole empty), or a "
        "role with AWSBatchServiceRole",
    ),
    CodeDoc(
        "SPOT_BID_BELOW_PRICE",
        "blocking",
        "bidPercentage is below the spot price of every instance type the compute "
        "environment may launch (with the Spot Fleet request's launchSpecUnusable event "
        "when it launches through one)",
        "raise it to the figure named, or leave it empty (up to the on-demand price)",
    ),
    CodeDoc(
        "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
        "blocking",
        "the last launch failed for lack of EC2 capacity more than `--dwell` seconds ago "
        "(Auto Scaling activity, or the Spot Fleet request's history), or AWS gives this "
        "reason and nothing else explains it",
        "wait, or allow more instance types or subnets in other zones",
    ),
    CodeDoc(
        "LAUNCH_FAILED",
        "blocking",
        "the last instance launch failed (its message shown)",
        "fix what it names (launch template, AMI, instance profile, subnet)",
    ),
    CodeDoc(
        "MULTI_NODE_ON_SPOT",
        "blocking",
        "a multi-node parallel job on a queue whose EC2 compute environments are all SPOT",
        "an on-demand compute environment in the queue",
    ),
    CodeDoc(
        "DEPENDENCY_FAILED",
        "blocking",
        "a job it depends on FAILED",
        "resubmit without the dependency, or after rerunning it",
    ),
    CodeDoc(
        "DEPENDENCY_BLOCKED",
        "blocking",
        "a job it depends on is itself blocked (that job's cause shown)",
        "that job's fix",
    ),
    CodeDoc(
        "HEAD_OF_QUEUE_BLOCKED",
        "blocking",
        "the blocked head of a FIFO queue holds this job back (the head, the code and title "
        "of its cause, which comes just before this finding when the head was examined too, "
        "and how many jobs queued behind it cancelling it releases, array children counted "
        "one by one, are named)",
        "fix the head's cause, or cancel the head (`ctrl+d`)",
    ),
    CodeDoc(
        "JOB_STATE_TIME_LIMIT",
        "blocking when within the hour, else warning",
        "a jobStateTimeLimitAction of the queue matches the job's reason and cancels it "
        "at the time named",
        "fix the cause first, or raise maxTimeSeconds",
    ),
    CodeDoc(
        "CONSUMABLE_RESOURCE_TOO_SMALL",
        "blocking",
        "the job needs more of a consumable resource than its totalQuantity",
        "raise totalQuantity, or ask for less",
    ),
    CodeDoc(
        "MISCONFIGURATION:EC2_INSTANCE_CONFIGURATION_UNSUPPORTED",
        "blocking",
        "AWS's reason: the compute environment's AMI or launch template cannot run on the "
        "instance types it launches (given when no rule above explains the job)",
        "check the AMI and launch template against the instance types",
    ),
    CodeDoc(
        "UNDETERMINED",
        "blocking",
        "AWS Batch could not tell why the job is not placed, and no rule above explains it",
        "check the compute environments' scaling activity and the instances' ECS registration",
    ),
    CodeDoc(
        "STARTING_TOO_LONG",
        "warning",
        "STARTING for over 10 minutes, counted from its ECS task's createdAt (DescribeTasks): "
        "pulling its image (named, with how long) is slow or failing, or the image is pulled "
        "and the container does not start; no claim without the task's times",
        "check that the image exists and the instances reach its registry; a pulled image: "
        "the task's containers[].reason",
    ),
    CodeDoc(
        "CANNOT_TELL",
        "warning",
        "a read was denied or is not supported, so one cause could not be checked "
        "(`cannot tell X: <error> on <service:Operation>`)",
        "allow that call",
    ),
    CodeDoc(
        "PROBABLY_TRANSIENT",
        "info",
        "a young CAPACITY or UNDETERMINED reason while instances launch, or a recent "
        "launch failure for capacity",
        "wait",
    ),
    CodeDoc(
        "DEPENDENCY_UNFINISHED",
        "info",
        "a PENDING job waits for a job still under way (named, with its status)",
        "nothing: it becomes RUNNABLE when that job succeeds",
    ),
    CodeDoc(
        "FAIR_SHARE_OVER_WEIGHT",
        "info",
        "its share uses more of the fair-share queue than its weight gives it while "
        "other shares run (the share's usage and weight named)",
        "nothing (a lower weightFactor gives the share more)",
    ),
    CodeDoc(
        "CONSUMABLE_RESOURCE_IN_USE",
        "info",
        "other jobs hold the consumable resource it needs (the STARTING and RUNNING ones "
        "named, as AWS counts them in inUseQuantity, with the quantity each holds)",
        "nothing",
    ),
    CodeDoc(
        "WAITING",
        "info",
        "nothing blocks it: a RUNNABLE job waits for its turn, for room, for launching "
        "instances, or for room under maxvCpus for a new instance while other jobs' instances "
        "hold the rest (what it needs and what is held named) (its place and an estimate in "
        "`waiting`); a PENDING array job waits for its children (their statuses named), a "
        "PENDING job for the jobs it depends on",
        "nothing (no room under maxvCpus: raising it to the figure named, `s`, starts it now)",
    ),
)


def documented(code: str) -> CodeDoc | None:
    """The documentation of ``code``; None when it has none."""
    return next((c for c in CODES if c.code == code), None)
