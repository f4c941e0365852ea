"""`batchtui diagnose`: not built yet."""

from __future__ import annotations

import argparse

from batchtui.commands._not_built import add_no_arguments, refuse

NAME = "diagnose"
HELP = "Explain why a job is stuck in RUNNABLE, with evidence and the fix"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_no_arguments(parser)


def run(args: argparse.Namespace, ctx: object) -> int:
    return refuse(NAME)
