"""Reading log files: stream the records of a JSON Lines log, plain or gzip-compressed, or stdin.

This is an edge of the library: the only module of the core's package that touches files. It
yields :class:`~deskstate.LogLine` s, one per non-blank line, each with its physical line number,
so that replay can report a line that is not valid UTF-8, not JSON, too deep or too long, and go on.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import zlib
from collections.abc import Iterator
from typing import IO, Final

from deskstate.errors import UnreadableLog
from deskstate.records import LogLine

__all__ = ["DEFAULT_MAX_LINE_BYTES", "read_log"]

#: A line longer than this (in bytes, without its end) is reported instead of parsed.
DEFAULT_MAX_LINE_BYTES: Final = 1024 * 1024

_BOM: Final = b"\xef\xbb\xbf"
_CHUNK: Final = 64 * 1024


def _lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line number, bytes)`` per physical line; ``None`` for a line over ``limit`` bytes.

    Never holds more than ``limit`` bytes of one line in memory: the rest of a long line is skipped.
    """
    number = 0
    while True:
        chunk = stream.readline(limit + 2)  # room for "\r\n"
        if not chunk:
            return
        number += 1
        if chunk.endswith(b"\n"):
            yield number, chunk[:-1].removesuffix(b"\r")
            continue
        if len(chunk) <= limit + 1 and not chunk.rstrip(b"\r")[limit:]:
            yield number, chunk.removesuffix(b"\r")  # the last line, without its end
            continue
        while chunk and not chunk.endswith(b"\n"):
            chunk = stream.readline(_CHUNK)
        yield number, None


def _records(stream: IO[bytes], source: str, limit: int) -> Iterator[LogLine]:
    for number, raw in _lines(stream, limit):
        if raw is None:
            yield LogLine(number, error=f"line is longer than {limit} bytes", source=source)
            continue
        content = raw.removeprefix(_BOM) if number == 1 else raw
        if not content or content.isspace():  # blank: no copy of the line to tell
            continue
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            yield LogLine(
                number,
                error=f"line is not valid UTF-8 ({error.reason} at byte {error.start})",
                source=source,
            )
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield LogLine(
                number,
                error=f"line is not JSON ({error.msg} at column {error.colno})",
                source=source,
            )
            continue
        except RecursionError:
            yield LogLine(number, error="line is nested too deeply to read", source=source)
            continue
        yield LogLine(number, value, source=source)


def _open(name: str) -> IO[bytes]:
    if name.endswith(".gz"):
        return gzip.open(name, "rb")  # type: ignore[return-value] # a GzipFile is a binary IO
    return open(name, "rb")  # the caller closes it


def read_log(
    path_or_file: str | os.PathLike[str] | IO[bytes],
    *,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[LogLine]:
    """Stream the records of a JSON Lines log, one :class:`~deskstate.LogLine` per non-blank line.

    ``path_or_file`` is a path (``.gz`` is decompressed), ``"-"`` for standard input, or a binary
    file object. Memory stays flat however long the log is. Raises
    :class:`~deskstate.UnreadableLog` when the file cannot be opened, or, after yielding the
    records before it, when its compression is damaged.
    """
    if not isinstance(path_or_file, str | os.PathLike):
        yield from _records(path_or_file, getattr(path_or_file, "name", "<stream>"), max_line_bytes)
        return
    name = os.fspath(path_or_file)
    if name == "-":
        yield from _records(sys.stdin.buffer, "<stdin>", max_line_bytes)
        return
    try:
        stream = _open(name)
    except OSError as error:
        raise UnreadableLog(f"{name}: cannot open: {error.strerror or error}") from error
    with stream:
        last = 0
        try:
            for record in _records(stream, name, max_line_bytes):
                last = record.line
                yield record
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise UnreadableLog(
                f"{name}: damaged compression after line {last}: {error}"
            ) from error
