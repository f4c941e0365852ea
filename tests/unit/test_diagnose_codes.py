"""Every finding code the rules can give is documented: in the package's list of codes, and
in README.md's table of causes."""

from __future__ import annotations

import ast
import pathlib

from batchtui.diagnose.codes import CODES, documented
from batchtui.diagnose.meaning import MEANINGS

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "batchtui" / "diagnose"


def emitted_codes() -> set[str]:
    """The codes written in the rules' source: the first argument of ``Finding(...)``, the
    first item of a compute environment's problem tuple, and values assigned to ``code``."""
    found: set[str] = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            value: ast.expr | None = None
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                value = node.args[0] if node.args else None
            elif isinstance(node, ast.Tuple) and len(node.elts) == 5:  # rules_infra.Problem
                value = node.elts[0]
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "code" for t in node.targets
            ):
                value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(value.value)
    return found


def test_the_scan_finds_the_codes_of_every_kind_of_rule() -> None:
    codes = emitted_codes()
    assert {"JOB_QUEUE_DISABLED", "NO_ROUTE_TO_ECS", "WAITING", "CANNOT_TELL"} <= codes
    assert "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY" in codes  # assigned to ``code``


def test_every_code_the_rules_give_is_documented_in_the_package() -> None:
    aws = {m.code for m in MEANINGS if not m.code.endswith(":")}  # "CAPACITY:" is a prefix
    missing = sorted(c for c in emitted_codes() | aws if documented(c) is None)
    assert not missing, f"add these to batchtui/diagnose/codes.py CODES: {missing}"


def test_codes_are_listed_once_with_a_known_severity() -> None:
    names = [c.code for c in CODES]
    assert len(names) == len(set(names))
    assert all(c.severity.split()[0].rstrip(";") in {"blocking", "warning", "info"} for c in CODES)
    assert all(c.meaning and c.fix for c in CODES)


def test_every_code_is_in_the_readme_table_of_causes() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### `batchtui diagnose`") :]
    missing = [c.code for c in CODES if f"`{c.code}`" not in section]
    assert not missing, f"README.md's table of diagnose causes lacks: {missing}"
