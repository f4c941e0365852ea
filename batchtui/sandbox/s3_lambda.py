"""The sandbox's stand-in for S3 -> Lambda: a new object invokes the S3-event handler.

On AWS, a bucket's notification configuration (PutBucketNotificationConfiguration) with a
``LambdaFunctionConfiguration`` makes S3 invoke that function, asynchronously, with an
ObjectCreated event whenever an object matching its events and prefix/suffix filters is
stored. In the sandbox moto stores the configuration and builds the event as ever; the event
then comes here (:func:`moto_glue.route_s3_lambda_notifications`) instead of to moto's Lambda,
which would run the function's uploaded code in Docker.

What runs is fixed, never chosen by a request: the function must exist in the sandbox's Lambda
(CreateFunction) and its ``Handler`` must be one of :data:`HANDLERS` (the image-tagging S3-event
handler); the handler's name is only looked up there, never imported, and the module run is the
table's. The function's code is never read or run. Its environment variables reach the handler
past the same filter as a job's (:func:`runner.job_environment`: nothing that steers the
loader, Python or the AWS SDK), with the sandbox's endpoint and keys: the handler reaches the
sandbox on 127.0.0.1 only.

An invocation runs at the next step of the simulated clock (S3's delivery is asynchronous; tests
step the clock), as ``python -I -m batchtui_worker.s3_event EVENT_FILE``, a real process like a
job that runs for real; its output goes to the function's log group ``/aws/lambda/<name>``, as
Lambda's does. An event for a function that does not exist, or whose handler the sandbox does
not run, is dropped, as S3 drops what it cannot deliver; the reason goes to the same log group.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from batchtui.sandbox import moto_glue, runner

#: Lambda handler (as CreateFunction names it) -> the module the sandbox runs for it.
HANDLERS = {"batchtui_worker.s3_event.handler": "batchtui_worker.s3_event"}


class S3LambdaTrigger:
    """Runs the S3-event handler for the notifications S3 sends to a Lambda function."""

    def __init__(
        self,
        *,
        schedule: Callable[[Callable[[], None]], None],
        now: Callable[[], float],
        endpoint_url: str,
        credentials: tuple[str, str],
        home: str,
    ) -> None:
        self._schedule = schedule  # run a callable at the clock's next step
        self._now = now
        self._endpoint_url = endpoint_url
        self._credentials = credentials
        self._home = home
        self._lock = threading.Lock()
        #: Invocations running as processes, by request id (the Sandbox waits for, stops them).
        self.runs: dict[str, runner.Run] = {}
        self.invocations = 0

    def notify(self, function_arn: str, event: dict[str, Any]) -> None:
        """S3's notification for ``function_arn``: invoke it at the clock's next step."""
        self._schedule(lambda: self._invoke(function_arn, event))

    def _invoke(self, function_arn: str, event: dict[str, Any]) -> None:
        function = moto_glue.lambda_function(function_arn)
        if function is None:
            return  # S3 cannot deliver to a function that is not there
        region, name, handler, variables = function
        request_id = str(uuid.uuid4())
        group = f"/aws/lambda/{name}"
        day = time.strftime("%Y/%m/%d", time.gmtime(self._now()))
        stream = f"{day}/[$LATEST]{request_id.replace('-', '')}"
        module = HANDLERS.get(handler)
        if module is None:
            self._log(region, group, stream, [
                f"batchtui sandbox: not invoked: handler {handler!r} is not one the sandbox "
                f"runs (it runs only {', '.join(sorted(HANDLERS))})"
            ])  # fmt: skip
            return
        events_dir = os.path.join(self._home, "s3-events")
        os.makedirs(events_dir, exist_ok=True)
        path = os.path.join(events_dir, f"{request_id}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(event, f)
        lambda_variables = {
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": group,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        }
        env = runner.job_environment(
            variables,
            lambda_variables,
            endpoint_url=self._endpoint_url,
            region=region,
            credentials=self._credentials,
            home=self._home,
        )
        self._log(region, group, stream, [f"START RequestId: {request_id} Version: $LATEST"])

        def on_line(line: str) -> None:
            self._log(region, group, stream, [line])

        def on_exit(code: int) -> None:
            ending = [f"END RequestId: {request_id}"]
            if code:
                ending.insert(
                    0, f"RequestId: {request_id} Error: Runtime exited with status {code}"
                )
            self._log(region, group, stream, ending)
            with self._lock:
                self.runs.pop(request_id, None)
            with contextlib.suppress(OSError):
                os.remove(path)

        argv = [sys.executable, "-I", "-m", module, path]
        with self._lock:
            self.invocations += 1
            self.runs[request_id] = runner.Run(argv, env, on_line, on_exit)

    def _log(self, region: str, group: str, stream: str, lines: list[str]) -> None:
        stamp = int(self._now() * 1000)
        events = [{"timestamp": stamp, "message": line} for line in lines]
        with self._lock:
            moto_glue.append_log_events(region, group, stream, events)

    def wait(self, timeout: float) -> bool:
        """Whether every running invocation exited within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                runs = list(self.runs.values())
            if not runs:
                return True
            for run in runs:
                if not run.wait(max(0.0, deadline - time.monotonic())):
                    return False

    def stop(self) -> None:
        with self._lock:
            runs = list(self.runs.values())
        for run in runs:
            run.kill()
