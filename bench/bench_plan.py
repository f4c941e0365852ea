"""Benchmark: a cold `batchtui plan` of the 100,000-image profile against one cold
`aws batch describe-compute-environments` on the sandbox, measured in the same run.

The target (issue 5): planning every scenario with at least 200 trials each takes less wall time
than one cold aws CLI call. Prints the figures and the ratio; asserts nothing.

    python bench/bench_plan.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "profiles" / "image-tagging.toml"


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _median(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, list[float]]:
    times = [_time(cmd, env) for _ in range(runs)]
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args(argv)

    aws = os.environ.get("AWS_CLI") or shutil.which("aws")
    if aws is None:
        print("the aws CLI is not installed (pip install awscli)", file=sys.stderr)
        return 1
    batchtui = shutil.which("batchtui")
    plan_cmd = [batchtui] if batchtui else [sys.executable, "-m", "batchtui"]
    plan_cmd += ["plan", "--profile", str(PROFILE), "--trials", str(args.trials), "-o", "json"]

    from batchtui.sandbox import Sandbox, SandboxConfig

    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")  # fmt: skip
    with Sandbox(SandboxConfig(seed="demo", manual_clock=True)) as sb:
        describe = [aws, "batch", "describe-compute-environments", "--endpoint-url", sb.url,
                    "--region", sb.region]  # fmt: skip
        _time(describe, env)  # the sandbox's Batch backend loads on its first call, not the CLI
        aws_s, aws_all = _median(describe, env, args.runs)
        plan_s, plan_all = _median(plan_cmd, env, args.runs)

    import json

    doc = json.loads(subprocess.run(plan_cmd, env=env, cwd=REPO, capture_output=True,
                                    text=True).stdout)  # fmt: skip
    scenarios = len(doc["scenarios"])
    trials = min(s["trials"] for s in doc["scenarios"] if s["trials"])
    print(f"{'measure':58} {'median s':>9}  runs")
    label = f"cold batchtui plan (100,000 images, {scenarios} scenarios x {trials} trials)"
    print(f"{label:58} {plan_s:9.3f}  {', '.join(f'{t:.3f}' for t in plan_all)}")
    print(f"{'cold aws batch describe-compute-environments (sandbox)':58} {aws_s:9.3f}  "
          f"{', '.join(f'{t:.3f}' for t in aws_all)}")  # fmt: skip
    print(
        f"ratio plan / describe: {plan_s / aws_s:.2f} "
        f"({'plan is faster' if plan_s < aws_s else 'plan is SLOWER'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
