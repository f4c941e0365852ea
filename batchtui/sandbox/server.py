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
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from batchtui.sandbox import control, moto_glue, signing
from batchtui.sandbox.faults import FaultInjector, RequestLine

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
    201: "Created",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


#: Services whose errors are XML in AWS's query shape (the rest answer JSON).
_QUERY_XML = frozenset({"ec2", "iam", "sts", "cloudformation", "autoscaling", "sns", "rds",
                        "elasticloadbalancing", "ses"})  # fmt: skip


def error_response(status: int, code: str, message: str, service: str = "") -> ServiceResponse:
    """AWS's error shape for ``service`` (JSON unless the service speaks XML)."""
    request_id = str(uuid.uuid4())
    text = escape(message)
    if service == "s3":
        body = (f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
                f"<Message>{text}</Message><RequestId>{request_id}</RequestId></Error>")  # fmt: skip
        return ServiceResponse(
            status,
            body.encode(),
            {"x-amzn-RequestId": request_id, "Content-Type": "application/xml"},
        )
    if service == "ec2":
        body = (f"<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error><Code>{code}"
                f"</Code><Message>{text}</Message></Error></Errors>"
                f"<RequestID>{request_id}</RequestID></Response>")  # fmt: skip
        return ServiceResponse(
            status, body.encode(), {"x-amzn-RequestId": request_id, "Content-Type": "text/xml"}
        )
    if service in _QUERY_XML:
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                f"<Message>{text}</Message></Error><RequestId>{request_id}</RequestId>"
                "</ErrorResponse>")  # fmt: skip
        return ServiceResponse(
            status, body.encode(), {"x-amzn-RequestId": request_id, "Content-Type": "text/xml"}
        )
    response = ServiceResponse.json(status, {"__type": code, "message": message})
    response.headers["x-amzn-ErrorType"] = code
    response.headers["x-amzn-RequestId"] = request_id
    return response


def missing_token() -> ServiceResponse:
    """What AWS answers a request that carries no signature at all."""
    response = ServiceResponse.json(403, {"message": "Missing Authentication Token"})
    response.headers["x-amzn-ErrorType"] = "MissingAuthenticationTokenException"
    return response


class FrontApp:
    """WSGI app: the sandbox's gate, then our handlers, then moto for the rest.

    The gate refuses what a loopback AWS must not serve: a Host other than the sandbox's own
    address (a web page reaching 127.0.0.1 through DNS rebinding), CORS preflights, requests
    without a SigV4 signature and, when the sandbox holds credentials, requests signed with
    other keys. No CORS grant ever leaves it, and no request, whatever its shape, gets a Python
    traceback or an HTML page back: failures are AWS's error shape.

    Past the gate, ``/_batchtui/...`` is the sandbox's control API (:mod:`.control`), and a
    fault set there (:attr:`faults`) answers its call before any handler or moto sees it.
    """

    def __init__(self, handlers: dict[str, Handler]) -> None:
        self.handlers = handlers
        self.moto = moto_glue.moto_wsgi_app()
        #: Host header values that name this server ("127.0.0.1:PORT", "localhost:PORT").
        self.hosts: frozenset[str] = frozenset()
        #: The only keys accepted, when set; otherwise any signed request is served.
        self.credentials: tuple[str, str] | None = None
        #: Simulated epoch seconds: every answer's Date header tells them, as AWS's tell its
        #: clock, so a client reads "10 minutes ago" against the sandbox's time.
        self.clock: Callable[[], float] | None = None
        #: Errors to answer instead of the n-th call of an operation (the control API sets them).
        self.faults = FaultInjector()
        #: Where S3's notifications to a Lambda function go, for the requests moto answers here
        #: (the sandbox's stand-in for S3 -> Lambda, :mod:`.s3_lambda`); None drops them.
        self.s3_lambda: Callable[[str, dict[str, Any]], None] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            return self._serve(environ, start_response)
        except Exception:
            logging.getLogger("batchtui.sandbox.http").exception("sandbox request failed")
            return _send(
                start_response,
                error_response(500, "InternalFailure", "The sandbox failed to handle the request."),
            )

    def _serve(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST", "")
        if host not in self.hosts and not self._loopback_subdomain(host):
            return _send(
                start_response,
                error_response(
                    403,
                    "AccessDeniedException",
                    f"Host {host!r} is not this sandbox's address; it answers only "
                    f"{' or '.join(sorted(self.hosts))}.",
                ),
            )
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            return _send(
                start_response,
                error_response(403, "AccessDeniedException", "Cross-origin requests are refused."),
            )
        try:
            sig = signing.read_signature(environ)
        except signing.SignatureProblem as e:
            return _send(start_response, error_response(403, e.code, e.message))
        if sig is None:
            return _send(start_response, missing_token())
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        if self.credentials is not None:
            try:
                signing.verify(sig, environ, body, self.credentials)
            except signing.SignatureProblem as e:
                return _send(start_response, error_response(403, e.code, e.message, sig.service))
        path = environ.get("PATH_INFO", "/")
        method = environ.get("REQUEST_METHOD", "GET")
        if control.is_control(path):
            return _send(start_response, self._control(method, path, body))
        # The path as sent: a label's encoded slashes (an ARN in /v1/tags/{resourceArn}) stay
        # inside its one segment, as the operation's URI template reads them.
        raw_path = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").split("?")[0]
        fault = self.faults.fault_for(
            RequestLine(
                service=sig.service,
                method=method,
                path=raw_path or path,
                query_string=environ.get("QUERY_STRING", ""),
                headers={"x-amz-target": environ.get("HTTP_X_AMZ_TARGET", ""),
                         "content-type": environ.get("CONTENT_TYPE", "")},
                body=body,
            )
        )  # fmt: skip
        if fault is not None:
            return _send(
                start_response, error_response(fault.status, fault.code, fault.message, sig.service)
            )
        handler = self.handlers.get(sig.service)
        if handler is not None:
            request = ServiceRequest(
                service=sig.service,
                region=sig.region,
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
            try:
                response = handler(request)
            except ValueError:  # a body that is not the JSON the operation takes
                response = error_response(
                    400, "SerializationException", "The request body could not be read."
                )
            if response is not None:
                return _send(start_response, response)
            environ["wsgi.input"] = io.BytesIO(body)  # moto answers: it reads the body again
        return self._moto(environ, start_response, sig.service)

    def _control(self, method: str, path: str, body: bytes) -> ServiceResponse:
        """The control API's answer (:mod:`.control`), past the same gate as AWS requests."""
        result = control.answer(self.faults, method, path, body)
        if result.code:
            return error_response(result.status, result.code, result.message)
        return ServiceResponse.json(result.status, result.payload)

    def _loopback_subdomain(self, host: str) -> bool:
        """``bucket.localhost:PORT``: S3's virtual-hosted style on a name only loopback has."""
        name, _, port = host.rpartition(":")
        return name.endswith(".localhost") and f"localhost:{port}" in self.hosts

    def _moto(self, environ: dict[str, Any], start_response: Any, service: str) -> Iterable[bytes]:
        """moto's answer, without CORS grants, and in AWS's error shape where it sends HTML."""
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return lambda data: None  # moto returns its body; it never writes through this

        with moto_glue.s3_lambda_delivery(self.s3_lambda):
            chunks = list(self.moto(environ, capture))
        status = str(seen.get("status", "500 Internal Server Error"))
        headers = [
            (k, v)
            for k, v in seen.get("headers", [])
            if not k.lower().startswith("access-control-")
        ]
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        code = int(status.split(" ", 1)[0] or 500)
        if code >= 400 and "html" in content_type.lower():
            message = "Not Found" if code == 404 else "The sandbox could not serve this request."
            return _send(start_response, error_response(code, "InvalidAction", message, service))
        if not {k.lower() for k, _ in headers} & {"x-amzn-requestid", "x-amz-request-id"}:
            headers.append(("x-amzn-RequestId", str(uuid.uuid4())))
        start_response(status, headers)
        return chunks


def _send(start_response: Any, response: ServiceResponse) -> Iterable[bytes]:
    """Send ``response``, with a request id as AWS sends on every response, errors included."""
    response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
    headers = {"Content-Length": str(len(response.body))} | response.headers
    reason = _REASONS.get(response.status, "Error")
    start_response(f"{response.status} {reason}", list(headers.items()))
    return [response.body]


class QuietRequestHandler(WSGIRequestHandler):
    """No per-request log line on stderr: the sandbox shares a terminal with the TUI and CLI.

    A request too malformed to reach the app (a bad request line, an oversized header) gets
    AWS's JSON error shape too, not the standard library's HTML page.
    """

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        response = error_response(code, "BadRequest", message or "The request is malformed.")
        try:
            self.send_response(code)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(response.body)
        except OSError:
            pass  # the client has gone; nothing to tell it
        self.close_connection = True

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header of every answer: the sandbox's simulated time, as AWS's tell its own."""
        clock = getattr(self.server, "app", None)
        clock = getattr(clock, "clock", None)
        if timestamp is None and clock is not None:
            timestamp = clock()
        return super().date_time_string(timestamp)

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
        self.app.hosts = frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})

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
