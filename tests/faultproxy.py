"""A fault-injecting HTTP proxy on 127.0.0.1, in front of the sandbox.

It forwards every request to the sandbox and, where a :class:`Rule` says so, answers instead
with throttling, a server error, a dropped connection, a body cut short (the full
Content-Length announced, half the bytes sent, the connection closed) or a late answer.
Rules pick requests by operation and by a deterministic schedule: the n-th request of an
operation, a seeded share of them, or a window on a clock the test controls (the same clock
the client's retries sleep on, so "a 5-second outage" passes without waiting 5 seconds).

    with FaultProxy(sandbox.url) as proxy:
        proxy.rules = [Rule("cut", ops={"ListJobs"}, rate=0.1, seed=3)]
        ... point the client at proxy.url ...
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULTS = ("throttle", "error", "deny", "drop", "cut", "garble", "hang", "hold")


@dataclass
class Rule:
    """Which requests get which fault.

    ``ops``: operation names (empty: every operation). A matching request gets the fault when
    it is one of the ``nth`` requests of its operation (1-based), or falls in ``during`` (on
    the proxy's clock), or, with neither given, with probability ``rate`` drawn from a
    generator seeded with ``seed`` (the same requests in the same order get the same faults).
    ``outage_s`` with ``nth``: an outage that starts at the first of the ``nth`` requests and
    lasts that long on the proxy's clock, for every matching request.
    ``hang`` holds the connection ``hang_s`` real seconds without answering.
    ``hold`` forwards the request only once the test calls :meth:`FaultProxy.release`, then
    answers normally; :attr:`FaultProxy.holding` is set meanwhile, so a test knows its client
    is inside that call while it acts, and :attr:`FaultProxy.answered` once the upstream has
    answered it.
    """

    fault: str
    ops: Collection[str] = ()
    rate: float = 1.0
    seed: int = 0
    nth: Collection[int] = ()
    during: tuple[float, float] | None = None
    hang_s: float = 5.0
    outage_s: float | None = None
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}: one of {FAULTS}")
        self.ops = frozenset(op.lower() for op in self.ops)
        self._random = random.Random(self.seed)

    def fires(self, op: str, n: int, now: float) -> bool:
        if self.ops and op not in self.ops:
            return False
        if self.outage_s is not None and self.during is None and n in self.nth:
            self.during = (now, now + self.outage_s)
        if self.nth and self.during is None:
            return n in self.nth
        if self.during is not None:
            return self.during[0] <= now < self.during[1]
        return self._random.random() < self.rate


class FaultProxy:
    """The proxy; ``log`` records (operation, fault or "") of every request, in order."""

    def __init__(self, upstream: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        parts = urlsplit(upstream)
        assert parts.hostname in ("127.0.0.1", "localhost"), "the proxy forwards to loopback only"
        self.upstream = (parts.hostname, parts.port or 80)
        self.clock = clock
        self.rules: list[Rule] = []
        self.log: list[tuple[str, str]] = []
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._released = threading.Event()
        self.holding = threading.Event()  # set once a request is held
        #: Set once a held request, released, got the upstream's answer (whether or not its
        #: client is still there to read it).
        self.answered = threading.Event()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        """Let every held request (and any later one) through."""
        self._released.set()

    def reset(self, *rules: Rule) -> None:
        """New rules, and the request counts (``nth``) and log start again."""
        with self._lock:
            self.rules = list(rules)
            self.log.clear()
            self.counts.clear()

    def faults(self, fault: str | None = None) -> int:
        """How many requests got ``fault`` (any fault when None)."""
        with self._lock:
            return sum(1 for _, f in self.log if f and (fault is None or f == fault))

    def decide(self, op: str) -> Rule | None:
        with self._lock:
            self.counts[op] += 1
            n = self.counts[op]
            now = self.clock()
            rule = next((r for r in self.rules if r.fires(op, n, now)), None)
            self.log.append((op, rule.fault if rule else ""))
            return rule

    def forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        # A reverse proxy names its upstream in Host (as nginx's proxy_pass does): the sandbox
        # answers only requests addressed to itself. Its signature is not checked (any keys).
        headers = {k: v for k, v in headers.items() if k.lower() != "host"}
        headers["Host"] = f"{self.upstream[0]}:{self.upstream[1]}"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()


def operation_of(path: str, headers: Any, body: bytes) -> str:
    """The AWS operation of a request, lower-cased: JSON (X-Amz-Target), REST-JSON (the last
    path segment, as the sandbox's Batch paths are) or query (the Action parameter)."""
    target = headers.get("X-Amz-Target")
    if target:
        return str(target).rsplit(".", 1)[-1].lower()
    if body[:7] == b"Action=" or b"&Action=" in body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
        return action.lower()
    return urlsplit(path).path.rstrip("/").rsplit("/", 1)[-1].lower()


def _error_body(headers: Any, body: bytes, code: str, message: str) -> tuple[str, bytes]:
    """An AWS error in the request's protocol: JSON, EC2's XML or the query protocol's XML."""
    if headers.get("X-Amz-Target") or b"Action=" not in body:
        return "application/json", json.dumps({"__type": code, "message": message}).encode()
    if b"Version=2016-11-15" in body:  # EC2
        xml = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
            "</Error></Errors><RequestID>faultproxy</RequestID></Response>"
        )
    else:
        xml = (
            f"<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>faultproxy</RequestId>"
            "</ErrorResponse>"
        )
    return "text/xml", xml.encode()


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def do_DELETE(self) -> None:
            self._handle()

        def do_HEAD(self) -> None:  # S3's HeadObject
            self._handle()

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            op = operation_of(self.path, self.headers, body)
            rule = proxy.decide(op)
            fault = rule.fault if rule else ""
            if fault == "drop":
                self.close_connection = True
                return  # nothing written: the client sees the connection close
            if fault == "hang":
                proxy._stop.wait(rule.hang_s if rule else 0)
                self.close_connection = True
                return
            if fault == "hold":
                proxy.holding.set()
                # Bounded, so a test that forgets to release fails instead of hanging.
                proxy._released.wait(60)
            if fault in ("throttle", "error", "deny"):
                status, code, message = {
                    "throttle": (400, "ThrottlingException", "Rate exceeded"),
                    "error": (500, "ServerException", "Internal server error."),
                    "deny": (403, "AccessDeniedException",
                             f"User is not authorized to perform: {op} on this resource"),
                }[fault]  # fmt: skip
                if fault == "throttle" and b"Version=2016-11-15" in body:
                    code = "RequestLimitExceeded"
                if fault == "error" and b"Action=" in body:
                    code = "InternalError"
                ctype, payload = _error_body(self.headers, body, code, message)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("x-amzn-ErrorType", code)
                self.end_headers()
                self.wfile.write(payload)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            status, resp_headers, resp_body = proxy.forward(self.command, self.path, headers, body)
            if fault == "hold":
                proxy.answered.set()
            self.send_response(status)
            for k, v in resp_headers:
                if k.lower() not in ("content-length", "connection", "transfer-encoding", "date",
                                     "server"):  # fmt: skip
                    self.send_header(k, v)
            if self.command == "HEAD":  # no body: the upstream's length describes the object
                length = dict((k.lower(), v) for k, v in resp_headers).get("content-length", "0")
                self.send_header("Content-Length", length)
                self.end_headers()
                return
            self.send_header("Content-Length", str(len(resp_body)))
            if fault == "cut":
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(resp_body[: len(resp_body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if fault == "garble":  # whole length, bytes that do not parse
                resp_body = b"\x00" * len(resp_body)
            self.end_headers()
            self.wfile.write(resp_body)

    return Handler


class SimClock:
    """The retries' (and the proxy's) clock for a test: ``sleep`` moves it on at once."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds
