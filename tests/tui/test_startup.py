"""The first screen paints before anything heavy loads: boto3 and the sandbox (moto) load in
the connect worker, the planner when :plan opens, the logs engine when a log opens."""

from __future__ import annotations

import subprocess
import sys

#: Not needed to draw the overview; each would add to the time before the first paint.
HEAVY = ("boto3", "botocore", "moto", "batchtui.planner", "batchtui.profiles", "batchtui.sandbox")

PROBE = """
import asyncio, sys
from batchtui.tui.app import create_app, known_binding_ids
from batchtui.tui.config import TuiConfig
from batchtui.tui.screens.overview import OverviewScreen

async def main():
    # Not connected: what is loaded is what drawing the overview (and the config check) needs.
    app = create_app(config=TuiConfig(refresh_interval=0), sandbox_expected=True)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        assert "starting the sandbox" in str(app.screen.query_one("#overview-note").render())
        known_binding_ids()  # what validating a [keymap] imports: every screen
    print(" ".join(sorted(sys.modules)))

asyncio.run(main())
"""


def test_the_overview_paints_without_boto3_moto_or_the_planner() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    loaded = set(out.split())
    assert "batchtui.tui.screens.plan" in loaded  # the screens are there, their engines not
    assert [m for m in HEAVY if m in loaded] == []
