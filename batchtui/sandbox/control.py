"""The sandbox's control API: requests to ``/_batchtui/...`` steer the sandbox itself.

It is served by the same gate as every AWS request (loopback Host only, SigV4 signature
required, and with ``require_credentials`` only the sandbox's own keys), so nothing that cannot
already call the sandbox's AWS can steer it. No AWS API has a path starting with ``/_``
(an S3 bucket name cannot start with an underscore), so the prefix never hides a real request.

``/_batchtui/faults`` (see :mod:`.faults`):

- ``GET``: the faults set, each with the calls it has seen and how many it failed;
- ``POST`` a JSON fault ``{"service": "batch", "operation": "CreateComputeEnvironment",
  "nth": 2, "code": "ServerException", "message": "...", "status": 500}`` (``times``, default 1,
  fails that many calls in a row): sets it, answers it with ``201``;
- ``DELETE``: clears every fault.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from batchtui.sandbox.faults import FaultInjector, FaultSpecError

PREFIX = "/_batchtui/"
FAULTS_PATH = PREFIX + "faults"


@dataclass(frozen=True)
class ControlAnswer:
    """The control API's answer: an HTTP status and a JSON payload, or an error to word as
    AWS's (code and message)."""

    status: int
    payload: Any = None
    code: str = ""
    message: str = ""


def is_control(path: str) -> bool:
    return path.startswith(PREFIX)


def answer(faults: FaultInjector, method: str, path: str, body: bytes) -> ControlAnswer:
    """What the control API answers ``method path`` with ``body``."""
    if path.rstrip("/") != FAULTS_PATH:
        return ControlAnswer(404, code="NotFound", message=f"the sandbox has no control {path!r}")
    if method == "GET":
        return ControlAnswer(200, {"faults": faults.describe()})
    if method == "DELETE":
        return ControlAnswer(200, {"cleared": faults.clear()})
    if method != "POST":
        return ControlAnswer(
            405, code="MethodNotAllowed", message=f"{FAULTS_PATH} takes GET, POST or DELETE"
        )
    try:
        spec = json.loads(body or b"null")
    except ValueError:
        return ControlAnswer(400, code="SerializationException", message="the body is not JSON")
    try:
        fault = faults.add(spec)
    except FaultSpecError as e:
        return ControlAnswer(400, code="ValidationException", message=str(e))
    return ControlAnswer(201, {"fault": fault.describe()})
