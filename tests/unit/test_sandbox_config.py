"""What an in-process sandbox is asked to be: the TUI's and the CLI's --sandbox, sandbox serve."""

from __future__ import annotations

import pytest

from batchtui.commands import CommandContext
from batchtui.sandbox.config import SandboxConfig


def test_the_tuis_sandbox_tags_the_photos_as_sandbox_serve_does() -> None:
    """`batchtui --sandbox` (TUI) and every `--sandbox` command start their sandbox through
    CommandContext: a real-time clock, so the demo's real tagging run (`tag-new-photos`) is
    scheduled a simulated minute in, as in `batchtui sandbox serve` (SandboxConfig's
    defaults)."""
    tui = CommandContext.sandbox_config()
    assert (tui.seed, tui.manual_clock, tui.require_credentials) == ("demo", False, True)
    assert tui.tags_photos
    assert SandboxConfig(seed="demo").tags_photos  # sandbox serve


@pytest.mark.parametrize(
    ("manual_clock", "asked", "tags"),
    [(False, None, True), (True, None, False), (True, True, True), (False, False, False)],
)
def test_a_manual_clock_tags_the_photos_only_when_asked(
    manual_clock: bool, asked: bool | None, tags: bool
) -> None:
    config = SandboxConfig(manual_clock=manual_clock, demo_tags_photos=asked)
    assert config.tags_photos is tags
    assert CommandContext.sandbox_config(manual_clock=manual_clock,
                                         demo_tags_photos=asked).tags_photos is tags  # fmt: skip
