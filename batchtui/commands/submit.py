"""`batchtui submit`: not built yet."""

from __future__ import annotations

import argparse

from batchtui.commands import submission_status
from batchtui.commands._not_built import add_no_arguments, refuse

NAME = "submit"
HELP = "Submit the image-tagging workload as array jobs with dependencies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_no_arguments(parser)
    submission_status.add_arguments(parser)  # last: it adds --profile/--output if not added


def run(args: argparse.Namespace, ctx: object) -> int:
    if getattr(args, "status", None) is not None:
        return submission_status.run(args, ctx)
    return refuse(NAME)
