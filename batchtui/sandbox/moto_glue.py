"""The only module that touches moto's internals (moto 5.2.x, pinned in pyproject.toml).

Everything else in the sandbox asks this module. tests/integration/test_moto_glue.py checks each
assumption, so a moto upgrade that breaks one fails loudly there rather than somewhere obscure.
"""

from __future__ import annotations

from typing import Any

import moto
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

SUPPORTED_MOTO = "5.2."
ACCOUNT_ID: str = DEFAULT_ACCOUNT_ID


def check_moto_version() -> None:
    if not moto.__version__.startswith(SUPPORTED_MOTO):
        raise RuntimeError(
            f"batchtui's sandbox supports moto {SUPPORTED_MOTO}x, found {moto.__version__}"
        )


def moto_wsgi_app() -> Any:
    """moto's own WSGI application, which serves every service moto implements."""
    check_moto_version()
    return DomainDispatcherApplication(create_backend_app)


def logs_backend(region: str) -> Any:
    from moto.logs.models import logs_backends

    return logs_backends[ACCOUNT_ID][region]


def s3_backend() -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[ACCOUNT_ID]["aws"]


def ec2_backend(region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[ACCOUNT_ID][region]


def iam_backend() -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[ACCOUNT_ID]["global"]


def dynamodb_backend(region: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT_ID][region]


def instance_type_catalog() -> dict[str, dict[str, Any]]:
    """moto's EC2 instance-type data: name -> DescribeInstanceTypes entry."""
    from moto.ec2.models.instance_types import INSTANCE_TYPES

    return dict(INSTANCE_TYPES)


def reset_all_backends() -> None:
    """Forget every resource moto holds (used between sandbox sessions in one process)."""
    from moto.backends import get_backend
    from moto.core.base_backend import BackendDict  # noqa: F401  (import proves the API exists)

    for name in ("s3", "ec2", "iam", "logs", "dynamodb"):
        for account in get_backend(name).values():
            for backend in account.values():
                backend.reset()


def append_log_events(region: str, group: str, stream: str, events: list[dict[str, Any]]) -> None:
    """Append events (``timestamp`` ms, ``message``) to a stream, creating group and stream.

    Goes below LogsBackend.put_log_events on purpose: that one drops events more than two hours
    from the real clock, and the sandbox's clock is simulated (it runs ahead at --speed).
    """
    backend = logs_backend(region)
    backend.ensure_log_group(group)
    log_group = backend.groups[group]
    if stream not in log_group.streams:
        backend.ensure_log_stream(group, stream)
    log_group.put_log_events(stream, events)


def instance_profile_exists(name: str) -> bool:
    """Whether IAM holds an instance profile of this name (CE instanceRole: name or ARN)."""
    profiles = iam_backend().instance_profiles
    tail = name.rsplit("/", 1)[-1]
    return any(p.name == tail for p in profiles.values())


def s3_object_bytes(bucket: str, key: str, version_id: str | None = None) -> bytes | None:
    """An S3 object's bytes, or None when the bucket, the key or the version does not exist."""
    from moto.s3.exceptions import MissingBucket

    try:
        obj = s3_backend().get_object(bucket, key, version_id=version_id)
    except MissingBucket:
        return None
    except Exception:  # moto raises a few kinds for a bad version id; all mean "not there"
        return None
    return None if obj is None else bytes(obj.value)
