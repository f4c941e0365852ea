"""The upload trigger for a real account: S3 -> Lambda -> one tagging job per batch of uploads.

From a profile, everything ``batchtui submit --print-trigger`` prints: the bucket's notification
configuration (a ``LambdaFunctionConfiguration`` per image suffix under ``data.images_prefix``,
the JSON ``aws s3api put-bucket-notification-configuration`` takes), the S3-event function
(``batchtui_worker.s3_event.handler``) with its environment, its execution role (logs, write
manifests, submit the tagging job), and the permission that lets S3 invoke it. The function
writes each batch of new keys to a manifest under ``data.manifest_prefix`` and submits the
profile's job definition to its queue with it.

S3 filter rules match a key's suffix case-sensitively and take one suffix per configuration,
so each image suffix the handler takes gets one, lower and upper case (``.JPG`` from cameras).
Pure: the profile comes in, documents and the aws CLI script go out, with the values that are
the example profiles' placeholders (:func:`placeholders`), which the caller warns of.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from typing import Any

from batchtui.profiles import Profile
from batchtui.profiles.access import require_access

HANDLER = "batchtui_worker.s3_event.handler"
RUNTIME = "python3.12"
#: What the handler takes (batchtui_worker.s3_event.IMAGE_SUFFIXES), as S3 filter suffixes.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
LOGS_POLICY = "service-role/AWSLambdaBasicExecutionRole"
POLICY_VERSION = "2012-10-17"
_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
NAME_CHARS = 64 - len("-s3-event-role")
#: Account ids AWS's documentation uses in its examples (123456789012 is also the sandbox's):
#: a profile that names one was copied from an example, not written for a real account.
EXAMPLE_ACCOUNTS = frozenset(
    {"123456789012", "111122223333", "444455556666", "777788889999", "000000000000"}
)
#: ``example-photos``, ``photos.example``: the example profiles' bucket names.
_EXAMPLE_NAME = re.compile(r"(^|[-.])example([-.]|$)")
#: The worker's package without what Python writes beside it (the machine's, not the runtime's).
ZIP_EXCLUDES = ("*__pycache__*", "*.pyc")


@dataclass(frozen=True)
class TriggerSetup:
    """The trigger's parts, each as the AWS API (and the aws CLI's JSON) takes it."""

    partition: str
    region: str
    account_id: str
    bucket: str
    function_name: str
    role_name: str
    environment: dict[str, str]
    notification: dict[str, Any]
    role_policy: dict[str, Any]
    #: The profile key the account id was taken from.
    account_source: str = "iam.account_id"

    @property
    def function_arn(self) -> str:
        return (
            f"arn:{self.partition}:lambda:{self.region}:{self.account_id}:"
            f"function:{self.function_name}"
        )

    @property
    def role_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:role/{self.role_name}"

    def trust_policy(self) -> dict[str, Any]:
        return {
            "Version": POLICY_VERSION,
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }

    def invoke_permission(self) -> dict[str, str]:
        """Lambda AddPermission's input: S3 may invoke the function for this bucket only."""
        return {
            "FunctionName": self.function_name,
            "StatementId": "s3-invoke",
            "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com",
            "SourceArn": f"arn:{self.partition}:s3:::{self.bucket}",
            "SourceAccount": self.account_id,
        }

    def function(self) -> dict[str, Any]:
        """Lambda CreateFunction's input, without the code (a zip of batchtui_worker/)."""
        return {
            "FunctionName": self.function_name,
            "Runtime": RUNTIME,
            "Handler": HANDLER,
            "Role": self.role_arn,
            "Timeout": 60,
            "MemorySize": 256,
            "Environment": {"Variables": dict(self.environment)},
        }

    def to_json(self) -> dict[str, Any]:
        """What ``--output json`` prints."""
        return {
            "bucket": self.bucket,
            "notificationConfiguration": self.notification,
            "function": self.function(),
            "role": {
                "RoleName": self.role_name,
                "Arn": self.role_arn,
                "AssumeRolePolicyDocument": self.trust_policy(),
                "AttachedPolicyArns": [f"arn:{self.partition}:iam::aws:policy/{LOGS_POLICY}"],
                "InlinePolicies": [
                    {
                        "PolicyName": f"{self.function_name}-access",
                        "PolicyDocument": self.role_policy,
                    }
                ],
            },
            "invokePermission": self.invoke_permission(),
        }

    def script(self) -> str:
        """The aws CLI commands that set the trigger up, in order (what the table output is)."""
        doc = self.to_json()
        role = doc["role"]
        fn = doc["function"]
        q = shlex.quote

        def compact(value: Any) -> str:
            return q(json.dumps(value, separators=(",", ":")))

        perm = self.invoke_permission()
        lines = [
            f"# Upload trigger for s3://{self.bucket}: S3 -> Lambda {self.function_name} -> "
            f"Batch ({self.environment['JOB_QUEUE']}, {self.environment['JOB_DEFINITION']})",
            "",
            "# 1. The function's execution role: logs, manifests, SubmitJob",
            f"aws iam create-role --role-name {q(self.role_name)} "
            f"--assume-role-policy-document {compact(role['AssumeRolePolicyDocument'])}",
            f"aws iam attach-role-policy --role-name {q(self.role_name)} "
            f"--policy-arn {q(role['AttachedPolicyArns'][0])}",
            f"aws iam put-role-policy --role-name {q(self.role_name)} "
            f"--policy-name {q(role['InlinePolicies'][0]['PolicyName'])} "
            f"--policy-document {compact(self.role_policy)}",
            f"aws iam wait role-exists --role-name {q(self.role_name)}",
            "",
            "# 2. The function: the worker's S3-event handler, zipped from a batchtui checkout "
            "(the runtime has boto3)",
            "# IAM is eventually consistent: for a few seconds after create-role, Lambda may "
            "still refuse the role",
            '# ("The role defined for the function cannot be assumed by Lambda"); run '
            "create-function again then.",
            "(cd worker_image && zip -qr ../s3-event.zip batchtui_worker -x "
            + " ".join(q(p) for p in ZIP_EXCLUDES)
            + ")",
            f"aws lambda create-function --region {q(self.region)} "
            f"--function-name {q(self.function_name)} --runtime {RUNTIME} "
            f"--handler {HANDLER} --role {q(self.role_arn)} --timeout {fn['Timeout']} "
            f"--memory-size {fn['MemorySize']} --zip-file fileb://s3-event.zip "
            f"--environment {compact(fn['Environment'])}",
            "",
            "# 3. Let S3 invoke it, for this bucket only",
            f"aws lambda add-permission --region {q(self.region)} "
            f"--function-name {q(self.function_name)} --statement-id {perm['StatementId']} "
            f"--action {perm['Action']} --principal {perm['Principal']} "
            f"--source-arn {q(perm['SourceArn'])} --source-account {perm['SourceAccount']}",
            "",
            "# 4. The bucket's notification (it replaces the bucket's whole configuration)",
            f"aws s3api put-bucket-notification-configuration --bucket {q(self.bucket)} "
            f"--notification-configuration {compact(self.notification)}",
        ]
        return "\n".join(lines)


def placeholders(setup: TriggerSetup) -> list[str]:
    """The values of ``setup`` that are examples' placeholders (an example account id, an
    ``example`` bucket), each with the profile key it comes from: to replace before running
    the commands, which would otherwise act on someone else's account or bucket, or fail."""
    found = []
    if setup.account_id in EXAMPLE_ACCOUNTS:
        found.append(f"account id {setup.account_id} ({setup.account_source})")
    if _EXAMPLE_NAME.search(setup.bucket):
        found.append(f"bucket {setup.bucket} (data.bucket)")
    return found


def notification_configuration(function_arn: str, images_prefix: str) -> dict[str, Any]:
    """One LambdaFunctionConfiguration per image suffix (lower and upper case) under
    ``images_prefix``: the configurations' filters do not overlap, as S3 requires."""
    configurations = []
    for suffix in IMAGE_SUFFIXES:
        for cased in (suffix, suffix.upper()):
            rules = [{"Name": "suffix", "Value": cased}]
            if images_prefix:
                rules.insert(0, {"Name": "prefix", "Value": images_prefix})
            configurations.append(
                {
                    "Id": f"batchtui-tag-{cased.lstrip('.')}",
                    "LambdaFunctionArn": function_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": rules}},
                }
            )
    return {"LambdaFunctionConfigurations": configurations}


def function_policy(
    partition: str, region: str, account_id: str, bucket: str, manifest_prefix: str,
    job_queue: str, job_definition: str,
) -> dict[str, Any]:  # fmt: skip
    """What the handler does besides logging: write a manifest, submit the tagging job
    (SubmitJob names the queue and the job definition, any revision)."""
    batch = f"arn:{partition}:batch:{region}:{account_id}"
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "WriteManifests",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": [f"arn:{partition}:s3:::{bucket}/{manifest_prefix}*"],
            },
            {
                "Sid": "SubmitTaggingJobs",
                "Effect": "Allow",
                "Action": ["batch:SubmitJob"],
                "Resource": [
                    f"{batch}:job-queue/{job_queue}",
                    f"{batch}:job-definition/{job_definition}",
                    f"{batch}:job-definition/{job_definition}:*",
                ],
            },
        ],
    }


def trigger_setup(profile: Profile) -> TriggerSetup:
    """The trigger ``profile``'s account needs; :class:`~batchtui.errors.ProfileError` names
    each key the profile lacks for it, with its line."""
    arns = [
        (f"compute_environments[{i}].{key}", m)
        for i, ce in enumerate(profile.compute_environments)
        for key, m in (
            ("instance_role", _ARN.match(ce.instance_role)),
            ("service_role", _ARN.match(ce.service_role)),
        )
        if m
    ]
    account, source = profile.iam.account_id, "iam.account_id"
    if not account and arns:
        source, first = arns[0]
        account = first.group(2)
    partition = next((m.group(1) for _, m in arns), "aws")
    data = profile.data
    require_access(
        profile.path,
        data,
        profile.iam,
        [
            ("data.bucket", "the S3 bucket the images are uploaded to", data.bucket),
            ("data.labels_table", "the DynamoDB table the labels go to", data.labels_table),
            ("iam.account_id", "the 12-digit account the function is in (or give the compute "
             "environments' instance_role as an ARN)", account),
        ],
    )  # fmt: skip
    manifest_prefix = data.manifests
    queue = profile.workload.queue or profile.job_queues[0].name
    job_definition = profile.job_definition.name
    # Lambda function and IAM role names: 64 letters, digits, hyphens, underscores at most.
    name = f"{_UNSAFE.sub('-', profile.name)[:NAME_CHARS]}-s3-event"
    environment = {
        "JOB_QUEUE": queue,
        "JOB_DEFINITION": job_definition,
        "LABELS_TABLE": data.labels_table,
        "IMAGES_PER_JOB": str(profile.workload.images_per_job),
        "MANIFEST_PREFIX": manifest_prefix,
    }
    arn = f"arn:{partition}:lambda:{profile.region}:{account}:function:{name}"
    return TriggerSetup(
        partition=partition,
        region=profile.region,
        account_id=account,
        bucket=data.bucket,
        function_name=name,
        role_name=f"{name}-role",
        environment=environment,
        notification=notification_configuration(arn, data.images_prefix or ""),
        role_policy=function_policy(
            partition, profile.region, account, data.bucket, manifest_prefix, queue, job_definition
        ),
        account_source=source,
    )
