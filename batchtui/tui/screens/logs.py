"""``l`` on a job: the logs engine's follow view (follow, wrap, timestamps, attempt / child,
search, save). Lines arrive in batches from a thread worker; the worker waits while the UI has
more than a few batches to apply, so a chatty job cannot flood the message queue.

Memory stays bounded: the screen holds the newest ``held_lines`` lines and says how many older
ones it let go. When the log is one stream (one attempt of one job), scrolling up to the first
held line reads the lines before it back from CloudWatch (GetLogEvents backwards, in a worker),
a page at a time; the newest held lines make room and reading stops, and ``f`` goes back to
the tail. A merged log (attempts, array children) is read with FilterLogEvents, which pages
forward only, so reaching line k means reading every line before it: there the screen says how
many lines it dropped, and ``s`` reads the log again from its start, holding its first lines.

(Longer than a screen module should be: it owns three workers, the follow reader, the page-back
reader and the save, with their messages and the permits that bound the first. Those would
move to a module of their own, leaving the screen its keys and its notes.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Label
from textual.worker import get_current_worker

from batchtui.follow import FollowBatch, LogEvent, LogTarget
from batchtui.render.sanitize import sanitize_line
from batchtui.tui.logbuffer import HELD_LINES, LogBuffer, LogLine, write_lines
from batchtui.tui.screens.base import BaseScreen, type_into_focused_input
from batchtui.tui.screens.dialogs import PromptScreen
from batchtui.tui.widgets.log_view import LogView
from batchtui.tui.widgets.screen_footer import ScreenFooter
from batchtui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from batchtui.aws.logs import JobLogs, LogSelection

#: Batches posted but not yet applied before the worker waits (toolong's bounded producer).
MAX_IN_FLIGHT = 4
#: Older lines read back from CloudWatch per page when the reader scrolls past the held ones.
OLDER_PAGE = 2_000


class Permit:
    """One batch's place among those in flight: given back once, by whoever handles it."""

    def __init__(self, owner: BatchPermits) -> None:
        self._owner = owner
        self._held = True

    def release(self) -> None:
        with self._owner.lock:
            if not self._held:
                return
            self._held = False
            self._owner.outstanding -= 1
            self._owner.lock.notify()


class BatchPermits:
    """At most ``limit`` batches posted and not yet applied, across every reader the screen
    starts: a batch of a superseded reader gives its permit back like any other, so a reload
    never raises the bound (a semaphore released by whoever handled a batch did)."""

    def __init__(self, limit: int = MAX_IN_FLIGHT) -> None:
        self.limit = limit
        self.outstanding = 0
        self.lock = threading.Condition()

    def acquire(self, timeout: float) -> Permit | None:
        """A permit, or None when none came free within ``timeout`` seconds."""
        with self.lock:
            if not self.lock.wait_for(lambda: self.outstanding < self.limit, timeout):
                return None
            self.outstanding += 1
            return Permit(self)


class LogsInfo(Message):
    def __init__(self, generation: int, logs: JobLogs) -> None:
        super().__init__()
        self.generation = generation
        self.logs = logs


class LogBatch(Message):
    def __init__(self, generation: int, batch: FollowBatch, permit: Permit) -> None:
        super().__init__()
        self.generation = generation
        self.batch = batch
        self.permit = permit


class OlderLines(Message):
    """A page of the lines before the first held one (``first``), read back from CloudWatch;
    the last ``same`` of those stamped ``stamp`` are the held lines that share its stamp."""

    def __init__(
        self, generation: int, first: int, stamp: int, same: int, events: list[LogEvent]
    ) -> None:
        super().__init__()
        self.generation = generation
        self.first = first
        self.stamp = stamp
        self.same = same
        self.events = events


class ArrayParent(Message):
    """The array job a child's log belongs to (read when ``c`` is pressed in the child's log)."""

    def __init__(self, job_id: str, name: str, size: int, index: int) -> None:
        super().__init__()
        self.job_id = job_id
        self.name = name
        self.size = size
        self.index = index


class LogSaved(Message):
    """The save worker's answer: which lines went to ``path`` (absolute numbers ``first`` on,
    ``count`` of them), or why none did."""

    def __init__(self, path: Path, first: int, count: int, error: str = "") -> None:
        super().__init__()
        self.path = path
        self.first = first
        self.count = count
        self.error = error


def selection_label(sel: LogSelection, made: int = 1) -> str:
    """What is shown, in words: "attempts: all (3)", "attempt 2 of 3", "children: all";
    ``made`` is how many attempts the job has started so far."""
    if sel.attempt is None:
        attempt = {0: "no attempt yet", 1: "attempt 1 of 1"}.get(made, f"attempts: all ({made})")
    elif sel.attempt == -1:
        attempt = "attempt: the latest"
    else:
        attempt = f"attempt {sel.attempt} of {max(made, sel.attempt)}"
    if sel.child is None:
        return attempt
    child = "children: all" if sel.child == "all" else f"child {sel.child}"
    return f"{attempt}   {child}"


class LogsScreen(BaseScreen):
    HELP_NAME = "Logs"
    FOOTER_ORDER = ("toggle_follow", "search", "child", "next_attempt", "save")
    AUTO_FOCUS = "#log"
    BINDINGS = [
        Binding(
            "f",
            "toggle_follow",
            "Follow/pause",
            id="logs.follow",
            tooltip="Follow the newest lines, or pause where you are",
        ),
        Binding("w", "toggle_wrap", "Wrap", id="logs.wrap"),
        Binding("t", "toggle_timestamps", "Timestamps", id="logs.timestamps"),
        Binding("a", "next_attempt", "Attempt", id="logs.attempt", tooltip="all, latest, 1, 2 ..."),
        Binding("c", "child", "Array child", id="logs.child", tooltip="Pick an array child"),
        # priority: it acts before the keys typed after it reach the log view (a paste)
        Binding("slash", "search", "Search", id="logs.search", priority=True),
        Binding("n", "find(1)", "Next match", id="logs.next", show=False),
        Binding("N", "find(-1)", "Prev match", id="logs.prev", show=False),
        Binding("ctrl+s", "save", "Save", id="logs.save", tooltip="Write the lines to a file"),
        Binding(
            "s",
            "from_start",
            "From the start",
            id="logs.from_start",
            show=False,
            tooltip="Read the log again from its first line (when older lines were dropped)",
        ),
    ]

    def __init__(
        self,
        job_id: str,
        *,
        name: str = "",
        selection: LogSelection | None = None,
        array_size: int | None = None,
        held_lines: int = HELD_LINES,
    ) -> None:
        from batchtui.aws.logs import LogSelection  # the logs engine loads when a log is opened

        super().__init__()
        self.job_id = job_id
        self.job_name = name
        # An array parent has no log of its own: its children's, all merged, until `c` picks one.
        self.selection = selection or LogSelection(child="all" if array_size else None)
        self.buffer = LogBuffer(held_lines)
        self.generation = 0
        #: The array children whose lines were read (merged children: "from 3 of 39 children").
        self.children_with_lines: set[int] = set()
        self.status = ""
        self.notice = ""
        self.max_attempts = 1  # what the retry strategy allows
        self.attempts_made = 1  # what the job has started so far
        self.attempts_known = False  # until the first LogsInfo: both are guesses
        self.array_size = array_size
        self.done = False
        self._restore_row: int | None = None
        self._stop = threading.Event()
        self.permits = BatchPermits(MAX_IN_FLIGHT)
        self._targets: dict[tuple[str, str], LogTarget] = {}  # the streams read so far
        self._paging = False  # reading older lines back
        self._older = ""  # why older lines cannot be read back, once tried

    def compose(self) -> ComposeResult:
        title = (
            f"Logs of {self.job_name}  {self.job_id}" if self.job_name else f"Logs of {self.job_id}"
        )
        yield Label(Text(title), classes="section-title", id="logs-title")
        yield Input(placeholder="search (enter: find, n / N: next / previous)", id="search")
        yield LogView(self.buffer, id="log")
        yield Label("", id="logs-info", classes="note")
        yield StatusBar()
        yield ScreenFooter()

    def on_mount(self) -> None:
        self.query_one("#search", Input).display = False
        self.query_one(LogView).focus()
        self._info()
        if self.connected:
            self.reload(full=True)

    def on_unmount(self) -> None:
        self._stop.set()

    # -- reading ------------------------------------------------------------------------------

    @property
    def from_start(self) -> bool:
        """True while the held lines are not kept up to the newest: the log was read from its
        start, or the reader paged back (``f`` reads the newest again)."""
        return self.buffer.keep == "oldest"

    def reload(
        self, full: bool, *, keep_place: bool = False, from_start: bool | None = None
    ) -> None:
        if not full and not self.done:
            return  # the follow worker is reading already
        view = self.query_one(LogView)
        # `r` re-reads the same lines: the reader stays where they were once they are back.
        self._restore_row = view.scroll_offset.y if keep_place else None
        self._stop.set()
        self._stop = threading.Event()
        self.generation += 1
        self._targets.clear()
        self.children_with_lines.clear()
        self._paging, self._older = False, ""
        if from_start is None:  # `r`: from the start again if that is what is held
            from_start = self.from_start and not self.buffer.dropped
        start = from_start
        self.buffer.clear(keep="oldest" if start else "newest")
        if start:
            view.follow = False
        self.done = False
        self._notes()
        view.relayout()
        self.follow_worker(self.generation, self.selection, self._stop, self.permits)

    @work(thread=True, exclusive=True, exit_on_error=False, group="logs")
    def follow_worker(
        self,
        generation: int,
        selection: LogSelection,
        stop: threading.Event,
        permits: BatchPermits,
    ) -> None:
        worker = get_current_worker()
        for batch in self.read_batches(generation, selection, stop):
            # Back-pressure: wait while the UI has MAX_IN_FLIGHT batches still to apply.
            while (permit := permits.acquire(timeout=0.1)) is None:
                if stop.is_set() or worker.is_cancelled:
                    return
            self.post_message(LogBatch(generation, batch, permit))
            if stop.is_set() or worker.is_cancelled:
                return

    def read_batches(
        self, generation: int, selection: LogSelection, stop: threading.Event
    ) -> Iterator[FollowBatch]:
        """The logs engine's batches for ``selection`` (in the worker's thread): where the job
        logs first (posted as LogsInfo), then the follow loop's batches until ``stop``."""
        from batchtui.aws.logs import follow, resolve_job_logs

        logs = resolve_job_logs(self.aws, self.job_id, selection)
        self.post_message(LogsInfo(generation, logs))
        yield from follow(self.aws, self.job_id, selection, stop=stop)

    @on(LogsInfo)
    def _logs_info(self, message: LogsInfo) -> None:
        if message.generation == self.generation:
            logs = message.logs
            self._targets.update((t.key, t) for t in logs.targets)
            self.max_attempts, self.array_size = logs.max_attempts, logs.array_size
            self.attempts_made = logs.attempts_made
            self.attempts_known = True
            # Mark lines with their attempt / child only when there is more than one to tell
            # apart, or may be (a job still running that its retry strategy may run again).
            view = self.query_one(LogView)
            labels = (
                logs.units > 1
                or logs.attempts_made > 1
                or (not logs.finished and logs.max_attempts > 1)
            )
            if labels != view.labels:
                view.labels = labels
                view.relayout()
            self._info()

    @on(LogBatch)
    def _batch(self, message: LogBatch) -> None:
        message.permit.release()  # whatever its generation: the batch has left the queue
        if message.generation != self.generation:
            return
        batch = message.batch
        self._targets.update((t.key, t) for t in batch.new_targets)
        latest = max((e.target.attempt for e in batch.events if e.target), default=0)
        if latest > self.attempts_made:  # a new attempt started while the log was followed
            self.attempts_made = latest
            view = self.query_one(LogView)
            if not view.labels:
                view.labels = True
                view.relayout()
        self.children_with_lines.update(
            e.target.child for e in batch.events if e.target and e.target.child is not None
        )
        added = self.buffer.extend(batch.events)
        if self.buffer.refused and not self._stop.is_set():
            # The held lines are not the newest (read from the start, or paged back): lines
            # after them are not kept, so they are not read either; `f` reads the tail again.
            self._stop.set()
        if added or self.buffer.refused:
            view = self.query_one(LogView)
            self._notes()
            view.lines_added(added)
            if self._restore_row is not None and (
                view.virtual_size.height > self._restore_row + view.size.height or batch.done
            ):
                # after the refresh that applies the new virtual size (it bounds the scroll)
                view.call_after_refresh(view.scroll_to, y=self._restore_row, animate=False)
                self._restore_row = None
        if batch.notices:
            self.notice = sanitize_line(batch.notices[-1], single_line=True)
        self.status = batch.status or self.status
        self.done = batch.done
        self.batchtui.mark_fresh()
        self._info()

    def _notes(self) -> None:
        """The rows above and below the held lines say what the view does not hold."""
        view = self.query_one(LogView)
        buf = self.buffer
        head = tail = ""
        if buf.dropped:
            head = f"older lines dropped: {buf.dropped:,} (holding {buf.capacity:,}); "
            if self._paging:
                head = (
                    f"{buf.dropped:,} older lines: reading the ones before these from CloudWatch…"
                )
            elif self._single_stream() is not None and not self._older:
                head += "scroll up to read them back from CloudWatch"
            else:
                key = self.key_for("logs.from_start") or "s"
                why = f"{self._older}; " if self._older else ""
                head += f"{why}press {key} to read the log from its start"
        if buf.refused:
            key = self.key_for("logs.follow") or "f"
            tail = (
                f"the log goes on past these {len(buf):,} held lines; "
                f"press {key} to follow its newest lines"
            )
        view.set_notes(head, tail)

    def _single_stream(self) -> LogTarget | None:
        """The one stream the log is read from, if it is one (it can then be paged back)."""
        if len(self._targets) != 1:
            return None
        return next(iter(self._targets.values()))

    # -- reading older lines back ----------------------------------------------------------

    @on(LogView.ReachedTop)
    def _reached_top(self) -> None:
        self.read_older()

    def read_older(self) -> None:
        """Read a page of the lines before the first held one back from CloudWatch."""
        target = self._single_stream()
        buf = self.buffer
        if target is None or self._paging or self._older or not buf.dropped or not self.connected:
            return
        stamp, same = buf.head_run()
        want = min(OLDER_PAGE, buf.dropped, max(1, buf.capacity // 2))
        # The reader has left the tail: from now on the held lines stay one run of the log
        # (new ones are counted, not taken), so the page read back still fits in front.
        buf.keep = "oldest"
        self._paging = True
        self._notes()
        self.older_worker(self.generation, buf.first, target, stamp, same, want)

    @work(thread=True, exclusive=True, exit_on_error=False, group="older")
    def older_worker(
        self, generation: int, first: int, target: LogTarget, stamp: int, same: int, want: int
    ) -> None:
        from batchtui.aws.logs import read_stream_before

        events = read_stream_before(self.aws, target, end_ms=stamp, limit=want + same)
        self.post_message(OlderLines(generation, first, stamp, same, events))

    @on(OlderLines)
    def _older_lines(self, message: OlderLines) -> None:
        if message.generation != self.generation:
            return  # the log was read again meanwhile
        self._paging = False
        if message.first != self.buffer.first:
            self._notes()  # the held lines moved on: the page does not fit; the next one will
            return
        events = message.events
        at_stamp = 0
        for e in reversed(events):
            if e.timestamp != message.stamp:
                break
            at_stamp += 1
        if at_stamp < message.same:
            self._older = "CloudWatch's lines do not line up with the held ones"
        elif len(events) == message.same:
            self._older = "CloudWatch no longer has them (the log group's retention?)"
        else:
            put = self.buffer.prepend(events[: len(events) - message.same])
            self._notes()
            self.query_one(LogView).lines_prepended(put)
        self._notes()
        self._info()

    def worker_failed(self, group: str) -> None:
        if group == "older":
            self._paging = False
            self._older = "reading them back failed"
            self._notes()

    def _info(self) -> None:
        view = self.query_one(LogView)
        buf = self.buffer
        text = Text()
        if buf.dropped or buf.refused:
            text.append(f"lines {buf.first + 1:,}-{buf.end:,} held", style="bold")
            if buf.dropped:
                text.append(f" ({buf.dropped:,} older dropped)", style="yellow")
            if buf.refused:
                text.append(" (the log goes on)", style="yellow")
        else:
            text.append(f"{len(buf):,} lines", style="bold")
        if self.selection.child == "all" and self.array_size:
            # Merged children: how many of them the lines come from (the others wrote none,
            # or not yet); the attempts only when one is chosen, so the line fits 80 columns.
            size, shown = self.array_size, len(self.children_with_lines)
            style = "bold" if shown >= size else "bold yellow"
            text.append(f" from {shown} of {size} children", style=style)
            if self.selection.attempt is not None:
                text.append(
                    f"   {selection_label(replace(self.selection, child=None), self.attempts_made)}"
                )
        else:
            text.append(f"   {selection_label(self.selection, self.attempts_made)}")
        if self.status:
            text.append(f"   job {self.status}")
        if self.buffer.refused:
            text.append("   reading stopped at the held lines", style="yellow")
        elif self.done:
            text.append("   finished: every line read", style="dim")
        else:
            text.append(
                "   " + ("following" if view.follow else "paused"),
                style="green" if view.follow else "yellow",
            )
        flags = [
            name for name, on_ in (("wrap", view.wrap), ("timestamps", view.timestamps)) if on_
        ]
        if flags:
            text.append("   " + " ".join(flags), style="dim")
        if view.needle:
            text.append("   search: ")
            text.append(view.needle, style="yellow")
            text.append(
                f" ({self.key_for('logs.next')} / {self.key_for('logs.prev')})", style="dim"
            )
        # "not there yet" and the like; the end says itself, unless an attempt wrote nothing.
        if self.notice and (not self.done or " wrote nothing: " in self.notice):
            text.append(f"   {self.notice}", style="italic")
        empty = self.notice or ("no lines" if self.done else "reading…")
        if empty != view.empty_text:
            view.empty_text = empty
            view.refresh()
        self.query_one("#logs-info", Label).update(text)

    # -- keys ---------------------------------------------------------------------------------

    def action_toggle_follow(self) -> None:
        view = self.query_one(LogView)
        if self.from_start:
            # Back to the newest lines: read again, holding the tail.
            view.follow = True
            view.highlight = None
            if self.connected:
                self.reload(full=True, from_start=False)
            self._info()
            return
        if self.done:
            end = self.key_for("log.bottom") or "end"
            self.notify(f"the job has finished: every line is here ({end}: the last one)")
            return
        view.follow = not view.follow
        if view.follow:
            view.highlight = None
            view.stick_to_end()
        self._info()

    def action_toggle_wrap(self) -> None:
        view = self.query_one(LogView)
        view.wrap = not view.wrap
        view.relayout()
        self._info()

    def action_toggle_timestamps(self) -> None:
        view = self.query_one(LogView)
        view.timestamps = not view.timestamps
        view.relayout()
        self._info()

    def action_refresh(self) -> None:
        if not self.connected:
            return
        reading = any(
            w.node is self and w.group == "logs" and not w.is_finished for w in self.app.workers
        )
        if reading and not self.done:
            self.notify("following: new lines appear as they arrive", timeout=2)
            return
        self.notify("re-reading the log…", timeout=1.5)
        self.reload(full=True, keep_place=True)

    def action_next_attempt(self) -> None:
        if not self.attempts_known:
            self.notify("still reading the job's attempts; try again in a moment")
            return
        if self.attempts_made <= 1:
            made = "no attempt yet" if self.attempts_made == 0 else "one attempt so far"
            self.notify(
                f"{self.job_name or self.job_id} has {made} "
                f"(its retry strategy allows {self.max_attempts})",
                severity="warning",
            )
            return
        choices: list[int | None] = [None, -1, *range(1, self.attempts_made + 1)]
        i = choices.index(self.selection.attempt) if self.selection.attempt in choices else 0
        self.selection = replace(self.selection, attempt=choices[(i + 1) % len(choices)])
        self.reload(full=True)

    def action_child(self) -> None:
        parent, _, index = self.job_id.rpartition(":")
        if not self.array_size and parent and index.isdigit():
            # A child's own log: `c` offers its parent's children (read from AWS first).
            if self.connected:
                self.parent_worker(parent, int(index))
            return
        if not self.array_size:
            self.notify(
                f"{self.job_name or self.job_id} is not an array job: it has no children",
                severity="warning",
            )
            return
        self._pick_child(
            f"Which child of array job {self.job_name or self.job_id}? "
            f"(0..{self.array_size - 1}, or all)",
            self.array_size,
            "",
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="parent")
    def parent_worker(self, parent_id: str, index: int) -> None:
        from batchtui.aws.batch import describe_job  # boto3 loads with a log, not at start

        parent = describe_job(self.aws, parent_id)
        self.post_message(ArrayParent(parent_id, parent.job_name, parent.array_size or 0, index))

    @on(ArrayParent)
    def _array_parent(self, message: ArrayParent) -> None:
        if not message.size:
            self.notify(f"{message.job_id} is not an array job", severity="warning")
            return
        name = message.name or message.job_id
        self._pick_child(
            f"This is child {message.index} of {name} ({message.size} children). "
            f"Which child of {name}? (0..{message.size - 1}, or all)",
            message.size,
            str(message.index),
            parent=message,
        )

    def _pick_child(
        self, title: str, size: int, value: str, *, parent: ArrayParent | None = None
    ) -> None:
        def chosen(answer: str | None) -> None:
            if answer is None:
                return
            v = answer.strip().lower()
            child: Any = None if v in ("", "all") else v
            if child is not None:
                if not v.isdigit() or not 0 <= int(v) < size:
                    self.notify(f"child must be 0..{size - 1} or all", severity="error")
                    return
                child = int(v)
            if parent is not None:  # from a child's log to its parent's children
                self.job_id, self.job_name, self.array_size = parent.job_id, parent.name, size
                self.query_one("#logs-title", Label).update(
                    Text(f"Logs of {parent.name}  {parent.job_id}")
                )
            self.selection = replace(self.selection, child="all" if child is None else child)
            self.reload(full=True)

        self.app.push_screen(PromptScreen(title, f"0..{size - 1} or all", value), chosen)

    def action_search(self) -> None:
        if type_into_focused_input(self.app, "/"):
            return
        box = self.query_one("#search", Input)
        box.display = True
        self.set_focus(box)  # now, not after a refresh: keys typed at once land in the box

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        view = self.query_one(LogView)
        view.needle = event.value
        view.relayout()
        self.set_focus(view)
        if not event.value:
            event.input.display = False
            return
        self.action_find(1)

    def action_find(self, step: int) -> None:
        view = self.query_one(LogView)
        first = self.buffer.first  # (absolute numbers: the held lines may not start at 0)
        start = view.highlight if view.highlight is not None else first - (step > 0)
        found = self.buffer.find(view.needle, start, step)
        if found is None:
            self.notify(f"no line contains {view.needle!r}" if view.needle else "/ to search first")
            return
        view.show_line(found)
        self._info()

    def action_back(self) -> None:
        box = self.query_one("#search", Input)
        if box.display:
            box.value = ""
            box.display = False
            view = self.query_one(LogView)
            view.needle, view.highlight = "", None
            view.relayout()
            self.set_focus(view)
            return
        super().action_back()

    def action_from_start(self) -> None:
        if not self.buffer.dropped:
            top = self.key_for("log.top") or "home"
            if self.buffer.refused:
                self.notify(f"these are the log's first lines ({top}: the first one)")
            else:
                self.notify(f"every line read so far is held ({top}: the first one)")
            return
        if not self.connected:
            return
        self.notify("reading the log from its start…", timeout=1.5)
        self.reload(full=True, from_start=True)
        self.query_one(LogView).scroll_home(animate=False, immediate=True)
        self._info()

    def action_save(self) -> None:
        name = f"batchtui-{self.job_id.replace(':', '_')}.log"
        # The held lines as they are now; the file is written off the UI thread (a slow or
        # full disk must not freeze the screen).
        self.save_worker(Path.cwd() / name, self.buffer.first, self.buffer.snapshot())

    @work(thread=True, exit_on_error=False, group="save")
    def save_worker(self, path: Path, first: int, lines: list[LogLine]) -> None:
        try:
            count = write_lines(path, lines)
        except OSError as e:
            # One line a person can act on: "No space left on device", "Permission denied".
            self.post_message(LogSaved(path, first, 0, e.strerror or str(e)))
            return
        self.post_message(LogSaved(path, first, count))

    @on(LogSaved)
    def _saved(self, message: LogSaved) -> None:
        if message.error:
            self.notify(
                f"cannot save the log to {message.path}: {message.error}",
                title="Not saved",
                severity="error",
            )
            return
        what = f"{message.count:,} lines"
        if message.first:
            last = message.first + message.count
            what += f" (lines {message.first + 1:,}-{last:,}: older ones were dropped)"
        self.notify(f"saved {what} to {message.path}", title="Saved")
