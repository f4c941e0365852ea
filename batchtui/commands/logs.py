"""`batchtui logs`: not built yet."""

from __future__ import annotations

import argparse

from batchtui.commands._not_built import add_no_arguments, refuse

NAME = "logs"
HELP = "Read and follow a job's CloudWatch logs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_no_arguments(parser)


def run(args: argparse.Namespace, ctx: object) -> int:
    return refuse(NAME)
