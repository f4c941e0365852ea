"""Placeholder TUI until the TUI issue lands: says what it is connected to."""

from __future__ import annotations

import argparse

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BatchtuiApp(App[int]):
    TITLE = "batchtui"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            f"batchtui — connected to {self.where}.\nThe screens arrive with the TUI issue."
        )
        yield Footer()


def run(args: argparse.Namespace) -> int:
    where = "the sandbox" if getattr(args, "sandbox", False) else "AWS"
    BatchtuiApp(where).run()
    return 0
