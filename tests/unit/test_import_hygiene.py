"""The headless core loads without textual and moto (DESIGN.md layers)."""

import subprocess
import sys

import pytest

HEADLESS = [
    "batchtui.cli",
    "batchtui.aws",
    "batchtui.aws.batch",
    "batchtui.capacity",
    "batchtui.planner",
    "batchtui.diagnose",
    "batchtui.changes",
    "batchtui.render",
    "batchtui.commands.jobs",
    "batchtui.account",
    "batchtui.account.snapshots",
    "batchtui.account.jobstore",
    "batchtui.account.refresh",
    "batchtui.account.loaders",
    "batchtui.account.plan_facts",
]


def _loaded_after(code: str) -> set[str]:
    probe = (
        f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_imports_neither_textual_nor_moto(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    assert "textual" not in loaded
    assert "moto" not in loaded


@pytest.mark.parametrize("argv", [["--help"], ["plan", "--help"], ["jobs", "--help"]])
def test_help_imports_neither_textual_nor_moto_nor_boto3(argv: list[str]) -> None:
    loaded = _loaded_after(
        "from batchtui.cli import main\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass"
    )
    assert "textual" not in loaded
    assert "moto" not in loaded
    assert "boto3" not in loaded
