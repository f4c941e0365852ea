"""`batchtui submit`: not built yet."""

from __future__ import annotations

import argparse

from batchtui.commands import trigger
from batchtui.commands._not_built import add_no_arguments, refuse

NAME = "submit"
HELP = "Submit the image-tagging workload as array jobs with dependencies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    trigger.add_arguments(parser)  # --print-trigger (and --profile, --output unless defined)
    add_no_arguments(parser)


def run(args: argparse.Namespace, ctx: object) -> int:
    if trigger.wants_trigger(args):
        return trigger.print_trigger(args, ctx)
    return refuse(NAME)
