"""The overview on the demo account: CEs and queues at a glance, opening a queue or a CE,
enable/disable and scale, each checked against what the sandbox reports afterwards."""

from __future__ import annotations

import account
from conftest import SIZE, batch_client, settle
from screen_text import screen_text, toast_text

from batchtui.tui.screens.ce_detail import ComputeEnvironmentScreen
from batchtui.tui.screens.dialogs import ConfirmScreen, ScaleScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.overview import OverviewScreen

QUEUES = 7  # the demo account's job queues


async def test_first_paint_shows_ces_and_queues(make_app, demo) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, OverviewScreen)
        text = screen_text(app)
        low = account.counts(demo, "demo-batch-low")
        for expected in (
            "demo-spot",
            "demo-gpu             DISABLED",
            "demo-legacy          ENABLED   INVALID",
            "CLIENT_ERROR",
            "demo-main",
            "demo-spot > demo-ondemand",
            f"RNBL {low['RUNNABLE']}",
            f"FAIL {low['FAILED']}",
            "acct 123456789012",
        ):
            assert expected in text, expected
        # One ListJobs per queue and status (1,000 a page): counts without listing everything.
        assert app.aws.counter.get("batch", "ListJobs") == QUEUES * 7


async def test_enter_on_a_queue_opens_its_jobs(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen)
        assert app.screen.queue == "demo-main"
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
        assert "demo-ondemand" in text and "BEST_FIT_PROGRESSIVE" in text
        for queue in ("demo-main", "demo-batch-low", "demo-genomics"):  # all use demo-ondemand
            assert queue in text, queue
        assert "demo-render" not in text
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen)


async def test_disable_a_queue_asks_naming_it_then_disables_it(make_app, demo) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        assert isinstance(app.screen, ConfirmScreen)
        question = screen_text(app)
        assert "Disable job queue demo-main?" in question and "ENABLED and VALID" in question
        await pilot.press("n")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "UpdateJobQueue") == 0
        assert account.job_queue(demo, "demo-main")["state"] == "ENABLED"
        await pilot.press("e", "y")
        await settle(app, pilot)
        assert account.job_queue(demo, "demo-main")["state"] == "DISABLED"
        state = app.screen.query_one("#queues").get_cell("demo-main", "state")
        assert str(state) == "DISABLED"


async def test_enable_a_ce(make_app, demo) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "down", "down", "down", "e")  # demo-gpu, DISABLED
        assert "Enable compute environment demo-gpu?" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert account.compute_environment(demo, "demo-gpu")["state"] == "ENABLED"
        # Its queue's job, stuck while the CE was DISABLED, now gets an instance.
        [train] = account.job_ids(demo, "demo-gpu", "RUNNABLE")
        demo.advance(600)
        assert account.job(demo, train)["status"] != "RUNNABLE"
        assert "startedAt" in account.job(demo, train)


async def test_scale_checks_batch_rules_before_the_call(make_app, demo) -> None:
    before = account.compute_environment(demo, "demo-ondemand")["computeResources"]
    assert before["desiredvCpus"] > 8
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # queues table focused: scale needs a CE
        assert not isinstance(app.screen, ScaleScreen)
        await pilot.press("tab", "down", "s")
        assert isinstance(app.screen, ScaleScreen)
        desired = app.screen.query_one("#desired")
        desired.value = "8"  # below demo-ondemand's desired: lowering is refused
        await pilot.pause()
        assert "desiredvCpus cannot be lowered" in screen_text(app)
        assert app.screen.query_one("#apply").disabled
        wanted = before["desiredvCpus"] + 8
        desired.value = str(wanted)
        app.screen.query_one("#max").value = "96"
        await pilot.pause()
        assert not app.screen.query_one("#apply").disabled
        assert f"will set maxvCpus 96, desiredvCpus {wanted}" in screen_text(app)
        await pilot.click("#apply")
        await settle(app, pilot)
        after = account.compute_environment(demo, "demo-ondemand")["computeResources"]
        assert after["maxvCpus"] == 96 and after["desiredvCpus"] >= wanted
        assert "96" in screen_text(app)


async def test_scale_is_checked_against_the_ce_as_it_is_when_applied(make_app, demo) -> None:
    """The dialog showed one desiredvCpus; the CE's rose meanwhile. Asking for a value between
    the two passed the dialog's check, and AWS refused it ("Manually scaling down ... is not
    supported"): now the CE is read again before the call and the refusal says what moved."""
    shown = account.compute_environment(demo, "demo-ondemand")["computeResources"]["desiredvCpus"]
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "down", "s")
        assert isinstance(app.screen, ScaleScreen)
        batch_client(demo).update_compute_environment(  # another operator raises it
            computeEnvironment="demo-ondemand", computeResources={"desiredvCpus": shown + 20}
        )
        app.screen.query_one("#desired").value = str(shown + 10)
        await pilot.pause()
        assert not app.screen.query_one("#apply").disabled
        await pilot.click("#apply")
        await settle(app, pilot, failures_expected=True)
        text = toast_text(app)
        assert "desiredvCpus cannot be lowered" in text
        assert f"desired {shown} -> {shown + 20}" in text
        assert app.aws.counter.get("batch", "UpdateComputeEnvironment") == 0
        ce = account.compute_environment(demo, "demo-ondemand")["computeResources"]
        assert ce["desiredvCpus"] == shown + 20


async def test_keys_typed_ahead_of_a_dialog_do_not_crash(make_app, demo) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(*"estion")  # e opens the dialog, n answers before it has mounted
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "UpdateJobQueue") == 0
        assert account.job_queue(demo, "demo-main")["state"] == "ENABLED"


def _rows(app, which: str) -> list[str]:
    return [str(k.value) for k in app.screen.query_one(f"#{which}").rows]


async def test_slash_filters_ces_and_queues_and_bang_inverts(make_app, demo) -> None:
    batch_client(demo).create_job_queue(
        jobQueueName="spot-only",
        state="DISABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "demo-spot"}],
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"disabled")  # the state: a DISABLED CE and queue
        assert _rows(app, "ces") == ["demo-gpu"]
        # demo-gpu by its health: its only CE is DISABLED.
        assert _rows(app, "queues") == ["demo-gpu", "spot-only"]
        await pilot.press("enter")
        assert app.screen.query_one("#queues").has_focus
        text = screen_text(app)
        assert "filter: disabled" in text
        assert "1 of 7 compute environments, 2 of 8 job queues" in text
        await pilot.press("down", "enter")  # the filtered table's row opens
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "spot-only"
        await pilot.press("escape")
        assert _rows(app, "queues") == ["demo-gpu", "spot-only"]  # the filter outlives a visit
        await pilot.press("escape")  # clears it
        assert isinstance(app.screen, OverviewScreen)
        assert len(_rows(app, "ces")) == 7 and len(_rows(app, "queues")) == 8
        await pilot.press("slash", *"!spot", "enter")  # inverted: name, model, state, reason
        ces = ["demo-fargate", "demo-gpu", "demo-legacy", "demo-ondemand"]
        assert sorted(_rows(app, "ces")) == ces
        assert "spot-only" not in _rows(app, "queues") and len(_rows(app, "queues")) == 7
        await pilot.press("escape", "slash", *"healthy", "enter")  # the status reason
        assert "demo-legacy" not in _rows(app, "ces")  # INVALID: CLIENT_ERROR
        assert len(_rows(app, "ces")) == 6
        queues = batch_client(demo).describe_job_queues()["jobQueues"]
        healthy = [q["jobQueueName"] for q in queues if "Healthy" in q.get("statusReason", "")]
        assert sorted(_rows(app, "queues")) == sorted(healthy) and len(healthy) >= 7


async def test_filter_survives_a_refresh(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"genomics", "enter")
        assert _rows(app, "queues") == ["demo-genomics"]
        await pilot.press("r")
        await settle(app, pilot)
        assert _rows(app, "queues") == ["demo-genomics"]


async def test_a_where_label_stays_in_the_status_bar_after_connecting(make_app, demo) -> None:
    """The snapshot tests' sandbox takes any free port: the label keeps the picture the same."""
    app = make_app(where_label="ENDPOINT us-east-1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "ENDPOINT us-east-1" in text and demo.url not in text


async def test_an_80_column_footer_ends_with_the_palette_key(make_app) -> None:
    """The keys that do not fit run under the palette key docked at the right edge: it must
    cover them to the last cell (a margin once let "Palettee" show)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        footer_row = screen_text(app).splitlines()[-1].rstrip()
        assert footer_row.endswith("^p Palette"), footer_row


async def test_the_timer_recounts_finished_jobs_at_their_own_pace(make_app, demo) -> None:
    """The automatic refresh lists active statuses every interval; SUCCEEDED / FAILED counts
    only changed on `r`, so after half an hour the overview showed counts from its start. Now
    they are re-read at their own, slower, pace (FINISHED_BASE_S of the app's clock), and the
    queues' title says how old they are."""
    from batchtui.account.pacing import FINISHED_BASE_S, AccountPacing

    now = [1000.0]
    app = make_app(clock=lambda: now[0])
    app.pacing = AccountPacing(5.0)  # the timer itself stays off; the test ticks by hand
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = app.account.counts["demo-main"]["SUCCEEDED"].n
        assert before == len(account.job_ids(demo, "demo-main", "SUCCEEDED"))
        demo.advance(900)  # jobs finish in the sandbox
        succeeded = len(account.job_ids(demo, "demo-main", "SUCCEEDED"))
        assert succeeded > before
        now[0] += FINISHED_BASE_S / 2
        app.screen.reload(full=False)
        await settle(app, pilot)
        assert app.account.counts["demo-main"]["SUCCEEDED"].n == before  # active statuses only
        assert "counts read 0s ago" in screen_text(app)
        assert "SUCCEEDED/FAILED 30s ago" in screen_text(app)
        now[0] += FINISHED_BASE_S / 2
        app.screen.reload(full=False)
        await settle(app, pilot)
        assert app.account.counts["demo-main"]["SUCCEEDED"].n == succeeded
