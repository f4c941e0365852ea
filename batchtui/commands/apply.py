"""`batchtui apply`: not built yet."""

from __future__ import annotations

import argparse

from batchtui.commands import iam
from batchtui.commands._not_built import add_no_arguments, refuse

NAME = "apply"
HELP = "Show the diff of a planned configuration against the account, then apply it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_no_arguments(parser)
    iam.add_arguments(parser)  # IAM setup: --print-iam, --create-iam


def run(args: argparse.Namespace, ctx: object) -> int:
    if iam.wants_iam(args):  # IAM setup
        return iam.print_iam(args, ctx)
    return refuse(NAME)
