"""What the `batchtui submit` tests share: a bucket of images, a labels table, a queue, the
tagger's job definition and a profile naming them; and how to read what came of it."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from batchtui.profiles import load_profile
from batchtui.sandbox.images import sample_images

REPO = pathlib.Path(__file__).resolve().parents[1]


@dataclass
class Setup:
    """A bucket of images, a labels table, a queue and the tagger's job definition, and a
    profile (profiles/sandbox.toml) that names them."""

    bucket: str
    table: str
    queue: str
    job_definition: str
    profile: pathlib.Path
    images: list[str]

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/"


def make_setup(tmp_path: pathlib.Path, aws_client: Any, batch_queue: Any, job_definition: Any,
               unique_name: Callable[[str], str], count: int = 7) -> Setup:  # fmt: skip
    s3, ddb = aws_client("s3"), aws_client("dynamodb")
    bucket, table = unique_name("submit-cli"), unique_name("submit-labels")
    s3.create_bucket(Bucket=bucket)
    keys = []
    for key, body in sample_images(count, seed=5):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        keys.append(key)
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "image_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "image_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    retry = load_profile("image-tagging", cwd=REPO).job_definition.retry_strategy.to_api()
    jobdef = job_definition(["python", "-m", "batchtui_worker.tagger"], retryStrategy=retry,
                            container={"environment": [{"name": "LABELS_TABLE",
                                                        "value": table}]})  # fmt: skip
    queue = batch_queue(ces=[{"maxvCpus": 8}])["queue"]
    text = (REPO / "profiles" / "sandbox.toml").read_text()
    text = text.replace('"demo-main"', f'"{queue}"').replace('"demo-image-tagger"', f'"{jobdef}"')
    profile = tmp_path / "tagging.toml"
    profile.write_text(text)
    return Setup(bucket, table, queue, jobdef, profile, keys)


def jobs_named(batch: Any, queue: str, prefix: str) -> list[dict[str, Any]]:
    """Every job of the queue whose name starts with ``prefix`` (each status)."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"jobQueue": queue,
                              "filters": [{"name": "JOB_NAME", "values": [prefix + "*"]}]}  # fmt: skip
    for page in batch.get_paginator("list_jobs").paginate(**params):
        found += page["jobSummaryList"]
    return found


def run_to_the_end(sandbox: Any, batch: Any, job_ids: list[str]) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = []
    for _ in range(60):  # simulated half-minutes: scale-up, starts, the tagger's real runs
        sandbox.advance(30)
        assert sandbox.wait_for_workers(timeout=120)
        jobs = batch.describe_jobs(jobs=job_ids)["jobs"]
        if all(j["status"] in ("SUCCEEDED", "FAILED") for j in jobs):
            break
    return jobs


def items(ddb: Any, table: str) -> list[str]:
    return sorted(
        i["image_key"]["S"] for i in ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    )
