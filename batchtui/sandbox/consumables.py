"""Consumable resources (AWS Batch's resource-aware scheduling): their API and who holds them.

A consumable resource is a count of something outside the compute environments (licence tokens,
database connections) that jobs name in ``consumableResourceProperties`` (their job definition's,
or SubmitJob's ``consumableResourcePropertiesOverride``). As AWS documents it, a job whose
resources are not all available waits in RUNNABLE, without a statusReason, until they are; the
quantities are locked when the job gets its place and given back when its attempt ends. A
``NON_REPLENISHABLE`` resource is not given back: what a job took stays used.

Served: Create, Describe, List, Update (SET, ADD, REMOVE), DeleteConsumableResource and
ListJobsByConsumableResource (the jobs that need a resource, oldest first, whatever their status;
each one's ``quantity`` is what it needs of that resource). Multi-node parallel jobs do not take
consumable resources here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from batchtui.sandbox.batch_errors import BatchApiError, check_name, optional_int, require
from batchtui.sandbox.batch_records import Job
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.batch_tags import check_tags
from batchtui.sandbox.tokens import page

RESOURCE_TYPES = ("REPLENISHABLE", "NON_REPLENISHABLE")
#: What a job needs: (resource name, quantity) pairs.
Needs = tuple[tuple[str, int], ...]


class ConsumableResource:
    __slots__ = ("arn", "consumed", "created_at", "name", "resource_type", "tags", "total")

    def __init__(self, name: str, arn: str, total: int, resource_type: str, now: float) -> None:
        self.name = name
        self.arn = arn
        self.total = total
        self.resource_type = resource_type
        self.consumed = 0  # NON_REPLENISHABLE: taken by jobs that ended, never given back
        self.created_at = now
        self.tags: dict[str, str] = {}


def properties(needs: Needs, batch_arn: str) -> dict[str, Any] | None:
    """``consumableResourceProperties`` as Describe shows them, each resource by its ARN (in the
    account and region of ``batch_arn``, any Batch ARN)."""
    if not needs:
        return None
    prefix = batch_arn.split("/", 1)[0].rpartition(":")[0]  # arn:aws:batch:<region>:<account>
    return {"consumableResourceList": [
        {"consumableResource": f"{prefix}:consumable-resource/{name}", "quantity": q}
        for name, q in needs]}  # fmt: skip


def not_found(ref: Any) -> BatchApiError:
    return BatchApiError(f"Consumable resource {ref} does not exist")


class Consumables:
    """The region's consumable resources and the jobs holding them."""

    def __init__(self, store: BatchStore, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock
        self.resources: dict[str, ConsumableResource] = {}
        self._held: dict[str, Needs] = {}  # job id -> what it holds

    def find(self, ref: Any) -> ConsumableResource:
        found = self.resources.get(str(ref or "").rpartition("/")[2])
        if found is None:
            raise not_found(ref)
        return found

    def check_properties(self, props: Any, field: str) -> Needs:
        """``consumableResourceProperties`` as a job definition or SubmitJob gives it."""
        if props is None:
            return ()
        items = props.get("consumableResourceList") if isinstance(props, dict) else None
        if not isinstance(items, list):
            raise BatchApiError(f"{field}.consumableResourceList must be a list")
        needs = []
        for item in items:
            if not isinstance(item, dict):
                raise BatchApiError(f"{field}.consumableResourceList items must be objects")
            resource = self.find(require(item, "consumableResource"))
            quantity = optional_int(item, "quantity")
            if quantity is None or quantity < 1:
                raise BatchApiError(f"{field}: the quantity of {resource.name} must be at least 1")
            needs.append((resource.name, quantity))
        return tuple(needs)

    # -- holding ----------------------------------------------------------------------
    def in_use(self, resource: ConsumableResource) -> int:
        held = sum(q for needs in self._held.values() for name, q in needs if name == resource.name)
        return held + resource.consumed

    def available(self, job: Job) -> bool:
        """Every resource the job needs has its quantity free (its own holding counts as free)."""
        if not job.consumables or job.job_id in self._held:
            return True
        for name, quantity in job.consumables:
            resource = self.resources.get(name)
            if resource is None or resource.total - self.in_use(resource) < quantity:
                return False
        return True

    def hold(self, job: Job) -> None:
        if job.consumables:
            self._held[job.job_id] = job.consumables

    def release(self, job: Job) -> bool:
        """The job's attempt ended: give back what it holds; True when it held anything."""
        needs = self._held.pop(job.job_id, ())
        for name, quantity in needs:
            resource = self.resources.get(name)
            if resource is not None and resource.resource_type == "NON_REPLENISHABLE":
                resource.consumed += quantity
        return bool(needs)

    # -- the API ----------------------------------------------------------------------
    def routes(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "createconsumableresource": self.create,
            "describeconsumableresource": self.describe,
            "listconsumableresources": self.list,
            "updateconsumableresource": self.update,
            "deleteconsumableresource": self.delete,
            "listjobsbyconsumableresource": self.list_jobs,
        }

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        name = require(body, "consumableResourceName")
        check_name("Consumable resource", name)
        if name in self.resources:
            raise BatchApiError(f"Consumable resource {name} already exists")
        total = optional_int(body, "totalQuantity", 0) or 0
        if total < 0:
            raise BatchApiError("totalQuantity must be non-negative")
        kind = str(body.get("resourceType") or "REPLENISHABLE")
        if kind not in RESOURCE_TYPES:
            raise BatchApiError(f"resourceType must be one of {', '.join(RESOURCE_TYPES)}")
        arn = self.store.arn("consumable-resource", name)
        resource = ConsumableResource(name, arn, total, kind, self.clock())
        resource.tags = check_tags(body.get("tags"))
        self.resources[name] = resource
        return {"consumableResourceName": name, "consumableResourceArn": arn}

    def _summary(self, r: ConsumableResource) -> dict[str, Any]:
        return {"consumableResourceName": r.name, "consumableResourceArn": r.arn,
                "totalQuantity": r.total, "inUseQuantity": self.in_use(r),
                "resourceType": r.resource_type}  # fmt: skip

    def describe(self, body: dict[str, Any]) -> dict[str, Any]:
        r = self.find(require(body, "consumableResource"))
        in_use = self.in_use(r)
        return {**self._summary(r), "availableQuantity": max(r.total - in_use, 0),
                "createdAt": int(r.created_at * 1000), "tags": dict(r.tags)}  # fmt: skip

    def list(self, body: dict[str, Any]) -> dict[str, Any]:
        found = sorted(self.resources.values(), key=lambda r: r.name)
        for f in body.get("filters") or ():
            if f.get("name") != "CONSUMABLE_RESOURCE_NAME":
                raise BatchApiError("The only filter is CONSUMABLE_RESOURCE_NAME")
            values = [str(v) for v in f.get("values") or ()]
            found = [r for r in found if any(_matches(r.name, v) for v in values)]
        chunk, token = page(found, body)
        out: dict[str, Any] = {"consumableResources": [self._summary(r) for r in chunk]}
        if token:
            out["nextToken"] = token
        return out

    def update(self, body: dict[str, Any]) -> dict[str, Any]:
        r = self.find(require(body, "consumableResource"))
        operation = str(body.get("operation") or "SET")
        quantity = optional_int(body, "quantity")
        if quantity is None or quantity < 0:
            raise BatchApiError("quantity must be given and non-negative")
        if operation == "SET":
            r.total = quantity
        elif operation == "ADD":
            r.total += quantity
        elif operation == "REMOVE":
            if quantity > r.total:
                raise BatchApiError(f"Cannot remove {quantity} from {r.name}: it has {r.total}")
            r.total -= quantity
        else:
            raise BatchApiError("operation must be SET, ADD or REMOVE")
        return {"consumableResourceName": r.name, "consumableResourceArn": r.arn,
                "totalQuantity": r.total}  # fmt: skip

    def delete(self, body: dict[str, Any]) -> dict[str, Any]:
        r = self.find(require(body, "consumableResource"))
        del self.resources[r.name]
        return {}

    def list_jobs(self, body: dict[str, Any]) -> dict[str, Any]:
        """ListJobsByConsumableResource: the jobs that need the resource (filters JOB_STATUS and
        JOB_NAME, as ListJobs words them), up to ``maxResults`` (1 to 100) a page."""
        r = self.find(require(body, "consumableResource"))
        statuses: set[str] | None = None
        names: list[str] | None = None
        for f in body.get("filters") or ():
            values = [str(v) for v in (f.get("values") or ())]
            if f.get("name") == "JOB_STATUS":
                statuses = {v.upper() for v in values}
            elif f.get("name") == "JOB_NAME":
                names = [v.lower() for v in values]
            else:
                raise BatchApiError("The filters are JOB_STATUS and JOB_NAME")
        if not 1 <= (optional_int(body, "maxResults") or 100) <= 100:
            raise BatchApiError("maxResults must be between 1 and 100")
        found = [
            (job, q)
            for job in self.store.jobs.values()
            for name, q in job.consumables
            if name == r.name
            and (statuses is None or job.status in statuses)
            and (names is None or any(_matches(job.name.lower(), v) for v in names))
        ]
        found.sort(key=lambda jq: jq[0].created_at)  # stable: submission order within a tie
        chunk, token = page(found, body)
        out: dict[str, Any] = {"jobs": [self._job_summary(job, q) for job, q in chunk]}
        if token:
            out["nextToken"] = token
        return out

    def _job_summary(self, job: Job, quantity: int) -> dict[str, Any]:
        summary = {
            "jobArn": self.store.job_arn(job.job_id),
            "jobQueueArn": self.store.arn("job-queue", job.queue),
            "jobName": job.name,
            "jobDefinitionArn": job.job_def.arn,
            "shareIdentifier": job.share_identifier,
            "jobStatus": job.status,
            "quantity": quantity,
            "statusReason": job.status_reason,
            "startedAt": None if job.started_at is None else int(job.started_at * 1000),
            "createdAt": int(job.created_at * 1000),
            "consumableResourceProperties": properties(job.consumables, job.job_def.arn),
        }
        return {k: v for k, v in summary.items() if v is not None}


def _matches(name: str, value: str) -> bool:
    """A filter value: a name, or a prefix ending in ``*``."""
    return name.startswith(value[:-1]) if value.endswith("*") else name == value
