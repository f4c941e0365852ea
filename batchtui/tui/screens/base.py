"""What every full screen shares: back, refresh, the status bar, and read-only danger handling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from batchtui.tui.bindings import dangerous_actions
from batchtui.tui.host import Host
from batchtui.tui.reasons import Explanation, Keys, queue_blocker

if TYPE_CHECKING:
    from batchtui.account.snapshots import AccountSnapshot
    from batchtui.aws.session import Aws


def type_into_focused_input(app: Any, character: str) -> bool:
    """Give ``character`` to the focused Input, if one is: the keys that open an input (``/``,
    ``:``) are priority bindings, so they must still type themselves where text is entered."""
    focused = app.focused
    if isinstance(focused, Input):
        focused.insert_text_at_cursor(character)
        return True
    return False


class BaseScreen(Screen[Any], inherit_bindings=False):
    """A batchtui screen. ``DANGEROUS`` names the actions that change the account, derived from
    the bindings marked ``danger`` (k9s's Dangerous flag): in read-only mode they are not offered
    at all: no key, no footer entry, no palette.

    Textual's Screen keys (tab, shift+tab, ctrl+c) are declared again here with binding ids, so
    every key `?` lists can be remapped from the config."""

    #: Derived, never written: see ``__init_subclass__``.
    DANGEROUS: ClassVar[frozenset[str]] = frozenset()
    #: queue_blocker's answers for one account snapshot (a new snapshot starts afresh).
    _blockers: tuple[AccountSnapshot, dict[str, Explanation | None]] | None = None
    #: What `?` calls this screen.
    HELP_NAME: ClassVar[str] = ""
    #: The footer's keys, most important first (actions; the rest follow in declaration order).
    #: A narrow terminal drops keys from the end; `?` and the palette always list them all.
    FOOTER_ORDER: ClassVar[tuple[str, ...]] = ()
    BINDINGS = [
        Binding("escape", "back", "Back", id="screen.back", tooltip="Go back"),
        # less, tig and k9s users close a view with q: it goes back here, and quits only on the
        # overview (OverviewScreen), where nothing is left to go back to.
        Binding(
            "q",
            "close",
            "Back",
            id="screen.close",
            tooltip="Close this view (on the overview: leave batchtui)",
        ),
        Binding("r", "refresh", "Refresh", id="screen.refresh", tooltip="Re-read from AWS now"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="screen.next_pane"),
        Binding(
            "shift+tab", "app.focus_previous", "Previous pane", show=False, id="screen.prev_pane"
        ),
        Binding(
            "ctrl+c,super+c",
            "screen.copy_text",
            "Copy selected text",
            show=False,
            id="screen.copy_text",
            tooltip="Text selected with the mouse; with nothing selected, ctrl+c quits",
        ),
    ]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.DANGEROUS = dangerous_actions(cls)

    @property
    def batchtui(self) -> Host:
        """The app as a batchtui host (the account, the connection, navigation)."""
        return cast(Host, self.app)

    @property
    def aws(self) -> Aws:
        aws = self.batchtui.aws
        assert aws is not None, "workers start only once connected"
        return aws

    @property
    def connected(self) -> bool:
        return self.batchtui.aws is not None

    def reason_keys(self) -> Keys:
        """The keys the RUNNABLE explanations point to; none in read-only mode (not offered)."""
        if self.batchtui.read_only:
            return Keys(scale="", enable="", stop="")
        return Keys(
            scale=self.key_for("overview.scale") or "s",
            enable=self.key_for("overview.toggle_state") or "e",
            stop=self.key_for("jobs.stop") or "ctrl+d",
        )

    def queue_blocker(self, queue: str) -> Explanation | None:
        """Why nothing of ``queue`` (name or ARN) is placed, from the account snapshot.

        Worked out once per snapshot and queue: the jobs screen asks on every cursor move."""
        account = self.batchtui.account
        if account is None:
            return None
        if self._blockers is None or self._blockers[0] is not account:
            self._blockers = (account, {})
        known = self._blockers[1]
        if queue not in known:
            found = next((q for q in account.queues if queue in (q.name, q.arn)), None)
            known[queue] = queue_blocker(found, account.ces, self.reason_keys()) if found else None
        return known[queue]

    def key_for(self, binding_id: str) -> str:
        """The key (as shown) of ``binding_id`` on this screen or the app, after the user's
        keymap; "" when neither has it. (Not from the active bindings: those depend on what
        has the focus, and a focused text box takes the letter keys.)"""
        keys = self.batchtui.config.keymap.get(binding_id)
        if keys is None:
            for cls in (*type(self).__mro__, *type(self.app).__mro__):
                for binding in cls.__dict__.get("BINDINGS", ()):
                    if isinstance(binding, Binding) and binding.id == binding_id:
                        keys = binding.key
        if not keys:
            return ""
        return self.app.get_key_display(Binding(keys.split(",")[0].strip(), ""))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False (not None): the binding is not active at all, so it has no key, no footer entry
        # and no palette entry, and `?` does not list it.
        return not (action in self.DANGEROUS and self.batchtui.read_only)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        # Worker messages do not bubble: every screen hands failures to the app's one handler.
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.worker_failed(event.worker.group)
            self.batchtui.report_error(event.worker.error, group=event.worker.group)

    def worker_failed(self, group: str) -> None:
        """A worker of this screen failed (the app tells the user): undo "reading…" states so
        the screen says so and the timer's next refresh retries."""

    @property
    def is_top(self) -> bool:
        """The first screen (the overview): nothing to go back to."""
        return len(self.app.screen_stack) <= 2 and self.app.screen_stack[-1] is self

    def action_back(self) -> None:
        if not self.is_top:
            self.dismiss()

    def action_close(self) -> None:
        """q: back, like escape; on the first screen, leave batchtui (less and tig do). The app
        asks first only when leaving loses something: its own in-process sandbox's state."""
        if self.is_top:
            self.batchtui.leave()
        else:
            self.dismiss()

    def action_refresh(self) -> None:
        if self.connected:
            self.notify("refreshing…", timeout=1.5)
            self.batchtui.user_acted()
            self.reload(full=True)

    def reload(self, full: bool) -> None:
        """Re-read this screen's data; ``full`` for ``r``; for the timer (only ever the screen
        shown), whatever of it is due, or nothing."""

    def on_mount(self) -> None:
        # The ages in the panes' titles count up between reads (no call is made for that).
        self.set_interval(1.0, self.show_ages)

    def on_screen_resume(self) -> None:
        # Shown again (a screen above it closed): the timer skipped it while hidden, so what is
        # older than its interval is read now.
        if self.connected:
            self.show_ages()
            self.resumed()

    def resumed(self) -> None:
        """The screen is shown again: re-read what is stale (nothing by default)."""

    def show_ages(self) -> None:
        """Say in each pane how old its data is (nothing by default)."""
