"""Shared by the benchmarks: timing cold commands and printing tables."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def cold_runs(argv: Sequence[str], runs: int = 5, env: dict[str, str] | None = None) -> list[float]:
    """Wall seconds of ``runs`` fresh processes of ``argv``; each must exit 0."""
    full_env = os.environ | FAKE_AWS_ENV | (env or {})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(list(argv), capture_output=True, env=full_env)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-500:]!r}")
    return times


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def tool(name: str) -> str:
    """A console script from this venv, else from PATH."""
    here = os.path.join(os.path.dirname(sys.executable), name)
    found = here if os.path.exists(here) else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not installed: pip install -e '.[bench]'")
    return found


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
