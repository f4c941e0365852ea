"""`batchtui submit` of 100,000 images in 10 array jobs against the sandbox: wall time and API
calls, against submitting one job per image at SubmitJob's 50 calls a second.

The images are seeded cheaply: 100,000 small objects written straight into the sandbox's S3
backend (not through HTTP); `submit` then lists them over HTTP as it would on AWS (100 pages of
1,000), writes 10 manifests of 10,000 lines, and submits 10 arrays of 10,000 children and the
summary job. The sandbox's clock stands still, so no job runs: the figures are the submit's own.
A second run of the same command (nothing to do) is timed too.
"""

from __future__ import annotations

import contextlib
import io
import json
import pathlib
import tempfile
import time
from typing import Any

IMAGES = 100_000
PER_JOB = 1  # 100,000 children: 10 arrays of 10,000
SUBMIT_TPS = 50  # AWS's SubmitJob limit per account
REPO = pathlib.Path(__file__).resolve().parents[1]


def _seed(sb: Any, bucket: str) -> float:
    from batchtui.sandbox import moto_glue

    t0 = time.perf_counter()
    moto_glue.ensure_bucket(bucket, sb.region)
    for i in range(IMAGES):
        moto_glue.put_object(bucket, f"photos/{i:06d}.jpg", b"\xff\xd8 not a photo", "image/jpeg")
    return time.perf_counter() - t0


def _account(sb: Any) -> tuple[str, str]:
    import boto3

    batch = boto3.client("batch", endpoint_url=sb.url, region_name=sb.region,
                         aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    batch.create_compute_environment(
        computeEnvironmentName="bench-ce", type="MANAGED", state="ENABLED",
        computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 64, "instanceTypes": ["m5"],
                          "subnets": ["subnet-1"], "instanceRole": "bench-instances"},
    )  # fmt: skip
    batch.create_job_queue(jobQueueName="bench-queue", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "bench-ce"}])  # fmt: skip
    batch.register_job_definition(
        jobDefinitionName="bench-tagger", type="container",
        containerProperties={"image": "tagger", "command": ["python", "-m", "batchtui_worker.tagger"],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "1024"}]},
    )  # fmt: skip
    return "bench-queue", "bench-tagger"


class _Notes:
    """stderr while a run goes: each progress line with the time it came."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        if text.strip():
            self.lines.append((time.perf_counter() - self.t0, text.strip()))
        return len(text)

    def flush(self) -> None:
        pass

    def at(self, start: str) -> float:
        """When the last line starting with ``start`` came (seconds into the run)."""
        return max(t for t, line in self.lines if line.startswith(start))


def _submit(sb: Any, argv: list[str]) -> tuple[float, dict[str, Any], dict[tuple[str, str], int], _Notes]:  # fmt: skip
    from batchtui.aws.session import Aws, AwsTarget
    from batchtui.cli import main

    aws = Aws(AwsTarget(region=sb.region, endpoint_url=sb.url, credentials=("testing", "testing")))
    out = io.StringIO()
    t0 = time.perf_counter()
    notes = _Notes(t0)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(notes):
        code = main(argv, aws=aws)
        wall = time.perf_counter() - t0
    if code != 0:
        raise RuntimeError(f"batchtui submit exited {code}: {notes.lines[-1:]}")
    return wall, json.loads(out.getvalue()), aws.counter.snapshot(), notes


def main() -> None:
    from common import print_table

    from batchtui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(seed="empty", manual_clock=True, resource_transition_seconds=0.0)
    with Sandbox(config) as sb, tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["XDG_STATE_HOME"] = tmp  # the local journal, not the user's
        seeded = _seed(sb, "bench-photos")
        queue, definition = _account(sb)
        profile = pathlib.Path(tmp) / "bench.toml"
        text = (REPO / "profiles" / "sandbox.toml").read_text()
        # Arrays of AWS's largest size: the profile's 200 would make 500 of them.
        profile.write_text(text.replace('"demo-main"', f'"{queue}"')
                           .replace('"demo-image-tagger"', f'"{definition}"')
                           .replace("array_size = 200", "array_size = 10000"))  # fmt: skip
        argv = ["submit", "--profile", str(profile), "--images", "s3://bench-photos/photos/",
                "--images-per-job", str(PER_JOB), "--yes", "--output", "json"]  # fmt: skip
        wall, doc, calls, notes = _submit(sb, argv)
        again_wall, again, again_calls, again_notes = _submit(sb, argv)

    arrays = [j for j in doc["jobs"] if j["kind"] == "array"]
    submits = calls.get(("batch", "SubmitJob"), 0)
    print(f"{IMAGES:,} images seeded into the sandbox's S3 backend in {seeded:.1f} s (not timed "
          f"below); {len(arrays)} arrays of {arrays[0]['arraySize']:,} children")  # fmt: skip
    by_op = ", ".join(f"{op} {n}" for (_, op), n in sorted(calls.items()))
    again_ops = ", ".join(f"{op} {n}" for (_, op), n in sorted(again_calls.items()))
    rows = [
        ("batchtui submit", f"{wall:.1f}", submits, by_op),
        ("the same again (nothing to do)", f"{again_wall:.1f}",
         again_calls.get(("batch", "SubmitJob"), 0), again_ops),
        (f"one job per image at {SUBMIT_TPS} TPS (computed)", f"{IMAGES / SUBMIT_TPS:.0f}",
         IMAGES, "SubmitJob only"),
    ]  # fmt: skip
    print_table(("run", "wall s", "SubmitJob calls", "API calls by operation"), rows)
    print(f"SubmitJob calls: {submits} (goal 11) vs {IMAGES:,} one job per image: "
          f"{IMAGES / max(submits, 1):,.0f}x fewer; their time at {SUBMIT_TPS} TPS: "
          f"{submits / SUBMIT_TPS:.2f} s vs {IMAGES / SUBMIT_TPS:,.0f} s")  # fmt: skip
    listed = notes.at("submit: listed 100,000")
    manifests = notes.at("submit: wrote")
    submitted = notes.at("submit: summary")
    print(f"first run, seconds into it: listing done {listed:.1f}; id, plan, estimate, journal "
          f"and ListJobs look-up, manifests written {manifests:.1f} "
          f"({manifests - listed:.1f} after the listing); the 11 SubmitJob calls with their "
          f"journal writes {submitted - manifests:.2f}; end {wall:.1f}")  # fmt: skip
    print(
        f"second run: listing {again_notes.at('submit: listed 100,000'):.1f} of "
        f"{again_wall:.1f} s; status {again['status']}, submission {again['submissionId']}"
    )
    print(
        "the listing's time is the sandbox's: moto answers each ListObjectsV2 page by listing "
        f"and sorting the whole bucket, {listed / 100:.1f} s a page at {IMAGES:,} objects"
    )
