"""The batchtui Textual app: one factory (:func:`create_app`) used by ``run`` and by the tests.

The app owns the connection (started in a thread worker so the first paint never waits for the
sandbox or AWS), the account snapshot every screen reads, the refresh timer (a tick a second that
asks only the screen shown to read what is due: :mod:`batchtui.account.pacing` paces each part
and holds the automatic reads to a call budget, :class:`~batchtui.account.refresh.RefreshSchedule`
backs off while reads fail) and the one handler every failed worker ends in. Screens are thin: they render state and start workers. The app is the top of the TUI's
imports: screens see it as a :class:`~batchtui.tui.host.Host` and never import it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from batchtui.account.pacing import (
    RESOURCES,
    AccountPacing,
    CallBudget,
    CallRate,
    Pace,
    Part,
    every_part,
)
from batchtui.account.refresh import RefreshSchedule, changed_parts, merge_read
from batchtui.account.snapshots import AccountSnapshot
from batchtui.commands import CommandContext
from batchtui.errors import BatchtuiError, CredentialsError, SandboxError, Throttled
from batchtui.tui import views
from batchtui.tui.bindings import APP_BINDINGS
from batchtui.tui.config import TuiConfig, load_config
from batchtui.tui.host import Connection
from batchtui.tui.keymap import keymap_clashes, known_binding_ids
from batchtui.tui.messages import AccountLoaded, Connected
from batchtui.tui.navigation import VIEWS, Navigation
from batchtui.tui.palette import PaletteCommands, screen_actions
from batchtui.tui.screens.base import type_into_focused_input
from batchtui.tui.screens.dialogs import CommandLineScreen, ConfirmScreen, ErrorScreen
from batchtui.tui.screens.help import HelpScreen
from batchtui.tui.widgets.status_bar import StatusBar

__all__ = [
    "BatchtuiApp",
    "Connection",
    "create_app",
    "keymap_clashes",
    "known_binding_ids",
    "run",
]

Connect = Callable[[], tuple[Any, Any]]
#: The workers whose failure means the data on screen is older than it says.
READS = ("account", "jobs", "detail", "submissions")
#: How often the refresh timer asks the current screen whether a read is due (no call when
#: none is): each part of the data has its own, adaptive, interval.
TICK_S = 1.0


class ConnectFailed(BatchtuiError):
    title = "Cannot connect"


class BatchtuiApp(App[int], inherit_bindings=False):
    TITLE = "batchtui"
    CSS_PATH = "batchtui.tcss"
    BINDINGS = APP_BINDINGS
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {PaletteCommands}

    def __init__(
        self,
        *,
        aws: Any = None,
        connect: Connect | None = None,
        sandbox: Any = None,
        config: TuiConfig | None = None,
        read_only: bool = False,
        clock: Callable[[], float] = time.monotonic,
        where: str = "",
        sandbox_expected: bool = False,
        where_label: str = "",
        owns_sandbox: bool = False,
    ) -> None:
        super().__init__()
        #: The sandbox runs in this process (``--sandbox``): quitting loses its state.
        self.owns_sandbox = owns_sandbox
        #: Shown in the status bar instead of the connected endpoint, when given: the snapshot
        #: tests' sandbox listens on a free port, which must not change the picture.
        self.where_label = where_label
        self._last_error = ""  # the last failure told, until a read succeeds
        self.aws = aws
        self.sandbox = sandbox
        self._connect = connect
        self.config = config or TuiConfig()
        self.read_only = read_only or bool(aws is not None and aws.target.read_only)
        self.clock = clock
        self.account: AccountSnapshot | None = None
        self.refresh_schedule = RefreshSchedule(self.config.refresh_interval, clock)
        #: Each part of the account's own pace (what changes is read more often).
        self.pacing = AccountPacing(self.config.refresh_interval)
        #: What the automatic refresh may spend; none without a timer (every read is asked for).
        self.budget: CallBudget | None = CallBudget() if self.config.refresh_interval > 0 else None
        self.call_rate = CallRate()
        self._reading: frozenset[Part] | None = None  # the account read under way
        self._read_generation = 0  # account reads started
        self._shown_generation = 0  # the latest of them shown
        self._asked_generation = 0  # the latest of them the user asked for
        self.navigate = Navigation(self)
        self.views = VIEWS
        #: Why the data is stale: the failed read's error title ("AWS failing", "Throttled" ...);
        #: the whole message is in the notification.
        self.stale_reason = ""
        self.connection = Connection(
            where=where_label or where or (aws.target.describe if aws is not None else ""),
            is_sandbox=sandbox_expected or bool(aws is not None and aws.target.sandbox),
            sandbox_starting=sandbox_expected and aws is None,
        )
        if self.config.theme:
            self.theme = self.config.theme

    @property
    def stale(self) -> bool:
        """The last read failed: what is shown is older than it says."""
        return self.refresh_schedule.stale

    def clock_speed(self) -> float:
        """How fast the endpoint's clock runs against the app's: the sandbox's speed (0 while
        its clock is stepped by hand), 1 for a real account."""
        if self.sandbox is None:
            return 1.0
        try:
            cfg = self.sandbox.config
            return 0.0 if getattr(cfg, "manual_clock", False) else float(cfg.speed)
        except Exception:  # the sandbox is stopping: its clock no longer runs
            return 0.0

    @property
    def refresh_late(self) -> bool:
        """What the screen shows is older than twice its pace's cap (the account's parts on
        the overview, the list's own pace on the jobs list): the status bar says so."""
        now = self.clock()
        if self.account is not None and hasattr(self.screen, "show_account"):
            return any(pace.late(now) for pace in self.pacing.paces.values())
        pace = getattr(self.screen, "pace", None)
        return isinstance(pace, Pace) and pace.late(now)

    @property
    def last_refresh(self) -> float | None:
        """When a read last succeeded (the app's clock); None before the first."""
        return self.refresh_schedule.last_read

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: they carry what the user typed and what AWS said
        (a ``:[/]`` typed at the prompt crashed the app as bad markup)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # -- start-up -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.set_keymap(dict(self.config.keymap))
        self.navigate.open_overview()
        if self.config.keymap:
            clashes = keymap_clashes(self.config.keymap)
            if clashes:
                # Textual gives the key to the keymap and drops the other binding silently.
                self.notify(
                    "the keymap gives one key to two bindings of a screen: "
                    + "; ".join(clashes)
                    + f" (the first keeps it). Change [keymap] in {self.config.path or 'the config'}",
                    title="Keymap",
                    severity="warning",
                    timeout=15,
                )
        if self.aws is not None and self._connect is None:
            given = (self.aws, self.sandbox)
            self._connect = lambda: given
        if self._connect is not None:
            # After the first paint: connecting imports boto3 (and starts the sandbox), which
            # would otherwise hold the GIL while the overview tries to draw.
            self.call_after_refresh(self.connect_worker)
        if self.config.refresh_interval > 0:
            self.set_interval(TICK_S, self.refresh_tick)

    @work(thread=True, exclusive=True, exit_on_error=False, group="connect")
    def connect_worker(self) -> None:
        # boto3 (and the sandbox's moto) load here, in the worker, never before the first paint.
        from batchtui.account.loaders import whoami

        assert self._connect is not None
        try:
            aws, sandbox = self._connect()
        except BatchtuiError:
            raise
        except Exception as e:  # the sandbox failing to start must read as such
            raise ConnectFailed(f"could not start: {type(e).__name__}: {e}") from e
        self.post_message(Connected(aws, sandbox, whoami(aws)))

    @on(Connected)
    def _connected(self, message: Connected) -> None:
        self.aws, self.sandbox = message.aws, message.sandbox
        self.read_only = self.read_only or self.aws.target.read_only
        self.connection = Connection(
            where=self.where_label or self.aws.target.describe,
            account=message.account,
            is_sandbox=self.aws.target.sandbox,
        )
        self.refresh_bindings()
        self.update_status()
        self.load_account_worker(full=True)

    # -- the account snapshot every screen reads ---------------------------------------------

    def load_account_worker(self, full: bool) -> None:
        """Read the account: every part (``full``: ``r``, the first read), else the parts due
        that the call budget pays for (nothing when none is due, or while a read is under way:
        it would read the same parts)."""
        if self.aws is None:
            return
        if not full and self._reading is not None:
            return
        if full or self.account is None:
            self._start_read(None, asked=True)
            return
        tokens = self.budget.tokens if self.budget is not None else float("inf")
        self._start_read(self._due(tokens), asked=False)

    def refresh_account_if_stale(self) -> None:
        """A screen showing the account is shown again: read what is older than its interval,
        whatever the budget says (the user is looking), charged to it all the same."""
        if self.aws is not None and self.account is not None and self._reading is None:
            self._start_read(self._due(float("inf")), asked=True)

    def account_changed(self) -> None:
        """An action changed a CE or a queue: read them now (a read under way started before
        the change: this one supersedes it), and the counts at their normal pace again."""
        self.pacing.hurry()
        self.pacing.pace(RESOURCES).expire()
        if self.aws is not None and self.account is not None:
            self._start_read(self._due(float("inf")), asked=True)

    def _due(self, tokens: float) -> frozenset[Part]:
        queues = [q.name for q in self.account.queues] if self.account is not None else []
        return frozenset(self.pacing.due(self.clock(), queues, tokens))

    def _start_read(self, parts: frozenset[Part] | None, *, asked: bool) -> None:
        """``parts`` of the account (None: all of them) in a worker; a read started later wins
        over one started before it, whichever ends first. ``asked``: the user's read (not the
        timer's), whose cost is not held against the automatic refresh once it has ended."""
        if parts is not None and not parts:
            return
        self._read_generation += 1
        self._asked_generation = self._read_generation if asked else self._asked_generation
        self._reading = parts if parts is not None else frozenset(every_part([]))
        self.account_worker(parts, self.account, self._read_generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="account")
    def account_worker(
        self, parts: frozenset[Part] | None, previous: AccountSnapshot | None, generation: int
    ) -> None:
        # boto3 loads in the connect worker: the loaders are imported once it has.
        from batchtui.account.loaders import load_account

        snapshot = load_account(self.aws, parts=parts, previous=previous, clock=self.clock)
        self.post_message(AccountLoaded(snapshot, parts, generation))

    @on(AccountLoaded)
    def _account_loaded(self, message: AccountLoaded) -> None:
        if message.generation < self._shown_generation:
            return  # a read started later has been shown already
        self._shown_generation = message.generation
        if message.generation == self._read_generation:
            self._reading = None
        if message.generation == self._asked_generation and self.budget is not None:
            assert self.aws is not None  # it made the read
            self.budget.forgive(self.clock(), self.aws.counter.total)
        new = merge_read(self.account, message.snapshot)
        parts = message.parts
        if parts is None:
            parts = frozenset(every_part(q.name for q in new.queues))
        self.pacing.read(self.clock(), changed_parts(self.account, new, parts))
        self.account = new
        self.mark_fresh()
        for screen in self.screen_stack:
            show = getattr(screen, "show_account", None)
            if show is not None:
                show(new)

    def user_acted(self) -> None:
        """A key, a refresh, an action: what the user looks at is read at the normal pace."""
        self.pacing.hurry()

    def mark_fresh(self) -> None:
        if self.refresh_schedule.read_succeeded() and self._last_error:
            self.notify("AWS answers again: the data is fresh", title="Back")
        self._last_error = ""
        self.stale_reason = ""
        self.update_status()

    def update_status(self) -> None:
        for bar in self.screen.query(StatusBar):
            bar.update_now()

    def calls_per_minute(self) -> int:
        """API calls made in the last minute of the app's clock (all of them, whoever asked)."""
        total = self.aws.counter.total if self.aws is not None else 0
        return self.call_rate.per_minute(self.clock(), total)

    def refresh_tick(self) -> None:
        """The refresh timer: the current screen, and only it, re-reads what is due (screens
        that are not shown make no call; they catch up when shown again). Nothing while failures
        have backed the refresh off or the call budget is spent."""
        if self.aws is None:
            return
        if self.budget is not None:
            self.budget.charge(self.clock(), self.aws.counter.total)
        self.calls_per_minute()  # a sample a tick keeps the window's count exact
        if not self.refresh_schedule.due():
            return
        if self.budget is not None and not self.budget.allows(1):
            return
        reload = getattr(self.screen, "reload", None)
        if reload is not None:
            reload(full=False)

    def on_key(self) -> None:
        # Keys reach the app after the screen's bindings had their go: any key is the user
        # looking, and the data comes back to its normal pace.
        self.user_acted()

    # -- one handler for every failed worker --------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error, group=event.worker.group)

    def report_error(self, error: BaseException, *, group: str = "") -> None:
        """Blocking errors (no connection, no credentials) open a modal; the rest notify. A
        failed read marks the data STALE (saying why) and backs the automatic refresh off."""
        if group == "account":
            self._reading = None
        if group in READS:
            throttled = isinstance(error, Throttled)
            if throttled and self.budget is not None:
                self.budget.drain()  # every screen's automatic reads wait, not only this one's
            self.refresh_schedule.read_failed(throttled=throttled)
            self.stale_reason = getattr(error, "title", "") or type(error).__name__
            self.update_status()
        if isinstance(error, BatchtuiError):
            if isinstance(error, (ConnectFailed, CredentialsError, SandboxError)):
                self.connection.sandbox_starting = False
                self.push_screen(ErrorScreen(error.title, str(error)))
            elif str(error) != self._last_error:  # the timer retries: say it once, not every 5 s
                self._last_error = str(error)
                self.notify(str(error), title=error.title, severity="error", timeout=8)
        else:
            self.notify(
                f"{type(error).__name__}: {error} (please report it)",
                title="Internal error",
                severity="error",
                timeout=10,
            )

    # -- navigation ---------------------------------------------------------------------------

    def action_command_line(self) -> None:
        if type_into_focused_input(self, ":"):
            return
        self.push_screen(CommandLineScreen(self.views, self.account_names), self.run_command)

    def account_names(self, kind: str) -> list[str]:
        """The account's job queue or CE names (``views.QUEUE`` ...), for completion."""
        account = self.account
        if account is None:
            return []
        if kind == views.QUEUE:
            return [q.name for q in account.queues]
        if kind == views.COMPUTE_ENVIRONMENT:
            return [ce.name for ce in account.ces]
        return []

    def run_command(self, line: str | None) -> None:
        if not line or not line.strip(":").strip():
            return
        name, arg = views.parse_command(line)
        view = self.views.find(name)
        if view is None:
            known = " ".join(f":{v.name}" for v in self.views)
            self.notify(f"no view {name!r}; try {known}", severity="warning")
            return
        view.open(self, arg)

    def leave(self) -> None:
        """``q`` on the overview: quit, after a y/n when the app runs its own sandbox (its
        state, the jobs submitted and the changes applied, is lost). ``n``, ``q`` and ``esc``
        keep batchtui open, so pressing q to go back never quits past the question;
        ``ctrl+c`` and ``ctrl+q`` quit without asking (the deliberate way out, as in k9s)."""
        if not self.owns_sandbox:
            self.exit()
            return
        question = "quit batchtui? the sandbox's state is lost (y/n)"
        self.push_screen(ConfirmScreen("Quit", question), self._leave_answered)

    def _leave_answered(self, yes: bool | None) -> None:
        if yes:
            self.exit()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every palette entry: batchtui's (:meth:`palette_commands`), then Textual's."""
        yield from self.palette_commands(screen)
        yield from self.textual_commands(screen)

    def textual_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette entries, but those batchtui has too: its "Keys" (a side
        panel; `?` is ours) and any of the same title (the overview's "Quit")."""
        ours = {c.title for c in self.palette_commands(screen)} | {"Keys"}
        return [c for c in super().get_system_commands(screen) if c.title not in ours]

    def palette_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """batchtui's palette entries, in the order it lists them: the current screen's
        actions and every view (like the keys), then the account's job queues and CEs by name
        (a queue opens its jobs, a CE its detail)."""
        yield from screen_actions(self, screen)
        for view in self.views:
            yield SystemCommand(f":{view.name}", escape(view.help), partial(view.open, self, ""))
        # By name: typing part of a queue's or a CE's name finds it.
        opens = {v.argument: v for v in self.views if v.argument}
        for kind, what in ((views.QUEUE, "job queue: its jobs"),
                           (views.COMPUTE_ENVIRONMENT, "compute environment: its detail")):  # fmt: skip
            opener = opens.get(kind)
            if opener is None:
                continue
            for name in self.account_names(kind):
                yield SystemCommand(
                    escape(name),
                    escape(f"{what}   :{opener.name} {name}"),
                    partial(opener.open, self, name),
                )


def create_app(
    aws: Any = None,
    *,
    connect: Connect | None = None,
    sandbox: Any = None,
    config: TuiConfig | None = None,
    read_only: bool = False,
    clock: Callable[[], float] = time.monotonic,
    where: str = "",
    sandbox_expected: bool = False,
    where_label: str = "",
    owns_sandbox: bool = False,
) -> BatchtuiApp:
    """Build the app: given a connected ``aws`` (tests) or a ``connect`` callable run in a worker."""
    return BatchtuiApp(
        aws=aws,
        connect=connect,
        sandbox=sandbox,
        config=config,
        read_only=read_only,
        clock=clock,
        where=where,
        sandbox_expected=sandbox_expected,
        where_label=where_label,
        owns_sandbox=owns_sandbox,
    )


def run(args: argparse.Namespace) -> int:
    """The CLI's entry point for a bare ``batchtui``."""
    config = load_config(known_binding_ids=known_binding_ids)
    ctx = CommandContext(args)
    sandbox_expected = ctx.wants_sandbox

    def connect() -> tuple[Any, Any]:
        aws = ctx.aws()
        return aws, ctx.sandbox

    where = "sandbox (demo seed)" if sandbox_expected else ""
    app = create_app(
        connect=connect,
        config=config,
        read_only=bool(getattr(args, "read_only", False)),
        where=where,
        sandbox_expected=sandbox_expected,
        owns_sandbox=sandbox_expected,
    )
    try:
        app.run()
    finally:
        ctx.close()
    return int(app.return_code or 0)
