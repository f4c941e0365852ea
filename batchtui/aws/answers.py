"""Only whole, well-formed answers reach the rest of batchtui.

botocore reads a body without enforcing its Content-Length (a connection closed half-way
leaves a shorter body), and its JSON parser returns an empty result for a body it cannot parse.
So a cut-short ListJobs page read as "no jobs, no nextToken": a listing ended early and looked
complete. :func:`check_answer`, hooked on botocore's ``after-call`` event, turns such an answer
into :class:`IncompleteAnswer`, which the session retries like a dropped connection.
"""

from __future__ import annotations

import json
from typing import Any

#: Protocols whose bodies are JSON (botocore's resolved protocol names).
JSON_PROTOCOLS = frozenset({"json", "rest-json"})


class IncompleteAnswer(Exception):
    """An answer shorter than its Content-Length, or a JSON body that does not parse."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def check_answer(http_response: Any, model: Any, **_: Any) -> None:
    """botocore ``after-call`` handler: raise :class:`IncompleteAnswer` for a body that is not
    the whole, well-formed answer. Streamed bodies (S3 GetObject) are left to their reader."""
    if http_response is None or model.has_streaming_output:
        return
    body: bytes = http_response.content or b""
    announced = http_response.headers.get("content-length")
    if announced is not None and str(announced).strip().isdigit():
        expected = int(announced)
        if expected != len(body):
            raise IncompleteAnswer(f"got {len(body):,} of {expected:,} bytes")
    encoding = str(http_response.headers.get("content-encoding") or "identity").lower()
    protocol = model.service_model.resolved_protocol
    if protocol in JSON_PROTOCOLS and encoding == "identity" and body.strip():
        try:
            json.loads(body)
        except ValueError as e:  # UnicodeDecodeError is a ValueError too
            raise IncompleteAnswer(f"a body that is not JSON: {e}") from None
