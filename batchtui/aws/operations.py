"""Which AWS operations only read.

The read-only guard refuses every operation that is not a read. Operations are classified from
botocore's service models (every operation of every service), by the verb their name starts
with, so a service model that grows new operations is classified without anyone editing a list.
"""

from __future__ import annotations

import functools
import re

#: Verbs that name an operation which does not change anything in the account.
READ_VERBS: frozenset[str] = frozenset(
    {
        "Describe",
        "List",
        "Get",
        "Head",
        "Search",
        "Lookup",
        "Scan",
        "Query",
        "Filter",
        "Select",
        "Detect",
        "Simulate",
        "Estimate",
        "Preview",
        "Validate",
    }
)
#: Multi-word read verbs: BatchGetItem, TransactGetItems ...
READ_PREFIXES: tuple[str, ...] = ("BatchGet", "TransactGet", "BatchDescribe")

_VERB = re.compile(r"^[A-Z][a-z]+")

#: The services batchtui uses (botocore names); the guard applies to any service.
SERVICES: tuple[str, ...] = (
    "batch",
    "ec2",
    "iam",
    "s3",
    "dynamodb",
    "logs",
    "service-quotas",
    "pricing",
    "rekognition",
    "sts",
    "ecs",
)


def is_read_operation(operation_name: str) -> bool:
    """True when an operation, by its name's verb, only reads."""
    if operation_name.startswith(READ_PREFIXES):
        return True
    m = _VERB.match(operation_name)
    return m is not None and m.group(0) in READ_VERBS


@functools.cache
def operations_of(service: str) -> tuple[str, ...]:
    """Every operation of a service, from botocore's model."""
    import botocore.session

    return tuple(botocore.session.get_session().get_service_model(service).operation_names)


def mutating_operations(service: str) -> list[str]:
    return [op for op in operations_of(service) if not is_read_operation(op)]


def read_operations(service: str) -> list[str]:
    return [op for op in operations_of(service) if is_read_operation(op)]
