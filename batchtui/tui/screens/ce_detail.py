"""One compute environment: every setting, and the job queues that use it."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from batchtui.account.snapshots import AccountSnapshot
from batchtui.model import ComputeEnvironment
from batchtui.tui import cells
from batchtui.tui.bindings import ActionBinding
from batchtui.tui.messages import ActionDone
from batchtui.tui.screens import account_actions
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.screens.overview import (
    QUEUE_COLUMNS,
    queue_row,
    snapshot_health,
    sync_table,
)
from batchtui.tui.widgets.reading_pane import ReadingPane
from batchtui.tui.widgets.resource_table import ResourceTable
from batchtui.tui.widgets.screen_footer import ScreenFooter
from batchtui.tui.widgets.status_bar import StatusBar


def ce_details(ce: ComputeEnvironment, in_use: float | None) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    rows: list[tuple[str, Any]] = [
        ("name", ce.name),
        ("arn", ce.arn),
        ("state / status", Text.assemble(cells.state(ce.state), " / ", cells.state(ce.status))),
        ("status reason", ce.status_reason or "-"),
        ("type", f"{ce.type}  {ce.purchase_model.label}"),
        ("allocation strategy", ce.allocation_strategy or "-"),
        (
            "vCPUs",
            f"min {ce.min_vcpus}   desired {ce.desired_vcpus}   max {ce.max_vcpus}   "
            f"in use {cells.vcpus(in_use)}",
        ),
        ("instance types", ", ".join(ce.instance_types) or "-"),
        ("bid percentage", "-" if ce.bid_percentage is None else f"{ce.bid_percentage}%"),
        ("subnets", ", ".join(ce.subnets) or "-"),
        ("security groups", ", ".join(ce.security_group_ids) or "-"),
        ("instance role", ce.instance_role or "-"),
        ("service role", ce.service_role or "-"),
        ("launch template", ce.launch_template or "-"),
        ("ECS cluster", ce.ecs_cluster_arn or "-"),
        ("tags", ", ".join(f"{k}={v}" for k, v in ce.tags) or "-"),
    ]
    for label, value in rows:
        grid.add_row(label, value if isinstance(value, Text) else Text(str(value)))
    return grid


class ComputeEnvironmentScreen(BaseScreen):
    HELP_NAME = "Compute environment"
    BINDINGS = [
        Binding("enter", "open_queue", "Queue's jobs", id="ce.open_queue"),
        ActionBinding("e", "toggle_state", "Enable/disable", id="ce.toggle_state", danger=True),
        ActionBinding(
            "s", "scale", "Scale", id="ce.scale", tooltip="min / desired / max vCPUs", danger=True
        ),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.ce_name = name

    def compose(self) -> ComposeResult:
        yield Label(Text(f"Compute environment {self.ce_name}"), classes="section-title")
        with ReadingPane(id="ce-details-box"):
            yield Static(id="ce-details")
        yield Label("Job queues using it", classes="section-title")
        queues = ResourceTable(id="ce-queues")
        for key, label in QUEUE_COLUMNS:
            queues.add_column(label, key=key)
        yield queues
        yield StatusBar()
        yield ScreenFooter()

    def on_mount(self) -> None:
        self.query_one("#ce-queues", DataTable).focus()
        if self.batchtui.account is not None:
            self.show_account(self.batchtui.account)

    def current(self) -> ComputeEnvironment | None:
        account = self.batchtui.account
        if account is None:
            return None
        return next((c for c in account.ces if c.name == self.ce_name), None)

    def show_account(self, snapshot: AccountSnapshot) -> None:
        ce = self.current()
        details = self.query_one("#ce-details", Static)
        if ce is None:
            details.update(Text(f"{self.ce_name} no longer exists", style="red"))
            return
        details.update(ce_details(ce, snapshot.vcpus_in_use.get(ce.name)))
        health = snapshot_health(snapshot)
        using = {
            q.name: queue_row(q, snapshot, health[q.name])
            for q in snapshot.queues
            if any(o.compute_environment in (ce.name, ce.arn) for o in q.compute_environment_order)
        }
        sync_table(self.query_one("#ce-queues", DataTable), using)

    def reload(self, full: bool) -> None:
        self.batchtui.load_account_worker(full)

    def resumed(self) -> None:
        self.batchtui.refresh_account_if_stale()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_queue()

    def action_open_queue(self) -> None:
        table = self.query_one("#ce-queues", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.batchtui.navigate.open_jobs(str(key))

    def action_toggle_state(self) -> None:
        ce = self.current()
        if ce is not None:
            account_actions.toggle_compute_environment(self, ce)

    def action_scale(self) -> None:
        ce = self.current()
        if ce is not None:
            account_actions.scale_compute_environment(self, ce)

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        self.notify(message.text, title="Done")
        self.batchtui.account_changed()
