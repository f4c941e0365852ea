"""IAM: moto answers every request; this handler first loads the AWS managed policy that an
AttachRolePolicy names (moto knows them but loads none by default), as AWS always has them."""

from __future__ import annotations

from typing import Any

from batchtui.sandbox import moto_glue
from batchtui.sandbox.server import Handler, ServiceRequest, ServiceResponse

_ATTACH = frozenset({"AttachRolePolicy", "AttachUserPolicy", "AttachGroupPolicy", "GetPolicy",
                     "GetPolicyVersion"})  # fmt: skip


def handler(sandbox: Any) -> Handler:
    del sandbox

    def handle(request: ServiceRequest) -> ServiceResponse | None:
        form = request.form()
        if (form.get("Action") or [""])[0] in _ATTACH:
            for arn in form.get("PolicyArn", []):
                moto_glue.ensure_aws_managed_policy(arn)
        return None

    return handle
