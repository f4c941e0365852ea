"""The sandbox's HTTP front: one loopback server that speaks the AWS wire protocols.

Requests are routed by the service named in their SigV4 ``Authorization`` header (what every AWS
client sends). A service that batchtui models itself (Batch, Service Quotas, Pricing, Rekognition,
parts of EC2) has a :data:`Handler`; a handler answers a request or returns ``None`` to let moto
answer it. Everything else goes straight to moto.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from batchtui.sandbox import moto_glue

_CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass
class ServiceRequest:
    """One AWS request, as a handler sees it."""

    service: str  # SigV4 signing name: batch, servicequotas, pricing, rekognition, ec2 ...
    region: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def target(self) -> str:
        """The operation of a JSON-protocol request (``X-Amz-Target: Svc.Operation``)."""
        return self.headers.get("x-amz-target", "").rsplit(".", 1)[-1]

    def json(self) -> dict[str, Any]:
        if not self.body:
            return {}
        data = json.loads(self.body)
        return data if isinstance(data, dict) else {}

    def form(self) -> dict[str, list[str]]:
        """Parameters of a query-protocol request (EC2, IAM ...), from body and query string."""
        params = dict(self.query)
        if self.body:
            params.update(parse_qs(self.body.decode("utf-8"), keep_blank_values=True))
        return params


@dataclass
class ServiceResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, status: int, payload: Any, content_type: str = "application/json"
    ) -> ServiceResponse:
        return cls(status, json.dumps(payload).encode(), {"Content-Type": content_type})


Handler = Callable[[ServiceRequest], "ServiceResponse | None"]

_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class FrontApp:
    """WSGI app: our handlers first, moto for the rest."""

    def __init__(self, handlers: dict[str, Handler]) -> None:
        self.handlers = handlers
        self.moto = moto_glue.moto_wsgi_app()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        m = _CREDENTIAL.search(auth)
        handler = self.handlers.get(m.group(2)) if m else None
        if handler is not None and m is not None:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            request = ServiceRequest(
                service=m.group(2),
                region=m.group(1),
                method=environ.get("REQUEST_METHOD", "GET"),
                path=environ.get("PATH_INFO", "/"),
                query=parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
                headers={
                    k[5:].replace("_", "-").lower(): v
                    for k, v in environ.items()
                    if k.startswith("HTTP_")
                }
                | {"content-type": environ.get("CONTENT_TYPE", "")},
                body=body,
            )
            response = handler(request)
            if response is not None:
                headers = {"Content-Length": str(len(response.body))} | response.headers
                reason = _REASONS.get(response.status, "Error")
                start_response(f"{response.status} {reason}", list(headers.items()))
                return [response.body]
            # moto answers: give it back the body we consumed.
            environ["wsgi.input"] = io.BytesIO(body)
        result: Iterable[bytes] = self.moto(environ, start_response)
        return result


class QuietRequestHandler(WSGIRequestHandler):
    """No per-request log line on stderr: the sandbox shares a terminal with the TUI and CLI."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            logging.getLogger("batchtui.sandbox.http").debug(message, *args)


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 serving :class:`FrontApp`."""

    def __init__(self, handlers: dict[str, Handler], port: int = 0) -> None:
        self.app = FrontApp(handlers)
        if port:
            # werkzeug prints to stderr and exits when the port is taken; find out first.
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", port))
        try:
            self._server: BaseWSGIServer = make_server(
                "127.0.0.1", port, self.app, threaded=True, request_handler=QuietRequestHandler
            )
        except SystemExit as e:  # werkzeug prints and exits when the port is taken
            raise OSError(errno.EADDRINUSE, f"port {port} is in use") from e
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
