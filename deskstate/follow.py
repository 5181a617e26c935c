r"""Following a log as it grows, like ``tail -F``: binary files that wait at their end for more.

``read_log(FollowedFile(path, stop))`` reads the log at ``path`` from its start, then waits at its
end for the file to grow, until ``stop`` (a :class:`threading.Event`) is set. Waiting is a poll of
the file's size every ``interval`` seconds (0.2 by default), sleeping on ``stop`` in between: no
busy wait, and setting ``stop`` ends the wait at once. :func:`follow_log` does that and more
(truncation, replacement); :func:`follow_stream` does the same for a pipe (standard input).

How a line still being written is handled: the JSON Lines reader of :func:`~deskstate.read_log`
holds a line that has not ended (no ``\n`` yet) until its end arrives. A followed file reaches its
end only when following stops, so a record the writer has not finished waits for the rest and is
never reported while the log is followed. Only a line that can never end is reported, as
``read_log`` reports a log cut short: the last line of a file that was then truncated or replaced
(it will not be finished), or of a pipe that was closed.

A file truncated (shorter than what was read of it) or replaced (another file now at ``path``,
as log rotation does) ends the :class:`FollowedFile`, which says why in :attr:`FollowedFile.ended`;
:func:`follow_log` reports it to ``on_reopen`` and reads the file now at ``path`` from its start,
its lines numbered from 1 again. A file rewritten to at least the size already read between two
polls is not noticed (``tail`` has the same blind spot). A file removed and not yet replaced is
waited for: its old contents are kept being read meanwhile.

``on_wait``, when given, is called once each time the reader reaches the end of what there is,
before it waits: a consumer that batches records flushes its batch there, so that records already
read are not kept waiting for the next ones.
"""

from __future__ import annotations

import io
import os
import select
import threading
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Final, Literal, cast

from deskstate.errors import UnreadableLog
from deskstate.logfile import DEFAULT_MAX_LINE_BYTES, read_log
from deskstate.records import LogLine

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["DEFAULT_INTERVAL", "FollowedFile", "FollowedStream", "follow_log", "follow_stream"]

#: Seconds between two looks at a followed file that has no more to read.
DEFAULT_INTERVAL: Final = 0.2

#: Why a followed file or stream ended: told to stop, truncated, replaced, or (a pipe) closed.
Ending = Literal["stopped", "truncated", "replaced", "closed"]


def _check(interval: float, on_wait: Callable[[], object] | None) -> float:
    if isinstance(interval, bool) or not isinstance(interval, int | float) or not interval > 0:
        raise ValueError(f"interval must be a number of seconds above 0, got {interval!r}")
    if on_wait is not None and not callable(on_wait):
        raise TypeError(f"on_wait must be a function of no argument, got {on_wait!r}")
    return float(interval)


class FollowedFile(io.RawIOBase):
    """A binary file that, at its end, waits for the file at ``path`` to grow until ``stop`` is set.

    Reads return what there is (never waiting while there is something); a read returns ``b""``
    (the end, for :func:`~deskstate.read_log`) only once ``stop`` is set, or once the file was
    truncated or replaced, :attr:`ended` saying which. ``interval`` is the time between two polls
    of the file; ``on_wait()`` is called each time the end is reached, before waiting. Raises
    :class:`~deskstate.UnreadableLog` when the file cannot be opened.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        stop: threading.Event,
        *,
        interval: float = DEFAULT_INTERVAL,
        on_wait: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self._interval = _check(interval, on_wait)
        self._path = os.fspath(path)
        self._stop = stop
        self._on_wait = on_wait
        try:
            self._file = open(self._path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
        except OSError as error:
            raise UnreadableLog(f"{self._path}: cannot open: {error.strerror or error}") from error
        #: Why reading ended: ``None`` while following.
        self.ended: Ending | None = None

    @property
    def name(self) -> str:
        """The path followed (read_log names the log after it)."""
        return self._path

    def readable(self) -> bool:
        """True: this file is read."""
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        """Read what there is into ``buffer``, waiting at the end; 0 once following has ended."""
        waited = False
        while not self._stop.is_set():
            count = self._file.readinto(buffer)
            if count:
                return count
            moved = self._moved()
            if moved is not None:
                count = self._file.readinto(buffer)  # what was written before it moved
                if count:
                    return count
                self.ended = moved
                return 0
            if not waited:
                waited = True
                if self._on_wait is not None:
                    self._on_wait()
            self._stop.wait(self._interval)
        self.ended = "stopped"
        return 0

    def _moved(self) -> Ending | None:
        """Whether the file was truncated below what was read, or another file is at the path."""
        opened = os.fstat(self._file.fileno())
        if opened.st_size < self._file.tell():
            return "truncated"
        try:
            current = os.stat(self._path)
        except FileNotFoundError:
            return None  # moved away, its successor not there yet: keep reading the old one
        if (current.st_dev, current.st_ino) != (opened.st_dev, opened.st_ino):
            return "replaced"
        return None

    def close(self) -> None:
        """Close the file."""
        if not self.closed:
            self._file.close()
        super().close()


class FollowedStream(io.RawIOBase):
    """A pipe (or any stream with a file descriptor) read until it closes or ``stop`` is set.

    Reads return what the pipe has; when it has nothing, ``on_wait()`` is called, then the pipe
    is polled every ``interval`` seconds, so that setting ``stop`` ends the read at once (a plain
    read would block until the writer writes). Uses :func:`select.select`: POSIX pipes.
    """

    def __init__(
        self,
        stream: IO[bytes],
        stop: threading.Event,
        *,
        name: str = "<stdin>",
        interval: float = DEFAULT_INTERVAL,
        on_wait: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self._interval = _check(interval, on_wait)
        self._fd = stream.fileno()
        self._stream = stream
        self._name = name
        self._stop = stop
        self._on_wait = on_wait
        #: Why reading ended: ``None`` while the pipe is open and followed.
        self.ended: Ending | None = None

    @property
    def name(self) -> str:
        """What reports call this stream."""
        return self._name

    def readable(self) -> bool:
        """True: this stream is read."""
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        """Read what the pipe has into ``buffer``, waiting for it; 0 when closed or stopped."""
        timeout = 0.0
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], timeout)
            if ready:
                count = os.readv(self._fd, [buffer])
                if not count:
                    self.ended = "closed"
                return count
            if not timeout:
                timeout = self._interval
                if self._on_wait is not None:
                    self._on_wait()
        self.ended = "stopped"
        return 0


def _records(
    followed: FollowedFile | FollowedStream, stop: threading.Event, max_line_bytes: int
) -> Iterator[LogLine]:
    """The records of ``followed``, none once ``stop`` is set (not even a line left unfinished)."""
    try:
        for record in read_log(cast(IO[bytes], followed), max_line_bytes=max_line_bytes):
            if stop.is_set():
                return
            yield record
    except UnreadableLog:
        if stop.is_set():
            return  # a compressed log cut short by stopping, not damaged
        raise


def follow_log(
    path: str | os.PathLike[str],
    stop: threading.Event,
    *,
    interval: float = DEFAULT_INTERVAL,
    on_wait: Callable[[], object] | None = None,
    on_reopen: Callable[[str], object] | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[LogLine]:
    """Stream the records of the log at ``path`` from its start, then as it grows, until ``stop``.

    Records are read as :func:`~deskstate.read_log` reads them. When the file is truncated or
    replaced, ``on_reopen(message)`` is told (a sentence naming the file and what happened) and
    the file now at ``path`` is read from its start. ``on_wait`` is as for :class:`FollowedFile`.
    The iteration ends when ``stop`` is set (records read after it are dropped), or when
    ``read_log`` stops reading on its own (a JSON array followed by something else). Raises
    :class:`~deskstate.UnreadableLog` when the file cannot be opened (at first, or after a
    rotation) or its compression is damaged.
    """
    name = os.fspath(path)
    while not stop.is_set():
        followed = FollowedFile(path, stop, interval=interval, on_wait=on_wait)
        with followed:
            yield from _records(followed, stop, max_line_bytes)
        if followed.ended not in ("truncated", "replaced"):
            return  # stopped, or read_log read no further
        if on_reopen is not None:
            what = "was truncated" if followed.ended == "truncated" else "was replaced"
            on_reopen(f"{name} {what}: reading it again from its start")


def follow_stream(
    stream: IO[bytes],
    stop: threading.Event,
    *,
    name: str = "<stdin>",
    interval: float = DEFAULT_INTERVAL,
    on_wait: Callable[[], object] | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[LogLine]:
    """Stream the records of a pipe as they come, until it is closed or ``stop`` is set.

    As :func:`follow_log`, for a stream that cannot be reopened: see :class:`FollowedStream`.
    """
    followed = FollowedStream(stream, stop, name=name, interval=interval, on_wait=on_wait)
    return _records(followed, stop, max_line_bytes)
