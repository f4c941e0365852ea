"""A new on-call user's keys: q closes a view (and quits only from the overview), ctrl+q and
ctrl+c quit from anywhere, Tab completes a queue name after `:`, the palette lists batchtui's
entries first and finds a queue by name, and `?` never cuts a key at 80x24."""

from __future__ import annotations

from conftest import SIZE, settle
from screen_text import screen_text
from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from batchtui.tui.screens.ce_detail import ComputeEnvironmentScreen
from batchtui.tui.screens.dialogs import CommandLineScreen
from batchtui.tui.screens.help import HelpScreen, listed_bindings
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.overview import OverviewScreen

# -- q, ctrl+q, ctrl+c -------------------------------------------------------------------------


async def test_q_goes_back_one_screen_and_quits_only_from_the_overview(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "d")  # a queue's jobs, then a job's detail
        await settle(app, pilot)
        assert isinstance(app.screen, JobDetailScreen)
        await pilot.press("q")
        assert isinstance(app.screen, JobsScreen) and app.is_running
        await pilot.press("slash", "q")  # in the filter box, q is a letter
        assert app.screen.query_one("#filter", Input).value == "q"
        await pilot.press("escape", "q")  # out of the box (and the filter cleared); then back
        assert isinstance(app.screen, OverviewScreen) and app.is_running
        assert "q Quit" in screen_text(app)  # the footer says what q does here
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running and app.return_code == 0


async def test_the_footer_below_the_overview_says_q_and_escape_go_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        footer = screen_text(app).splitlines()[-1]
        for key in ("q/esc Back", "? Keys", ": View", "^p Palette", "d Describe", "l Logs"):
            assert key in footer, (key, footer)


async def test_ctrl_q_quits_from_a_deep_screen_even_from_a_text_box(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "d")
        await settle(app, pilot)
        assert isinstance(app.screen, JobDetailScreen)
        await pilot.press("colon")  # the prompt has the focus
        assert isinstance(app.screen, CommandLineScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_c_quits_when_no_text_is_selected(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running


# -- Tab after `:` -------------------------------------------------------------------------


async def test_tab_completes_a_queue_name_after_colon_jobs(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"jobs demo-b")
        box = app.screen.query_one("#command", Input)
        assert box.value == ":jobs demo-b"  # the ":" stays (it was selected, then typed over)
        await settle(app, pilot)  # the suggester runs in a worker
        assert ":jobs demo-batch-low" in screen_text(app)  # the rest shown, greyed
        await pilot.press("tab")
        assert box.value == ":jobs demo-batch-low"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "demo-batch-low"


async def test_tab_completes_what_several_names_share_then_cycles(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"ce demo-sp", "tab")
        box = app.screen.query_one("#command", Input)
        assert box.value == ":ce demo-spot"  # demo-spot and demo-spot-render share it
        await pilot.press("tab")
        assert box.value == ":ce demo-spot-render"  # the next match
        await pilot.press("tab")
        assert box.value == ":ce demo-spot"  # and round again
        await pilot.press("backspace", "tab")  # typing ends the cycle: completes afresh
        assert box.value == ":ce demo-spot"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ComputeEnvironmentScreen)
        assert app.screen.ce_name == "demo-spot"


# -- the palette ---------------------------------------------------------------------------


def _palette_titles(app) -> list[str]:
    options = app.screen.query_one(CommandList)
    return [
        str(options.get_option_at_index(i).prompt).split("\n")[0]
        for i in range(options.option_count)
    ]


async def test_the_palette_lists_batchtuis_entries_before_textuals(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette)
        titles = _palette_titles(app)
        ours = {"Open", "Filter", ":ce", ":jobs", "demo-batch-low", "demo-spot"}
        textuals = {"Theme", "Screenshot"}
        assert ours <= set(titles) and textuals <= set(titles), titles
        last_ours = max(titles.index(t) for t in ours)
        assert last_ours < min(titles.index(t) for t in textuals), titles
        assert "Keys" not in titles  # Textual's key panel: `?` is ours
        assert titles.count("Quit") == 1  # the overview's q, not Textual's too
        # The screen's own actions first, most important first; the keys every screen has after.
        assert titles[:3] == ["Open", "Diagnose", "Filter"], titles
        assert titles.index("Refresh") > titles.index("Scale CE")


async def test_the_palette_finds_a_queue_by_name_and_opens_its_jobs(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "ctrl+p")  # on a queue's jobs: one "Back" (esc and q)
        await settle(app, pilot)
        titles = _palette_titles(app)
        assert titles.count("Back") == 1 and titles[0] == "Describe", titles
        await pilot.press(*"batch-low")
        await settle(app, pilot)
        assert _palette_titles(app)[0] == "demo-batch-low"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.queue == "demo-batch-low"


# -- `?` at 80x24 --------------------------------------------------------------------------


async def test_help_shows_every_key_whole_at_80x24(make_app) -> None:
    """The key column is as wide as its longest key ("pagedown, ctrl+f" was cut at 14)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        longest = 0
        for opener in ((), ("enter",), ("d",)):  # overview, jobs, job detail
            await pilot.press(*opener)
            await settle(app, pilot)
            target = app.screen
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            keys = [row[1] for row in listed_bindings(target)]
            longest = max(longest, *map(len, keys))
            text = screen_text(app)
            # Scroll through the help (a reading pane) and see every key whole.
            seen = text
            for _ in range(12):
                await pilot.press("pagedown")
                await pilot.pause()
                seen += "\n" + screen_text(app)
            for key in keys:
                assert any(line.lstrip(" █").startswith(key) for line in seen.splitlines()), key
            await pilot.press("q")
            assert app.screen is target
        assert longest > 14  # the old width would have cut one
