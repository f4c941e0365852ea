"""Rich Text cells the screens share: states, job-count bars, CE order. Never markup strings:
values from AWS go in as plain text, so a name with ``[`` in it is shown as it is.

Also the terminal-cell arithmetic of wrapping a log line: a CJK character or an emoji takes two
cells, a combining mark or a joined emoji sequence none of its own, so a row is cut by cells
(rich's grapheme measure, the one Textual draws with), never by characters."""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len, split_graphemes
from rich.text import Text

from batchtui.account.health import OK, WAITING, QueueHealth
from batchtui.account.snapshots import QueueCount
from batchtui.model import JOB_STATUSES, JobQueue

STATUS_COLOURS = {
    "SUBMITTED": "bright_black",
    "PENDING": "magenta",
    "RUNNABLE": "yellow",
    "STARTING": "cyan",
    "RUNNING": "green",
    "SUCCEEDED": "dark_green",
    "FAILED": "red",
}
SHORT = {
    "SUBMITTED": "SUB",
    "PENDING": "PEND",
    "RUNNABLE": "RNBL",
    "STARTING": "STRT",
    "RUNNING": "RUN",
    "SUCCEEDED": "OK",
    "FAILED": "FAIL",
}


def state(value: str) -> Text:
    good = value in ("ENABLED", "VALID")
    bad = value in ("DISABLED", "INVALID", "DELETING", "DELETED")
    return Text(value, style="green" if good else "red bold" if bad else "yellow")


def count_bar(counts: Mapping[str, QueueCount], width: int = 16) -> Text:
    """One coloured cell run per status, proportional to its count (at least one cell)."""
    present = [(s, counts[s].n) for s in JOB_STATUSES if s in counts and counts[s].n > 0]
    total = sum(n for _, n in present)
    text = Text()
    if not total:
        return Text("·" * width, style="bright_black")
    cells = {s: max(1, round(width * n / total)) for s, n in present}
    while sum(cells.values()) > width:
        biggest = max(cells, key=lambda s: cells[s])
        cells[biggest] -= 1
    for s, _ in present:
        text.append("█" * cells[s], style=STATUS_COLOURS[s])
    text.append(" " * (width - text.cell_len))
    return text


def largest_share(counts: Mapping[str, QueueCount]) -> Text:
    """The bar in words: its largest status and its share ("OK 87%"), in the status's colour.
    A count of a page that is not the whole list ("1000+") makes the share "≥"."""
    present = [(s, counts[s]) for s in JOB_STATUSES if s in counts and counts[s].n > 0]
    total = sum(c.n for _, c in present)
    if not total:
        return Text("no jobs", style="bright_black")
    status, count = max(present, key=lambda item: item[1].n)
    more = "≥" if any(c.more for _, c in present) else ""
    return Text(
        f"{SHORT[status]} {more}{round(count.n * 100 / total)}%", style=STATUS_COLOURS[status]
    )


def mix(counts: Mapping[str, QueueCount], width: int = 8) -> Text:
    """The mix bar followed by its largest share in words: colour is never the only sign."""
    text = count_bar(counts, width)
    if any(c.n for c in counts.values()):
        text.append(" ")
        text.append_text(largest_share(counts))
    return text


def legend() -> Text:
    """What the mix bar's colours stand for: a swatch and the short name of each status."""
    text = Text("mix: ", style="bold")
    for s in JOB_STATUSES:
        text.append("█", style=STATUS_COLOURS[s])
        text.append(f"{SHORT[s]} ", style="")
    text.rstrip()
    return text


def health(value: QueueHealth) -> Text:
    """A queue's health in one word: green when it runs, yellow when it waits, red otherwise."""
    style = "green" if value.state == OK else "yellow" if value.state == WAITING else "red bold"
    return Text(value.state, style=style)


def count_text(counts: Mapping[str, QueueCount]) -> Text:
    text = Text()
    for s in JOB_STATUSES:
        c = counts.get(s)
        if c is None or c.n == 0:
            continue
        if text:
            text.append(" ")
        text.append(f"{SHORT[s]} {c}", style=STATUS_COLOURS[s])
    return text or Text("no jobs", style="bright_black")


def ce_order(queue: JobQueue) -> str:
    return " > ".join(
        o.compute_environment.rsplit("/", 1)[-1] for o in queue.compute_environment_order
    )


def vcpus(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


def text_cells(text: str) -> int:
    """How many terminal cells ``text`` takes (sanitized log text: ASCII is one cell a char)."""
    return len(text) if text.isascii() else cell_len(text)


def wrap_starts(text: str, width: int) -> list[int]:
    """Where each row of ``text`` wrapped at ``width`` cells starts (character offsets).

    Every row but the last fills at most ``width`` cells; a grapheme (a wide character, an
    emoji with its joiners and variation selectors, a letter with its combining marks) is never
    split between rows. A grapheme wider than the row (two cells in a one-cell row) gets a row
    of its own, which the view crops. An empty text is one empty row.
    """
    width = max(1, width)
    if text.isascii():
        return list(range(0, max(1, len(text)), width))
    starts = [0]
    used = 0
    for start, _end, cells in split_graphemes(text)[0]:
        if used + cells > width and used > 0:
            starts.append(start)
            used = 0
        used += cells
    return starts


def fit_words(text: Text, width: int) -> Text:
    """``text`` in ``width`` cells: whole when it fits, else ended at a word with "…".

    A line Textual crops at the screen's edge can end inside a number ("it needs 9000" of
    900000 MiB); this one ends at the last space that leaves room for " …", so a word (a
    number, an id) is shown whole or not at all, and the ellipsis stands apart from it (never
    read as more digits). Only a first word wider than the row is cut inside, by cells (there is
    no word boundary to end at). A width under one cell leaves ``text`` as it is (the row is not
    laid out yet).
    """
    if width < 1 or text.cell_len <= width:
        return text
    plain = text.plain
    cut = 0
    for i, char in enumerate(plain):
        if char != " ":
            continue
        kept = plain[:i].rstrip()
        if not kept:
            continue  # leading spaces: no word ends here
        if text_cells(kept) + 2 > width:
            break
        cut = len(kept)
    if cut == 0:
        out = text.copy()
        out.truncate(width, overflow="ellipsis")
        return out
    out = text[:cut]
    out.append(" …", style="dim")
    return out
