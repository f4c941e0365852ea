"""A log view that renders only visible rows, wraps on demand and follows the tail.

The lines live in a :class:`LogBuffer`, which holds a bounded window of the log; the view
addresses them by their absolute number, so rows, the search highlight and the strip cache stay
right when the buffer lets old lines go. When wrapping, it keeps one (line, start) pair per row
in two compact arrays that grow as lines arrive, lose their head with the buffer's, and are
rebuilt only when the width changes.

Everything is measured in terminal cells, not characters: a row is cut between graphemes
(:func:`batchtui.tui.cells.wrap_starts`) and every strip is cropped to the row, so a CJK
character or an emoji never draws past the edge and is never split in half.

Above the held lines the view can show a note (the older lines it no longer holds, and how to
see them) and below them another (the log goes on past what is held); the screen words them.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from batchtui.tui.cells import text_cells, wrap_starts
from batchtui.tui.logbuffer import LogBuffer

MATCH = Style(reverse=True, bold=True)
DIM = Style(dim=True)
NOTE = Style(italic=True, color="yellow")


class LogView(ScrollView, can_focus=True, inherit_bindings=False):
    BINDINGS = [
        Binding("up,k", "scroll_up", "Up", show=False, id="log.up"),
        Binding("down,j", "scroll_down", "Down", show=False, id="log.down"),
        Binding("left", "scroll_left", "Scroll left", show=False, id="log.left"),
        Binding("right", "scroll_right", "Scroll right", show=False, id="log.right"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="log.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="log.page_down"),
        Binding("home,g", "scroll_home", "Top", show=False, id="log.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="log.bottom"),
    ]
    # A stable gutter: wrapped rows are cut at one width whether or not the scrollbar shows
    # (it appears once the lines overflow, and rows cut before would lose characters).
    DEFAULT_CSS = "LogView { height: 1fr; scrollbar-gutter: stable; }"

    class ReachedTop(Message):
        """The reader scrolled up to the first row while the head note shows: older lines
        are not held (the screen may read them back)."""

    def __init__(self, buffer: LogBuffer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        self.wrap = False
        self.timestamps = False
        self.labels = True
        self.follow = True
        self.needle = ""
        self.highlight: int | None = None  # absolute line number of the current search match
        self.empty_text = ""  # shown while there is no line: why (the job has not started ...)
        self.head_note = ""  # a row above the held lines: older lines not held, and what to do
        self.tail_note = ""  # a row below them: the log goes on past what is held
        # When wrapping: row r shows line _row_line[r] from character _row_start[r] on.
        self._row_line = array("q")
        self._row_start = array("q")
        self._first = 0  # the buffer's first line when the rows were last brought up to date
        self._longest = 0  # cells of the longest line, for horizontal scrolling
        self._shown_top = 0  # rows above the lines at the last resize
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(2048)

    # -- content ------------------------------------------------------------------------------

    def _text(self, number: int) -> str:
        return self.buffer.format(
            self.buffer.line(number), timestamps=self.timestamps, labels=self.labels
        )

    @property
    def _top(self) -> int:
        """Rows above the lines: the head note's."""
        return 1 if self.head_note else 0

    def _line_rows(self) -> int:
        return len(self._row_line) if self.wrap else len(self.buffer)

    def lines_added(self, count: int) -> None:
        """``count`` lines were appended to the buffer (which may have let as many old ones
        go): drop the rows of lines no longer held, add the new, follow the tail if asked."""
        y = self.scroll_offset.y
        # Rows that leave above the lines still held (their lines were let go, a note came).
        shift = self._rows_before(self.buffer.first) + self._shown_top - self._top
        self._trim()
        first = max(self.buffer.first, self.buffer.end - count)
        width = max(1, self.scrollable_content_region.width)
        for number in range(first, self.buffer.end):
            text = self._text(number)
            self._longest = max(self._longest, text_cells(text))
            if self.wrap:
                for start in wrap_starts(text, width):
                    self._row_line.append(number)
                    self._row_start.append(start)
        self._resize()
        if self.follow:
            self.stick_to_end()
        elif shift and y:
            # The reader stays on the line they were reading while older rows leave above it.
            self.scroll_to(y=max(0, y - shift), animate=False, immediate=True)

    def stick_to_end(self) -> None:
        """Show the newest rows. ``force``: while the view had nothing to scroll it has no
        scrollbar yet, and Textual ignores a scroll of a view without one until the next
        layout, so a followed log showed its first line until a second batch came. Again after
        that layout, in case it changed the view's height."""
        self.scroll_end(animate=False, immediate=True, force=True)
        self.call_after_refresh(self._end_if_following)

    def _end_if_following(self) -> None:
        if self.follow:
            self.scroll_end(animate=False, immediate=True, force=True)

    def set_notes(self, head: str, tail: str) -> None:
        """The rows above and below the held lines; the reader's line stays where it was."""
        if (head, tail) == (self.head_note, self.tail_note):
            return
        y, top = self.scroll_offset.y, self._top
        self.head_note, self.tail_note = head, tail
        self._resize()
        if self.follow:
            self.stick_to_end()
        elif y and self._top != top:
            self.scroll_to(y=max(0, y + self._top - top), animate=False, immediate=True)
        self.refresh()

    def lines_prepended(self, count: int) -> None:
        """``count`` older lines were put back in front of the buffer (the newest may have
        gone): rebuild, and keep the line the reader saw first where it was on screen."""
        anchor = self.buffer.first + count  # the line that was the first held one
        offset = self.scroll_offset.y - self._shown_top  # its rows were the first after the note
        self.relayout()
        self.scroll_to(y=max(0, self.row_of_line(anchor) + offset), animate=False, immediate=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(new_value) == 0 and round(old_value) != 0:
            self._reached_top()  # (the mouse wheel, the scrollbar)

    # The keys that go up ask for older lines once the top is reached, or pressed again there
    # (or when every held row fits and there is nothing to scroll).
    def action_scroll_home(self) -> None:
        self._reached_top()
        super().action_scroll_home()

    def action_scroll_up(self) -> None:
        if self.scroll_target_y <= 1:
            self._reached_top()
        super().action_scroll_up()

    def action_page_up(self) -> None:
        if self.scroll_target_y <= self.scrollable_content_region.height:
            self._reached_top()
        super().action_page_up()

    def _reached_top(self) -> None:
        if self.head_note:
            self.post_message(self.ReachedTop())

    def _rows_before(self, first: int) -> int:
        """How many of the rows the view has now show lines before ``first``."""
        if self.wrap:
            return bisect_left(self._row_line, first)
        return max(0, first - self._first)

    def _trim(self) -> None:
        """Forget the rows of lines the buffer no longer holds (their cached strips age out of
        the LRU cache: their keys are absolute line numbers, never reused)."""
        first = self.buffer.first
        if first == self._first:
            return
        if self.highlight is not None and self.highlight < first:
            self.highlight = None
        if self.wrap:
            gone = bisect_left(self._row_line, first)
            del self._row_line[:gone]
            del self._row_start[:gone]
        self._first = first

    def relayout(self) -> None:
        """Wrap, timestamps, the notes or the width changed (or the buffer was cleared): every
        row is rebuilt."""
        self._cache.clear()
        self._row_line = array("q")
        self._row_start = array("q")
        self._first = self.buffer.first
        self._longest = 0
        count = len(self.buffer)
        if count:
            self.lines_added(count)
        else:
            self._resize()
        self.refresh()

    def _resize(self) -> None:
        self._shown_top = self._top
        height = self._top + self._line_rows() + (1 if self.tail_note else 0)
        width = self.scrollable_content_region.width if self.wrap else self._longest
        self.virtual_size = Size(width, height)

    def on_resize(self) -> None:
        if self.wrap:
            self.relayout()

    def row_of_line(self, number: int) -> int:
        """The first row of the line of absolute ``number``."""
        if not self.wrap:
            return self._top + max(0, number - self.buffer.first)
        return self._top + bisect_left(self._row_line, number)

    def show_line(self, number: int) -> None:
        self.highlight = number
        self.follow = False
        self._cache.clear()
        self.scroll_to(y=max(0, self.row_of_line(number) - 3), animate=False, immediate=True)
        self.refresh()

    # -- rendering ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y - self._top
        rows = self._line_rows()
        if row < 0:
            return self._note(self.head_note, width)
        if row >= rows:
            if row == rows and self.tail_note:
                return self._note(self.tail_note, width)
            if row == 0 and not self.head_note and self.empty_text:
                return self._note(self.empty_text, width, DIM)
            return Strip.blank(width, self.rich_style)
        if self.wrap:
            number, start = self._row_line[row], self._row_start[row]
            key = (number, start)
        else:
            number, start = self.buffer.first + row, 0
            key = (number, -1)
        strip = self._cache.get(key)
        if strip is None:
            text = self._text(number)
            if self.wrap:
                same_line = row + 1 < rows and self._row_line[row + 1] == number
                text = text[start : self._row_start[row + 1] if same_line else len(text)]
            strip = Strip(self._segments(text, number))
            self._cache[key] = strip
        if self.wrap:
            return strip.crop_extend(0, width, self.rich_style)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _note(self, text: str, width: int, style: Style = NOTE) -> Strip:
        return Strip([Segment(f" {text}", self.rich_style + style)]).crop_extend(
            0, width, self.rich_style
        )

    def _segments(self, text: str, number: int) -> list[Segment]:
        style = self.rich_style
        if number == self.highlight:
            style = style + Style(bgcolor="grey23")
        if not self.needle:
            return [Segment(text, style)]
        out: list[Segment] = []
        low, needle, pos = text.lower(), self.needle.lower(), 0
        while (hit := low.find(needle, pos)) >= 0:
            out += [
                Segment(text[pos:hit], style),
                Segment(text[hit : hit + len(needle)], style + MATCH),
            ]
            pos = hit + len(needle)
        out.append(Segment(text[pos:], style))
        return out
