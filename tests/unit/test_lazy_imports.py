"""The TUI and the account model import at the top of their modules; the few imports left
inside functions keep start-up fast (boto3, the planner, plotext load later) and say so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2] / "batchtui"
FILES = sorted([*(ROOT / "tui").rglob("*.py"), *(ROOT / "account").rglob("*.py")])


def lazy_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) of every import inside a function of ``path``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    found.append((inner.lineno, inner.module or ""))
                elif isinstance(inner, ast.Import):
                    found += [(inner.lineno, alias.name) for alias in inner.names]
    return sorted(set(found))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_import_inside_a_function_says_why(path: Path) -> None:
    lines = path.read_text().splitlines()
    explained: set[str] = set()
    unexplained = []
    for lineno, module in lazy_imports(path):
        line, above = lines[lineno - 1], lines[lineno - 2].strip()
        if "#" in line or above.startswith("#"):
            explained.add(module)
        elif module not in explained:  # said once in the file for the same module is enough
            unexplained.append(f"{path.name}:{lineno}: {line.strip()}")
    assert unexplained == []


def test_the_check_finds_lazy_imports() -> None:
    modules = {m for p in FILES for _, m in lazy_imports(p)}
    assert "batchtui.account.loaders" in modules  # the loaders need boto3: after connecting
