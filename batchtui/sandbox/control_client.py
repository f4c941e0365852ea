"""A client of the sandbox's control API (:mod:`.control`), for tests and scripts.

It signs its requests with SigV4 like any AWS client, so it reaches a sandbox that requires its
own keys as well as one that takes any::

    control = SandboxControl(sandbox.url, sandbox.credentials, sandbox.region)
    control.inject_fault("batch", "CreateComputeEnvironment", nth=2, code="ServerException",
                         status=500)
    ...
    control.clear_faults()
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from batchtui.sandbox.control import FAULTS_PATH

#: The signing name the control requests carry (the gate accepts any; this one says what it is).
SIGNING_NAME = "batchtui"


class SandboxControlError(Exception):
    """The control API refused a request; ``code`` and ``status`` are what it answered."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class SandboxControl:
    """Signed requests to one sandbox's control API."""

    def __init__(
        self,
        url: str,
        credentials: tuple[str, str] = ("testing", "testing"),
        region: str = "us-east-1",
        host: str | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError(f"the sandbox listens on loopback only, not {parts.hostname!r}")
        self.url = url.rstrip("/")
        self.credentials = credentials
        self.region = region
        #: The Host header to send, when not the URL's own (the tests send a foreign one).
        self.host = host

    @classmethod
    def of(cls, sandbox: Any) -> SandboxControl:
        """The control client of a started :class:`~batchtui.sandbox.Sandbox`."""
        return cls(sandbox.url, sandbox.credentials, sandbox.region)

    def inject_fault(
        self,
        service: str,
        operation: str,
        *,
        code: str,
        status: int = 400,
        nth: int = 1,
        times: int = 1,
        message: str | None = None,
    ) -> dict[str, Any]:
        """Make calls ``nth`` .. ``nth + times - 1`` of ``operation`` (counted from now) fail."""
        spec: dict[str, Any] = {"service": service, "operation": operation, "nth": nth,
                                "times": times, "code": code, "status": status}  # fmt: skip
        if message is not None:
            spec["message"] = message
        fault: dict[str, Any] = self.send("POST", FAULTS_PATH, spec)["fault"]
        return fault

    def faults(self) -> list[dict[str, Any]]:
        """The faults set, each with ``calls`` seen and ``injected`` errors so far."""
        faults: list[dict[str, Any]] = self.send("GET", FAULTS_PATH)["faults"]
        return faults

    def clear_faults(self) -> int:
        cleared: int = self.send("DELETE", FAULTS_PATH)["cleared"]
        return cleared

    def send(self, method: str, path: str, payload: Any = None, *, sign: bool = True) -> Any:
        """One control request; the answer's JSON, or :class:`SandboxControlError`."""
        body = b"" if payload is None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        if sign:
            request = AWSRequest(method=method, url=self.url + path, data=body, headers=headers)
            SigV4Auth(Credentials(*self.credentials), SIGNING_NAME, self.region).add_auth(request)
            headers = dict(request.headers.items())
        parts = urlsplit(self.url)
        headers["Host"] = self.host or parts.netloc
        connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=30
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            status, data = response.status, response.read()
        finally:
            connection.close()
        answer = json.loads(data) if data else {}
        if status >= 300:
            raise SandboxControlError(
                status,
                str(answer.get("__type") or response.getheader("x-amzn-ErrorType") or ""),
                str(answer.get("message") or answer.get("Message") or ""),
            )
        return answer
