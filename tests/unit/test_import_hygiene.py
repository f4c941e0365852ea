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


def test_sandbox_scheduler_imports_no_textual() -> None:
    # The scheduler runs inside `batchtui sandbox serve` and the tests' sandbox: no TUI there.
    loaded = _loaded_after("import batchtui.sandbox.scheduler")
    assert "batchtui" in loaded  # the probe did import something
    assert "textual" not in loaded


def test_sandbox_modules_import_each_other_without_cycles() -> None:
    # A cycle hidden by an import inside a function (or under TYPE_CHECKING) still couples the
    # two modules; grimp sees those imports too.
    import grimp

    graph = grimp.build_graph("batchtui")
    sandbox = sorted(m for m in graph.modules if m.startswith("batchtui.sandbox."))
    cycles = []
    for module in sandbox:
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not imported.startswith("batchtui.sandbox."):
                continue
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.append(" -> ".join((module, *back)))
    assert cycles == []
