"""Jobs that run for real: a local Python entry point as a subprocess of the sandbox.

A job whose command is ``python -m <module> [args...]`` (or python3) runs for real when
``<module>`` is importable here and the job does not set ``SANDBOX_WORKLOAD=synthetic``: the
sandbox starts ``sys.executable -m <module> [args...]`` with the job's environment
(AWS_BATCH_JOB_ID, AWS_BATCH_JOB_ATTEMPT, AWS_BATCH_JOB_ARRAY_INDEX, AWS_BATCH_CE_NAME,
AWS_BATCH_JQ_NAME) pointed at the sandbox's own endpoint (AWS_ENDPOINT_URL, AWS_DEFAULT_REGION,
fake credentials). Its stdout and stderr become the attempt's log lines; its exit code decides
SUCCEEDED or FAILED. It runs in real time, whatever the simulated clock does.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

PYTHONS = ("python", "python3")


def entry_point(container: dict[str, Any]) -> list[str] | None:
    """The argv to run for real, or None for a synthetic workload."""
    command = list(container.get("command") or ())
    for kv in container.get("environment") or ():
        if kv.get("name") == "SANDBOX_WORKLOAD" and kv.get("value") == "synthetic":
            return None
    if len(command) < 3 or os.path.basename(command[0]) not in PYTHONS or command[1] != "-m":
        return None
    module = command[2]
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except (ImportError, ValueError):
        return None
    return [sys.executable, "-m", module, *command[3:]]


class Run:
    """One attempt running as a subprocess; a reader thread forwards its lines and exit."""

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        on_line: Callable[[str], None],
        on_exit: Callable[[int], None],
    ) -> None:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BATCHTUI_"))}
        path = [p for p in sys.path if p and os.path.isdir(p)]
        full_env["PYTHONPATH"] = os.pathsep.join([os.getcwd(), *path])
        full_env.update(env)
        self.process = subprocess.Popen(
            list(argv),
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        self._on_line = on_line
        self._on_exit = on_exit
        self.thread = threading.Thread(target=self._read, name="sandbox-job", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._on_line(line.rstrip("\n"))
        self._on_exit(self.process.wait())

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()

    def wait(self, timeout: float | None) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()
