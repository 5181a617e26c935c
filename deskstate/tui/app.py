"""The watch view: a Textual app that shows one desk live, fed through a Store.

The app is the worked example of embedding deskstate in a UI, and uses only the public API:

- a :class:`~deskstate.tui.feed.Feeder` reads the log in a thread worker and dispatches its
  records to a :class:`~deskstate.Store` in batches: the UI thread never reads the log nor
  reduces a record (it only moves the store in time, which diffs two snapshots);
- a Store listener hands every :class:`~deskstate.Change` to the app as a message
  (``post_message`` is thread-safe; a listener may be called in any thread, even for a Change
  the UI thread made), for the event log and the status line;
- three ``store.watch`` subscriptions, one per pane, over memoised selectors
  (:mod:`deskstate.tui.view`), tell the app only of the panes whose value changed; the values are
  computed in the thread that dispatched, and the app only draws them;
- the keys pause the feeder (records are held, not lost) and move the store in time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO, ClassVar, Final

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, RichLog, Static

from deskstate import DEFAULT_ORIGINS, Change, DeskState, Store
from deskstate.follow import DEFAULT_INTERVAL
from deskstate.tui.feed import BATCH, Feeder, LogSource, Note, Progress
from deskstate.tui.view import (
    Card,
    Row,
    Travel,
    card_text,
    change_lines,
    channels,
    channels_text,
    focused_card,
    rows,
    status_text,
    unread_badge,
)

__all__ = ["DEFAULT_HISTORY", "WatchApp", "run_watch"]

#: Snapshots kept for time travel unless told otherwise.
DEFAULT_HISTORY: Final = 1000
#: Lines the event log keeps (older ones scroll away).
LOG_LINES: Final = 5000
#: Longest visitor name in the table (the focused pane shows it whole).
VISITOR_WIDTH: Final = 28

_NOTE_STYLES: Final = {"info": "cyan", "warning": "yellow", "error": "bold red"}


class StoreChanged(Message):
    """A Change of the store, with where in history it led when it was a move in time."""

    def __init__(self, change: Change, travel: Travel | None) -> None:
        super().__init__()
        self.change = change
        self.travel = travel


class RowsChanged(Message):
    """The rows of the conversation table changed."""

    def __init__(self, rows: tuple[Row, ...]) -> None:
        super().__init__()
        self.rows = rows


class CardChanged(Message):
    """The focused conversation's card changed (``None``: no focus)."""

    def __init__(self, card: Card | None) -> None:
        super().__init__()
        self.card = card


class ChannelsChanged(Message):
    """The availability per channel changed."""

    def __init__(self, statuses: tuple[tuple[str, str | None], ...]) -> None:
        super().__init__()
        self.statuses = statuses


class ReaderReport(Message):
    """The reader has a note for the event log, or new counts for the status line."""

    def __init__(self, news: Note | Progress) -> None:
        super().__init__()
        self.news = news


class WatchApp(App[None]):
    """A live view of one desk: conversations, the focused visitor, availability, what happened.

    ``source`` says where the records come from (default: the bundled example); ``desk`` which
    desk of the log to show (default: the first one read); ``history`` how many snapshots the
    store keeps for time travel; ``allowed_origins`` as for :class:`~deskstate.Store`.
    ``batch`` is the most records dispatched at once and ``interval`` how often a followed log is
    looked at, in seconds. With ``until`` (an aware datetime), the view pauses at the desk as it was
    then (see :class:`~deskstate.tui.feed.Feeder`).
    """

    TITLE = "deskstate watch"
    ENABLE_COMMAND_PALETTE = False  # the keys are the ones in the footer
    CSS = """
    #top { height: 1fr; }
    #conversations { width: 2fr; border: round $primary; }
    #conversations > .datatable--cursor { background: $accent 50%; text-style: bold; }
    #side { width: 1fr; min-width: 40; }
    #focused-pane { height: 1fr; border: round $primary; padding: 0 1; }
    #availability { height: auto; border: round $primary; padding: 0 1; }
    #events { height: 12; border: round $primary; }
    #status { height: 1; padding: 0 1; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_pause", "Pause/resume", priority=True),
        Binding("left", "history_back", "Back in history", priority=True),
        Binding("right", "history_forward", "Forward", priority=True),
        Binding("end", "go_live", "Live", priority=True),
        Binding("q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        source: LogSource | None = None,
        *,
        desk: str | None = None,
        history: int = DEFAULT_HISTORY,
        allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
        batch: int = BATCH,
        interval: float = DEFAULT_INTERVAL,
        until: datetime | None = None,
    ) -> None:
        super().__init__()
        self.source = source if source is not None else LogSource()
        self.store = Store(history=history, allowed_origins=allowed_origins, on_error=self._failed)
        self._history = history
        self.feeder = Feeder(
            self.store,
            self.source,
            self._reader_report,
            desk=desk,
            batch=batch,
            interval=interval,
            until=until,
        )
        self.sub_title = self.source.name
        self._shown: DeskState = self.store.state
        self._progress = self.feeder.progress()
        self._travel: Travel | None = None  # where in history the view is; None: live
        self._stop_listening: list[Callable[[], None]] = []

    def compose(self) -> ComposeResult:
        """Conversations, the focused one and availability; the event log and status below."""
        with Horizontal(id="top"):
            yield DataTable(id="conversations", cursor_type="row")
            with Vertical(id="side"):
                with VerticalScroll(id="focused-pane"):
                    yield Static(id="focused")
                yield Static(id="availability")
        yield RichLog(id="events", wrap=True, max_lines=LOG_LINES)
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Listen to the store, draw what it shows now, and start reading the log."""
        table = self.query_one("#conversations", DataTable)
        table.can_focus = False  # the cursor shows the desk's focus: the keys are the app's
        # What an operator scans first comes first: the ids, long, go last (cut on a narrow screen).
        table.add_columns("#", "", "unread", "visitor", "V/P/E", "project", "conversation")
        table.border_title = "Open conversations"
        self.query_one("#focused-pane").border_title = "Focused conversation"
        self.query_one("#availability").border_title = "Availability"
        self.query_one("#events").border_title = "Event log"
        store = self.store
        self._stop_listening = [
            store.subscribe(self._store_changed),
            store.watch(rows, lambda new, _old: self._post(RowsChanged(new))),
            store.watch(focused_card, lambda new, _old: self._post(CardChanged(new))),
            store.watch(channels, lambda new, _old: self._post(ChannelsChanged(new))),
        ]
        shown = store.state
        self._draw_rows(rows(shown))
        self._draw_card(focused_card(shown))
        self._draw_channels(channels(shown))
        self._draw_status()
        self.run_worker(self.feeder.run, name="reader", group="reader", thread=True)

    def on_unmount(self) -> None:
        """Stop reading and listening: the reader thread ends within one poll interval."""
        self.feeder.stop.set()
        for stop in self._stop_listening:
            stop()

    # --- from other threads: messages only --------------------------------------------------------

    def _post(self, message: Message) -> None:
        with contextlib.suppress(RuntimeError):  # the app's loop closed: nobody to tell any more
            self.post_message(message)

    def _store_changed(self, change: Change) -> None:
        """The Store listener (in whatever thread dispatched): hand the Change to the app."""
        travel = None
        if change.event is None:  # a move in time: find where it led, by identity
            history = self.store.history
            for index in range(len(history) - 1, -1, -1):
                if history[index] is change.new:
                    travel = Travel(index + 1, len(history))
                    break
        self._post(StoreChanged(change, travel))

    def _reader_report(self, news: Note | Progress) -> None:
        self._post(ReaderReport(news))

    def _failed(self, error: BaseException, listener: Callable[..., object]) -> None:
        """The Store's ``on_error``: a listener of ours raised; say so in the event log."""
        text = f"Internal error in {getattr(listener, '__name__', listener)!s}: {error!r}"
        self._post(ReaderReport(Note(text, "error")))

    # --- in the app -------------------------------------------------------------------------------

    def on_store_changed(self, message: StoreChanged) -> None:
        """Write what the Change did in the event log; track what is shown for the status."""
        change = message.change
        self._shown = change.new
        if change.event is None:
            travel = message.travel
            live = travel is None or travel.position == travel.length
            self._travel = None if live else travel
        else:
            self._travel = None
        for line in change_lines(change, message.travel):
            self._write_log(line)
        self._draw_status()

    def on_rows_changed(self, message: RowsChanged) -> None:
        """Redraw the conversation table."""
        self._draw_rows(message.rows)

    def on_card_changed(self, message: CardChanged) -> None:
        """Redraw the focused conversation's pane."""
        self._draw_card(message.card)

    def on_channels_changed(self, message: ChannelsChanged) -> None:
        """Redraw the availability pane."""
        self._draw_channels(message.statuses)

    def on_reader_report(self, message: ReaderReport) -> None:
        """Write the reader's note in the event log, or show its new counts."""
        news = message.news
        if isinstance(news, Note):
            self._write_log(Text(news.text, style=_NOTE_STYLES[news.level]))
        else:
            self._progress = news
            self._draw_status()

    def _write_log(self, line: Text) -> None:
        """Write a line in the event log, wrapped at the log's width."""
        log = self.query_one("#events", RichLog)
        log.write(line, width=log.scrollable_content_region.width or None)

    def _draw_rows(self, shown: tuple[Row, ...]) -> None:
        table = self.query_one("#conversations", DataTable)
        table.clear()
        focused_at = None
        for index, row in enumerate(shown):
            style = "bold" if row.focused else ""
            visitor = Text(row.visitor, style=style)
            visitor.truncate(VISITOR_WIDTH, overflow="ellipsis")
            table.add_row(
                str(row.position),
                Text("▶", style="bold cyan") if row.focused else "",
                unread_badge(row.unread),
                visitor,
                row.messages,
                row.project,
                Text(row.id + (" (implicit)" if row.implicit else ""), style=style),
                key=row.id,
            )
            if row.focused:
                focused_at = index
        table.border_title = f"Open conversations ({len(shown)})"
        table.show_cursor = focused_at is not None
        if focused_at is not None:
            table.move_cursor(row=focused_at, animate=False)

    def _draw_card(self, card: Card | None) -> None:
        self.query_one("#focused", Static).update(card_text(card))

    def _draw_channels(self, statuses: tuple[tuple[str, str | None], ...]) -> None:
        self.query_one("#availability", Static).update(channels_text(statuses))

    def _draw_status(self) -> None:
        progress = self._progress
        shown = self._shown
        text = status_text(
            read=progress.read,
            version=shown.version,
            clock=shown.clock,
            travel=self._travel,
            paused=self.feeder.paused,
            waiting=progress.waiting,
            reading=progress.reading,
            other_desks=progress.other_desks,
            desk=progress.desk,
            error=progress.error,
        )
        self.query_one("#status", Static).update(text)

    # --- keys -------------------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        """Space: hold back the records read, or dispatch the ones held and go on."""
        if self.feeder.paused:
            self.feeder.resume()
            self._drain()
        else:
            self.feeder.pause()
        self._draw_status()

    def action_history_back(self) -> None:
        """Left: show the snapshot before (records read meanwhile are held back)."""
        if not self.feeder.travel(self.store.back):
            if self._history:
                why = f"this is the oldest snapshot kept (--history {self._history})"
            else:
                why = "no history is kept (--history 0)"
            self._write_log(Text(f"Cannot go back: {why}.", style="yellow"))

    def action_history_forward(self) -> None:
        """Right: show the snapshot after; at the latest, the view is live again."""
        self.feeder.travel(self.store.forward)
        self._drain()

    def action_go_live(self) -> None:
        """End: show the latest snapshot, and dispatch what was held back meanwhile."""
        self.feeder.travel(self.store.go_live)
        self._drain()

    def _drain(self) -> None:
        """Dispatch the records held back, in a thread (there may be many)."""
        self.run_worker(self.feeder.drain, name="drain", group="drain", thread=True)


@contextlib.contextmanager
def _log_on_stdin() -> Iterator[IO[bytes]]:
    """Standard input as the log, and the terminal as standard input for the keys.

    Textual reads keys from descriptor 0: the pipe is moved to another descriptor, and the
    controlling terminal put in its place, for the time of the view. Raises :class:`OSError`
    when there is no terminal to read keys from.
    """
    original = os.dup(0)
    try:
        terminal = os.open("/dev/tty", os.O_RDONLY)
    except OSError as error:
        os.close(original)
        raise OSError(
            f"cannot watch standard input: the keys are read from the terminal, and there is "
            f"none (/dev/tty: {error.strerror or error})"
        ) from error
    pipe = os.dup(0)
    os.dup2(terminal, 0)
    os.close(terminal)
    try:
        with open(pipe, "rb", buffering=0) as stream:
            yield stream
    finally:
        os.dup2(original, 0)
        os.close(original)


def run_watch(
    log: str | None,
    *,
    follow: bool = False,
    desk: str | None = None,
    history: int = DEFAULT_HISTORY,
    batch: int = BATCH,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
    until: datetime | None = None,
) -> int:
    """Run the watch view on ``log`` (a path, ``"-"`` for standard input, ``None`` the example).

    The options are those of :class:`WatchApp`. Returns the exit status once the view is quit.
    Raises :class:`OSError` when ``log`` is ``"-"`` and there is no terminal to read keys from.
    """

    def run(source: LogSource) -> int:
        app = WatchApp(
            source,
            desk=desk,
            history=history,
            batch=batch,
            allowed_origins=allowed_origins,
            until=until,
        )
        app.run()
        return app.return_code or 0

    if log == "-":
        with _log_on_stdin() as stream:
            return run(LogSource(stream=stream))
    return run(LogSource(path=log, follow=follow))
