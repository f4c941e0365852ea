"""A line of the findings list ends at a word with "…", so no number is ever shown cut."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from batchtui.tui.cells import fit_words

WORDS = st.lists(
    st.one_of(
        st.from_regex(r"[0-9]{1,9}", fullmatch=True),
        st.from_regex(r"[a-z:()]{1,12}", fullmatch=True),
    ),
    min_size=1,
    max_size=20,
)


def test_the_line_ends_before_a_number_it_cannot_show_whole() -> None:
    line = Text("no instance type of the queue fits the job: it needs 900000 MiB, 145281 MiB more")
    assert str(fit_words(line, 60)) == "no instance type of the queue fits the job: it needs …"
    assert (
        str(fit_words(line, 61)) == "no instance type of the queue fits the job: it needs 900000 …"
    )
    assert fit_words(line, 200) is line  # it fits: as it is
    assert str(fit_words(Text("900000"), 4)) == "900…"  # one word wider than the row
    assert fit_words(line, 0) is line  # the row has no width yet


@given(words=WORDS, width=st.integers(min_value=2, max_value=120))
def test_a_fitted_line_is_whole_or_ends_at_a_word(words: list[str], width: int) -> None:
    plain = " ".join(words)
    fitted = str(fit_words(Text(plain), width))
    if fitted == plain:
        return
    assert len(fitted) <= width and fitted.endswith("…")
    if len(words[0]) + 2 <= width:  # a word boundary was in reach: the cut is at one
        kept = fitted.removesuffix(" …")
        assert plain[len(kept)] == " " and kept.split() == words[: len(kept.split())]
    else:  # one word wider than the row: cut by cells, nothing else to do
        assert plain.startswith(fitted[:-1])
