"""What a job does when nothing real runs it: a synthetic workload its command describes.

``sleep N`` anywhere in the command makes it run N simulated seconds; ``exit N`` makes it exit N.
The environment variables ``SANDBOX_DURATION_SECONDS`` and ``SANDBOX_EXIT_CODE`` say the same
(the command wins). Otherwise a job runs a few simulated minutes with jitter and exits 0. It
writes realistic log lines as it goes; :mod:`attempts` writes them as simulated time passes.
"""

from __future__ import annotations

import random
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d+)?)")
_EXIT = re.compile(r"\bexit\s+(\d+)")

DEFAULT_MIN_SECONDS = 60.0
DEFAULT_MAX_SECONDS = 300.0


@dataclass(frozen=True)
class WorkloadPlan:
    duration: float  # simulated seconds from RUNNING to exit
    exit_code: int
    log_interval: float  # simulated seconds between progress lines


def _env(container: dict[str, Any], name: str) -> str | None:
    for kv in container.get("environment") or ():
        if kv.get("name") == name:
            return str(kv.get("value", ""))
    return None


def command_text(command: Sequence[str] | None) -> str:
    return " ".join(shlex.quote(c) if " " in c else c for c in (command or ()))


def plan_workload(container: dict[str, Any], rng: random.Random) -> WorkloadPlan:
    text = " ".join(container.get("command") or ())
    duration: float | None = None
    exit_code = 0
    if (env := _env(container, "SANDBOX_DURATION_SECONDS")) and _is_number(env):
        duration = float(env)
    if (env := _env(container, "SANDBOX_EXIT_CODE")) and env.isdigit():
        exit_code = int(env)
    if m := _SLEEP.search(text):
        duration = float(m.group(1))
    if m := _EXIT.search(text):
        exit_code = int(m.group(1)) % 256
    if duration is None:
        duration = rng.uniform(DEFAULT_MIN_SECONDS, DEFAULT_MAX_SECONDS)
    interval = min(120.0, max(10.0, duration / 10))
    return WorkloadPlan(duration=max(1.0, duration), exit_code=exit_code, log_interval=interval)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def start_lines(
    job_name: str, job_id: str, attempt: int, command: Sequence[str] | None
) -> list[str]:
    return [
        f"[batch] job {job_name} ({job_id}) attempt {attempt} starting",
        f"[batch] running: {command_text(command) or '(image default command)'}",
    ]


def progress_line(elapsed: float, duration: float, rng: random.Random) -> str:
    pct = min(99, int(100 * elapsed / duration)) if duration else 99
    items = int(elapsed * 10) + rng.randrange(10)
    return f"progress {pct}%: processed {items} items ({elapsed:.0f}s elapsed)"


def end_lines(exit_code: int) -> list[str]:
    if exit_code == 0:
        return ["work complete; uploading results", "exiting with status 0"]
    return [f"ERROR: task failed (exit status {exit_code})", f"exiting with status {exit_code}"]
