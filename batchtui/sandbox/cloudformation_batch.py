"""CloudFormation's ``AWS::Batch::*`` resources, created in the sandbox's own Batch.

moto's CloudFormation parses the template (parameters, Ref, GetAtt, conditions) and asks a model
class per resource type to create it; :func:`install` gives it the classes below for the three
Batch types, so a stack's compute environments, job queues and job definitions land in the
Batch account of the stack's region, through the same operations (and validation) as the Batch
API. moto's backends are shared by every sandbox of the process, so the CloudFormation handler
names, per request, the sandbox whose regions the resources belong to (:func:`serve_for`).

Properties arrive in CloudFormation's PascalCase and are turned into the API's camelCase (map
values such as Tags, Parameters and log Options kept as written; integers given as strings
read as integers, as CloudFormation does). A resource Batch refuses fails the stack's creation
with Batch's reason as a ValidationError; what the stack had created is deleted, and the stack
is not kept. UpdateStack of Batch resources is not modelled (the gate refuses it).
"""

from __future__ import annotations

import threading
from typing import Any

from batchtui.sandbox import moto_glue
from batchtui.sandbox.batch_errors import BatchApiError

#: Properties whose values are maps of the user's own keys: kept as written.
MAP_PROPERTIES = frozenset({"Tags", "Parameters", "Options", "Labels", "Annotations"})
#: Integer properties, which a template may give as strings.
INTEGER_PROPERTIES = frozenset({
    "Priority", "Order", "MinvCpus", "MaxvCpus", "DesiredvCpus", "Vcpus", "Memory", "Attempts",
    "AttemptDurationSeconds", "MaxTimeSeconds", "SchedulingPriority", "BidPercentage",
    "NumNodes", "MainNode", "HardLimit", "SoftLimit", "SharedMemorySize", "Swappiness",
    "MaxSwap",
})  # fmt: skip
BOOLEAN_PROPERTIES = frozenset({"PropagateTags", "ReadOnly", "Privileged", "Essential"})

#: Per request thread: the sandbox's regions, and what this request's stack has created so far
#: (deleted again if a later resource fails).
_current = threading.local()


def serve_for(regions: Any) -> None:
    """Resources created in this thread's request go to ``regions`` (a Sandbox's Regions)."""
    _current.regions = regions
    _current.created = []


def api_shape(value: Any, key: str = "") -> Any:
    """A CloudFormation property value as the Batch API takes it."""
    if isinstance(value, dict):
        if key in MAP_PROPERTIES:
            return {str(k): str(v) for k, v in value.items()}
        return {k[:1].lower() + k[1:]: api_shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [api_shape(v, key) for v in value]
    if key in INTEGER_PROPERTIES and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if key in BOOLEAN_PROPERTIES and isinstance(value, str):
        return value.lower() == "true"
    return value


def _api(region: str) -> tuple[Any, Any]:
    """The Batch API of ``region``'s account of the requesting sandbox, and its lock."""
    from batchtui.sandbox.batch_api import BatchApi  # the API builds on the store and scheduler

    regions = getattr(_current, "regions", None)
    if regions is None:
        raise moto_glue.cloudformation_validation_error(
            "AWS::Batch resources can only be created through a running sandbox."
        )
    account = regions[region]
    return BatchApi(account.store, account.scheduler, account.catalog), account.scheduler.lock


class BatchResource:
    """One Batch resource of a stack, as moto's CloudFormation holds it."""

    TYPE = ""
    NAME_PROPERTY = ""
    ARN_ATTRIBUTE = ""

    def __init__(self, region: str, name: str, arn: str) -> None:
        self.region = region
        self.name = name
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:  # what Ref returns: the ARN, as on AWS
        return self.arn

    def is_created(self) -> bool:
        """Created synchronously: the stack need not wait for it."""
        return True

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == cls.ARN_ATTRIBUTE

    def get_cfn_attribute(self, attr: str) -> str:
        if attr != self.ARN_ATTRIBUTE:
            raise moto_glue.cloudformation_validation_error(
                f"{self.TYPE} has no attribute {attr} in the sandbox"
            )
        return self.arn

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> BatchResource:
        del account_id
        body = api_shape(cloudformation_json.get("Properties") or {})
        name_key = cls.NAME_PROPERTY[:1].lower() + cls.NAME_PROPERTY[1:]
        body[name_key] = resource_name
        api, lock = _api(region_name)
        stack_id = str(kwargs.get("StackId", ""))
        try:
            with lock:
                arn = cls._create(api, body)
        except BatchApiError as e:
            created: list[BatchResource] = getattr(_current, "created", [])
            for done in reversed(created):
                done.delete("", done.region)
            created.clear()
            moto_glue.discard_stack(region_name, stack_id)
            raise moto_glue.cloudformation_validation_error(
                f"{kwargs.get('LogicalId', resource_name)} ({cls.TYPE}): {e.message}"
            ) from e
        resource = cls(region_name, resource_name, arn)
        getattr(_current, "created", []).append(resource)
        return resource

    @classmethod
    def _create(cls, api: Any, body: dict[str, Any]) -> str:
        raise NotImplementedError

    def delete(self, account_id: str, region_name: str) -> None:
        del account_id
        api, lock = _api(region_name)
        with lock:
            self._delete(api)

    def _delete(self, api: Any) -> None:
        raise NotImplementedError


class ComputeEnvironment(BatchResource):
    TYPE = "AWS::Batch::ComputeEnvironment"
    NAME_PROPERTY = "ComputeEnvironmentName"
    ARN_ATTRIBUTE = "ComputeEnvironmentArn"

    @classmethod
    def _create(cls, api: Any, body: dict[str, Any]) -> str:
        return str(
            api.compute_environments.create_compute_environment(body)["computeEnvironmentArn"]
        )

    def _delete(self, api: Any) -> None:
        ces = api.compute_environments
        if api.store.find_compute_environment(self.name) is None:
            return
        ces.update_compute_environment({"computeEnvironment": self.name, "state": "DISABLED"})
        ces.delete_compute_environment({"computeEnvironment": self.name})


class JobQueue(BatchResource):
    TYPE = "AWS::Batch::JobQueue"
    NAME_PROPERTY = "JobQueueName"
    ARN_ATTRIBUTE = "JobQueueArn"

    @classmethod
    def _create(cls, api: Any, body: dict[str, Any]) -> str:
        return str(api.create_job_queue(body)["jobQueueArn"])

    def _delete(self, api: Any) -> None:
        if api.store.find_job_queue(self.name) is None:
            return
        api.update_job_queue({"jobQueue": self.name, "state": "DISABLED"})
        api.delete_job_queue({"jobQueue": self.name})


class JobDefinition(BatchResource):
    TYPE = "AWS::Batch::JobDefinition"
    NAME_PROPERTY = "JobDefinitionName"
    ARN_ATTRIBUTE = "JobDefinitionArn"

    @classmethod
    def _create(cls, api: Any, body: dict[str, Any]) -> str:
        return str(api.register_job_definition(body)["jobDefinitionArn"])

    def _delete(self, api: Any) -> None:
        if api.store.find_job_definition(self.arn) is not None:
            api.deregister_job_definition({"jobDefinition": self.arn})


#: The Batch resource types created in the sandbox's Batch; a stack with any other is refused.
ROUTED: dict[str, type[BatchResource]] = {
    cls.TYPE: cls for cls in (ComputeEnvironment, JobQueue, JobDefinition)
}


def install() -> None:
    """Point moto's CloudFormation at these classes for the routed Batch types (idempotent)."""
    moto_glue.route_cloudformation_types(dict(ROUTED))
