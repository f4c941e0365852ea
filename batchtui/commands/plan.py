"""`batchtui plan`: model cost and time of a workload under spot/on-demand mixes and quotas."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from batchtui.commands import CommandContext, add_output_option
from batchtui.errors import BlockingProblems, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from batchtui.planner import PlanWarning

NAME = "plan"
HELP = "Model cost and time of a workload under spot/on-demand mixes and vCPU quotas"
DESCRIPTION = """\
Plan a workload described by a planning profile (profiles/NAME.toml or a path): every spot/
on-demand mix, the profile's own setup and Fargate, simulated as Monte Carlo trials; the
cheapest scenario that meets the deadline and the budget; the warnings to read before applying.
Prices come from the bundled, dated snapshot unless --live reads the Pricing API, the spot price
history and Service Quotas of the connected account (--sandbox works). Exit 3 when no scenario
meets the deadline and the budget, or a problem blocks the workload."""

MAX_TRIALS = 100_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", "-p", required=True, metavar="NAME|PATH",
        help="planning profile: a path to a .toml file, or NAME for profiles/NAME.toml",
    )  # fmt: skip
    parser.add_argument("--check", action="store_true", help="only validate the profile")
    parser.add_argument(
        "--live", action="store_true",
        help="read prices and vCPU quotas from the connected account (Pricing API, "
        "DescribeSpotPriceHistory, Service Quotas) instead of the bundled snapshot",
    )  # fmt: skip
    parser.add_argument("--plot", action="store_true", help="add plotext charts to the table")
    parser.add_argument("--trials", type=int, metavar="N", help="Monte Carlo trials per scenario")
    parser.add_argument("--seed", type=int, metavar="S", help="random seed (same seed, same plan)")
    add_output_option(parser)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from batchtui.profiles import load_profile

    if args.trials is not None and not 1 <= args.trials <= MAX_TRIALS:
        raise UsageError(f"--trials {args.trials}: must be between 1 and {MAX_TRIALS:,}")
    profile = load_profile(args.profile)
    if args.check:
        ctx.note(f"{profile.path}: valid profile {profile.name!r}")
        return 0
    from batchtui.account.plan_facts import gather_plan_facts

    facts = gather_plan_facts(profile, ctx.aws, live=args.live, note=ctx.note)

    from batchtui.planner import run_plan

    plan = run_plan(profile, facts, trials=args.trials, seed=args.seed)
    if args.output == "json":
        from batchtui.render.plan import plan_to_json
        from batchtui.render.text import to_json

        print(to_json(plan_to_json(plan)), file=ctx.stdout)
    else:
        from batchtui.render.plan import render_plan_table

        print(render_plan_table(plan), file=ctx.stdout)
        if args.plot:
            from batchtui.render.charts import cost_vs_makespan_chart, vcpus_over_time_chart

            print("", file=ctx.stdout)
            print(cost_vs_makespan_chart(plan, 100, 24), file=ctx.stdout)
            print("", file=ctx.stdout)
            print(vcpus_over_time_chart(plan, 100, 20), file=ctx.stdout)
    where = "in the JSON document on stdout" if args.output == "json" else "on stdout"
    if plan.blocking:
        raise BlockingProblems(
            "blocking problems: " + blocking_summary(plan.blocking),
            hint=f"the plan's warnings {where} say each one and its fix",
        )
    if plan.recommendation.scenario is None:
        raise BlockingProblems(
            "no scenario meets the deadline and the budget",
            hint=f"the plan's scenarios {where} show each one's cost and chance of the deadline",
        )
    return 0


def blocking_summary(warnings: Sequence[PlanWarning]) -> str:
    """Each code once, with what it is about: ``DESIRED_OUTSIDE_RANGE (spot, on-demand)``."""
    subjects: dict[str, list[str]] = {}
    for w in warnings:
        about = subjects.setdefault(w.code, [])
        if w.subject and w.subject not in about:
            about.append(w.subject)
    return "; ".join(f"{code} ({', '.join(s)})" if s else code for code, s in subjects.items())
