"""`batchtui sandbox`: placeholder until the sandbox lands (its owner replaces this file)."""

from __future__ import annotations

import argparse

from batchtui.commands._not_built import add_no_arguments, refuse

NAME = "sandbox"
HELP = "Run the embedded sandbox AWS (moto server + Batch scheduler model + demo account)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_no_arguments(parser)


def run(args: argparse.Namespace, ctx: object) -> int:
    return refuse(NAME)
