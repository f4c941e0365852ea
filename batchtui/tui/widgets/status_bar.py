"""The status bar: where we are connected, READ-ONLY, API calls, freshness, sandbox clock."""

from __future__ import annotations

import datetime as dt
from typing import cast

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from batchtui.render.text import duration
from batchtui.tui.host import Host

#: Below this width the bar says the same in fewer words (80 columns cut the calls and clock).
COMPACT_BELOW = 120


def status_text(app: Host, compact: bool = False) -> Text:
    """Everything the bar shows, from the app's state (a pure function of it, for tests).

    Most important first, as a narrow terminal cuts the end: where we are, read-only, stale,
    the endpoint and how fresh the data is; then the account, the calls, the sandbox clock.
    ``compact`` (a narrow terminal): no URL scheme, shorter words, the account last."""
    text = Text(no_wrap=True, overflow="ellipsis")
    conn = app.connection
    if conn.sandbox_starting:
        text.append(" starting sandbox… ", style="bold black on yellow")
    elif conn.is_sandbox:
        text.append(" SANDBOX ", style="bold black on magenta")
    else:
        text.append(" AWS ", style="bold black on cyan")
    if app.read_only:
        text.append(" ")
        text.append(" READ-ONLY ", style="bold white on red")
    if app.stale:  # the last read failed: what is shown is older than it says, and why
        text.append(" ")
        reason = app.stale_reason
        text.append(f" STALE: {reason} " if reason else " STALE ", style="bold white on dark_red")
    backoff = app.refresh_schedule.next_in()
    if backoff is not None:  # the timer waits longer after each failure: say how long
        why = "throttled" if app.refresh_schedule.throttled else "failing"
        text.append(f" refresh {why}, next in {duration(backoff)}", style="yellow")
    where = conn.where.removeprefix("SANDBOX ")
    if compact:
        where = where.replace("https://", "").replace("http://", "")
    text.append(f" {where}", style="bold")
    if app.last_refresh is None:
        text.append("  syncing…", style="italic")
    else:
        ago = duration(max(0.0, app.clock() - app.last_refresh))
        text.append(f"  {ago} ago" if compact else f"  refreshed {ago} ago")
    if conn.account and not compact:
        text.append(f"  acct {conn.account}")
    calls = app.aws.counter.total if app.aws is not None else 0
    text.append(f"  {calls} calls" if compact else f"  API calls {calls}")
    sandbox = app.sandbox
    if sandbox is not None:
        try:
            now = dt.datetime.fromtimestamp(sandbox.now(), tz=dt.timezone.utc)
            cfg = sandbox.config
            manual = getattr(cfg, "manual_clock", False)
            if compact:
                speed = "manual" if manual else f"×{cfg.speed:g}"
                text.append(f"  sim {now:%H:%M}Z {speed}", style="magenta")
            else:
                speed = "manual clock" if manual else f"×{cfg.speed:g}"
                text.append(f"  sim {now:%Y-%m-%d %H:%M:%S}Z {speed}", style="magenta")
        except Exception:  # the sandbox is stopping; the bar must not fail
            pass
    if conn.account and compact:
        text.append(f"  acct {conn.account}")
    return text


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { dock: top; height: 1; background: $panel; color: $text; }
    """

    def on_mount(self) -> None:
        self.update_now()
        self.set_interval(1.0, self.update_now)

    def on_resize(self) -> None:
        self.update_now()

    def update_now(self) -> None:
        app = cast(Host, self.app)
        # The key to every other key stays in sight however narrow the terminal: the left part
        # is cut first.
        keys = app.config.keymap.get("app.help", "question_mark").split(",")[0].strip()
        bar = Table.grid(expand=True)
        bar.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        bar.add_column(no_wrap=True, justify="right")
        compact = 0 < self.size.width < COMPACT_BELOW
        help_key = Text(f" {self.app.get_key_display(Binding(keys, ''))}: keys ")
        bar.add_row(status_text(app, compact), help_key)
        self.update(bar)
