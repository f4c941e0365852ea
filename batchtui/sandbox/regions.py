"""The sandbox's account, one state per region, as AWS keeps each region's resources apart.

The default region's account holds the seed (the demo account, or an empty one); any other
region's account is made, empty, by the first request signed for that region, so a region
nobody calls costs nothing. Each holds its own Batch store, scheduler and Service Quotas values;
its ARNs, ECS clusters and log groups name its region. Services whose state is per region get a
:class:`RegionalHandler`: one handler per region, each made for that region's account.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from batchtui.model import InstanceType
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.catalog import instance_types
from batchtui.sandbox.config import REGION_NAME
from batchtui.sandbox.scheduler import Scheduler
from batchtui.sandbox.server import Handler, ServiceRequest, ServiceResponse, error_response


@dataclass
class RegionalAccount:
    """One region's state: what a regional service's handler factory is given."""

    region: str
    store: BatchStore
    scheduler: Scheduler
    #: Service Quotas code -> value, read live by the scheduler.
    quotas: dict[str, float]

    @property
    def catalog(self) -> dict[str, InstanceType]:
        return instance_types()


class Regions:
    """The accounts by region, each made by ``make(region)`` on first use."""

    def __init__(self, make: Callable[[str], RegionalAccount]) -> None:
        self._make = make
        self._accounts: dict[str, RegionalAccount] = {}
        self._lock = threading.Lock()

    def add(self, account: RegionalAccount) -> None:
        with self._lock:
            self._accounts[account.region] = account

    def __getitem__(self, region: str) -> RegionalAccount:
        with self._lock:
            account = self._accounts.get(region)
            if account is None:
                account = self._accounts[region] = self._make(region)
            return account

    def __contains__(self, region: object) -> bool:
        return region in self._accounts

    def __iter__(self) -> Iterator[RegionalAccount]:
        """The accounts made so far (a snapshot: a request may add one meanwhile)."""
        with self._lock:
            return iter(list(self._accounts.values()))


class RegionalHandler:
    """A service's handler per region, made by ``factory(account)`` on its first request."""

    def __init__(self, factory: Callable[[RegionalAccount], Handler], regions: Regions) -> None:
        self._factory = factory
        self._regions = regions
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def __call__(self, request: ServiceRequest) -> ServiceResponse | None:
        if not REGION_NAME.match(request.region):
            return error_response(
                400,
                "UnrecognizedClientException",
                f"The request is signed for {request.region!r}, which is not an AWS region name.",
                request.service,
            )
        with self._lock:
            handler = self._handlers.get(request.region)
            if handler is None:
                handler = self._factory(self._regions[request.region])
                self._handlers[request.region] = handler
        return handler(request)
