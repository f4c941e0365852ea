"""A virtual table of jobs: renders only the visible lines, from rows that live outside it.

toolong's habit: a ScrollView with ``render_line`` and an LRU of rendered rows. The rows are a
sequence the screen hands over (the index's current selection); the table never copies them.
A row's rendered strip is cached by the (frozen) JobSummary itself, so a refresh that changes
ten jobs renders ten lines, and scrolling a 100,000-job queue renders one screenful.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from batchtui.model import JobSummary
from batchtui.render.text import epoch_ms
from batchtui.wording import duration

#: (title, width) of each column; width 0 is the status reason, which takes what is left. What
#: an operator reads first comes first (at 80 columns the table scrolls sideways, NAME stays).
COLUMNS: tuple[tuple[str, int], ...] = (
    ("NAME", 24),
    ("STATUS", 9),
    ("DURATION", 8),  # running for / ran for / waiting for: see duration_cell
    ("ATTEMPTS", 8),  # "2/3": the second attempt of three (DescribeJobs, visible rows only)
    ("STARTED (UTC)", 14),
    ("EXIT", 4),
    ("ARRAY", 6),
    ("CREATED (UTC)", 14),
    ("STATUS REASON", 0),
    ("JOB ID", 40),  # a UUID, and ":NN" for an array child
)
REASON_MIN = 30  # the line under the table shows the current job's reason whole
NAME_MIN = COLUMNS[0][1]
#: The widest NAME column: batchtui's own names (``<profile>-<submission id>-array-0003``)
#: differ at their end, so the column grows to the longest name listed, up to a third of the
#: viewport and this; a longer name is cut in its middle, keeping the end.
NAME_MAX = 40
FIXED_WIDTH = sum(w for _, w in COLUMNS) + len(COLUMNS) - 1
WAITING_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE")


def name_width(width: int, longest: int) -> int:
    """The NAME column's width for a viewport ``width`` and the longest name listed."""
    return max(NAME_MIN, min(longest, NAME_MAX, width // 3))


def column_widths(width: int, longest_name: int = 0) -> tuple[int, ...]:
    """Every column's width for a viewport ``width``: NAME as wide as the longest name
    (within :func:`name_width`'s bounds), the status reason gets the slack."""
    name = name_width(width, longest_name)
    reason = max(REASON_MIN, width - FIXED_WIDTH - (name - NAME_MIN))
    return (name, *(w or reason for _, w in COLUMNS[1:]))


def fit_name(name: str, width: int) -> str:
    """``name`` in ``width`` columns, cut in its middle: the end, where the names of one
    submission's jobs differ, stays ("sandbox-54ff…f86c9-array-0003")."""
    if len(name) <= width:
        return name.ljust(width)
    tail = (width - 1) * 3 // 5
    head = width - 1 - tail
    return name[:head] + "…" + name[len(name) - tail :]


STATUS_STYLES = {
    "SUBMITTED": Style(color="bright_black"),
    "PENDING": Style(color="magenta"),
    "RUNNABLE": Style(color="yellow", bold=True),
    "STARTING": Style(color="cyan"),
    "RUNNING": Style(color="green", bold=True),
    "SUCCEEDED": Style(color="green"),
    "FAILED": Style(color="red", bold=True),
}


def is_live(job: JobSummary) -> bool:
    """Whether the job's DURATION grows with the clock (it has not stopped)."""
    return job.stopped_at is None and (job.started_at is not None or job.status in WAITING_STATUSES)


def duration_cell(job: JobSummary, now_ms: int | None) -> str:
    """How long: a stopped job ran (stoppedAt - startedAt); a started one has been running
    (to ``now_ms``); a waiting one has waited since it was created; "-" otherwise."""
    if job.started_at and job.stopped_at:
        return duration((job.stopped_at - job.started_at) / 1000)
    if now_ms is None or job.stopped_at:
        return "-"
    if job.started_at:
        return duration(max(0, now_ms - job.started_at) / 1000)
    if job.status in WAITING_STATUSES and job.created_at:
        return duration(max(0, now_ms - job.created_at) / 1000)
    return "-"


def _time(epoch: int | None) -> str:
    return epoch_ms(epoch)[5:].replace("T", " ").rstrip("Z") if epoch else "-"


def row_cells(job: JobSummary, now_ms: int | None = None, attempts: str = "") -> list[str]:
    if job.array_size:
        array = f"[{job.array_size}]"
    elif job.array_index is not None:
        array = f":{job.array_index}"
    else:
        array = ""
    return [
        job.job_name,
        job.status,
        duration_cell(job, now_ms),
        attempts,
        _time(job.started_at),
        "" if job.exit_code is None else str(job.exit_code),
        array,
        _time(job.created_at),
        job.status_reason.replace("\n", " "),
        job.job_id,
    ]


def _fit(text: str, width: int) -> str:
    return text[: width - 1] + "…" if len(text) > width else text.ljust(width)


class JobTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of jobs with a cursor; line 0 is the header and does not scroll vertically."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("left", "scroll_left", "Scroll left", show=False, id="table.left"),
        Binding("right", "scroll_right", "Scroll right", show=False, id="table.right"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "edge(0)", "First row", show=False, id="table.first"),
        Binding("end,G", "edge(1)", "Last row", show=False, id="table.last"),
        Binding("enter", "select", "Open", show=False, id="table.select"),
    ]
    COMPONENT_CLASSES = {"job-table--header", "job-table--cursor", "job-table--empty"}
    DEFAULT_CSS = """
    JobTable { height: 1fr; }
    JobTable > .job-table--header { text-style: bold; background: $panel; }
    JobTable > .job-table--cursor { background: $accent 40%; }
    JobTable:focus > .job-table--cursor { background: $accent; }
    JobTable > .job-table--empty { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        def __init__(self, job: JobSummary | None) -> None:
            super().__init__()
            self.job = job

    class WindowMoved(Message):
        """The rows on screen are others (scrolled): what they show may need reading."""

    class Selected(Message):
        def __init__(self, job: JobSummary) -> None:
            super().__init__()
            self.job = job

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: Sequence[JobSummary] = ()
        self._row_of: dict[str, int] = {}
        self._cache: LRUCache[tuple[JobSummary, bool, bool, int | None, str], Strip] = LRUCache(
            1024
        )
        #: The ATTEMPTS cell of a row: the screen knows (the table reads nothing itself).
        self.attempts_of: Callable[[JobSummary], str] = lambda job: ""
        #: The endpoint's clock (epoch ms) when the rows were read: what DURATION counts to.
        self.now_ms: int | None = None
        self._widths = column_widths(0)
        self._longest_name = 0  # of the rows listed: NAME's width follows it
        self._pinned: str | None = None  # the job the user chose (by id)
        self.empty_text = "no jobs"
        self.rendered_rows = 0  # rows rendered (cache misses): the benchmark reads it

    # -- data ---------------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[JobSummary]:
        return self._rows

    @property
    def current(self) -> JobSummary | None:
        return self._rows[self.cursor] if 0 <= self.cursor < len(self._rows) else None

    def set_rows(
        self, rows: Sequence[JobSummary], *, keep: str | None = None, new_list: bool = False
    ) -> None:
        """Show new rows; the cursor stays on job ``keep`` (by id) at the same screen line.

        Without ``keep``, the job the user last moved to stays selected; until they move, the
        cursor stays on the first row while pages arrive. ``new_list``: other rows than before
        (another status tab), not the same rows refreshed: when the kept job is not among them
        the list opens at its top, so no row above the viewport hides unseen."""
        keep = keep if keep is not None else self._pinned
        screen_line = self.cursor - int(self.scroll_y)
        self._rows = rows
        self._row_of = {}
        self._longest_name = self._name_length(rows)
        self._lay_out()
        new_cursor = min(self.cursor, max(0, len(rows) - 1))
        found = self.index_of(keep) if keep is not None else None
        if found is not None:
            new_cursor = found
            self.scroll_to(y=max(0, found - screen_line), animate=False, immediate=True)
        elif new_list:
            new_cursor = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = new_cursor
        self.refresh()

    def visible_rows(self) -> Sequence[JobSummary]:
        """The rows on screen now (the header line aside)."""
        top = int(self.scroll_y)
        return self._rows[top : top + max(0, self.scrollable_content_region.height - 1)]

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.WindowMoved())

    def index_of(self, job_id: str) -> int | None:
        if not self._row_of and self._rows:
            self._row_of = {j.job_id: i for i, j in enumerate(self._rows)}
        return self._row_of.get(job_id)

    @property
    def name_column(self) -> int:
        """The NAME column's width now (it follows the longest name listed)."""
        return self._widths[0]

    @property
    def row_width(self) -> int:
        return sum(self._widths) + len(self._widths) - 1

    @staticmethod
    def _name_length(rows: Sequence[JobSummary]) -> int:
        """The longest name of ``rows``, counted only up to NAME_MAX (the widest column)."""
        longest = 0
        for job in rows:
            longest = max(longest, len(job.job_name))
            if longest >= NAME_MAX:
                break
        return longest

    def _lay_out(self) -> None:
        # The vertical scrollbar's width is kept free even before it shows: it appears once
        # the rows arrive, after this resize, and would cut the last column.
        width = self.size.width - self.styles.scrollbar_size_vertical
        widths = column_widths(width, self._longest_name)
        if widths != self._widths:
            self._widths = widths
            self._cache.clear()
            self.refresh()
        self.virtual_size = Size(self.row_width, len(self._rows) + 1)

    def on_resize(self) -> None:
        self._lay_out()
        self.post_message(self.WindowMoved())  # more rows may show

    # -- cursor -------------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._rows:
            self.post_message(self.Highlighted(None))
            return
        clamped = max(0, min(new, len(self._rows) - 1))
        if clamped != new:
            self.cursor = clamped
            return
        visible = max(1, self.scrollable_content_region.height - 1)
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= self.scroll_y + visible:
            self.scroll_to(y=new - visible + 1, animate=False, immediate=True)
        self.refresh_lines(int(self.scroll_y) + (old - int(self.scroll_y)) + 1)
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def pin(self) -> None:
        """Keep the job under the cursor selected from now on, wherever refreshes move it."""
        self._pinned = self.current.job_id if self.current else None

    def move_to(self, row: int) -> None:
        """Move the cursor as the user does: the job it lands on stays selected on refresh."""
        self.cursor = row
        self.pin()

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.scrollable_content_region.height - 2))

    def action_edge(self, end: int) -> None:
        self.move_to(len(self._rows) - 1 if end else 0)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= row < len(self._rows):
            if row == self.cursor and event.chain > 1:
                self.action_select()
            self.move_to(row)

    # -- rendering ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y == 0:
            strip = self._header()
        else:
            index = scroll_y + y - 1
            if index >= len(self._rows):
                if not self._rows and y == 1:
                    style = self.get_component_rich_style("job-table--empty")
                    return Strip([Segment(f" {self.empty_text}", style)]).crop(0, width)
                return Strip.blank(width, self.rich_style)
            strip = self._row(self._rows[index], index == self.cursor)
        fixed = self._widths[0] + 1  # the NAME column and the space after it
        if scroll_x and width > fixed:
            # DataTable's fixed_columns: the name stays, the rest scrolls under it.
            name = strip.crop(0, fixed)
            rest = strip.crop(fixed + scroll_x, scroll_x + width)
            strip = Strip.join([name, rest])
            return strip.crop_extend(0, width, self.rich_style)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _header(self) -> Strip:
        style = self.get_component_rich_style("job-table--header")
        text = " ".join(_fit(t, w) for (t, _), w in zip(COLUMNS, self._widths, strict=True))
        return Strip([Segment(text, style)], self.row_width)

    def _row(self, job: JobSummary, is_cursor: bool) -> Strip:
        # Only a row whose DURATION grows with the clock is drawn again when the clock moves.
        attempts = self.attempts_of(job)
        key = (job, is_cursor, self.has_focus, self.now_ms if is_live(job) else None, attempts)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        self.rendered_rows += 1
        base = self.get_component_rich_style("job-table--cursor") if is_cursor else self.rich_style
        segments: list[Segment] = []
        cells = row_cells(job, self.now_ms, attempts)
        for i, (cell, width) in enumerate(zip(cells, self._widths, strict=True)):
            style = base
            if i == 1:
                style = base + STATUS_STYLES.get(job.status, Style())
            segments.append(Segment(fit_name(cell, width) if i == 0 else _fit(cell, width), style))
            if i < len(COLUMNS) - 1:
                segments.append(Segment(" ", base))
        strip = Strip(segments, self.row_width)
        self._cache[key] = strip
        return strip

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
