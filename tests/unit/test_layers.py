"""The layers hold: import-linter's contracts (pyproject.toml) run as a test, so a module of a
lower layer that imports a higher one fails the suite, not only CI's lint step."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_every_import_contract_is_kept() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(lint).exists():
        pytest.fail("import-linter is not installed (it is in the test extra)")
    run = subprocess.run([lint], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout
    assert "Layers: imports point down" in run.stdout  # the whole-package contract ran
