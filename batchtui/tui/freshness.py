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


def endpoint_now(
    server_time: float | None, read_at: float | None, now: float, speed: float = 1.0
) -> float | None:
    """The endpoint's clock now, between two reads: its time at the last read (``server_time``,
    epoch seconds) plus the app's clock's time since that read (``now - read_at``) times the
    endpoint clock's ``speed`` (the sandbox's; 1 for a real account, 0 for a clock stepped by
    hand). None when the endpoint never said its time. What a running job's duration counts to."""
    if server_time is None:
        return None
    if read_at is None:
        return server_time
    return server_time + max(0.0, now - read_at) * speed
