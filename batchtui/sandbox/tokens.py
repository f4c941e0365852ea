"""Opaque nextTokens, and the offset paging of the Describe operations built on them.

A token is a cursor the client hands back, base64 so nobody reads meaning into it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

from batchtui.sandbox.batch_errors import BatchApiError, optional_int


def encode_token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def decode_token(token: str | None) -> Any:
    if not token:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError) as e:
        raise BatchApiError("The nextToken is not valid") from e


def page(
    items: Sequence[Any], body: dict[str, Any], limit: int = 100
) -> tuple[list[Any], str | None]:
    """Offset paging for the Describe operations (their lists are small)."""
    start = decode_token(body.get("nextToken")) or 0
    size = optional_int(body, "maxResults") or limit
    if not isinstance(start, int) or size < 1:
        raise BatchApiError("The nextToken or maxResults is not valid")
    chunk = list(items[start : start + size])
    more = start + size < len(items)
    return chunk, encode_token(start + size) if more else None


def described(
    key: str, items: Sequence[Any], body: dict[str, Any], view: Callable[[Any], Any]
) -> dict[str, Any]:
    """A Describe operation's answer: one page of ``items`` as ``view`` shows them, under ``key``,
    with a nextToken when more remain."""
    chunk, token = page(items, body)
    out: dict[str, Any] = {key: [view(item) for item in chunk]}
    if token:
        out["nextToken"] = token
    return out
