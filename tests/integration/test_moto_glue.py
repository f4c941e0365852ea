"""Every assumption batchtui/sandbox/moto_glue.py makes about moto's internals, checked loudly.

When a moto upgrade breaks one of these, this file fails first, naming the assumption.
"""

from __future__ import annotations

from typing import Any

import moto

from batchtui.sandbox import moto_glue


def test_moto_version_is_the_pinned_minor() -> None:
    assert moto.__version__.startswith(moto_glue.SUPPORTED_MOTO), moto.__version__
    moto_glue.check_moto_version()


def test_backends_are_where_the_glue_looks() -> None:
    assert hasattr(moto_glue.logs_backend("us-east-1"), "groups")
    assert hasattr(moto_glue.iam_backend(), "instance_profiles")
    assert moto_glue.ec2_backend("us-east-1") is not None
    assert moto_glue.s3_backend() is not None
    assert moto_glue.dynamodb_backend("us-east-1") is not None
    assert moto_glue.ACCOUNT_ID == "123456789012"


def test_log_events_bypass_the_real_clock_window(sandbox: Any, aws_client: Any) -> None:
    # Simulated time runs ahead of the wall clock; moto's PutLogEvents would drop these.
    far_future_ms = int((sandbox.now() + 30 * 86400) * 1000)
    moto_glue.append_log_events(
        "us-east-1", "/glue/test", "s", [{"timestamp": far_future_ms, "message": "later"}]
    )
    events = aws_client("logs").get_log_events(logGroupName="/glue/test", logStreamName="s")
    assert [(e["timestamp"], e["message"]) for e in events["events"]] == [(far_future_ms, "later")]


def test_instance_profile_lookup(sandbox: Any, aws_client: Any) -> None:
    aws_client("iam").create_instance_profile(InstanceProfileName="glue-profile")
    assert moto_glue.instance_profile_exists("glue-profile")
    assert moto_glue.instance_profile_exists(
        "arn:aws:iam::123456789012:instance-profile/glue-profile"
    )
    assert not moto_glue.instance_profile_exists("no-such-profile")


def test_instance_type_catalog_shape() -> None:
    from batchtui.sandbox.catalog import instance_types

    raw = moto_glue.instance_type_catalog()
    assert len(raw) > 1000
    m5 = raw["m5.large"]
    assert m5["VCpuInfo"]["DefaultVCpus"] == 2 and m5["MemoryInfo"]["SizeInMiB"] == 8192
    assert raw["g4dn.xlarge"]["GpuInfo"]["Gpus"][0]["Count"] == 1
    catalog = instance_types()
    assert catalog["m5.24xlarge"].vcpus == 96 and catalog["g4dn.12xlarge"].gpus == 4
    assert catalog["m6g.large"].arch == "arm64"


def test_moto_wsgi_app_serves_through_our_front(sandbox: Any, aws_client: Any) -> None:
    # S3 and DynamoDB go to moto untouched: only Batch (and other listed services) are ours.
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="glue-bucket")
    assert "glue-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
