"""Jobs that run for real: an allowed Python entry point as a subprocess of the sandbox.

Anything that reaches the sandbox's port can define and submit jobs, so a job's command never
chooses what runs on the host. A job runs for real only when its command is
``python -m <module> [args...]`` (or python3), ``<module>`` is one of the modules the sandbox was
told to run (:attr:`SandboxConfig.real_modules`: by default the image tagger that ships with
batchtui), and the job does not set ``SANDBOX_WORKLOAD=synthetic``. Every other command is a
synthetic workload. The module is looked up in that list, never imported to find out.

A real run is ``sys.executable -I -m <module> [args...]``: isolated mode, so no ``PYTHON*``
variable, user site or working directory decides what Python loads. Its environment is built
from scratch (:func:`job_environment`): none of the user's variables (credentials, tokens,
proxies) reach it, the job's own variables pass except those that steer the loader, the
interpreter or the AWS SDK, and the AWS variables point at the sandbox with the sandbox's
credentials. Its stdout and stderr become the attempt's log lines; its exit code decides
SUCCEEDED or FAILED. It runs in real time, whatever the simulated clock does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

PYTHONS = ("python", "python3")

#: Job variables that never reach a real run: they choose what the dynamic loader, Python or the
#: AWS SDK loads or where it connects (LD_PRELOAD, PYTHONSTARTUP, AWS_CONFIG_FILE, HTTPS_PROXY).
_WITHHELD_PREFIXES = ("AWS_", "LD_", "DYLD_", "PYTHON", "BATCHTUI_")
_WITHHELD_NAMES = frozenset(
    {"HOME", "PATH", "BROWSER", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}
)


def entry_point(container: dict[str, Any], allowed: Iterable[str]) -> list[str] | None:
    """The argv to run for real, or None for a synthetic workload."""
    command = list(container.get("command") or ())
    for kv in container.get("environment") or ():
        if kv.get("name") == "SANDBOX_WORKLOAD" and kv.get("value") == "synthetic":
            return None
    if len(command) < 3 or os.path.basename(command[0]) not in PYTHONS or command[1] != "-m":
        return None
    module = command[2]
    if module not in set(allowed):
        return None
    return [sys.executable, "-I", "-m", module, *command[3:]]


def withheld(name: str) -> bool:
    """Whether a job's environment variable is kept from a real run."""
    upper = name.upper()
    return upper.startswith(_WITHHELD_PREFIXES) or upper in _WITHHELD_NAMES


def job_environment(
    job_variables: Mapping[str, str],
    batch_variables: Mapping[str, str],
    *,
    endpoint_url: str,
    region: str,
    credentials: tuple[str, str],
    home: str,
) -> dict[str, str]:
    """The whole environment of a real run: nothing inherited from the user's."""
    env = {
        "PATH": os.defpath,
        "HOME": home,
        "LANG": "C.UTF-8",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    env |= {k: v for k, v in job_variables.items() if not withheld(k)}
    env |= dict(batch_variables)
    env |= {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": credentials[0],
        "AWS_SECRET_ACCESS_KEY": credentials[1],
        # No shared config or credentials file, no instance metadata: the sandbox's keys only.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return env


class Run:
    """One attempt running as a subprocess; a reader thread forwards its lines and exit."""

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        on_line: Callable[[str], None],
        on_exit: Callable[[int], None],
    ) -> None:
        self.process = subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=env.get("HOME") or None,
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
