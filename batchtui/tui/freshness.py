"""How old what a pane shows is, in the pane's own words ("read 4s ago").

Each pane says the age of its oldest part: a count shown is never older than the age beside it.
"""

from __future__ import annotations

from rich.text import Text

from batchtui.render.text import duration


def read_ago(now: float, read_at: float | None, *, what: str = "read") -> Text:
    """ "read 4s ago", or "reading…" before the first read."""
    if read_at is None:
        return Text("reading…", style="italic dim")
    return Text(f"{what} {duration(max(0.0, now - read_at))} ago", style="dim")


def titled(title: str, *ages: Text) -> Text:
    """A pane's title followed by its ages."""
    text = Text(title)
    for age in ages:
        text.append("   ")
        text.append_text(age)
    return text
