"""The one place that builds boto3 clients and calls AWS.

:class:`Aws` resolves region and endpoint the way the aws CLI does, gives every client botocore's
adaptive rate limiting (throttled clients slow down), a 3 s connect timeout and a
``batchtui/<version>`` user-agent suffix, counts the API calls each client makes (the TUI's
status bar and the benchmarks read :class:`CallCounter`), and with ``read_only`` refuses every
operation that is not a read before any request is built.

:meth:`Aws.call` owns the retries (:mod:`batchtui.aws.retries`): botocore makes one try per
call, each try waits for an answer as long as its operation needs and what is left of the
request's time budget allows, only whole answers are accepted (:mod:`batchtui.aws.answers`),
and an endpoint that keeps failing is not called for a while.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.session

from batchtui import __version__
from batchtui.aws.answers import check_answer
from batchtui.aws.errors import (
    TIMEOUT_VARIABLE,
    circuit_open,
    fault_of,
    gave_up,
    lost_change,
    translate,
)
from batchtui.aws.operations import is_read_operation
from batchtui.aws.retries import Attempts, Circuit, Fault, RetryPolicy
from batchtui.errors import AwsError, ReadOnlyRefused, UsageError

DEFAULT_REGION = "us-east-1"
_URL_EXAMPLE = "give a URL such as http://127.0.0.1:4566"
CONNECT_TIMEOUT_S = 3
#: Tries per request, the first included (botocore's ``total_max_attempts``).
MAX_ATTEMPTS = RetryPolicy.max_attempts

#: The read timeout of the try under way in this thread (set by Aws.call, read by botocore's
#: ``before-call`` handler below).
_TRY_TIMEOUT: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "batchtui_try_timeout", default=None
)


def retry_policy(environ: Mapping[str, str] | None = None) -> RetryPolicy:
    """The retry policy, with ``BATCHTUI_AWS_TIMEOUT`` (seconds per request) for slow links."""
    env = os.environ if environ is None else environ
    value = env.get(TIMEOUT_VARIABLE, "").strip()
    policy = RetryPolicy(max_attempts=MAX_ATTEMPTS)
    if not value:
        return policy
    try:
        budget = float(value)
    except ValueError:
        budget = math.nan
    if not math.isfinite(budget) or not 1 <= budget <= 3600:
        raise UsageError(
            f"{TIMEOUT_VARIABLE}={value!r}: not a number of seconds from 1 to 3600",
            hint=f"e.g. {TIMEOUT_VARIABLE}=60 for a slow link",
        )
    scaled = RetryPolicy.with_budget(budget)
    return RetryPolicy(**{**scaled.__dict__, "max_attempts": MAX_ATTEMPTS})


@dataclass(frozen=True)
class AwsTarget:
    """Where batchtui talks to: an AWS account and region, or the sandbox."""

    region: str = DEFAULT_REGION
    aws_profile: str | None = None
    endpoint_url: str | None = None
    read_only: bool = False
    sandbox: bool = False
    #: Explicit credentials (the sandbox's fake ones); None uses the standard credential chain.
    credentials: tuple[str, str] | None = None

    @classmethod
    def resolve(
        cls,
        *,
        region: str | None = None,
        aws_profile: str | None = None,
        endpoint_url: str | None = None,
        read_only: bool = False,
        environ: dict[str, str] | None = None,
    ) -> AwsTarget:
        """Resolve options the way the aws CLI does: flag, then environment, then profile."""
        env = os.environ if environ is None else environ
        profile = aws_profile or env.get("AWS_PROFILE") or None
        if endpoint_url is not None and not endpoint_url.strip():
            # An unset shell variable ("--endpoint-url $EP") must not quietly mean real AWS.
            raise UsageError("--endpoint-url is empty", hint=_URL_EXAMPLE)
        endpoint = endpoint_url or env.get("AWS_ENDPOINT_URL") or None
        reg = region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        if not reg:
            reg = _profile_region(profile) or DEFAULT_REGION
        _check_region(reg)
        if endpoint is not None:
            _check_endpoint(endpoint, "--endpoint-url" if endpoint_url else "AWS_ENDPOINT_URL")
        return cls(region=reg, aws_profile=profile, endpoint_url=endpoint, read_only=read_only)

    @property
    def describe(self) -> str:
        where = (
            "SANDBOX " + (self.endpoint_url or "") if self.sandbox else (self.endpoint_url or "AWS")
        )
        prof = f" profile {self.aws_profile}" if self.aws_profile else ""
        return f"{where} {self.region}{prof}".strip()


def _profile_region(profile: str | None) -> str | None:
    try:
        session = botocore.session.Session(profile=profile)
        region = session.get_config_variable("region")
        return str(region) if region else None
    except Exception:  # an unknown profile is reported when a client is built
        return None


def _check_endpoint(endpoint: str, source: str) -> None:
    """Refuse an endpoint botocore would reject later with a bare ValueError."""
    from urllib.parse import urlsplit

    if not endpoint.startswith(("http://", "https://")):
        raise UsageError(
            f"{source} {endpoint!r}: must start with http:// or https://", hint=_URL_EXAMPLE
        )
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 - raises ValueError when the port is out of range
    except ValueError as exc:
        raise UsageError(
            f"{source} {endpoint!r}: not a valid URL: {exc}", hint=_URL_EXAMPLE
        ) from None
    if not parts.hostname:
        raise UsageError(f"{source} {endpoint!r}: not a valid URL: no host", hint=_URL_EXAMPLE)


def _check_region(region: str) -> None:
    import re

    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d{1,2}", region):
        known = boto3.session.Session().get_available_regions("batch")
        import difflib

        close = difflib.get_close_matches(region, known, n=1)
        hint = f"did you mean {close[0]}?" if close else "e.g. us-east-1"
        raise UsageError(f"unknown region {region!r}", hint=hint)


class CallCounter:
    """Thread-safe count of API calls per (service, operation)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, service: str, operation: str) -> None:
        with self._lock:
            self._counts[(service, operation)] += 1

    def get(self, service: str, operation: str) -> int:
        with self._lock:
            return self._counts[(service, operation)]

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def snapshot(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


@dataclass
class Aws:
    """Clients for one :class:`AwsTarget`; cached per service, safe to share across threads.

    ``clock``, ``sleep`` and ``rand`` time the retries; tests give them a simulated clock."""

    target: AwsTarget
    counter: CallCounter = field(default_factory=CallCounter)
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_attempts=MAX_ATTEMPTS))
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = time.sleep
    rand: Callable[[], float] = random.random

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._session: boto3.session.Session | None = None
        self._circuits: dict[str, Circuit] = {}
        #: The endpoint's clock (epoch seconds) as the Date header of its latest answer said.
        self.server_time: float | None = None

    def _boto_session(self) -> boto3.session.Session:
        if self._session is None:
            kwargs: dict[str, Any] = {"region_name": self.target.region}
            if self.target.credentials is not None:
                kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = (
                    self.target.credentials
                )
            elif self.target.aws_profile:
                kwargs["profile_name"] = self.target.aws_profile
            with translate("session", "CreateSession"):
                self._session = boto3.session.Session(**kwargs)
        return self._session

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` (botocore name, e.g. ``batch``, ``service-quotas``)."""
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                client = self._make_client(service)
                self._clients[service] = client
            return client

    def _make_client(self, service: str) -> Any:
        config = botocore.config.Config(
            region_name=self.target.region,
            # One try per call: Aws.call retries. Adaptive mode still slows a throttled client.
            retries={"mode": "adaptive", "total_max_attempts": 1},
            connect_timeout=CONNECT_TIMEOUT_S,
            read_timeout=self.retry.budget_s,  # each try sets its own, see _set_try_timeout
            user_agent_extra=f"batchtui/{__version__}",
            max_pool_connections=20,
        )
        endpoint = self.target.endpoint_url
        # The Pricing API only lives in a few regions; AWS's answer is the same from any.
        region = "us-east-1" if service == "pricing" and endpoint is None else self.target.region
        with translate(service, "CreateClient"):
            client = self._boto_session().client(
                service, region_name=region, endpoint_url=endpoint, config=config
            )
        events = client.meta.events
        events.register("before-parameter-build", self._before_call)
        events.register("before-call", _set_try_timeout)
        events.register("after-call", check_answer)
        events.register("after-call", self._note_date)
        return client

    def _note_date(self, http_response: Any, **_: Any) -> None:
        date = http_response.headers.get("date") if http_response is not None else None
        if not date:
            return
        # An unreadable Date tells nothing: the last one is kept.
        with contextlib.suppress(TypeError, ValueError):
            self.server_time = parsedate_to_datetime(str(date)).timestamp()

    def ensure_allowed(self, service: str, operation: str) -> None:
        """Refuse ``operation`` in read-only mode: at every call, and before any read that only
        prepares a change (so a refused change sends nothing at all)."""
        if self.target.read_only and not is_read_operation(operation):
            raise ReadOnlyRefused(
                f"read-only mode: refused {service}:{operation} (nothing was sent)",
                hint="restart without --read-only to change the account",
            )

    def _before_call(self, model: Any, **_: Any) -> None:
        service = model.service_model.service_name
        operation = model.name
        self.ensure_allowed(service, operation)
        self.counter.add(service, operation)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """Call one operation (botocore's snake_case method name is derived), retrying what is
        worth another try within the time budget, translating errors."""
        client = self.client(service)
        method = getattr(client, _snake(operation))
        with translate(service, operation, endpoint=self.target.endpoint_url):
            circuit = self._circuit(str(client.meta.endpoint_url))
            result: dict[str, Any] = self._until_answered(
                circuit, service, operation, lambda: method(**params)
            )
            return result

    def _until_answered(
        self, circuit: Circuit, service: str, operation: str, send: Callable[[], Any]
    ) -> Any:
        """``send`` until it is answered, the tries or the budget run out, or AWS refuses."""
        with self._lock:
            if circuit.closed_in(self.clock()):
                # The same words until it closes: the TUI tells a message once.
                raise circuit_open(circuit.url, circuit.last_failure, self.retry.circuit_cooldown_s)
        attempts = Attempts(self.retry, self.clock())
        changes = not is_read_operation(operation)
        while True:
            token = _TRY_TIMEOUT.set(attempts.timeout_for(operation, self.clock()))
            try:
                result = send()
            except Exception as e:
                fault = fault_of(e)
                if fault is None:
                    if isinstance(e, botocore.exceptions.ClientError):
                        with self._lock:  # a refusal is an answer: the endpoint works
                            circuit.succeeded()
                    raise
                now = self.clock()
                delay = attempts.retry_after(fault, now, self.rand(), changes=changes)
                if delay is None:
                    raise self._give_up(e, fault, circuit, attempts, service, operation) from None
                self.sleep(delay)
                continue
            finally:
                _TRY_TIMEOUT.reset(token)
            with self._lock:
                circuit.succeeded()
            return result

    def _give_up(
        self,
        e: Exception,
        fault: Fault,
        circuit: Circuit,
        attempts: Attempts,
        service: str,
        operation: str,
    ) -> AwsError:
        if fault.request_may_have_run and not is_read_operation(operation):
            return lost_change(e, fault, service, operation)
        now = self.clock()
        error = gave_up(
            e,
            fault,
            service,
            operation,
            tries=attempts.tries,
            waited=attempts.waited(now),
            timeout=attempts.longest_timeout,
            endpoint=circuit.url,
        )
        if fault is not Fault.THROTTLED:  # a throttled endpoint answers, only slower
            with self._lock:
                circuit.gave_up(now, error.message)
        return error

    def _circuit(self, url: str) -> Circuit:
        with self._lock:
            circuit = self._circuits.get(url)
            if circuit is None:
                circuit = self._circuits[url] = Circuit(self.retry, url)
            return circuit


def _set_try_timeout(context: dict[str, Any], **_: Any) -> None:
    """botocore ``before-call`` handler: the try's read timeout goes in the request context,
    where botocore's HTTP session takes a per-request read timeout from."""
    timeout = _TRY_TIMEOUT.get()
    if timeout is not None:
        context["read_timeout"] = timeout


def _snake(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))
