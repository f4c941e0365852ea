"""AWS answering with an error: throttling, a server fault, an API the account does not have.

The sandbox answers every call it gets; these tests need calls that fail. The failure is made
at botocore's ``before-send`` event of the app's own clients, so everything above the wire is
real (retries, the call counter, error translation) and every call that is let through reaches
the sandbox. Only the error response is made here; no data is.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse


class _Body:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


class Faults:
    """While ``code`` is set, Batch calls (all, or the ``operations`` named, e.g. ``ListJobs``)
    answer with it."""

    def __init__(self, aws: Any) -> None:
        self.code: str | None = None
        self.operations: set[str] | None = None
        self.answered: list[str] = []
        aws.client("batch").meta.events.register("before-send.batch", self._send)

    def fail(self, code: str | None, *operations: str) -> None:
        self.code = code
        self.operations = set(operations) or None

    def _send(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]  # before-send.batch.ListJobs
        if self.code is None:
            return None
        if self.operations is not None and operation not in self.operations:
            return None
        self.answered.append(operation)
        payload = {"__type": self.code, "message": f"the test made AWS answer {self.code}"}
        headers = {"x-amzn-errortype": self.code}
        return AWSResponse(request.url, 400, headers, _Body(json.dumps(payload).encode()))
