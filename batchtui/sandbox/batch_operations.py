"""Which of AWS Batch's operations the sandbox serves, and how faithfully.

The list of operations is botocore's Batch service model: the API every AWS client speaks. An
operation the sandbox routes is served; one it does not model answers AWS's ``ClientException``
naming it as not supported by the sandbox (never a 404, which a client would read as a wrong
endpoint). :data:`DIFFERENCES` states where a served operation departs from AWS, and
:func:`compatibility` turns both into the table the README shows; a test walks the model, so an
operation botocore adds is classified the day botocore is upgraded.
"""

from __future__ import annotations

import functools

from batchtui.sandbox.batch_errors import BatchApiError

#: Served operations whose behaviour differs from AWS's, and how.
DIFFERENCES: dict[str, str] = {
    "CreateComputeEnvironment": (
        "EC2, SPOT, FARGATE, FARGATE_SPOT and EKS (`eksConfiguration`); instances are "
        "simulated, launch templates and AMIs are stored but not used"
    ),
    "RegisterJobDefinition": "container (ECS, or EKS with `eksProperties`) and multinode types",
    "SubmitJob": "jobs run on simulated instances; chosen entry points run for real",
    "GetJobQueueSnapshot": (
        "`frontOfQueue` and `queueUtilization` (in vCPUs); no `frontOfQuotaShares`"
    ),
    "ListJobsByConsumableResource": "each job's `quantity` is what it needs of the resource",
    "CancelJobs": "every job is reported in `successful`; `errors` is always empty",
    "TerminateJobs": "every job is reported in `successful`; `errors` is always empty",
}

STATUS_SERVED = "served as AWS"
STATUS_DIFFERENT = "served, with stated differences"
STATUS_NOT_SERVED = "not served"


@functools.cache
def model_operations() -> dict[str, str]:
    """Every operation of botocore's Batch model, by its lower-case REST path segment."""
    from botocore.loaders import Loader  # loaded on first use: only an unrouted call needs it

    model = Loader().load_service_model("batch", "service-2")
    return {name.lower(): name for name in model["operations"]}


def not_supported(route: str) -> BatchApiError | None:
    """The sandbox's answer to a Batch operation it does not model, or None if not in the API."""
    name = model_operations().get(route)
    if name is None:
        return None
    return BatchApiError(
        f"{name} is not supported by the batchtui sandbox: it serves the job, job queue, "
        "job definition, compute environment, scheduling policy, consumable resource and tag "
        "operations of AWS Batch."
    )


def compatibility(routes: set[str]) -> list[tuple[str, str, str]]:
    """``(operation, status, difference)`` for every operation of the model, by name.

    ``routes`` are the lower-case route keys the sandbox serves (the tag operations share one).
    """
    rows = []
    for route, name in sorted(model_operations().items(), key=lambda kv: kv[1]):
        if route not in routes:
            rows.append((name, STATUS_NOT_SERVED, ""))
        elif name in DIFFERENCES:
            rows.append((name, STATUS_DIFFERENT, DIFFERENCES[name]))
        else:
            rows.append((name, STATUS_SERVED, ""))
    return rows
