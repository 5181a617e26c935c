"""Feeding a Store from a log, off the UI thread: one desk's records, in batches, held when asked.

A :class:`Feeder` reads a log (a file, followed or not, a pipe, or the bundled example) in a thread
of its own and dispatches the records of one desk to a :class:`~deskstate.Store` with
``dispatch_many``, so a long log is a few hundred Changes, not one per record:

- a batch is dispatched when it holds ``batch`` records, and whenever the log has no more to give
  for now (the end of a followed file or of what a pipe holds), so a record that arrives alone is
  shown at once;
- while paused, or while the store shows an older snapshot (time travel), records read are held
  back, in order, and dispatched when the view is live and running again; past ``hold_limit``
  records held, reading itself waits (memory stays bounded, nothing is lost);
- the desk: with ``desk`` only that desk's records (the envelope's ``desk``) are dispatched;
  without it, the desk of the first record read. Records of other desks are counted, never
  dispatched, and a :class:`Note` says which desks they were and how to watch them. A line that
  cannot be read, or holds no JSON object, cannot name a desk: it is dispatched to the desk
  shown, so that its anomaly is seen;
- ``until`` (a time): the feeder pauses itself before the first record of the desk shown whose
  ``ts`` is later, after dispatching the ones before: the view starts paused at the desk as it was
  then (the rule of :func:`deskstate.state_at`).

What the feeder has to say goes to ``report``, from whatever thread it is in: a :class:`Note` for
the event log, or the new :class:`Progress` (its counts, for the status line). A Progress is
reported after the Changes it counts were made, so a view that handles reports and Changes in the
order they came never shows counts ahead of the desk.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from importlib import resources
from typing import IO, Final, Literal, NamedTuple

import attrs

from deskstate import LogLine, Store, read_log
from deskstate.clock import record_time
from deskstate.follow import DEFAULT_INTERVAL, follow_log, follow_stream
from deskstate.records import desk_of
from deskstate.timestamps import format_timestamp

__all__ = ["BATCH", "HOLD_LIMIT", "Feeder", "LogSource", "Note", "Progress"]

#: Records dispatched at once, at most.
BATCH: Final = 256
#: Records held back (paused, or travelling in time) before reading waits too.
HOLD_LIMIT: Final = 100_000
#: How many other desks are named in the event log before they are only counted.
DESKS_NAMED: Final = 5

_EXAMPLE: Final = "example.jsonl"


@attrs.frozen
class LogSource:
    """Where records come from: a ``path``, a ``stream`` (a pipe), or neither (the example).

    ``follow`` keeps reading a path as the file grows (a stream is always read until it closes).
    ``name`` is what the view calls the log.
    """

    path: str | None = None
    stream: IO[bytes] | None = None
    follow: bool = False

    @property
    def name(self) -> str:
        """What the view calls this log."""
        if self.path is not None:
            return self.path
        return "<stdin>" if self.stream is not None else f"<example {_EXAMPLE}>"

    def records(
        self,
        stop: threading.Event,
        *,
        interval: float,
        on_wait: Callable[[], object],
        on_reopen: Callable[[str], object],
    ) -> Iterator[LogLine]:
        """The records of the log, read as it says: followed, from a pipe, or to the end."""
        if self.stream is not None:
            return follow_stream(self.stream, stop, interval=interval, on_wait=on_wait)
        if self.path is None:
            return _example()
        if self.follow:
            return follow_log(
                self.path, stop, interval=interval, on_wait=on_wait, on_reopen=on_reopen
            )
        return read_log(self.path)


def _example() -> Iterator[LogLine]:
    with resources.files("deskstate").joinpath("data", _EXAMPLE).open("rb") as stream:
        yield from read_log(stream)


class Note(NamedTuple):
    """A line for the event log from the reader: which desk is shown, a rotation, an error."""

    text: str
    level: Literal["info", "warning", "error"] = "info"


class Progress(NamedTuple):
    """The reader's counts, for the status line."""

    read: int  # records read from the log, every desk's
    waiting: int  # records held back, to be dispatched
    other_desks: int  # records of other desks, counted and not dispatched
    desk: str | None  # the desk shown (None: records that name no desk, or not known yet)
    reading: str  # "reading", "following", "end of log", "pipe closed", "stopped", "failed"
    error: str | None  # why reading failed


class Feeder:
    """Reads a log into a store in batches, from :meth:`run` in a thread of its own.

    ``desk`` is the desk to show (default: the first one read). ``report(note_or_progress)`` is
    told what the event log should say (a :class:`Note`) and the new counts (:class:`Progress`). Set
    :attr:`stop` to end reading (within ``interval`` seconds when waiting for a followed log);
    :attr:`done` is set once :meth:`run` has returned.
    """

    def __init__(
        self,
        store: Store,
        source: LogSource,
        report: Callable[[Note | Progress], object],
        *,
        desk: str | None = None,
        batch: int = BATCH,
        interval: float = DEFAULT_INTERVAL,
        hold_limit: int = HOLD_LIMIT,
        until: datetime | None = None,
    ) -> None:
        if batch < 1 or hold_limit < 1:
            raise ValueError(f"batch and hold_limit must be at least 1, got {batch}, {hold_limit}")
        self.stop: Final = threading.Event()
        self.done: Final = threading.Event()
        #: How many times the reader has caught up with the log (read all it had, for now).
        self.caught_up = 0
        self._store = store
        self._source = source
        self._report = report
        self._batch = batch
        self._interval = interval
        self._hold_limit = hold_limit
        # Held records and the pause flag are guarded by this; so are dispatches and moves in
        # time, so that records reach the store in the order they were read.
        self._lock = threading.Condition(threading.RLock())
        self._held: deque[LogLine] = deque()
        self._paused = False
        # Only the reader thread writes these (others read them for the status line).
        self._pending: list[LogLine] = []
        self._read = 0
        self._other = 0
        self._others: set[str | None] = set()
        self._desk = desk
        self._chosen = desk is not None
        self._until = until  # None once the clock of the desk shown has passed it
        self._reading = "following" if source.follow or source.stream is not None else "reading"
        self._error: str | None = None

    # --- what the view reads ----------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """Whether records read are held back instead of dispatched."""
        return self._paused

    def progress(self) -> Progress:
        """The counts for the status line, as they are now."""
        desk = self._desk if self._chosen else None
        return Progress(self._read, len(self._held), self._other, desk, self._reading, self._error)

    # --- the reader thread ------------------------------------------------------------------------

    def run(self) -> None:
        """Read the log (following it if asked) into the store, until its end or a stop."""
        try:
            self._run()
        finally:
            self.done.set()

    def _run(self) -> None:
        if self._chosen:
            self._note(f"Showing desk {self._desk!r} (--desk).")
        try:
            for record in self._source.records(
                self.stop, interval=self._interval, on_wait=self._wait, on_reopen=self._reopened
            ):
                if self.stop.is_set():
                    break
                self._take(record)
        except OSError as error:  # UnreadableLog, or a followed file that could not be reopened
            self.flush()
            self._reading, self._error = "failed", str(error)
            self._note(f"Cannot read the log: {error}", "error")
            self._progressed()
            return
        self.flush()
        if self.stop.is_set():
            self._reading = "stopped"
        else:
            self._reading = "pipe closed" if self._source.stream is not None else "end of log"
            self._note(f"{self._reading.capitalize()}: {self._read} records read.")
            if self._chosen and self._read and self._read == self._other:
                self._note(f"No record of desk {self._desk!r} in this log.", "warning")
            if self._until is not None:
                self._note(f"The clock never passed {format_timestamp(self._until)}.", "warning")
        self._progressed()

    def _take(self, record: LogLine) -> None:
        self._read += 1
        if isinstance(record.value, Mapping):  # what cannot name a desk is shown where we are
            desk = desk_of(record.value)
            if not self._chosen:
                self._choose(desk)
            if desk != self._desk:
                self._other += 1
                if desk not in self._others:
                    self._other_desk(desk)
                return
        if self._until is not None:
            ts = record_time(record)
            if ts is not None and ts > self._until:
                self._pause_at(self._until)
        self._pending.append(record)
        if len(self._pending) >= self._batch:
            self.flush()

    def _pause_at(self, until: datetime) -> None:
        """The clock passed ``until``: dispatch the records before, then hold the rest."""
        self._until = None
        self.flush()
        self.pause()
        when = format_timestamp(until)
        self._note(f"Paused where the clock first passed {when} (--at-time): space resumes.")
        self._progressed()

    def _choose(self, desk: str | None) -> None:
        self._desk, self._chosen = desk, True
        if desk is not None:
            self._note(
                f"Showing desk {desk!r}, the first in the log. Records of other desks are "
                "counted in the status line, not shown: choose a desk with --desk KEY."
            )

    def _other_desk(self, desk: str | None) -> None:
        self._others.add(desk)
        if len(self._others) > DESKS_NAMED:
            if len(self._others) == DESKS_NAMED + 1:
                self._note("Records of more desks are not shown either.", "warning")
            return
        which = "records that name no desk" if desk is None else f"records of desk {desk!r}"
        how = "" if desk is None else f": run deskstate watch --desk {desk} to see them"
        shown = "records that name no desk" if self._desk is None else f"desk {self._desk!r}"
        self._note(f"Not shown: {which} (this view shows {shown}){how}.", "warning")

    def _wait(self) -> None:
        """The log has no more for now: dispatch what was read."""
        self.flush()
        self.caught_up += 1

    def _reopened(self, message: str) -> None:
        self.flush()
        self._note(message, "warning")

    def flush(self) -> None:
        """Hand the records read so far to the store (or hold them); the log has no more for now."""
        if self._pending:
            batch, self._pending = self._pending, []
            with self._lock:
                self._held.extend(batch)
            self.drain()
        self._progressed()
        with self._lock:  # too much held back (paused): wait for room, or for the stop
            while len(self._held) >= self._hold_limit and not self.stop.is_set():
                self._lock.wait(self._interval)

    def _progressed(self) -> None:
        with self._lock:  # one report at a time, in the order of the counts
            self._report(self.progress())

    def _note(self, text: str, level: Literal["info", "warning", "error"] = "info") -> None:
        self._report(Note(text, level))

    # --- any thread -------------------------------------------------------------------------------

    def drain(self) -> None:
        """Dispatch the held records, a batch at a time, while neither paused nor travelling."""
        store = self._store
        drained = False
        while True:
            with self._lock:
                held = self._held
                if not held or self._paused or not store.live or self.stop.is_set():
                    break
                count = min(self._batch, len(held))
                store.dispatch_many([held.popleft() for _ in range(count)])
                drained = True
                self._lock.notify_all()
        if drained:
            self._progressed()

    def pause(self) -> None:
        """Hold back the records read from now on (they are dispatched on :meth:`resume`)."""
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        """Stop holding records back; :meth:`drain` then dispatches those held (in a thread)."""
        with self._lock:
            self._paused = False

    def travel(self, move: Callable[[], object]) -> bool:
        """Move the store in time (``move`` is ``store.back`` or the like) between two batches.

        Returns whether the snapshot shown changed (not when already at that end of history).
        """
        with self._lock:
            before = self._store.state
            move()
            return self._store.state is not before
