"""`batchtui plan`: not built yet."""

from __future__ import annotations

import argparse

from batchtui.commands._not_built import add_no_arguments, refuse

NAME = "plan"
HELP = "Model cost and time of a workload under spot/on-demand mixes and vCPU quotas"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_no_arguments(parser)


def run(args: argparse.Namespace, ctx: object) -> int:
    return refuse(NAME)
