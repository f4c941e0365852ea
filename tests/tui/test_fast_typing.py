"""Keys arrive in bursts (a fast typist, a paste): what follows `/` or `:` is text, not keys."""

from __future__ import annotations

from conftest import SIZE, settle
from test_jobs import names, open_jobs
from textual import events


def type_fast(app, text: str) -> None:
    """Queue keys at once, as a fast typist or a paste does, without waiting between them."""
    for ch in text:
        key = {"/": "slash", ":": "colon", " ": "space"}.get(ch, ch)
        app.post_message(events.Key(key, ch))


async def test_keys_typed_right_after_slash_reach_the_filter(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        type_fast(app, "/stream-processor")
        await settle(app, pilot)
        assert len(names(screen)) == 12  # the demo account's stream processors


async def test_a_burst_after_slash_on_the_overview_does_not_fire_its_keys(make_app) -> None:
    """Before, "/sp" sent "s" to the table: the scale dialog opened."""
    from batchtui.tui.screens.overview import OverviewScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        type_fast(app, "/spot")
        await settle(app, pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.query_one("#overview-filter").value == "spot"


async def test_a_burst_after_colon_reaches_the_command_line(make_app) -> None:
    from batchtui.tui.screens.plan import PlanScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        type_fast(app, ":plan")
        app.post_message(events.Key("enter", None))
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen)


async def test_slash_and_colon_still_type_themselves_in_a_box(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_jobs(app, pilot)
        await pilot.press("slash", *"a/b:c")
        assert screen.query_one("#filter").value == "a/b:c"
