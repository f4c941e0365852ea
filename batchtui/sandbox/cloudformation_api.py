"""CloudFormation in front of moto's: Batch resources go to the sandbox's own Batch.

CreateStack creates a template's ``AWS::Batch::*`` resources in the Batch account of the stack's
region (:mod:`cloudformation_batch`), never in moto's own Batch, which the sandbox does not read;
DeleteStack deletes them there. Other Batch types, and updating Batch resources (UpdateStack,
CreateChangeSet), are not modelled: such a template is refused with AWS's ValidationError shape
and a reason naming the resources, so no stack reports resources that Batch does not have.
Everything else is moto's.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from batchtui.sandbox import cloudformation_batch, moto_glue
from batchtui.sandbox.server import ServiceRequest, ServiceResponse, error_response

#: The actions that change a stack's resources from a template (not modelled for Batch's).
TEMPLATE_ACTIONS = frozenset({"UpdateStack", "CreateChangeSet"})

#: A resource's ``Type`` in a JSON or YAML template (quoted or not).
BATCH_TYPE = re.compile(r"""["']?Type["']?\s*:\s*["']?(AWS::Batch::[A-Za-z]+)""")


def batch_resource_types(template: str) -> list[str]:
    """The ``AWS::Batch::*`` resource types a template declares, in order, once each."""
    return list(dict.fromkeys(BATCH_TYPE.findall(template)))


def _template_from_url(url: str) -> str | None:
    """A TemplateURL's body from the sandbox's S3 (path or virtual-hosted style), if there."""
    parts = urlparse(url)
    host, path = parts.netloc.split(":", 1)[0], parts.path.lstrip("/")
    if ".s3" in host and not host.startswith("s3"):
        bucket, key = host.split(".s3", 1)[0], path
    else:
        bucket, _, key = path.partition("/")
    if not bucket or not key:
        return None
    body = moto_glue.s3_object_bytes(bucket, key)
    return None if body is None else body.decode("utf-8", "replace")


def handler(sandbox: Any) -> Any:
    """The services.py factory: the gate above, in front of moto's CloudFormation."""
    cloudformation_batch.install()

    def handle(request: ServiceRequest) -> ServiceResponse | None:
        cloudformation_batch.serve_for(sandbox.regions)  # moto answers in this same thread
        form = request.form()
        action = form.get("Action", [""])[0]
        if action not in TEMPLATE_ACTIONS and action != "CreateStack":
            return None
        template = (form.get("TemplateBody") or [""])[0]
        if not template and form.get("TemplateURL"):
            template = _template_from_url(form["TemplateURL"][0]) or ""
        types = batch_resource_types(template)
        if action == "CreateStack":
            other = [t for t in types if t not in cloudformation_batch.ROUTED]
            if not other:
                return None
            return error_response(
                400,
                "ValidationError",
                f"Template declares {', '.join(other)}: the batchtui sandbox's CloudFormation "
                f"creates only {', '.join(cloudformation_batch.ROUTED)}.",
                "cloudformation",
            )
        if not types:
            return None
        return error_response(
            400,
            "ValidationError",
            f"Template declares {', '.join(types)}: the batchtui sandbox's CloudFormation does "
            "not update AWS Batch resources. Delete the stack and create it again, or change "
            "them with the Batch API.",
            "cloudformation",
        )

    return handle
