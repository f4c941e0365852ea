"""A profile's IAM setup as text: the aws CLI commands that create it, one a line."""

from __future__ import annotations

import re
import shlex

from batchtui.changes.iam import IamRequest, IamSetup

_PURPOSES = {
    "service": "AWS Batch's service role",
    "instance": "the compute environments' instance role",
    "job": "the role the jobs run as",
}


def _flag(name: str) -> str:
    """An IAM parameter's aws CLI option: ``AWSServiceName`` -> ``--aws-service-name``."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|$)|[A-Z][a-z]*", name)
    return "--" + "-".join(w.lower() for w in words)


def _command(request: IamRequest) -> str:
    verb = "-".join(w.lower() for w in re.findall(r"[A-Z][a-z]*", request.operation))
    args = " ".join(f"{_flag(k)} {shlex.quote(v)}" for k, v in request.params.items())
    return f"aws iam {verb} {args}"


def iam_script(setup: IamSetup) -> str:
    """The shell commands that create ``setup`` in an account that has none of it."""
    lines = [f"# IAM for AWS Batch in account {setup.account_id}"]
    for request in setup.requests():
        if request.operation == "CreateServiceLinkedRole":
            lines.append("# AWS Batch's service-linked role (AWSServiceRoleForBatch)")
        elif request.operation == "CreateRole":
            role = next(r for r in setup.roles if r.name == request.params["RoleName"])
            lines.append(f"# {role.name}: {_PURPOSES.get(role.purpose, role.purpose)}")
        elif request.operation == "CreateInstanceProfile":
            lines.append(f"# instance profile {request.params['InstanceProfileName']}")
        lines.append(_command(request))
    return "\n".join(lines)
