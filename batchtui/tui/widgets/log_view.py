"""A log view that renders only visible rows, wraps on demand and follows the tail.

The lines live in a :class:`LogBuffer`; the view keeps, when wrapping, a list of (line, offset)
rows that grows as lines arrive and is rebuilt only when the width changes.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from batchtui.tui.logbuffer import LogBuffer

MATCH = Style(reverse=True, bold=True)
DIM = Style(dim=True)


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

    def __init__(self, buffer: LogBuffer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        self.wrap = False
        self.timestamps = False
        self.labels = True
        self.follow = True
        self.needle = ""
        self.highlight: int | None = None  # line index of the current search match
        self.empty_text = ""  # shown while there is no line: why (the job has not started ...)
        self._rows: list[tuple[int, int]] = []  # (line, start column) when wrapping
        self._longest = 0
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(2048)

    # -- content ------------------------------------------------------------------------------

    def _text(self, index: int) -> str:
        return self.buffer.format(
            self.buffer.lines[index], timestamps=self.timestamps, labels=self.labels
        )

    def lines_added(self, count: int) -> None:
        """``count`` lines were appended to the buffer: grow, and follow the tail if asked."""
        first = len(self.buffer) - count
        width = max(1, self.scrollable_content_region.width)
        for i in range(first, len(self.buffer)):
            n = len(self._text(i))
            self._longest = max(self._longest, n)
            if self.wrap:
                self._rows.extend((i, k) for k in range(0, max(1, n), width))
        self._resize()
        if self.follow:
            self.scroll_end(animate=False, immediate=True)

    def relayout(self) -> None:
        """Wrap, timestamps or the width changed: every row is rebuilt."""
        self._cache.clear()
        self._rows = []
        self._longest = 0
        count = len(self.buffer)
        if count:
            self.lines_added(count)
        else:
            self._resize()
        self.refresh()

    def _resize(self) -> None:
        height = len(self._rows) if self.wrap else len(self.buffer)
        width = self.scrollable_content_region.width if self.wrap else self._longest
        self.virtual_size = Size(width, height)

    def on_resize(self) -> None:
        if self.wrap:
            self.relayout()

    def row_of_line(self, index: int) -> int:
        if not self.wrap:
            return index
        return next((r for r, (i, _) in enumerate(self._rows) if i == index), 0)

    def show_line(self, index: int) -> None:
        self.highlight = index
        self.follow = False
        self._cache.clear()
        self.scroll_to(y=max(0, self.row_of_line(index) - 3), animate=False, immediate=True)
        self.refresh()

    # -- rendering ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        if self.wrap:
            if row >= len(self._rows):
                if row == 0 and self.empty_text:
                    return Strip([Segment(f" {self.empty_text}", DIM)]).crop_extend(
                        0, width, self.rich_style
                    )
                return Strip.blank(width, self.rich_style)
            index, start = self._rows[row]
            key = (index, start)
        else:
            if row >= len(self.buffer):
                if row == 0 and self.empty_text:
                    return Strip([Segment(f" {self.empty_text}", DIM)]).crop_extend(
                        0, width, self.rich_style
                    )
                return Strip.blank(width, self.rich_style)
            index, start, key = row, 0, (row, -1)
        strip = self._cache.get(key)
        if strip is None:
            text = self._text(index)
            if self.wrap:
                text = text[start : start + width]
            strip = Strip(self._segments(text, index), len(text))
            self._cache[key] = strip
        if self.wrap:
            return strip.crop_extend(0, width, self.rich_style)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _segments(self, text: str, index: int) -> list[Segment]:
        style = self.rich_style
        if index == self.highlight:
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
