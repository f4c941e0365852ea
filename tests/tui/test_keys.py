"""k9s habits: `?` lists every key of the screen and each works; `:` views; palette; keymap."""

from __future__ import annotations

import io

from conftest import SIZE, settle
from rich.console import Console
from screen_text import screen_text, toast_text

from batchtui.model import JobSummary
from batchtui.tui.app import create_app, keymap_clashes, known_binding_ids
from batchtui.tui.config import TuiConfig
from batchtui.tui.screens.ce_detail import ComputeEnvironmentScreen
from batchtui.tui.screens.diagnosis import DiagnosisScreen
from batchtui.tui.screens.dialogs import CommandLineScreen, ConfirmScreen
from batchtui.tui.screens.help import HelpScreen, bindings_table, listed_bindings
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.logs import LogsScreen
from batchtui.tui.screens.overview import OverviewScreen
from batchtui.tui.screens.plan import PlanScreen


def rendered(renderable) -> str:
    console = Console(width=140, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def listed_actions(screen) -> list[tuple[str, str, object]]:
    return [
        (key, a.binding.action, a.node)
        for key, a in screen.active_bindings.items()
        if a.binding.description and not a.binding.system
    ]


def assert_every_listed_key_has_an_action(app, screen) -> None:
    """Every key `?` would list resolves to an action method on its node."""
    for key, action, node in listed_actions(screen):
        name = action.split("(", 1)[0].split(".")[-1]
        target = app if action.startswith("app.") else node
        assert hasattr(target, f"action_{name}"), (key, action, node)


async def test_help_lists_the_screens_keys_with_ids(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for opener, screen_type in (
            ((), OverviewScreen),
            (("enter",), JobsScreen),
            (("d",), JobDetailScreen),
            (("D",), DiagnosisScreen),
        ):
            await pilot.press(*opener)
            await settle(app, pilot)
            assert isinstance(app.screen, screen_type)
            assert_every_listed_key_has_an_action(app, app.screen)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            text = rendered(bindings_table(app.screen.target))
            assert f"Keys of {screen_type.HELP_NAME}" in screen_text(app)
            assert "EVERYWHERE" in text and "app.command" in text and "screen.close" in text
            # (the diagnosis's keys are its tree's, "moving around", and everywhere's)
            assert "THIS SCREEN" in text or screen_type is DiagnosisScreen
            if screen_type is not OverviewScreen:  # the first screen has nothing to go back to
                assert "screen.back" in text
            if screen_type is DiagnosisScreen:
                assert "screen.close" in text and "findings.toggle" in text
            if screen_type in (OverviewScreen, JobsScreen, JobDetailScreen):
                diagnose = {
                    OverviewScreen: "overview",
                    JobsScreen: "jobs",
                    JobDetailScreen: "detail",
                }[screen_type]
                assert f"{diagnose}.diagnose" in text
            if screen_type is JobsScreen:
                for expected in (
                    "jobs.filter",
                    "jobs.stop",
                    "^d",
                    "jobs.sort",
                    "jobs.tab_runnable",
                    "table.down",
                ):
                    assert expected in text, expected
            await pilot.press("escape")
            assert isinstance(app.screen, screen_type)


def _assert_every_listed_key_is_remappable(screen) -> None:
    known = known_binding_ids()
    rows = listed_bindings(screen)
    assert rows, screen
    for _, keys, description, _, binding_id in rows:
        assert binding_id in known, (type(screen).__name__, keys, description)


async def test_help_at_80_columns_shows_whole_binding_ids(make_app) -> None:
    """The ids are what a keymap names: at 80x24 the dialog (100 wide) cut them to "jobs.fi"."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "jobs.filter" in text and "jobs.detail" in text and "BINDING ID" in text


async def test_every_key_help_lists_has_a_binding_id_the_keymap_knows() -> None:
    """On every screen, whichever widget has the focus: no key `?` lists is "built in"."""
    job = JobSummary(job_id="j-1", job_name="one", status="RUNNING", created_at=0)
    app = create_app(config=TuiConfig(refresh_interval=0))  # not connected: no worker starts
    async with app.run_test(size=SIZE) as pilot:
        for screen in (
            None,
            ComputeEnvironmentScreen("ce"),
            JobsScreen("q"),
            JobDetailScreen(job, "q"),
            LogsScreen("j-1"),
            PlanScreen(),
            DiagnosisScreen(job_id="j-1"),
        ):
            if screen is not None:
                await app.push_screen(screen)
                await pilot.pause()
            for _ in range(3):  # each focusable widget of the screen in turn
                _assert_every_listed_key_is_remappable(app.screen)
                await pilot.press("tab")


async def test_overview_open_can_be_remapped(make_app) -> None:
    """The table's own enter used to run first, so `overview.open` could not be moved."""
    config = TuiConfig(refresh_interval=0, keymap={"overview.open": "o"})
    app = make_app(config=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "o Open" in screen_text(app)  # the footer follows the keymap
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, OverviewScreen)
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "demo-main"
        await pilot.press("escape", "tab", "o")  # and on the CE table
        await settle(app, pilot)
        assert isinstance(app.screen, ComputeEnvironmentScreen)


async def test_every_key_on_the_jobs_screen_works(make_app) -> None:
    """Press each key `?` lists on the jobs screen; none raises, each does something visible."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        jobs = app.screen
        for key in (
            "s",
            "S",
            "1",
            "0",
            "right_square_bracket",
            "left_square_bracket",
            "y",
            "j",
            "k",
            "pagedown",
            "pageup",
            "G",
            "g",
        ):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.screen is jobs, key
        await pilot.press("slash")
        assert jobs.query_one("#filter").has_focus
        await pilot.press("escape")
        await pilot.press("5", "ctrl+d")  # a RUNNING job: it can be stopped
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n", "d")
        await settle(app, pilot)
        assert isinstance(app.screen, JobDetailScreen)
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("escape", "r")
        await settle(app, pilot)
        assert app.screen is jobs and not app.stale


async def test_colon_jumps_to_views(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("colon")
        assert isinstance(app.screen, CommandLineScreen)
        await pilot.press(*"jobs demo-batch-low", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "demo-batch-low"
        await pilot.press("colon", *"ce", "enter")
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.focused.id == "ces"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ComputeEnvironmentScreen)
        await pilot.press("colon", *"jq", "enter")
        assert isinstance(app.screen, OverviewScreen) and app.screen.focused.id == "queues"
        await pilot.press("colon", *"jobs", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "demo-main"
        await pilot.press("colon", *"nope", "enter")
        assert isinstance(app.screen, JobsScreen)
        await pilot.press("colon", *"jobs missing", "enter")
        await settle(app, pilot)
        # No such queue: a warning, and the view stays where it was (a typo loses no place).
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "demo-main"


async def test_palette_offers_the_screens_actions_and_views(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert ":ce" in titles and ":jobs" in titles
        assert "Enable/disable" in titles and "Refresh" in titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == ":jobs")
        command.callback()
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen)


async def test_the_palette_opens_lists_and_runs_the_screens_actions(make_app) -> None:
    """Drawn for real (it once crashed drawing "[/]", the filter key, as markup)."""
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for screen_keys in ((), ("enter",)):  # the overview, then a queue's jobs
            await pilot.press(*screen_keys)
            await settle(app, pilot)
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"filter")
            await settle(app, pilot)
            assert "key: /" in screen_text(app)
            await pilot.press("enter")  # runs it: the filter box has the focus
            await settle(app, pilot)
            assert app.focused is not None and "filter" in (app.focused.id or "")
            await pilot.press("escape")


async def test_keymap_from_config_remaps_by_binding_id(make_app) -> None:
    config = TuiConfig(refresh_interval=0, keymap={"jobs.stop": "ctrl+k", "jobs.filter": "f"})
    app = make_app(config=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+k")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n", "f")
        assert app.screen.query_one("#filter").has_focus


def test_every_binding_has_an_id_and_a_description() -> None:
    import batchtui.tui.screens as screens
    from batchtui.tui.app import BatchtuiApp

    for owner in (BatchtuiApp, *screens.BINDING_OWNERS):
        for binding in owner.BINDINGS:
            if not binding.system:
                assert binding.id and binding.description, (owner, binding)
    assert len(known_binding_ids()) > 40


async def test_a_keymap_that_takes_another_bindings_key_says_so(make_app) -> None:
    """Textual gives the key to the keymap and drops the other binding without a word."""
    config = TuiConfig(refresh_interval=0, keymap={"jobs.filter": "s"})  # s was jobs.sort
    assert keymap_clashes(config.keymap) == ["s: jobs.filter, jobs.sort"]
    assert keymap_clashes({"jobs.filter": "f", "table.down": "down,j,n"}) == []
    app = make_app(config=config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert "s: jobs.filter, jobs.sort" in toast_text(app)


async def test_every_listed_key_of_every_screen_runs_without_error(tmp_path, monkeypatch) -> None:
    """Each key `?` lists, pressed on each screen (not connected: no worker starts), runs its
    action without an exception; dialogs it opens are closed, screens it leaves re-opened."""
    from batchtui.tui.screens.help import listed_bindings

    monkeypatch.chdir(tmp_path)  # ctrl+s on the log screen writes here
    job = JobSummary(job_id="j-1", job_name="one", status="RUNNING", created_at=0)
    makers = (
        lambda: None,
        lambda: ComputeEnvironmentScreen("ce"),
        # (the jobs screen: test_every_key_on_the_jobs_screen_works, with jobs in it)
        lambda: JobDetailScreen(job, "q"),
        lambda: LogsScreen("j-1"),
        lambda: PlanScreen(),
    )
    app = create_app(config=TuiConfig(refresh_interval=0))
    tried: set[str] = set()
    async with app.run_test(size=(80, 24)) as pilot:  # small: 80 key presses
        overview = app.screen
        for make in makers:
            screen = make()
            if screen is not None:
                await app.push_screen(screen)
                await pilot.pause()
            target = screen or overview
            # Each screen's own keys; the keys every screen shares, and moving about in a
            # table or pane, once (on the first screen that has them).
            keys: set[str] = set()
            for section, k, _, _, binding_id in listed_bindings(target):
                if section == "This screen" or binding_id not in tried:
                    keys.add(k.split(", ")[0])
                    tried.add(binding_id)
            for display in sorted(keys - {"q", "^q", "^c"}):
                key = next(k for k, a in target.active_bindings.items()
                           if app.get_key_display(a.binding.with_key(k)) == display)  # fmt: skip
                await pilot.press(key)
                while app.screen is not target and app.screen.is_modal:
                    await pilot.press("escape")  # a dialog, the help, the palette
                    await pilot.pause()
                if app.screen is not target and screen is not None:
                    while len(app.screen_stack) > 2:
                        app.pop_screen()
                    screen = make()
                    await app.push_screen(screen)
                    await pilot.pause()
                    target = screen
                if app.screen.query("Input:focus"):
                    await pilot.press("escape")  # a filter or search box took the focus
            while len(app.screen_stack) > 2:
                app.pop_screen()
        assert app.is_running
