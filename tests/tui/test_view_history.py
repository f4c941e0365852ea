"""The screen stack is the view history: q and esc return to the screen the user came from,
even after a ``:`` jump, and quitting an app that runs its own sandbox asks first."""

from __future__ import annotations

from conftest import settle
from screen_text import screen_text

from batchtui.tui.screens.dialogs import ConfirmScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.logs import LogsScreen
from batchtui.tui.screens.overview import OverviewScreen
from batchtui.tui.screens.submissions import SubmissionsScreen

SIZES = [(80, 24), (120, 35)]


async def _command(app, pilot, line: str) -> None:
    await pilot.press("colon", *line, "enter")
    await settle(app, pilot)


def _where(app) -> tuple[str, str]:
    screen = app.screen
    return type(screen).__name__, getattr(screen, "queue", "")


async def test_q_after_a_colon_jump_returns_to_the_view_the_user_came_from(make_app) -> None:
    for size in SIZES:
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await _command(app, pilot, "jobs demo-thumbnails")
            await _command(app, pilot, "jobs demo-gpu")
            assert _where(app) == ("JobsScreen", "demo-gpu")
            await pilot.press("q")
            await settle(app, pilot)
            assert _where(app) == ("JobsScreen", "demo-thumbnails"), size
            assert "Jobs in demo-thumbnails" in screen_text(app)
            await pilot.press("escape")
            assert isinstance(app.screen, OverviewScreen) and app.is_running


async def test_q_from_submissions_returns_to_the_logs_it_was_opened_from(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await _command(app, pilot, "jobs demo-main")
        await pilot.press("6", "l")  # a finished job's logs (its follow ends by itself)
        await settle(app, pilot)
        assert isinstance(app.screen, LogsScreen)
        logs = app.screen
        await _command(app, pilot, "submissions")
        assert isinstance(app.screen, SubmissionsScreen)
        await pilot.press("q")
        await settle(app, pilot)
        assert app.screen is logs


async def test_a_jump_to_a_view_further_back_returns_to_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await _command(app, pilot, "jobs demo-thumbnails")
        first = app.screen
        await _command(app, pilot, "jobs demo-gpu")
        await _command(app, pilot, "jobs demo-thumbnails")
        assert app.screen is first  # not a second copy of it: the history holds a view once
        assert [type(s) for s in app.screen_stack[1:]] == [OverviewScreen, JobsScreen]
        await _command(app, pilot, "jq")  # the overview's queue table: the overview itself
        assert isinstance(app.screen, OverviewScreen) and len(app.screen_stack) == 2


async def test_quitting_the_own_sandbox_asks_first_and_q_never_answers_yes(make_app) -> None:
    for size in SIZES:
        app = make_app(owns_sandbox=True)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await _command(app, pilot, "jobs demo-gpu")
            await pilot.press("q", "q")  # back to the overview, then leave: a question
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen) and app.is_running
            assert "quit batchtui? the sandbox's state is lost (y/n)" in screen_text(app), size
            await pilot.press("q")  # a third q keeps batchtui open
            await pilot.pause()
            assert isinstance(app.screen, OverviewScreen) and app.is_running
            await pilot.press("q", "y")
            await pilot.pause()
            assert not app.is_running and app.return_code == 0


async def test_ctrl_c_quits_the_own_sandbox_without_asking(make_app) -> None:
    app = make_app(owns_sandbox=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running


async def test_q_quits_at_once_on_an_account_the_app_does_not_own(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
