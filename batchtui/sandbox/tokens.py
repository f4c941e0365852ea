"""Opaque nextTokens: a cursor the client hands back, base64 so nobody reads meaning into it."""

from __future__ import annotations

import base64
import json
from typing import Any


def encode_token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def decode_token(token: str | None) -> Any:
    if not token:
        return None
    from batchtui.sandbox.batch_errors import BatchApiError

    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError) as e:
        raise BatchApiError("The nextToken is not valid") from e
