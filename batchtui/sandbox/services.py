"""Which services the sandbox answers itself, by SigV4 signing name; moto answers the rest.

Each entry names a factory ``module:function`` called with the started Sandbox (or, for the
services in :data:`REGIONAL`, with one region's account, once per region), returning a handler
``(ServiceRequest) -> ServiceResponse | None`` (None lets moto answer that request). Add a
service with one line here. ``ec2`` and ``ecs`` are shared with moto: their handlers answer
only the actions they model (DescribeSpotPriceHistory; a compute environment's container
instances) and return None for the rest; ``iam`` only loads the AWS managed policy a request
names, then lets moto answer.
"""

from __future__ import annotations

SERVICES: dict[str, str] = {
    "batch": "batchtui.sandbox.batch_api:handler",
    "rekognition": "batchtui.sandbox.rekognition_api:handler",
    "servicequotas": "batchtui.sandbox.quotas_api:handler",
    "pricing": "batchtui.sandbox.pricing_api:pricing_handler",
    "ec2": "batchtui.sandbox.ec2_api:handler",
    "autoscaling": "batchtui.sandbox.autoscaling_api:handler",
    "ecs": "batchtui.sandbox.ecs_api:handler",
    "cloudformation": "batchtui.sandbox.cloudformation_api:handler",
    "iam": "batchtui.sandbox.iam_api:handler",
}

#: Services whose state is per region (each region's account: :mod:`regions`).
REGIONAL = frozenset({"batch", "ecs", "servicequotas", "autoscaling"})
