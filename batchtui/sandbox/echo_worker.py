"""A tiny entry point the sandbox can run as a real job: ``python -m batchtui.sandbox.echo_worker``.

It prints its Batch environment (and the names of every variable it was given), describes its own job through the sandbox's endpoint (proving a
worker can call AWS from inside a job), and exits with the code given as its first argument.
"""

from __future__ import annotations

import os
import sys

import boto3


def main(argv: list[str]) -> int:
    job_id = os.environ["AWS_BATCH_JOB_ID"]
    for key in ("AWS_BATCH_JOB_ID", "AWS_BATCH_JOB_ATTEMPT", "AWS_BATCH_JOB_ARRAY_INDEX",
                "AWS_BATCH_CE_NAME", "AWS_BATCH_JQ_NAME"):  # fmt: skip
        print(f"{key}={os.environ.get(key, '')}", flush=True)
    for key in ("AWS_BATCH_JOB_NODE_INDEX", "AWS_BATCH_JOB_NUM_NODES",
                "AWS_BATCH_JOB_MAIN_NODE_INDEX", "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"):  # fmt: skip
        if key in os.environ:  # the nodes of a multi-node parallel job
            print(f"{key}={os.environ[key]}", flush=True)
    # Names only: what a real run's environment holds, never its values (keys among them).
    print(f"environment: {','.join(sorted(os.environ))}", flush=True)
    print(f"AWS_CONFIG_FILE={os.environ.get('AWS_CONFIG_FILE', '')}", flush=True)
    batch = boto3.client("batch")  # AWS_ENDPOINT_URL and the region come from the environment
    status = batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"]
    print(f"my status is {status}", flush=True)
    return int(argv[0]) if argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
