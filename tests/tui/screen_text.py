"""The text of the screen as the user sees it (for assertions that read like the UI)."""

from __future__ import annotations

from textual.app import App


def screen_text(app: App[object]) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in strips)


def toast_text(app: App[object]) -> str:
    """The notifications on the screen, their wrapped lines joined (run_test(notifications=True))."""
    lines = screen_text(app).splitlines()
    return " ".join(line.split("▌", 1)[1].strip() for line in lines if "▌" in line)
