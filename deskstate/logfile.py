r"""Reading log files: stream the records of JSON Lines or a JSON array, plain or gzip, or stdin.

This is an edge of the library: the only module of the core's package that touches files. It
yields :class:`~deskstate.LogLine` s, one per record, each with the physical line it starts on
(1-based, blank lines counted), so that replay can report a record it cannot read at its line and
go on. Memory stays bounded by about ``max_line_bytes`` plus a 64 KiB chunk, whatever the size of
the log, in either format.

How a log is read:

- Compression is told by content, not by name: a log that starts with the gzip magic bytes
  (``1f 8b``) is decompressed, whatever its name, be it a path, ``"-"`` (standard input) or a file
  object; any other log is read as it is, even one named ``.gz``.
- Format: once decompressed, a log whose first byte that is not whitespace (after an optional
  UTF-8 byte-order mark) is ``[`` is a JSON array of records; any other log is JSON Lines.
- JSON Lines: one record per non-blank line. A line that is not UTF-8, not JSON, nested too deeply
  or longer than ``max_line_bytes`` (its ``\r\n`` or ``\n`` not counted) is reported as a
  ``LogLine`` with an ``error``, and the next lines are read. A last line cut short (a log cut while
  being written) is reported as not JSON; it is not fatal.
- JSON arrays: one record per element, at the line on which the element starts (one element per
  line, pretty-printed, or everything on one line alike). Element boundaries are found by tracking
  strings and bracket depth, so an element with unbalanced brackets may run on to the end of the
  array; it is then reported as one element.

  - An element that is not UTF-8, not JSON or nested too deeply is reported at its line (a JSON
    error gives the line and column where it is), and the next element is read.
  - An element longer than ``max_line_bytes`` bytes (from its first character to the ``,`` or
    ``]`` after it) is reported at its line and skipped, without being held whole; the next
    element is read.
  - A missing element (``[1,,2]``, ``[1,]``, ``[,1]``) is reported at the ``,`` or ``]`` found
    where an element should start.
  - A log that ends inside an element (cut while being written) reports that element at its line,
    with why it cannot be read; it is not fatal.
  - A log that ends after complete elements, without the closing ``]``, yields them all, then one
    error at the last line that is not blank.
  - Anything but whitespace after the closing ``]`` is reported once at its line, and the rest of
    the log is not read.
  - ``[]`` yields no records. An element that is not an object (``[1, "a"]``) is yielded as a value:
    replay reports it.

- A compressed stream that is damaged cannot be read past the damage: the records before it are
  yielded, then :class:`~deskstate.UnreadableLog` names the log and the line of the last record.
"""

from __future__ import annotations

import gzip
import io
import itertools
import os
import sys
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Final, Protocol

from deskstate._jsonarray import read_array
from deskstate._jsonlines import read_lines
from deskstate.errors import UnreadableLog
from deskstate.records import LogLine

__all__ = ["DEFAULT_MAX_LINE_BYTES", "read_log"]

#: A line (or array element) longer than this, in bytes, is reported instead of parsed.
DEFAULT_MAX_LINE_BYTES: Final = 1024 * 1024

_BOM: Final = b"\xef\xbb\xbf"
_GZIP_MAGIC: Final = b"\x1f\x8b"
_CHUNK: Final = 64 * 1024
#: How many bytes of the source are read between two calls of a progress hook.
_PROGRESS_EVERY: Final = 256 * 1024
_JSON_SPACE: Final = b" \t\r\n"
_COMPRESSION_ERRORS: Final = (gzip.BadGzipFile, EOFError, zlib.error)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Counted:
    """The source as read: replays the bytes peeked at its start, counts the bytes taken from it."""

    __slots__ = ("_head", "_read", "consumed", "head")

    def __init__(self, source: IO[bytes]) -> None:
        # read1 returns what a pipe has at once, so records flow as they come.
        self._read: Callable[[int], bytes] = getattr(source, "read1", source.read)
        head = self._read(_CHUNK)
        while 0 < len(head) < len(_GZIP_MAGIC):
            more = self._read(_CHUNK)
            if not more:
                break
            head += more
        self.head = head
        self._head = head
        self.consumed = len(head)

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes (all that is left of the peeked start first)."""
        head = self._head
        if head:
            if 0 <= size < len(head):
                self._head = head[size:]
                return head[:size]
            self._head = b""
            return head
        data = self._read(size)
        self.consumed += len(data)
        return data

    def seek(self, offset: int, /) -> int:
        """Refuse: the source is read once, from start to end (gzip asks only to rewind)."""
        raise io.UnsupportedOperation(f"cannot seek to {offset}: a log is read once")


def _chunks(
    stream: _Readable, counted: _Counted, progress: Callable[[int], None] | None
) -> Iterator[bytes]:
    # read1 gives what one read of the source holds: records before a damaged part come out.
    read: Callable[[int], bytes] = getattr(stream, "read1", stream.read)
    if progress is None:
        while chunk := read(_CHUNK):
            yield chunk
        return
    reported = 0
    while chunk := read(_CHUNK):
        if counted.consumed - reported >= _PROGRESS_EVERY:
            reported = counted.consumed
            progress(reported)
        yield chunk


def _first_content(chunks: Iterator[bytes], limit: int) -> tuple[bytes, int]:
    """Read up to the first byte that is not whitespace, without the byte-order mark.

    Returns the bytes from the start of the line holding it (or all that is left, when nothing but
    whitespace comes), and how many whole lines came before them.
    """
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= len(_BOM):
            break
    head = head.removeprefix(_BOM)
    blank = 0
    while not head.strip(_JSON_SPACE):
        cut = head.rfind(b"\n") + 1
        blank += head.count(b"\n", 0, cut)
        head = head[cut:][-(limit + 2) :]  # bounded: a longer blank line is too long all the same
        more = next(chunks, None)
        if more is None:
            break
        head += more
    return head, blank


def _records(
    stream: _Readable,
    counted: _Counted,
    limit: int,
    source: str,
    progress: Callable[[int], None] | None,
) -> Iterator[LogLine]:
    chunks = _chunks(stream, counted, progress)
    head, blank = _first_content(chunks, limit)
    content = head.lstrip(_JSON_SPACE)
    if content[:1] != b"[":
        yield from read_lines(itertools.chain((head,), chunks), blank, limit, source)
        return
    at = len(head) - len(content)
    line = blank + 1 + head.count(b"\n", 0, at)
    column = at - head.rfind(b"\n", 0, at)  # 0-based, of what follows the "["
    yield from read_array(itertools.chain((content[1:],), chunks), line, column, limit, source)


def _read_stream(
    file: IO[bytes], name: str, limit: int, progress: Callable[[int], None] | None
) -> Iterator[LogLine]:
    last = 0
    try:
        counted = _Counted(file)
        if counted.head.startswith(_GZIP_MAGIC):
            with gzip.GzipFile(fileobj=counted, mode="rb") as unpacked:
                for record in _records(unpacked, counted, limit, name, progress):
                    last = record.line
                    yield record
        else:
            for record in _records(counted, counted, limit, name, progress):
                last = record.line
                yield record
    except _COMPRESSION_ERRORS as error:
        where = f"after line {last}" if last else "before its first record"
        raise UnreadableLog(f"{name}: damaged compression {where}: {error}") from error
    if progress is not None:
        progress(counted.consumed)


def _read(
    path_or_file: str | os.PathLike[str] | IO[bytes],
    limit: int,
    progress: Callable[[int], None] | None,
) -> Iterator[LogLine]:
    if not isinstance(path_or_file, str | os.PathLike):
        name = getattr(path_or_file, "name", None)
        yield from _read_stream(
            path_or_file, name if isinstance(name, str) else "<stream>", limit, progress
        )
        return
    name = os.fspath(path_or_file)
    if name == "-":
        yield from _read_stream(sys.stdin.buffer, "<stdin>", limit, progress)
        return
    try:
        file = open(name, "rb")  # noqa: SIM115 - closed below, once the generator is done
    except OSError as error:
        raise UnreadableLog(f"{name}: cannot open: {error.strerror or error}") from error
    with file:
        yield from _read_stream(file, name, limit, progress)


def read_log(
    path_or_file: str | os.PathLike[str] | IO[bytes],
    *,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    progress: Callable[[int], None] | None = None,
) -> Iterator[LogLine]:
    """Stream the records of a log, one :class:`~deskstate.LogLine` per record.

    ``path_or_file`` is a path, ``"-"`` for standard input, or a binary file object (left open).
    The log is JSON Lines or a JSON array (told by its first character that is not whitespace),
    gzip-compressed or not (told by its first bytes, not its name). Each record keeps the physical
    line it starts on; one that cannot be read (not UTF-8, not JSON, nested too deeply, longer than
    ``max_line_bytes`` bytes) is yielded with an ``error`` instead of a ``value``, and reading goes
    on: see the module's documentation for every case. Memory stays bounded by about
    ``max_line_bytes`` plus 64 KiB, however long the log is.

    ``progress``, when given, is called with the number of bytes read so far from the file or
    stream itself (compressed bytes for a compressed log, to compare with the file's size): about
    every 256 KiB, and once at the end with the total.

    Nothing is read before the first record is asked for. Raises
    :class:`~deskstate.UnreadableLog` when the file cannot be opened, or, after yielding the
    records before it, when its compression is damaged.
    """
    if isinstance(path_or_file, io.TextIOBase):
        raise TypeError("read_log needs a binary file: open the log with mode 'rb'")
    if isinstance(max_line_bytes, bool) or not isinstance(max_line_bytes, int):
        raise TypeError(f"max_line_bytes must be an int, got {max_line_bytes!r}")
    if max_line_bytes < 1:
        raise ValueError(f"max_line_bytes must be at least 1, got {max_line_bytes}")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a function of a byte count, got {progress!r}")
    return _read(path_or_file, max_line_bytes, progress)
