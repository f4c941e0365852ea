"""The IAM a profile's Batch setup needs, as documents ready for IAM's API.

Three identities, named by the profile:

- Batch's service role: the service-linked role ``AWSServiceRoleForBatch`` when the compute
  environments name it or no service role at all (Batch then uses it), else a role Batch
  assumes with the AWS managed policy ``AWSBatchServiceRole``;
- the instance role of the EC2 compute environments' instances (``AmazonEC2ContainerServicefor
  EC2Role``, what the ECS agent needs) and the instance profile that carries it;
- the job role the image-tagging containers run as, allowed exactly what the worker does: read
  the images, write manifests and reports, detect labels, write the labels table.

:func:`iam_setup` builds them from a :class:`~batchtui.profiles.Profile`; :meth:`IamSetup.requests`
lists the IAM API requests that create them, in order, each with the parameters the API (and
``aws iam <command> --cli-input-json``) takes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from batchtui.model import SUBMISSIONS_PREFIX
from batchtui.profiles import Profile
from batchtui.profiles.access import require_access

POLICY_VERSION = "2012-10-17"
BATCH_SERVICE = "batch.amazonaws.com"
SERVICE_LINKED_ROLE = "AWSServiceRoleForBatch"
SERVICE_LINKED_PATH = f"/aws-service-role/{BATCH_SERVICE}/"
INSTANCE_ROLE_POLICY = "service-role/AmazonEC2ContainerServiceforEC2Role"
SERVICE_ROLE_POLICY = "service-role/AWSBatchServiceRole"
#: What the image-tagging worker's entry points default to (batchtui_worker.s3_event).
_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):(role|instance-profile)/(?:.*/)?([^/]+)$")


@dataclass(frozen=True)
class Role:
    """One IAM role: who may assume it and what it may do."""

    name: str
    purpose: str  # service | instance | job
    description: str
    trust_policy: Mapping[str, Any]
    managed_policy_arns: tuple[str, ...] = ()
    #: (policy name, document) of the role's inline policies.
    inline_policies: tuple[tuple[str, Mapping[str, Any]], ...] = ()


@dataclass(frozen=True)
class InstanceProfile:
    name: str
    role: str


@dataclass(frozen=True)
class IamRequest:
    """One IAM API request: the operation and its parameters as the API takes them."""

    operation: str
    params: Mapping[str, str]


@dataclass(frozen=True)
class IamSetup:
    account_id: str
    partition: str
    #: AWS service names whose service-linked role is needed (``batch.amazonaws.com``).
    service_linked_roles: tuple[str, ...]
    roles: tuple[Role, ...]
    instance_profiles: tuple[InstanceProfile, ...]

    def role(self, purpose: str) -> Role | None:
        return next((r for r in self.roles if r.purpose == purpose), None)

    def role_arn(self, role: Role) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:role/{role.name}"

    def requests(self) -> list[IamRequest]:
        """The IAM requests that create the setup in an account that has none of it."""
        out = [IamRequest("CreateServiceLinkedRole", {"AWSServiceName": s})
               for s in self.service_linked_roles]  # fmt: skip
        for role in self.roles:
            out.append(
                IamRequest(
                    "CreateRole",
                    {
                        "RoleName": role.name,
                        "Description": role.description,
                        "AssumeRolePolicyDocument": policy_text(role.trust_policy),
                    },
                )
            )
            out += [IamRequest("AttachRolePolicy", {"RoleName": role.name, "PolicyArn": arn})
                    for arn in role.managed_policy_arns]  # fmt: skip
            out += [
                IamRequest("PutRolePolicy", {"RoleName": role.name, "PolicyName": name,
                                             "PolicyDocument": policy_text(document)})
                for name, document in role.inline_policies
            ]  # fmt: skip
        for profile in self.instance_profiles:
            out.append(IamRequest("CreateInstanceProfile", {"InstanceProfileName": profile.name}))
            out.append(
                IamRequest(
                    "AddRoleToInstanceProfile",
                    {"InstanceProfileName": profile.name, "RoleName": profile.role},
                )
            )
        return out

    def to_json(self) -> dict[str, Any]:
        """The setup as ``--output json`` prints it: documents as JSON, then the requests."""
        return {
            "accountId": self.account_id,
            "serviceLinkedRoles": [{"AWSServiceName": s} for s in self.service_linked_roles],
            "roles": [
                {
                    "RoleName": r.name,
                    "Arn": self.role_arn(r),
                    "Purpose": r.purpose,
                    "Description": r.description,
                    "AssumeRolePolicyDocument": r.trust_policy,
                    "AttachedPolicyArns": list(r.managed_policy_arns),
                    "InlinePolicies": [
                        {"PolicyName": n, "PolicyDocument": d} for n, d in r.inline_policies
                    ],
                }
                for r in self.roles
            ],
            "instanceProfiles": [
                {"InstanceProfileName": p.name, "Roles": [p.role]} for p in self.instance_profiles
            ],
            "requests": [
                {"operation": q.operation, "input": dict(q.params)} for q in self.requests()
            ],
        }


def policy_text(document: Mapping[str, Any]) -> str:
    """A policy document as IAM takes it: compact JSON."""
    return json.dumps(document, separators=(",", ":"))


def trust_policy(service: str) -> dict[str, Any]:
    """A trust policy that lets ``service`` (``ec2.amazonaws.com``) assume the role."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def job_role_policy(
    partition: str, region: str, account_id: str, bucket: str, images_prefix: str,
    manifest_prefix: str, table: str,
) -> dict[str, Any]:  # fmt: skip
    """Exactly what the image-tagging job does: read images (HeadObject and the header bytes
    need s3:GetObject too), read its manifest and write the report (the S3-event handler's
    manifest prefix and batchtui submit's submissions folder), detect labels, read and write
    its item in the labels table (it reads the item first, so a retried slice does not pay for
    labels it already has; the summary job reads them in batches), and read the submission's
    jobs for the report's vCPU-hours. DetectLabels has no resource to name (IAM takes only ``*``
    for it); it reads the image with the caller's own S3 permission. A worker run without a
    manifest lists the prefix instead, which needs s3:ListBucket: batchtui always writes one."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "ReadImages",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:{partition}:s3:::{bucket}/{images_prefix}*"],
            },
            {
                "Sid": "ReadManifestsWriteReports",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": [
                    f"arn:{partition}:s3:::{bucket}/{prefix}*"
                    for prefix in dict.fromkeys((manifest_prefix, SUBMISSIONS_PREFIX))
                ],
            },
            {
                "Sid": "DetectLabels",
                "Effect": "Allow",
                "Action": ["rekognition:DetectLabels"],
                "Resource": ["*"],
            },
            {
                "Sid": "WriteLabels",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:BatchGetItem",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                ],
                "Resource": [f"arn:{partition}:dynamodb:{region}:{account_id}:table/{table}"],
            },
            {
                # The summary job reads its submission's jobs for the vCPU-hours they ran.
                # DescribeJobs takes no resource but "*"; it reads, never changes, a job.
                "Sid": "ReadJobUsage",
                "Effect": "Allow",
                "Action": ["batch:DescribeJobs"],
                "Resource": ["*"],
            },
        ],
    }


def _arn_parts(value: str) -> tuple[str, str, str, str] | None:
    """(partition, account, kind, name) of a role or instance-profile ARN, else None."""
    m = _ARN.match(value)
    return (m.group(1), m.group(2), m.group(3), m.group(4)) if m else None


def iam_setup(profile: Profile) -> IamSetup:
    """The IAM ``profile``'s setup needs; :class:`~batchtui.errors.ProfileError` names each
    key the profile lacks for it, with its line."""
    ces = profile.compute_environments
    arns = [p for ce in ces for p in map(_arn_parts, (ce.instance_role, ce.service_role)) if p]
    account = profile.iam.account_id or next((a for _, a, _, _ in arns), "")
    partition = next((p for p, _, _, _ in arns), "aws")
    data = profile.data
    manifest_prefix = data.manifests
    images_prefix = data.images_prefix or ""
    require_access(
        profile.path,
        data,
        profile.iam,
        [
            ("data.bucket", "the S3 bucket the images are in", data.bucket),
            ("data.labels_table", "the DynamoDB table the labels go to", data.labels_table),
            ("iam.account_id", "the 12-digit account the roles are in (or give the compute "
             "environments' instance_role as an ARN)", account),
        ],
    )  # fmt: skip
    linked: list[str] = []
    roles: list[Role] = []
    profiles: list[InstanceProfile] = []
    for ce in ces:
        _service_role(ce.service_role, partition, linked, roles)
        if ce.purchase_model.is_fargate or not ce.instance_role:
            continue
        parts = _arn_parts(ce.instance_role)
        profile_name = parts[3] if parts else ce.instance_role.rsplit("/", 1)[-1]
        role_name = profile.iam.instance_role or profile_name
        if all(p.name != profile_name for p in profiles):
            profiles.append(InstanceProfile(profile_name, role_name))
        if all(r.name != role_name for r in roles):
            roles.append(
                Role(
                    name=role_name,
                    purpose="instance",
                    description="Instances of Batch compute environments: ECS agent access",
                    trust_policy=trust_policy("ec2.amazonaws.com"),
                    managed_policy_arns=(
                        f"arn:{partition}:iam::aws:policy/{INSTANCE_ROLE_POLICY}",
                    ),
                )
            )
    job_role = profile.iam.job_role or f"{profile.name}-job"
    policy = job_role_policy(partition, profile.region, account, data.bucket, images_prefix,
                             manifest_prefix, data.labels_table)  # fmt: skip
    roles.append(
        Role(
            name=job_role,
            purpose="job",
            description=f"Jobs of {profile.name}: read images, write manifests and labels",
            trust_policy=trust_policy("ecs-tasks.amazonaws.com"),
            inline_policies=((profile.iam.job_policy or f"{profile.name}-job-access", policy),),
        )
    )
    return IamSetup(account, partition, tuple(linked), tuple(roles), tuple(profiles))


def _service_role(value: str, partition: str, linked: list[str], roles: list[Role]) -> None:
    """Batch's service role as a compute environment names it: none or the service-linked
    role means the service-linked role; any other a role of the account's own."""
    parts = _arn_parts(value)
    name = parts[3] if parts else value.rsplit("/", 1)[-1]
    if not value or name == SERVICE_LINKED_ROLE or SERVICE_LINKED_PATH in value:
        if BATCH_SERVICE not in linked:
            linked.append(BATCH_SERVICE)
        return
    if any(r.name == name for r in roles):
        return
    roles.append(
        Role(
            name=name,
            purpose="service",
            description="AWS Batch's service role: manages the compute environments' resources",
            trust_policy=trust_policy(BATCH_SERVICE),
            managed_policy_arns=(f"arn:{partition}:iam::aws:policy/{SERVICE_ROLE_POLICY}",),
        )
    )
