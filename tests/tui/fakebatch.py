"""An in-memory AWS Batch behind the real :class:`Aws` (for TUI tests that need exact data).

It answers at botocore's ``before-send`` event, so everything above the wire is real: the
read-only guard, the call counter, parameter validation, response parsing and error
translation. Tests that need the living account use the sandbox instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from botocore.awsrequest import AWSResponse

from batchtui.aws.session import Aws, AwsTarget

ACCOUNT = "123456789012"
REGION = "us-east-1"
T0 = 1_790_000_000_000  # epoch ms, fixed so renders are stable


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:batch:{REGION}:{ACCOUNT}:{kind}/{name}"


@dataclass
class FakeBatch:
    ces: list[dict[str, Any]] = field(default_factory=list)
    queues: list[dict[str, Any]] = field(default_factory=list)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: An AWS error code every batch call answers with, while set.
    failing: str | None = None
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    # -- building the account -----------------------------------------------------------------

    def add_ce(self, name: str, **kw: Any) -> dict[str, Any]:
        cr = {
            "type": kw.pop("model", "SPOT"),
            "allocationStrategy": kw.pop("allocation", "SPOT_PRICE_CAPACITY_OPTIMIZED"),
            "minvCpus": kw.pop("min", 0),
            "desiredvCpus": kw.pop("desired", 0),
            "maxvCpus": kw.pop("max", 256),
            "instanceTypes": ["optimal"],
            "subnets": ["subnet-1"],
            "securityGroupIds": ["sg-1"],
            "instanceRole": "ecsInstanceRole",
        }
        ce = {
            "computeEnvironmentName": name,
            "computeEnvironmentArn": _arn("compute-environment", name),
            "state": kw.pop("state", "ENABLED"),
            "status": kw.pop("status", "VALID"),
            "statusReason": kw.pop("reason", "ComputeEnvironment Healthy"),
            "type": "MANAGED",
            "computeResources": cr,
            "serviceRole": "AWSBatchServiceRole",
        }
        self.ces.append(ce)
        return ce

    def add_queue(self, name: str, ces: list[str], priority: int = 1, **kw: Any) -> None:
        self.queues.append(
            {
                "jobQueueName": name,
                "jobQueueArn": _arn("job-queue", name),
                "state": kw.pop("state", "ENABLED"),
                "status": "VALID",
                "statusReason": "JobQueue Healthy",
                "priority": priority,
                "computeEnvironmentOrder": [
                    {"order": i + 1, "computeEnvironment": _arn("compute-environment", c)}
                    for i, c in enumerate(ces)
                ],
            }
        )

    def add_job(self, job_id: str, name: str, queue: str, status: str, **kw: Any) -> dict[str, Any]:
        n = len(self.jobs)
        job: dict[str, Any] = {
            "jobId": job_id,
            "jobArn": _arn("job", job_id),
            "jobName": name,
            "jobQueue": _arn("job-queue", queue),
            "status": status,
            "statusReason": kw.pop("reason", ""),
            "createdAt": kw.pop("created", T0 + n * 1000),
            "jobDefinition": _arn("job-definition", "tagger:3"),
            "dependsOn": [{"jobId": d, "type": "SEQUENTIAL"} for d in kw.pop("depends_on", [])],
            "container": {
                "image": "public.ecr.aws/batchtui/tagger:1.4",
                "vcpus": 2,
                "memory": 4096,
                "command": ["python", "-m", "tagger", "--bucket", "images"],
                "environment": [{"name": "TABLE", "value": "labels"}],
                "logStreamName": f"tagger/default/{job_id}",
            },
            "attempts": kw.pop("attempts", []),
            "retryStrategy": {"attempts": 2},
            "timeout": {"attemptDurationSeconds": 3600},
            "platformCapabilities": ["EC2"],
        }
        if status in ("RUNNING", "SUCCEEDED", "FAILED"):
            job["startedAt"] = job["createdAt"] + 60_000
        if status in ("SUCCEEDED", "FAILED"):
            job["stoppedAt"] = job["startedAt"] + 120_000
            job["container"]["exitCode"] = 0 if status == "SUCCEEDED" else 1
        if "array_size" in kw:
            job["arrayProperties"] = {"size": kw.pop("array_size"), "statusSummary": {}}
        if "array_parent" in kw:
            job["arrayProperties"] = {"index": kw.pop("array_index")}
            job["_parent"] = kw.pop("array_parent")
        job.update(kw)
        self.jobs[job_id] = job
        return job

    # -- the wire -----------------------------------------------------------------------------

    def install(self, aws: Aws) -> Aws:
        for service in ("batch", "sts", "ecs"):
            aws.client(service).meta.events.register("before-send", self._send)
        return aws

    def _send(self, request: Any, **_: Any) -> AWSResponse:
        url = request.url
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        host = urlparse(url).netloc
        if "sts" in url or b"GetCallerIdentity" in body:
            xml = (
                '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                f"<GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/t</Arn>"
                f"<UserId>T</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
                "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
                "</GetCallerIdentityResponse>"
            )
            return AWSResponse(url, 200, {}, _Raw(xml.encode()))
        del host
        op = urlparse(url).path.rsplit("/", 1)[-1]
        params = json.loads(body) if body else {}
        self.requests.append((op, params))
        if self.failing:
            payload = {"__type": self.failing, "message": f"fake {self.failing}"}
            return AWSResponse(
                url, 400, {"x-amzn-errortype": self.failing}, _Raw(json.dumps(payload).encode())
            )
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            payload = {"__type": "ClientException", "message": f"fake has no {op}"}
            return AWSResponse(url, 400, {}, _Raw(json.dumps(payload).encode()))
        result = handler(params)
        return AWSResponse(url, 200, {}, _Raw(json.dumps(result).encode()))

    def op_describecomputeenvironments(self, p: dict[str, Any]) -> Any:
        names = p.get("computeEnvironments")
        return {
            "computeEnvironments": [
                c for c in self.ces if not names or c["computeEnvironmentName"] in names
            ]
        }

    def op_describejobqueues(self, p: dict[str, Any]) -> Any:
        names = p.get("jobQueues")
        return {
            "jobQueues": [
                q
                for q in self.queues
                if not names or q["jobQueueName"] in names or q["jobQueueArn"] in names
            ]
        }

    def op_listjobs(self, p: dict[str, Any]) -> Any:
        status = p.get("jobStatus", "RUNNING")
        if "arrayJobId" in p:
            pool = [j for j in self.jobs.values() if j.get("_parent") == p["arrayJobId"]]
        else:
            q = p["jobQueue"]
            pool = [
                j
                for j in self.jobs.values()
                if "_parent" not in j and j["jobQueue"] in (q, _arn("job-queue", q))
            ]
        rows = sorted(
            (j for j in pool if j["status"] == status), key=lambda j: j["createdAt"], reverse=True
        )
        start = int(p.get("nextToken", 0))
        size = int(p.get("maxResults", 100))
        page = rows[start : start + size]
        out: dict[str, Any] = {"jobSummaryList": [self._summary(j) for j in page]}
        if start + size < len(rows):
            out["nextToken"] = str(start + size)
        return out

    def _summary(self, j: dict[str, Any]) -> dict[str, Any]:
        keys = (
            "jobId",
            "jobArn",
            "jobName",
            "createdAt",
            "startedAt",
            "stoppedAt",
            "status",
            "statusReason",
            "arrayProperties",
            "jobDefinition",
        )
        out = {k: j[k] for k in keys if k in j}
        if "exitCode" in j["container"]:
            out["container"] = {"exitCode": j["container"]["exitCode"]}
        return out

    def op_describejobs(self, p: dict[str, Any]) -> Any:
        assert len(p["jobs"]) <= 100, "DescribeJobs takes at most 100 ids"
        return {
            "jobs": [
                {k: v for k, v in self.jobs[i].items() if not k.startswith("_")}
                for i in p["jobs"]
                if i in self.jobs
            ]
        }

    def op_getjobqueuesnapshot(self, p: dict[str, Any]) -> Any:
        """The RUNNABLE jobs of the queue, oldest first (AWS: in the order they will run)."""
        q = p["jobQueue"]
        runnable = sorted(
            (
                j
                for j in self.jobs.values()
                if j["status"] == "RUNNABLE" and j["jobQueue"] in (q, _arn("job-queue", q))
            ),
            key=lambda j: j["createdAt"],
        )
        return {
            "frontOfQueue": {
                "jobs": [
                    {"jobArn": j["jobArn"], "earliestTimeAtPosition": j["createdAt"]}
                    for j in runnable[:100]
                ],
                "lastUpdatedAt": T0 + 3_600_000,
            }
        }

    def op_canceljob(self, p: dict[str, Any]) -> Any:
        job = self.jobs[p["jobId"]]
        job["status"], job["statusReason"] = "FAILED", p["reason"]
        return {}

    def op_terminatejob(self, p: dict[str, Any]) -> Any:
        return self.op_canceljob(p)

    def op_updatecomputeenvironment(self, p: dict[str, Any]) -> Any:
        ce = next(c for c in self.ces if c["computeEnvironmentName"] == p["computeEnvironment"])
        if "state" in p:
            ce["state"] = p["state"]
        ce["computeResources"].update(p.get("computeResources", {}))
        return {"computeEnvironmentName": ce["computeEnvironmentName"]}

    def op_updatejobqueue(self, p: dict[str, Any]) -> Any:
        q = next(q for q in self.queues if q["jobQueueName"] == p["jobQueue"])
        q["state"] = p.get("state", q["state"])
        return {"jobQueueName": q["jobQueueName"]}


def make_aws(read_only: bool = False) -> Aws:
    return Aws(
        AwsTarget(
            region=REGION,
            endpoint_url="http://127.0.0.1:1",
            read_only=read_only,
            credentials=("testing", "testing"),
        )
    )


def demo_account(jobs: int = 30) -> FakeBatch:
    """Two CEs, two queues, ``jobs`` jobs in every status, an array job, a dependency chain."""
    fake = FakeBatch()
    fake.add_ce("spot-ce", min=0, desired=16, max=256)
    fake.add_ce(
        "ondemand-ce",
        model="EC2",
        allocation="BEST_FIT_PROGRESSIVE",
        min=0,
        desired=0,
        max=64,
        state="DISABLED",
    )
    fake.add_queue("high", ["spot-ce", "ondemand-ce"], priority=10)
    fake.add_queue("low", ["ondemand-ce"], priority=1)
    statuses = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
    for i in range(jobs):
        status = statuses[i % len(statuses)]
        reason = ""
        if status == "RUNNABLE":
            reason = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - no instance type fits 512 vCPUs"
        if status == "FAILED":
            reason = "Essential container in task exited"
        fake.add_job(f"job-{i:04d}", f"tag-batch-{i:04d}", "high", status, reason=reason)
    fake.add_job("array-1", "tag-array", "high", "RUNNING", array_size=4)
    for k in range(4):
        fake.add_job(
            f"array-1:{k}",
            "tag-array",
            "high",
            ("RUNNING", "SUCCEEDED")[k % 2],
            array_parent="array-1",
            array_index=k,
        )
    fake.add_job("dep-a", "extract", "high", "RUNNING")
    fake.add_job("dep-b", "label", "high", "PENDING", depends_on=["dep-a"])
    return fake
