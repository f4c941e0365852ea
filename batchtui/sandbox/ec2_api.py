"""EC2 as the sandbox's compute environments make it look: their instances, and spot prices.

The instances live in the scheduler. Before each EC2 request to a region they are written into
moto's EC2 (new ones run, gone ones terminated), each with the sandbox's instance id, type,
subnet, simulated launch time and the tags AWS Batch's Auto Scaling group puts on them
(``aws:autoscaling:groupName``, ``AWSBatchServiceTag`` and the compute environment's own
``tags``), so moto answers DescribeInstances and the rest for them. DescribeSpotPriceHistory is
:mod:`pricing_api`'s, DescribeSpotFleetRequests and DescribeSpotFleetRequestHistory of the
compute environments' Spot Fleet requests :mod:`spot_fleets`'; every other EC2 action is moto's.
"""

from __future__ import annotations

from typing import Any

from batchtui.sandbox import moto_glue, pricing_api
from batchtui.sandbox.batch_records import ComputeEnvironmentRecord, Instance
from batchtui.sandbox.regions import RegionalAccount
from batchtui.sandbox.server import ServiceRequest, ServiceResponse


def instance_tags(ce: ComputeEnvironmentRecord) -> dict[str, str]:
    own = ce.compute_resources.get("tags") or {}
    tags = {str(k): str(v) for k, v in own.items()} if isinstance(own, dict) else {}
    tags["aws:autoscaling:groupName"] = ce.autoscaling_group
    tags["AWSBatchServiceTag"] = ce.name
    return tags


class Ec2Api:
    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.spot_prices = pricing_api.ec2_handler(sandbox)
        self._written: dict[str, dict[str, str]] = {}  # region -> instance id -> reservation
        self._ended: set[str] = set()  # instance ids terminated in moto

    def __call__(self, request: ServiceRequest) -> ServiceResponse | None:
        if request.region in self.sandbox.regions:
            account: RegionalAccount = self.sandbox.regions[request.region]
            with account.scheduler.lock:
                account.scheduler.catch_up()
                self.write_instances(account)
                fleets = account.scheduler.fleet.launches.spot_fleets.answer(request)
            if fleets is not None:
                return fleets
        elif moto_glue.ec2_loaded():  # a region this sandbox has no account in: no instances
            moto_glue.show_only(request.region, set())
        response: ServiceResponse | None = self.spot_prices(request)
        return response

    def write_instances(self, account: RegionalAccount) -> None:
        """Bring moto's EC2 in line with the region's instances."""
        region, store = account.region, account.store
        written = self._written.setdefault(region, {})
        moto_glue.show_only(region, set(written.values()))
        live: dict[str, Instance] = dict(store.instances)
        for gone in sorted(set(written) - set(live) - self._ended):
            moto_glue.terminate_instance(region, gone)  # shown terminated, as EC2 does a while
            self._ended.add(gone)
        for instance_id, inst in live.items():
            if instance_id in written:
                continue
            ce = store.compute_environments.get(inst.ce_name)
            if ce is None or ce.eks_configuration is not None:
                continue
            written[instance_id] = moto_glue.put_instance(
                region, instance_id, inst.itype.name, inst.subnet, inst.zone, instance_tags(ce),
                inst.launched_at)  # fmt: skip


def handler(sandbox: Any) -> Ec2Api:
    """The services.py factory: EC2 with the compute environments' instances in it."""
    return Ec2Api(sandbox)
