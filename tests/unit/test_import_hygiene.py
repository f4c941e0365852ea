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
    "batchtui.submission",
    "batchtui.render",
    "batchtui.profiles",
    "batchtui.pricing",
    "batchtui.commands.jobs",
    "batchtui.commands.submit",
    "batchtui.aws.submission",
    "batchtui.render.submission",
    "batchtui.render.submission_status",
    "batchtui.account",
    "batchtui.account.snapshots",
    "batchtui.account.jobstore",
    "batchtui.account.refresh",
    "batchtui.account.loaders",
    "batchtui.account.plan_facts",
]

#: The sandbox sits beside aws/ and may use only capacity, model, errors and the price data.
SANDBOX_MUST_NOT_LOAD = ("batchtui.planner", "batchtui.render", "batchtui.profiles")


def _modules_after(code: str) -> set[str]:
    """Every module a fresh interpreter holds after running ``code``."""
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))\n"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return set(out.split())


def _loaded_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after running ``code``."""
    return {m.split(".")[0] for m in _modules_after(code)}


def _above_the_sandbox(modules: set[str]) -> list[str]:
    """The layers the sandbox must not pull in (it serves prices, it does not plan with them)."""
    return sorted(m for m in modules if m.startswith(SANDBOX_MUST_NOT_LOAD))


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


def test_the_sandbox_pricing_service_loads_neither_planner_nor_render_nor_profiles() -> None:
    loaded = _modules_after("import batchtui.sandbox.pricing_api")
    assert "batchtui.pricing" in loaded  # the snapshot it serves
    assert _above_the_sandbox(loaded) == []


def test_a_started_sandbox_serving_prices_loads_neither_planner_nor_render_nor_profiles() -> None:
    loaded = _modules_after(
        "import boto3\n"
        "from batchtui.sandbox import Sandbox, SandboxConfig\n"
        "keys = {'aws_access_key_id': 'testing', 'aws_secret_access_key': 'testing'}\n"
        "with Sandbox(SandboxConfig(seed='demo', manual_clock=True)) as sb:\n"
        "    sb.advance(60)\n"
        "    pricing = boto3.client('pricing', endpoint_url=sb.url, region_name=sb.region, **keys)\n"
        "    assert pricing.get_products(ServiceCode='AmazonEC2', MaxResults=1)['PriceList']\n"
        "    ec2 = boto3.client('ec2', endpoint_url=sb.url, region_name=sb.region, **keys)\n"
        "    history = ec2.describe_spot_price_history(InstanceTypes=['c5.large'], MaxResults=5)\n"
        "    assert history['SpotPriceHistory']\n"
    )
    assert "batchtui.sandbox.pricing_api" in loaded  # the requests reached its handlers
    assert _above_the_sandbox(loaded) == []


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
