"""CloudFormation's gate for Batch resources: stacks that declare ``AWS::Batch::*`` are refused.

moto's CloudFormation would create such resources in moto's own Batch, which the sandbox never
reads: the stack would report CREATE_COMPLETE for a compute environment, queue or job definition
that DescribeComputeEnvironments and the rest do not show. Until the sandbox creates them in its
own Batch store, CreateStack, UpdateStack and CreateChangeSet with such a template are refused
with AWS's ValidationError shape and a reason that names the resources; every other template
(and every other CloudFormation action) goes to moto.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from batchtui.sandbox import moto_glue
from batchtui.sandbox.server import ServiceRequest, ServiceResponse, error_response

#: The actions that create or change a stack's resources from a template.
TEMPLATE_ACTIONS = frozenset({"CreateStack", "UpdateStack", "CreateChangeSet"})

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
    del sandbox

    def handle(request: ServiceRequest) -> ServiceResponse | None:
        form = request.form()
        if form.get("Action", [""])[0] not in TEMPLATE_ACTIONS:
            return None
        template = (form.get("TemplateBody") or [""])[0]
        if not template and form.get("TemplateURL"):
            template = _template_from_url(form["TemplateURL"][0]) or ""
        types = batch_resource_types(template)
        if not types:
            return None
        return error_response(
            400,
            "ValidationError",
            f"Template declares {', '.join(types)}: the batchtui sandbox's CloudFormation does "
            "not create AWS Batch resources. Create them with the Batch API against the sandbox "
            "instead.",
            "cloudformation",
        )

    return handle
