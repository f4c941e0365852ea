"""Which keys the footer keeps when the line is too short for all of them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batchtui.tui.widgets.screen_footer import EVERYWHERE, KEY_GAP, footer_keys

SHOWN = [
    ("back", 8),
    ("refresh", 9),
    ("open", 6),
    ("filter", 8),
    ("switch", 14),
    ("command_line", 6),
    ("help", 6),
    ("close", 6),
]


def test_the_screens_order_first_refresh_last_everywhere_keys_at_the_end() -> None:
    assert footer_keys(SHOWN, ("filter", "open"), 200) == [
        "filter",
        "open",
        "back",
        "switch",
        "refresh",
        "command_line",
        "help",
        "close",
    ]


def test_a_narrow_line_drops_the_least_important_first_and_keeps_everywheres() -> None:
    assert footer_keys(SHOWN, ("filter", "open"), 50) == [
        "filter",
        "open",
        "command_line",
        "help",
        "close",
    ]
    assert footer_keys(SHOWN, ("filter",), 10) == list(EVERYWHERE)


@given(st.integers(min_value=0, max_value=120), st.permutations([a for a, _ in SHOWN]))
def test_what_is_kept_fits_or_is_only_the_everywhere_keys(width: int, order: list[str]) -> None:
    widths = dict(SHOWN)
    kept = footer_keys(SHOWN, order, width)
    assert kept[-len(EVERYWHERE) :] == list(EVERYWHERE)
    own = kept[: -len(EVERYWHERE)]
    assert own == [] or sum(widths[a] + KEY_GAP for a in kept) <= width
    # Nothing dropped when everything fits.
    if sum(w + KEY_GAP for _, w in SHOWN) <= width:
        assert set(kept) == set(widths)
