"""The overview: CEs and queues at a glance, opening a queue or a CE, enable/disable, scale."""

from __future__ import annotations

from conftest import SIZE, settle
from screen_text import screen_text, toast_text

from batchtui.tui.screens.ce_detail import ComputeEnvironmentScreen
from batchtui.tui.screens.dialogs import ConfirmScreen, ScaleScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.overview import OverviewScreen


async def test_first_paint_shows_ces_and_queues(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, OverviewScreen)
        text = screen_text(app)
        for expected in (
            "spot-ce",
            "ondemand-ce",
            "SPOT_PRICE_CAPACITY_OPTIMIZED",
            "DISABLED",
            "high",
            "spot-ce > ondemand-ce",
            "RNBL 4",
            "FAIL 4",
            "acct 123456789012",
        ):
            assert expected in text, expected
        # One ListJobs per queue and status (1,000 a page): counts without listing everything.
        assert app.aws.counter.get("batch", "ListJobs") == 2 * 7
        assert app.aws.counter.get("batch", "DescribeJobs") == 0


async def test_enter_on_a_queue_opens_its_jobs(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen)
        assert app.screen.queue == "high"
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)


async def test_enter_on_a_ce_shows_it_and_the_queues_using_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ComputeEnvironmentScreen)
        text = screen_text(app)
        assert "ondemand-ce" in text and "BEST_FIT_PROGRESSIVE" in text
        assert "high" in text and "low" in text  # both queues use ondemand-ce
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen)


async def test_disable_a_queue_asks_naming_it_then_calls(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        assert isinstance(app.screen, ConfirmScreen)
        question = screen_text(app)
        assert "Disable job queue high?" in question and "ENABLED and VALID" in question
        await pilot.press("n")
        await settle(app, pilot)
        assert not any(op == "updatejobqueue" for op, _ in fake.requests)
        await pilot.press("e", "y")
        await settle(app, pilot)
        assert ("updatejobqueue", {"jobQueue": "high", "state": "DISABLED"}) in fake.requests
        state = app.screen.query_one("#queues").get_cell("high", "state")
        assert str(state) == "DISABLED"


async def test_enable_a_ce(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "down", "e")
        assert "Enable compute environment ondemand-ce?" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert (
            "updatecomputeenvironment",
            {"computeEnvironment": "ondemand-ce", "state": "ENABLED"},
        ) in fake.requests


async def test_scale_checks_batch_rules_before_the_call(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # queues table focused: scale needs a CE
        assert not isinstance(app.screen, ScaleScreen)
        await pilot.press("tab", "s")
        assert isinstance(app.screen, ScaleScreen)
        desired = app.screen.query_one("#desired")
        desired.value = "8"  # spot-ce's desired is 16: lowering is refused
        await pilot.pause()
        assert "desiredvCpus cannot be lowered" in screen_text(app)
        assert app.screen.query_one("#apply").disabled
        desired.value = "32"
        app.screen.query_one("#max").value = "512"
        await pilot.pause()
        assert not app.screen.query_one("#apply").disabled
        assert "will set maxvCpus 512, desiredvCpus 32" in screen_text(app)
        await pilot.click("#apply")
        await settle(app, pilot)
        assert (
            "updatecomputeenvironment",
            {
                "computeEnvironment": "spot-ce",
                "computeResources": {"maxvCpus": 512, "desiredvCpus": 32},
            },
        ) in fake.requests
        assert "512" in screen_text(app)


async def test_scale_is_checked_against_the_ce_as_it_is_when_applied(make_app, fake) -> None:
    """The dialog showed desired 16; Batch raised it to 40 meanwhile. Asking for 32 passed the
    dialog's check, and AWS refused it ("Manually scaling down ... is not supported"): now the
    CE is read again before the call and the refusal says what moved."""
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "s")
        assert isinstance(app.screen, ScaleScreen)
        spot = next(c for c in fake.ces if c["computeEnvironmentName"] == "spot-ce")
        spot["computeResources"]["desiredvCpus"] = 40
        app.screen.query_one("#desired").value = "32"
        await pilot.pause()
        assert not app.screen.query_one("#apply").disabled
        await pilot.click("#apply")
        await settle(app, pilot, failures_expected=True)
        text = toast_text(app)
        assert "desiredvCpus cannot be lowered" in text and "desired 16 -> 40" in text
        assert not any(op == "updatecomputeenvironment" for op, _ in fake.requests)


async def test_keys_typed_ahead_of_a_dialog_do_not_crash(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(*"estion")  # e opens the dialog, n answers before it has mounted
        await settle(app, pilot)
        assert not any(op == "updatejobqueue" for op, _ in fake.requests)


def _rows(app, which: str) -> list[str]:
    return [str(k.value) for k in app.screen.query_one(f"#{which}").rows]


async def test_slash_filters_ces_and_queues_and_bang_inverts(make_app, fake) -> None:
    fake.add_queue("spot-only", ["spot-ce"], state="DISABLED")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"disabled")  # the state: a DISABLED CE and queue
        assert _rows(app, "ces") == ["ondemand-ce"]
        assert _rows(app, "queues") == ["spot-only"]
        await pilot.press("enter")
        assert app.screen.query_one("#queues").has_focus
        text = screen_text(app)
        assert "filter: disabled" in text
        assert "1 of 2 compute environments, 1 of 3 job queues" in text
        await pilot.press("enter")  # the filtered table's row opens
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "spot-only"
        await pilot.press("escape")
        assert _rows(app, "queues") == ["spot-only"]  # the filter outlives a visit
        await pilot.press("escape")  # clears it
        assert isinstance(app.screen, OverviewScreen)
        assert len(_rows(app, "ces")) == 2 and len(_rows(app, "queues")) == 3
        await pilot.press("slash", *"!spot", "enter")  # name, inverted
        assert _rows(app, "ces") == ["ondemand-ce"]
        assert sorted(_rows(app, "queues")) == ["high", "low"]
        await pilot.press("escape", "slash", *"healthy", "enter")  # the status reason
        assert len(_rows(app, "ces")) == 2 and len(_rows(app, "queues")) == 3


async def test_filter_survives_a_refresh(make_app, fake) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"low", "enter")
        assert _rows(app, "queues") == ["low"]
        await pilot.press("r")
        await settle(app, pilot)
        assert _rows(app, "queues") == ["low"]


async def test_a_where_label_stays_in_the_status_bar_after_connecting(fake) -> None:
    """The snapshot tests' sandbox takes any free port: the label keeps the picture the same."""
    from fakebatch import make_aws

    from batchtui.tui.app import create_app
    from batchtui.tui.config import TuiConfig

    aws = fake.install(make_aws())
    app = create_app(aws, config=TuiConfig(refresh_interval=0), where_label="ENDPOINT us-east-1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "ENDPOINT us-east-1" in text and "127.0.0.1:1" not in text


async def test_an_80_column_footer_ends_with_the_palette_key(make_app) -> None:
    """The keys that do not fit run under the palette key docked at the right edge: it must
    cover them to the last cell (a margin once let "Palettee" show)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        footer_row = screen_text(app).splitlines()[-1].rstrip()
        assert footer_row.endswith("^p Palette"), footer_row


async def test_the_timer_recounts_finished_jobs_every_half_minute(make_app, fake) -> None:
    """The automatic refresh lists active statuses; SUCCEEDED / FAILED counts only changed on
    `r`, so after half an hour the overview showed counts from its start. Now they are re-read
    every FULL_COUNT_EVERY_S of the app's clock."""
    from batchtui.tui.app import FULL_COUNT_EVERY_S

    now = [1000.0]
    app = make_app(clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        queue = app.account.queues[0].name
        before = app.account.counts[queue]["SUCCEEDED"].n
        fake.add_job("late-1", "late-one", queue, "SUCCEEDED")
        now[0] += FULL_COUNT_EVERY_S / 2
        app.screen.reload(full=False)
        await settle(app, pilot)
        assert app.account.counts[queue]["SUCCEEDED"].n == before  # active statuses only
        now[0] += FULL_COUNT_EVERY_S / 2
        app.screen.reload(full=False)
        await settle(app, pilot)
        assert app.account.counts[queue]["SUCCEEDED"].n == before + 1
