"""Commands that are not built yet say so plainly."""

from __future__ import annotations

import argparse

from batchtui.errors import BatchtuiError


def refuse(name: str) -> int:
    raise BatchtuiError(f"`batchtui {name}` is not built yet")


def add_no_arguments(parser: argparse.ArgumentParser) -> None:
    del parser
