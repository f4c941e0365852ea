"""Health at a glance on the demo account: queues that cannot run anything say so, the filter
finds them by the words shown, and the mix bar has words and a legend at 120 and 80 columns."""

from __future__ import annotations

import account
from conftest import SIZE, Clock, batch_client, settle
from screen_text import screen_text

from batchtui.tui.screens.overview import OverviewScreen


def _row(text: str, queue: str) -> str:
    """The queue's row of the queues table (not the CE of that name, not a health line)."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith(" JOB QUEUE "))
    return next(line for line in lines[header:] if line.startswith(f" {queue}  "))


def _queues(app) -> list[str]:
    return [str(k.value) for k in app.screen.query_one("#queues").rows]


async def test_queues_that_cannot_run_anything_say_why_under_the_tables(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        # Half an hour of simulated warm-up before "now": the stuck jobs were created at
        # START - 1730 s (the sandbox's clock, not this machine's).
        for line in (
            " demo-gpu        NO CE demo-gpu DISABLED; train-model waits 28m50s",
            " demo-legacy     NO CE demo-legacy INVALID; legacy-report waits 28m50s",
            " demo-batch-low  BLOCKED 28m50s simulate-72-cores COMPUTE_ENVIRONMENT_MAX_RESOURCE",
            " demo-genomics   BLOCKED 28m50s assemble-genome JOB_RESOURCE_REQUIREMENT",
            " demo-render     BLOCKED 28m50s render-4k-scene INSUFFICIENT_INSTANCE_CAPACITY",
        ):
            assert line in text.splitlines(), line
        # The health column: AWS calls these queues ENABLED VALID.
        for queue, health in (
            ("demo-main", "OK"),
            ("demo-gpu", "NO CE"),
            ("demo-legacy", "NO CE"),
            ("demo-batch-low", "BLOCKED"),
        ):
            row = _row(text, queue)
            assert row.split()[1:3][: len(health.split())] == health.split(), row
            assert "ENABLED  VALID" in row
        # The worst first: no CE at all, then blocked heads.
        lines = [line for line in text.splitlines() if " NO CE " in line or " BLOCKED " in line]
        assert [line.split()[0] for line in lines][-5:] == [
            "demo-gpu",
            "demo-legacy",
            "demo-batch-low",
            "demo-genomics",
            "demo-render",
        ]


async def test_the_blocked_time_grows_with_the_sandbox_clock_and_ends_when_the_head_goes(
    make_app, demo
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        demo.advance(3600)
        await pilot.press("r")
        await settle(app, pilot)
        assert (
            " demo-genomics   BLOCKED 1h28m assemble-genome JOB_RESOURCE_REQUIREMENT"
            in screen_text(app).splitlines()
        )
        (head,) = account.job_ids(demo, "demo-genomics", "RUNNABLE")
        batch_client(demo).cancel_job(jobId=head, reason="too big")
        demo.advance(60)
        await pilot.press("r")
        await settle(app, pilot)
        text = screen_text(app)
        assert "assemble-genome" not in text
        assert _row(text, "demo-genomics").split()[1] == "OK"


async def test_a_new_blocking_reason_waits_until_the_dwell_time_then_blocks(make_app, demo) -> None:
    client = batch_client(demo)
    client.create_job_queue(
        jobQueueName="fresh",
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "demo-ondemand"}],
    )
    account.submit(
        demo,
        "huge",
        "fresh",
        jobDefinition="demo-etl",
        containerOverrides={
            "resourceRequirements": [
                {"type": "VCPU", "value": "72"},
                {"type": "MEMORY", "value": "65536"},
            ]
        },
    )
    demo.advance(60)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert _row(screen_text(app), "fresh").split()[1] == "WAITING"
        demo.advance(240)  # the reason is now 5 minutes old or older: the dwell time
        await pilot.press("r")
        await settle(app, pilot)
        text = screen_text(app)
        assert _row(text, "fresh").split()[1] == "BLOCKED"
        # Six queues need attention: four lines, and the rest by name.
        assert " 2 more: demo-render BLOCKED, fresh BLOCKED" in text.splitlines()
        await pilot.press("slash", *"fresh")
        assert (
            " fresh  BLOCKED 5m00s huge COMPUTE_ENVIRONMENT_MAX_RESOURCE"
            in screen_text(app).splitlines()
        )


async def test_the_filter_finds_queues_by_their_health_words(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"INVALID")
        assert _queues(app) == ["demo-legacy"]
        await pilot.press("escape", "slash", *"disabled")
        assert _queues(app) == ["demo-gpu"]
        await pilot.press("escape", "slash", *"blocked")
        assert sorted(_queues(app)) == ["demo-batch-low", "demo-genomics", "demo-render"]
        await pilot.press("escape", "slash", *"MAX_RESOURCE")
        assert _queues(app) == ["demo-batch-low"]
        await pilot.press("escape", "slash", *"!blocked")
        assert "demo-batch-low" not in _queues(app) and "demo-main" in _queues(app)


async def test_clearing_the_filter_restores_the_order_of_both_tables(make_app) -> None:
    """demo-legacy moved from fifth to the top after /INVALID and escape, and stayed there."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        ces = [str(k.value) for k in app.screen.query_one("#ces").rows]
        queues = _queues(app)
        assert queues.index("demo-legacy") > 0
        await pilot.press("slash", *"INVALID")
        assert _queues(app) == ["demo-legacy"]
        await pilot.press("escape")
        assert _queues(app) == queues
        assert [str(k.value) for k in app.screen.query_one("#ces").rows] == ces
        # The row the cursor was on (the filter's only row) keeps the cursor.
        assert app.screen.selected_queue().name == "demo-legacy"


async def test_the_mix_bar_has_words_and_a_legend_at_80_columns(make_app, demo) -> None:
    for size in (SIZE, (120, 35), (80, 24)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, OverviewScreen)
            text = screen_text(app)
            legend = " Job queues   mix: █SUB █PEND █RNBL █STRT █RUN █OK █FAIL   counts read 0s ago"
            assert legend in text, size
            # The finished statuses' age gives way first, when the legend leaves no room.
            finished = legend + "   SUCCEEDED/FAILED 0s ago"
            assert (finished in text) == (size != (80, 24)), size
            counts = account.counts(demo, "demo-main")
            share = round(100 * counts["SUCCEEDED"] / sum(counts.values()))
            assert f"████████ OK {share}%" in _row(text, "demo-main"), size
            # The health lines and the selected queue's line stay in sight at 80x24.
            assert " demo-gpu        NO CE demo-gpu DISABLED" in text, size
            assert " demo-main (job queue)" in text, size


async def test_the_queue_name_stays_when_the_table_scrolls_sideways(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["right"] * 8)
        await pilot.pause()
        text = screen_text(app)
        table = app.screen.query_one("#queues")
        assert table.scroll_x > 0
        assert _row(text, "demo-main")
        assert "JOB QUEUE" in text and "demo-ondemand" in text


async def test_the_blocked_time_counts_on_between_reads_at_the_sandbox_speed(make_app) -> None:
    clock = Clock()
    app = make_app(clock=clock)
    app.clock_speed = lambda: 60.0  # as a sandbox at ×60 runs
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        calls = app.aws.counter.total
        clock.now += 60  # an hour on the endpoint, no read
        app.screen.show_ages()
        await pilot.pause()
        assert app.aws.counter.total == calls
        assert (
            " demo-genomics   BLOCKED 1h28m assemble-genome JOB_RESOURCE_REQUIREMENT"
            in screen_text(app).splitlines()
        )


async def test_a_read_of_some_statuses_counts_the_endpoint_clock_from_its_own_answer(
    make_app, demo
) -> None:
    """A read of some statuses tells a newer endpoint time while the resources keep their older
    read time: counting on from the older time added the gap twice (BLOCKED 5h47m grew to 7h07m
    in 40 simulated minutes, then fell back at the next full read)."""
    from batchtui.account.loaders import load_account
    from batchtui.account.pacing import Part
    from batchtui.tui.freshness import endpoint_now

    clock = Clock()
    app = make_app(clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        full = app.account
        assert full is not None and full.server_time is not None
        demo.advance(600)
        clock.now += 10
        partial = load_account(
            app.aws, parts={Part("demo-main", "RUNNING")}, previous=full, clock=clock
        )
        assert partial.read_at == full.read_at  # the resources were not read again
        assert partial.server_read_at == clock.now
        assert partial.server_time is not None and partial.server_time >= full.server_time + 600
        # Counted on from when the endpoint told it: nothing added at the moment it was told.
        shown = endpoint_now(partial.server_time, partial.server_read_at, clock.now, 60.0)
        assert shown == partial.server_time
