"""The status bar: where we are connected, READ-ONLY, API calls, freshness, sandbox clock."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from batchtui.render.text import duration

if TYPE_CHECKING:
    from batchtui.tui.app import BatchtuiApp


def status_text(app: BatchtuiApp) -> Text:
    """Everything the bar shows, from the app's state (a pure function of it, for tests).

    Most important first, as a narrow terminal cuts the end: where we are, read-only, stale,
    the endpoint and how fresh the data is; then the account, the calls, the sandbox clock."""
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
    if app.stale:  # the last read failed: what is shown is older than it says
        text.append(" ")
        text.append(" STALE ", style="bold white on dark_red")
    text.append(f" {conn.where.removeprefix('SANDBOX ')}", style="bold")
    if app.last_refresh is None:
        text.append("  syncing…", style="italic")
    else:
        ago = max(0.0, app.clock() - app.last_refresh)
        text.append(f"  refreshed {duration(ago)} ago")
    if conn.account:
        text.append(f"  acct {conn.account}")
    calls = app.aws.counter.total if app.aws is not None else 0
    text.append(f"  API calls {calls}")
    sandbox = app.sandbox
    if sandbox is not None:
        try:
            now = dt.datetime.fromtimestamp(sandbox.now(), tz=dt.timezone.utc)
            cfg = sandbox.config
            speed = "manual clock" if getattr(cfg, "manual_clock", False) else f"×{cfg.speed:g}"
            text.append(f"  sim {now:%Y-%m-%d %H:%M:%S}Z {speed}", style="magenta")
        except Exception:  # the sandbox is stopping; the bar must not fail
            pass
    return text


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { dock: top; height: 1; background: $panel; color: $text; }
    """

    def on_mount(self) -> None:
        self.update_now()
        self.set_interval(1.0, self.update_now)

    def update_now(self) -> None:
        app = cast("BatchtuiApp", self.app)
        # The key to every other key stays in sight however narrow the terminal: the left part
        # is cut first.
        keys = app.config.keymap.get("app.help", "question_mark").split(",")[0].strip()
        bar = Table.grid(expand=True)
        bar.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        bar.add_column(no_wrap=True, justify="right")
        bar.add_row(status_text(app), Text(f" {app.get_key_display(Binding(keys, ''))}: keys "))
        self.update(bar)
