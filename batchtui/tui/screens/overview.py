"""The first screen: compute environments and job queues of the account at a glance."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Label

from batchtui.account.health import QueueHealth, account_health, needs_attention
from batchtui.account.snapshots import AccountSnapshot
from batchtui.account.textfilter import TextFilter
from batchtui.model import ACTIVE_STATUSES, FINAL_STATUSES, ComputeEnvironment, JobQueue
from batchtui.tui import cells
from batchtui.tui.bindings import ActionBinding
from batchtui.tui.freshness import endpoint_now, read_ago, titled
from batchtui.tui.messages import ActionDone
from batchtui.tui.screens import account_actions
from batchtui.tui.screens.base import BaseScreen, type_into_focused_input
from batchtui.tui.widgets.resource_table import ResourceTable
from batchtui.tui.widgets.screen_footer import ScreenFooter
from batchtui.tui.widgets.status_bar import StatusBar

#: The reason comes before the allocation strategy and the type: on a narrow terminal it is
#: what an operator needs (why a CE is INVALID), and the line under the tables shows it whole.
CE_COLUMNS = (
    ("name", "COMPUTE ENVIRONMENT"),
    ("state", "STATE"),
    ("status", "STATUS"),
    ("model", "MODEL"),
    ("min", "MIN"),
    ("desired", "DESIRED"),
    ("max", "MAX"),
    ("in_use", "IN USE"),
    ("reason", "STATUS REASON"),
    ("alloc", "ALLOCATION"),
    ("type", "TYPE"),
)
#: Health, the mix and the job counts come first: on a narrow terminal they are what is looked
#: for (a queue's own STATE and STATUS are nearly always ENABLED VALID, and HEALTH says when not).
QUEUE_COLUMNS = (
    ("name", "JOB QUEUE"),
    ("health", "HEALTH"),
    ("bar", "MIX"),
    ("counts", "JOBS BY STATUS"),
    ("state", "STATE"),
    ("status", "STATUS"),
    ("priority", "PRIO"),
    ("ces", "COMPUTE ENVIRONMENTS (ORDER)"),
    ("reason", "STATUS REASON"),
)


def _short(text: str, width: int = 60) -> str:
    """Long reasons are cut here; the line under the tables and the CE screen show them whole."""
    return text if len(text) <= width else text[: width - 1] + "…"


def ce_row(ce: ComputeEnvironment, in_use: float | None) -> dict[str, Any]:
    return {
        "name": Text(ce.name, style="bold"),
        "state": cells.state(ce.state),
        "status": cells.state(ce.status),
        "type": ce.type,
        "model": ce.purchase_model.label,
        "alloc": ce.allocation_strategy or "-",
        "min": str(ce.min_vcpus),
        "desired": str(ce.desired_vcpus),
        "max": str(ce.max_vcpus),
        "in_use": cells.vcpus(in_use),
        "reason": Text(
            _short(ce.status_reason) or "-", style="red" if ce.status == "INVALID" else ""
        ),
    }


def queue_row(q: JobQueue, snapshot: AccountSnapshot, health: QueueHealth) -> dict[str, Any]:
    counts = snapshot.counts.get(q.name, {})
    return {
        "name": Text(q.name, style="bold"),
        "health": cells.health(health),
        "state": cells.state(q.state),
        "status": cells.state(q.status),
        "priority": str(q.priority),
        "ces": cells.ce_order(q),
        "bar": cells.mix(counts),
        "counts": cells.count_text(counts),
        "reason": Text(q.status_reason or "-", style="red" if q.status == "INVALID" else ""),
    }


#: The lines under the tables name at most this many queues that need attention.
HEALTH_LINES = 5


def health_lines(attention: list[tuple[str, QueueHealth]], limit: int = HEALTH_LINES) -> Text:
    """One line per queue that needs attention, the worst first (``BLOCKED 2h36m
    simulate-72-cores COMPUTE_ENVIRONMENT_MAX_RESOURCE``); past ``limit``, how many more."""
    text = Text(no_wrap=True, overflow="ellipsis")
    shown = attention if len(attention) <= limit else attention[: limit - 1]
    width = max((len(name) for name, _ in shown), default=0)
    for name, health in shown:
        if text:
            text.append("\n")
        text.append(name.ljust(width), style="bold")
        text.append("  ")
        text.append_text(cells.health(health))
        text.append(f" {health.detail}")
    if len(shown) < len(attention):
        rest = attention[len(shown) :]
        text.append(f"\n{len(rest)} more: ")
        text.append(", ".join(f"{name} {h.state}" for name, h in rest))
    return text


def snapshot_health(snapshot: AccountSnapshot, now: float | None = None) -> dict[str, QueueHealth]:
    """Each queue's health, judged at ``now`` by the endpoint's clock (the sandbox's simulated
    one), by default the time the snapshot was read; this machine's when the endpoint did not
    say."""
    at = now if now is not None else snapshot.server_time
    return account_health(snapshot, int((at or time.time()) * 1000))


def sync_table(table: DataTable[Any], rows: dict[str, dict[str, Any]]) -> None:
    """Update a keyed table in place: changed cells only, new rows added, gone rows removed.

    The cursor stays on its row (rows are keyed by name), so a refresh never moves it."""
    existing = {str(k.value) for k in table.rows}
    for key in existing - rows.keys():
        table.remove_row(key)
    columns = [str(k.value) for k in table.columns]
    for key, row in rows.items():
        if key not in existing:
            table.add_row(*(row[c] for c in columns), key=key)
            continue
        for column, value in row.items():
            if table.get_cell(key, column) != value:
                table.update_cell(key, column, value, update_width=True)
    if [str(k.value) for k in table.rows] != list(rows):
        # Rows come back at the end (a filter cleared): the rows' own order again, the
        # cursor on the row it was on.
        cursor = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        for key, row in rows.items():
            table.add_row(*(row[c] for c in columns), key=key)
        if cursor in rows:
            table.move_cursor(row=list(rows).index(str(cursor)), animate=False)


def queues_title(ages: list[Text], width: int) -> Text:
    """ "Job queues", the mix bar's legend, then the ages that fit in ``width`` columns: the
    legend comes before the ages, and the finished statuses' age (read least often, looked at
    least) gives way first; the age of the active counts is kept even when it does not fit
    (it is cut, never dropped, when the legend and it are too wide)."""
    text = Text("Job queues   ")
    text.append_text(cells.legend())
    for i, age in enumerate(ages):
        if i and width and text.cell_len + 3 + age.cell_len > width:
            break
        text.append("   ")
        text.append_text(age)
    return text


class OverviewScreen(BaseScreen):
    HELP_NAME = "Overview"
    AUTO_FOCUS = "#queues"
    FOOTER_ORDER = ("open", "diagnose", "filter", "switch", "toggle_state", "scale")
    BINDINGS = [
        # The first screen: escape has nowhere to go back to, and q leaves batchtui.
        Binding("escape", "back", "Back", id="screen.back", tooltip="Go back", show=False),
        Binding("q", "close", "Quit", id="screen.close", tooltip="Leave batchtui"),
        Binding(
            "enter", "open", "Open", id="overview.open", tooltip="Queue: its jobs; CE: details"
        ),
        Binding("tab", "switch", "CEs/Queues", id="overview.switch"),
        Binding(
            "D",
            "diagnose",
            "Diagnose",
            id="overview.diagnose",
            tooltip="Queue: why its jobs are stuck",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="overview.filter",
            tooltip="name / state / status / reason; ! inverts",
            priority=True,  # acts before the keys typed after it reach the table (a paste)
        ),
        ActionBinding(
            "e", "toggle_state", "Enable/disable", id="overview.toggle_state", danger=True
        ),
        ActionBinding(
            "s",
            "scale",
            "Scale CE",
            id="overview.scale",
            tooltip="min / desired / max vCPUs",
            danger=True,
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = TextFilter()
        self._table = "queues"  # the table the keys act on (the last one focused)
        #: Each queue's health in the last snapshot shown.
        self.health: dict[str, QueueHealth] = {}

    def compose(self) -> ComposeResult:
        yield Label("Compute environments", classes="section-title", id="ces-title")
        ces = ResourceTable(id="ces")
        ces.fixed_columns = 1  # the name stays in sight when the table scrolls sideways
        for key, label in CE_COLUMNS:
            ces.add_column(label, key=key)
        yield ces
        yield Label(queues_title([], 0), classes="section-title", id="queues-title")
        queues = ResourceTable(id="queues")
        queues.fixed_columns = 1
        for key, label in QUEUE_COLUMNS:
            queues.add_column(label, key=key)
        yield queues
        # Docked at the bottom, so the tables shrink (and scroll) before these lines are cut.
        with Vertical(id="overview-lines"):
            yield Label("", id="overview-health")
            yield Input(
                placeholder="filter: name, state, status, reason or health; !text inverts",
                id="overview-filter",
            )
            yield Label("", id="overview-note", classes="note")
        yield StatusBar()
        yield ScreenFooter()

    def on_mount(self) -> None:
        self.query_one("#overview-filter", Input).display = False
        self.query_one("#queues", DataTable).focus()
        self._note()
        if self.batchtui.account is not None:
            self.show_account(self.batchtui.account)

    def _note(self) -> None:
        """The line under the tables: the selected row's status reason, whole (the table cuts
        it), and the filter when one is set; before the first read, what is happening."""
        app = self.batchtui
        if app.account is not None:
            text = self._filter_note(app.account) if self.filter.active else Text()
            selected = self._selected(self._table)
            if selected is not None:
                if text:
                    text.append("\n")
                text.append(selected.name, style="bold")
                kind = "compute environment" if self._table == "ces" else "job queue"
                text.append(f" ({kind})  ")
                text.append_text(cells.state(selected.state))
                text.append(" ")
                text.append_text(cells.state(selected.status))
                text.append(f"  {selected.status_reason or 'no status reason'}")
                health = self.health.get(selected.name) if self._table == "queues" else None
                if health is not None and not health.ok:
                    text.append("  ")
                    text.append_text(cells.health(health))
                    text.append(f" {health.detail}")
            elif not text:
                text = Text("nothing here: r re-reads the account")
        elif app.connection.sandbox_starting:
            text = Text("starting the sandbox with the demo account…")
        else:
            text = Text("syncing…")
        self.query_one("#overview-note", Label).update(text)

    def _filter_note(self, snapshot: AccountSnapshot) -> Text:
        ces = self.query_one("#ces", DataTable).row_count
        queues = self.query_one("#queues", DataTable).row_count
        text = Text("filter: ")
        text.append(self.filter.text, style="yellow")
        text.append(
            f"   {ces} of {len(snapshot.ces)} compute environments, "
            f"{queues} of {len(snapshot.queues)} job queues   {self.key_for('screen.back')}: clear"
        )
        return text

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == self._table:
            self._note()

    def show_account(self, snapshot: AccountSnapshot) -> None:
        f = self.filter
        ces = self.query_one("#ces", DataTable)
        sync_table(
            ces,
            {
                c.name: ce_row(c, snapshot.vcpus_in_use.get(c.name))
                for c in snapshot.ces
                if f.matches(c.name, c.state, c.status, c.status_reason)
            },
        )
        self.health = snapshot_health(snapshot, self._endpoint_now(snapshot))
        shown = {
            q.name: queue_row(q, snapshot, self.health[q.name])
            for q in snapshot.queues
            if f.matches(q.name, q.state, q.status, q.status_reason, self.health[q.name].words)
        }
        sync_table(self.query_one("#queues", DataTable), shown)
        self._show_health(shown)
        self._note()
        self.show_ages()

    def _endpoint_now(self, snapshot: AccountSnapshot) -> float | None:
        app = self.batchtui
        return endpoint_now(
            snapshot.server_time, snapshot.server_read_at, app.clock(), app.clock_speed()
        )

    def _show_health(self, shown: Iterable[str]) -> None:
        attention = [(n, h) for n, h in needs_attention(self.health) if n in shown]
        box = self.query_one("#overview-health", Label)
        box.display = bool(attention)
        box.update(health_lines(attention))

    def _health_goes_on(self, snapshot: AccountSnapshot) -> None:
        """Between reads, how long the blocked queues have waited counts on with the
        endpoint's clock (a clock that does not move changes nothing)."""
        health = snapshot_health(snapshot, self._endpoint_now(snapshot))
        if health == self.health:
            return
        self.health = health
        table = self.query_one("#queues", DataTable)
        shown = [str(k.value) for k in table.rows]
        for name in shown:
            if name in health:
                table.update_cell(name, "health", cells.health(health[name]))
        self._show_health(shown)

    def reload(self, full: bool) -> None:
        self.batchtui.load_account_worker(full)

    def resumed(self) -> None:
        self.batchtui.refresh_account_if_stale()

    def show_ages(self) -> None:
        """Each table's own age: the CEs' read, and the oldest count of the queues (the
        finished statuses are read less often, so their age is said apart)."""
        account = self.batchtui.account
        now = self.batchtui.clock()
        ces_read = account.read_at if account is not None else None
        self.query_one("#ces-title", Label).update(
            titled("Compute environments", read_ago(now, ces_read))
        )
        if account is not None and self.health:
            self._health_goes_on(account)
        if account is None:
            ages = [read_ago(now, None)]
        else:
            ages = [
                read_ago(now, account.counts_read_at(ACTIVE_STATUSES), what="counts read"),
                read_ago(now, account.counts_read_at(FINAL_STATUSES), what="SUCCEEDED/FAILED"),
            ]
        # The title's padding takes a column on each side.
        title = self.query_one("#queues-title", Label)
        width = (title.size.width or self.app.size.width) - 2
        title.update(queues_title(ages, width))

    def on_resize(self, event: events.Resize) -> None:
        self.show_ages()  # what fits in the queues' title depends on the width

    # -- selection ----------------------------------------------------------------------------

    def focus_table(self, which: str) -> None:
        self._table = which
        self.set_focus(self.query_one(f"#{which}", DataTable))
        self._note()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id in ("ces", "queues"):
            self._table = event.widget.id
            self._note()

    def selected_ce(self) -> ComputeEnvironment | None:
        return self._selected("ces")  # type: ignore[return-value]

    def selected_queue(self) -> JobQueue | None:
        return self._selected("queues")  # type: ignore[return-value]

    def _selected(self, which: str) -> ComputeEnvironment | JobQueue | None:
        account = self.batchtui.account
        table = self.query_one(f"#{which}", DataTable)
        if account is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        items = account.ces if which == "ces" else account.queues
        return next((x for x in items if x.name == key), None)

    def _focused_kind(self) -> str:
        return self._table

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        if self._focused_kind() == "ces":
            ce = self.selected_ce()
            if ce is not None:
                self.batchtui.navigate.open_compute_environment(ce.name)
        else:
            queue = self.selected_queue()
            if queue is not None:
                self.batchtui.navigate.open_jobs(queue.name)

    def action_diagnose(self) -> None:
        queue = self.selected_queue() if self._focused_kind() == "queues" else None
        if queue is None:
            self.notify("select a job queue first (tab switches tables)")
            return
        self.batchtui.navigate.open_diagnosis(queue=queue.name)

    def action_switch(self) -> None:
        self.focus_table("ces" if self._focused_kind() == "queues" else "queues")

    # -- filter -------------------------------------------------------------------------------

    def action_filter(self) -> None:
        if type_into_focused_input(self.app, "/"):
            return
        box = self.query_one("#overview-filter", Input)
        box.display = True
        self.set_focus(box)  # now, not after a refresh: keys typed at once land in the box
        self.refresh_bindings()

    @on(Input.Changed, "#overview-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter = TextFilter(event.value)
        if self.batchtui.account is not None:
            self.show_account(self.batchtui.account)

    @on(Input.Submitted, "#overview-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.display = False
        self.focus_table(self._table)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # the first screen: esc only clears the filter
            return self.filter.active or self.query_one("#overview-filter", Input).display
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        box = self.query_one("#overview-filter", Input)
        if box.display or self.filter.active:
            box.value = ""
            box.display = False
            self.filter = TextFilter()
            if self.batchtui.account is not None:
                self.show_account(self.batchtui.account)
            self.focus_table(self._table)
            self.refresh_bindings()

    def action_toggle_state(self) -> None:
        if self._focused_kind() == "ces":
            ce = self.selected_ce()
            if ce is not None:
                account_actions.toggle_compute_environment(self, ce)
        else:
            queue = self.selected_queue()
            if queue is not None:
                account_actions.toggle_job_queue(self, queue)

    def action_scale(self) -> None:
        ce = self.selected_ce() if self._focused_kind() == "ces" else None
        if ce is None:
            self.notify("select a compute environment first (tab switches tables)")
            return
        account_actions.scale_compute_environment(self, ce)

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        self.notify(message.text, title="Done")
        self.batchtui.account_changed()
