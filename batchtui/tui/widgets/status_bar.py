"""The status bar: where we are connected, READ-ONLY, STALE, API calls a minute, sandbox clock.

How old the data is, is said by each pane (its title); the bar says what the TUI costs the
account (calls in the last minute, all of them) and, on the sandbox, its simulated clock and
speed. The clock and the key to the keys are never cut: when the bar is too narrow, the left
part gives way, in this order: the endpoint loses its URL scheme, the account id goes,
"calls/min" becomes "/min", and only then is the endpoint cut with an ellipsis.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from batchtui.render.text import duration
from batchtui.tui.host import Host

#: Below this width the sandbox's clock says the time of day only (120 columns show the date).
COMPACT_BELOW = 120
#: The ways of saying the left part, longest first: (URL scheme, account, "calls/min" whole).
SHORTENINGS = ((True, True, True), (False, True, True), (False, False, True), (False, False, False))


def status_text(
    app: Host, *, scheme: bool = True, whole_words: bool = True, account: bool = True
) -> Text:
    """The left part of the bar, from the app's state (a pure function of it, for tests).

    Most important first, as a narrow terminal cuts the end: sandbox or AWS, read-only, stale,
    the calls of the last minute, the endpoint, the account."""
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
    elif app.refresh_late:  # no read failed, yet the data is older than the refresh promises
        text.append(" ")
        text.append(" refresh late ", style="bold black on yellow")
    backoff = app.refresh_schedule.next_in()
    if backoff is not None:  # the timer waits longer after each failure: say how long
        why = "throttled" if app.refresh_schedule.throttled else "failing"
        text.append(f" refresh {why}, next in {duration(backoff)}", style="yellow")
    if app.aws is not None:
        rate = app.calls_per_minute()
        text.append(f" {rate:,} calls/min" if whole_words else f" {rate:,}/min")
    where = conn.where.removeprefix("SANDBOX ")
    if not scheme:
        where = where.replace("https://", "").replace("http://", "")
    text.append(f"  {where}", style="bold")
    if conn.account and account:
        text.append(f"  acct {conn.account}")
    return text


def sandbox_clock(app: Host, *, compact: bool = False) -> Text:
    """The sandbox's simulated time and speed ("" off the sandbox, or while it stops)."""
    sandbox = app.sandbox
    if sandbox is None:
        return Text()
    try:
        now = dt.datetime.fromtimestamp(sandbox.now(), tz=dt.timezone.utc)
        cfg = sandbox.config
        manual = getattr(cfg, "manual_clock", False)
    except Exception:  # the sandbox is stopping; the bar must not fail
        return Text()
    if compact:
        speed = "manual" if manual else f"×{cfg.speed:g}"
        return Text(f"  sim {now:%H:%M}Z {speed}", style="magenta")
    speed = "manual clock" if manual else f"×{cfg.speed:g}"
    return Text(f"  sim {now:%Y-%m-%d %H:%M:%S}Z {speed}", style="magenta")


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
        # The key to every other key stays in sight however narrow the terminal.
        keys = app.config.keymap.get("app.help", "question_mark").split(",")[0].strip()
        help_key = Text(f"  {self.app.get_key_display(Binding(keys, ''))}: keys ")
        width = self.size.width
        clock = sandbox_clock(app, compact=0 < width < COMPACT_BELOW)
        room = width - clock.cell_len - help_key.cell_len
        left = Text()
        for scheme, account, whole_words in SHORTENINGS:
            left = status_text(app, scheme=scheme, whole_words=whole_words, account=account)
            if width <= 0 or left.cell_len <= room:
                break
        bar = Table.grid(expand=True)
        bar.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        bar.add_column(no_wrap=True, justify="right")
        bar.add_column(no_wrap=True, justify="right")
        bar.add_row(left, clock, help_key)
        self.update(bar)
