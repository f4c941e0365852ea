"""Faults the sandbox injects on request: the n-th call of an operation answers an AWS error.

A test (or anyone holding the sandbox's keys, on its loopback address) sets a :class:`Fault`:
a service and an operation, the call that fails (counted from when the fault is set, 1-based),
how many calls in a row fail from there, and the error (AWS code, message, HTTP status). The
sandbox's HTTP gate asks :meth:`FaultInjector.fault_for` about every request that passed it, so
the error travels the same path as any answer, in the service's own error shape, and botocore
reads it (and retries it, or not) as it would AWS's.

Which operation a request calls is read the way the service's protocol says, from botocore's
model: ``X-Amz-Target`` (JSON protocols), the ``Action`` parameter (query protocols: IAM, EC2,
STS) or the method and request URI template (REST protocols: Batch, S3).
"""

from __future__ import annotations

import difflib
import functools
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

#: What an AWS error code looks like (it travels in a header and in the body).
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9.:_-]{0,127}$")
DEFAULT_MESSAGE = "This error was injected by the sandbox's fault injector."


class FaultSpecError(ValueError):
    """A fault that cannot be set; the message names the field and what it takes."""


@dataclass
class Fault:
    """One fault: calls ``nth`` to ``nth + times - 1`` of ``operation`` answer the error."""

    service: str  # the service's name as boto3 takes it: batch, iam, ec2, service-quotas ...
    operation: str  # the API's operation name: CreateComputeEnvironment
    nth: int
    code: str
    status: int
    message: str = DEFAULT_MESSAGE
    times: int = 1
    #: Calls of the operation seen since the fault was set, and how many got the error.
    calls: int = 0
    injected: int = 0
    signing_name: str = field(default="", repr=False)

    def describe(self) -> dict[str, Any]:
        """The fault as the control API shows it."""
        return {
            "service": self.service,
            "operation": self.operation,
            "nth": self.nth,
            "times": self.times,
            "code": self.code,
            "message": self.message,
            "status": self.status,
            "calls": self.calls,
            "injected": self.injected,
        }


@dataclass(frozen=True)
class RequestLine:
    """What the injector needs of a request: who it is for and what it asks."""

    service: str  # the SigV4 signing name
    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class FaultInjector:
    """The faults set on one sandbox; safe to use from the server's request threads."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, spec: Mapping[str, Any]) -> Fault:
        """Set the fault ``spec`` describes (the control API's JSON); raises
        :class:`FaultSpecError` naming the field that is wrong."""
        fault = parse_fault(spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> int:
        """Remove every fault; how many there were."""
        with self._lock:
            n = len(self._faults)
            self._faults.clear()
        return n

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.describe() for f in self._faults]

    def fault_for(self, request: RequestLine) -> Fault | None:
        """The fault ``request`` answers with, or None; counts the request for each fault
        on its operation."""
        with self._lock:
            if not self._faults:
                return None
            hit: Fault | None = None
            for fault in self._faults:
                if fault.signing_name != request.service:
                    continue
                if operation_of(fault.service, request) != fault.operation:
                    continue
                fault.calls += 1
                if hit is None and fault.nth <= fault.calls < fault.nth + fault.times:
                    fault.injected += 1
                    hit = fault
            return hit


def parse_fault(spec: Mapping[str, Any]) -> Fault:
    """A :class:`Fault` from the control API's JSON object, every field checked."""
    if not isinstance(spec, Mapping):
        raise FaultSpecError("a fault is a JSON object")
    known = {"service", "operation", "nth", "times", "code", "message", "status"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise FaultSpecError(
            f"unknown field {unknown[0]!r}: a fault takes {', '.join(sorted(known))}"
        )
    service = _text(spec, "service")
    model = _service_model(service)
    operation = _text(spec, "operation")
    if operation not in model.operation_names:
        close = difflib.get_close_matches(operation, model.operation_names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise FaultSpecError(f"operation: {service} has no operation {operation!r}{hint}")
    code = _text(spec, "code")
    if not _CODE.match(code):
        raise FaultSpecError(f"code: {code!r} is not an AWS error code (e.g. ThrottlingException)")
    message = spec.get("message", DEFAULT_MESSAGE)
    if not isinstance(message, str):
        raise FaultSpecError("message: must be a string")
    return Fault(
        service=service,
        operation=operation,
        nth=_whole(spec, "nth", 1, 1, 1_000_000),
        times=_whole(spec, "times", 1, 1, 1_000_000),
        code=code,
        message=message,
        status=_whole(spec, "status", 400, 400, 599),
        signing_name=model.signing_name or service,
    )


def _text(spec: Mapping[str, Any], key: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise FaultSpecError(f"{key}: required, a non-empty string")
    return value


def _whole(spec: Mapping[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise FaultSpecError(f"{key}: must be a whole number from {lo} to {hi} (got {value!r})")
    return value


@functools.cache
def _service_model(service: str) -> Any:
    import botocore.session
    from botocore.exceptions import UnknownServiceError

    session = botocore.session.get_session()
    try:
        return session.get_service_model(service)
    except UnknownServiceError:
        names = session.get_available_services()
        close = difflib.get_close_matches(service, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise FaultSpecError(
            f"service: {service!r} is not a service name boto3 knows{hint}"
        ) from None


def operation_of(service: str, request: RequestLine) -> str:
    """The operation ``request`` calls, read as ``service``'s protocol carries it ("" if none)."""
    model = _service_model(service)
    if model.protocol in ("json", "smithy-rpc-v2-cbor"):
        return request.headers.get("x-amz-target", "").rsplit(".", 1)[-1]
    if model.protocol in ("query", "ec2"):
        params = parse_qs(request.query_string)
        if request.body and "x-www-form-urlencoded" in request.headers.get("content-type", ""):
            params.update(parse_qs(request.body.decode("utf-8", "replace")))
        return (params.get("Action") or [""])[0]
    return _rest_operation(service, request)


def _rest_operation(service: str, request: RequestLine) -> str:
    """A REST request's operation: the most specific request URI template that matches."""
    query = parse_qs(request.query_string, keep_blank_values=True)
    best, best_score = "", -1
    for name, method, pattern, keys, literal in _rest_routes(service):
        if method != request.method or not pattern.fullmatch(request.path):
            continue
        if not all(k in query for k in keys):
            continue
        score = literal + 1000 * len(keys)
        if score > best_score:
            best, best_score = name, score
    return best


@functools.cache
def _rest_routes(
    service: str,
) -> tuple[tuple[str, str, re.Pattern[str], tuple[str, ...], int], ...]:
    model = _service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = str(http.get("requestUri", "/"))
        path, _, query = uri.partition("?")
        parts = re.split(r"(\{[^}]+\})", path)
        regex = "".join(
            (".+" if p.endswith("+}") else "[^/]+") if p.startswith("{") else re.escape(p)
            for p in parts
        )
        keys = tuple(q.split("=", 1)[0] for q in query.split("&") if q)
        literal = sum(len(p) for p in parts if not p.startswith("{"))
        routes.append((name, str(http.get("method", "GET")), re.compile(regex), keys, literal))
    return tuple(routes)
