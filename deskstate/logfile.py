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

import codecs
import gzip
import io
import itertools
import json
import os
import re
import sys
import zlib
from collections.abc import Callable, Generator, Iterator
from typing import IO, Final, Protocol

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
_CR: Final = 13

_DECODER: Final = json.JSONDecoder()
# The C scanner under JSONDecoder.raw_decode (an attribute the stubs do not declare): one value
# at an index, without a Python frame around it.
_scan_value: Final[Callable[[str, int], tuple[object, int]]] = vars(_DECODER)["scan_once"]
_SPACES: Final = " \t\r\n"
_space_run: Final = re.compile(r"[ \t\r\n]*").match
# After an element: the comma and the whitespace after it (where the next element starts), or "]".
_after_element: Final = re.compile(r"[ \t\r\n]*(?:,[ \t\r\n]*|(\]))").match
_structure: Final = re.compile(r'["\[\]{},]').search
_nested_structure: Final = re.compile(r'["\[\]{}]').search  # commas inside an element do not count
_string_rest: Final = re.compile(r'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL).match
# What bytes that are not UTF-8 decode to with "surrogateescape" (and nothing valid decodes to).
_undecodable: Final = re.compile("[\udc80-\udcff]").search


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


def _line_batches(chunks: Iterator[bytes], limit: int) -> Iterator[tuple[list[bytes], bool]]:
    """Yield ``(lines, long)``: complete lines, and whether a line over ``limit`` comes next.

    A line over the limit is not kept: the rest of it is skipped up to its end. The start of a
    line that has not ended is kept in pieces, joined once it ends: a long line coming in many
    small reads (a pipe) is copied once, not once per read.
    """
    pending: list[bytes] = []
    held = 0
    skipping = False
    for chunk in chunks:
        if skipping:
            end = chunk.find(b"\n")
            if end < 0:
                continue
            chunk = chunk[end + 1 :]  # noqa: PLW2901 - the rest of the chunk is read as usual
            skipping = False
        lines = chunk.split(b"\n")
        carry = lines.pop()
        if lines and pending:
            pending.append(lines[0])
            lines[0] = b"".join(pending)
            pending.clear()
            held = 0
        held += len(carry)
        skipping = held > limit + 1  # room for a "\r" before the "\n" to come
        if skipping:
            pending.clear()
            held = 0
        elif carry:
            pending.append(carry)
        if lines or skipping:
            yield lines, skipping
    if pending:
        yield [b"".join(pending)], False


def _jsonl(
    batches: Iterator[tuple[list[bytes], bool]], number: int, limit: int, source: str
) -> Iterator[LogLine]:
    """Yield a LogLine per non-blank line; ``number`` lines come before the first batch."""
    decode = _DECODER.decode
    too_long = f"line is longer than {limit} bytes"
    for lines, long_line in batches:
        for line in lines:
            number += 1
            if len(line) > limit and (len(line) > limit + 1 or line[-1] != _CR):
                yield LogLine(number, None, too_long, source)
                continue
            try:
                value = decode(line.decode("utf-8"))
            except UnicodeDecodeError as error:
                message = f"line is not valid UTF-8 ({error.reason} at byte {error.start})"
            except json.JSONDecodeError as error:
                if not line or line.isspace():  # blank: told apart only when it fails to parse
                    continue
                message = f"line is not JSON ({_what(error)} at column {error.colno})"
            except RecursionError:
                message = "line is nested too deeply to read"
            else:
                yield LogLine(number, value, None, source)
                continue
            yield LogLine(number, None, message, source)
        if long_line:
            number += 1
            yield LogLine(number, None, too_long, source)


def _what(error: json.JSONDecodeError) -> str:
    """What a JSON error found, to go before `` at column N``: ``"Expecting value"``."""
    return error.msg.removesuffix(" at")  # "Unterminated string starting at"


def _texts(chunks: Iterator[bytes]) -> Iterator[tuple[str, bool]]:
    """Decode the log as UTF-8: ``(text, dirty)``, one per chunk.

    A chunk with bytes that are not UTF-8 is ``dirty``: they are kept as lone surrogates, so that
    the element holding them can be reported. A character cut between chunks waits for the next.
    """
    decode = codecs.utf_8_decode
    pending = b""
    for chunk in chunks:
        data = pending + chunk if pending else chunk
        try:
            text, used = decode(data, "strict", False)
            dirty = False
        except UnicodeDecodeError:
            text, used = decode(data, "surrogateescape", False)
            dirty = True
        pending = data[used:]
        yield text, dirty
    if pending:  # a character cut short by the end of the log
        yield decode(pending, "surrogateescape", True)[0], True


def _scan(buf: str, i: int, depth: int, in_string: bool) -> tuple[int, int, bool, bool]:
    """Scan an element from ``buf[i]`` for the ``,`` or ``]`` that ends it.

    Returns ``(i, depth, in_string, found)``. When found, ``buf[i]`` is that delimiter; otherwise
    the text ran out, and the other three are where to resume once more text is appended (``i``
    stops before a backslash whose escaped character is still to come).
    """
    end = len(buf)
    while True:
        if in_string:
            rest = _string_rest(buf, i)
            i = rest.end() if rest else i  # it matches always, if only the empty string
            if i >= end or buf[i] == "\\":
                return i, depth, True, False
            i += 1  # the closing quote
            in_string = False
        match = _nested_structure(buf, i) if depth else _structure(buf, i)
        if match is None:
            return end, depth, False, False
        i = match.end()
        char = buf[i - 1]
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif depth:
            depth -= 1
        elif char != "}":  # a "}" too many is part of a malformed element
            return i - 1, 0, False, True


def _column_after(column: int, text: str) -> int:
    """The 0-based column after ``text``, which starts at 0-based ``column``."""
    newline = text.rfind("\n")
    return len(text) - newline - 1 if newline >= 0 else column + len(text)


def _skip_spaces(text: str, pos: int) -> int:
    """The index of the first character at or after ``pos`` that is not JSON whitespace."""
    spaces = _space_run(text, pos)
    return spaces.end() if spaces else pos  # it matches always, if only the empty string


def _element_value(
    text: str, line: int, column: int, limit: int, dirty: bool
) -> tuple[object, str | None]:
    """Parse an element's text, found at ``line`` and 1-based ``column``: ``(value, error)``."""
    # Length first, as for a line: an element too long is not read, so nothing else is known of it.
    if len(text) > limit // 4 and len(text.encode("utf-8", "surrogateescape")) > limit:
        return None, f"element is longer than {limit} bytes"
    if dirty and _undecodable(text):
        try:
            text.encode("utf-8", "surrogateescape").decode("utf-8")
        except UnicodeDecodeError as error:
            return None, (
                f"element is not valid UTF-8 ({error.reason} at byte {error.start} of the element)"
            )
    try:
        return _DECODER.decode(text), None
    except json.JSONDecodeError as error:
        at_column = error.colno + column - 1 if error.lineno == 1 else error.colno
        where = f"line {line + error.lineno - 1} column {at_column}"
        return None, f"element is not JSON ({_what(error)} at {where})"
    except RecursionError:
        return None, "element is nested too deeply to read"


class _ArrayReader:
    """Reads the elements of a JSON array log, one window of its decoded text at a time.

    ``buf`` holds the text not consumed yet (it starts right after the opening ``[``); ``line``
    is the physical line of ``buf[counted]``, ``col`` the 0-based column of ``buf[0]`` in its line,
    ``last_line`` the line of the last character that is not whitespace dropped from the window.
    """

    __slots__ = (
        "buf",
        "col",
        "counted",
        "dirty",
        "last_line",
        "limit",
        "line",
        "source",
        "texts",
    )

    def __init__(
        self, texts: Iterator[tuple[str, bool]], line: int, col: int, limit: int, source: str
    ) -> None:
        self.texts = texts
        self.buf = ""
        self.line = line
        self.last_line = line
        self.counted = 0
        self.col = col
        self.dirty = False
        self.limit = limit
        self.source = source

    def line_at(self, i: int) -> int:
        """The physical line of ``buf[i]``."""
        if i >= self.counted:
            return self.line + self.buf.count("\n", self.counted, i)
        return self.line - self.buf.count("\n", i, self.counted)

    def column_at(self, i: int) -> int:
        """The 1-based column of ``buf[i]`` in its line."""
        newline = self.buf.rfind("\n", 0, i)
        return i - newline if newline >= 0 else self.col + i + 1

    def refill(self, keep: int) -> bool:
        """Drop the text before ``buf[keep]``, append the next; ``False`` at the end of the log."""
        piece = next(self.texts, None)
        if piece is None:
            return False
        text, dirty = piece
        buf = self.buf
        content = len(buf[:keep].rstrip(_SPACES))
        if content:
            self.last_line = self.line_at(content - 1)
        self.line = self.line_at(keep)
        self.col = self.column_at(keep) - 1
        kept = buf[keep:]
        self.dirty = dirty or (self.dirty and _undecodable(kept) is not None)
        self.buf = kept + text
        self.counted = 0
        return True

    def error(self, line: int, message: str) -> LogLine:
        """A LogLine reporting ``message`` at ``line``."""
        return LogLine(line, None, message, self.source)

    def end_line(self) -> int:
        """The line of the last character of the log that is not whitespace."""
        content = len(self.buf.rstrip(_SPACES))
        return self.line_at(content - 1) if content else self.last_line

    def read(self) -> Iterator[LogLine]:
        """Yield a LogLine per element, then an error for anything wrong after the last one."""
        close = yield from self.elements()
        if close is not None:
            yield from self.after_end(close)

    def elements(self) -> Generator[LogLine, None, int | None]:
        """Yield a LogLine per element; return the index of the closing ``]`` in ``buf``.

        Returns ``None`` when the log ends before it (what that leaves unread is reported).
        """
        scan_value = _scan_value
        quick = self.limit // 4  # this many characters are surely within the limit in bytes
        source = self.source
        first = True
        buf, line, counted, dirty, pos = self.buf, self.line, 0, False, 0
        while True:
            if pos >= len(buf) or buf[pos] in _SPACES:
                pos = _skip_spaces(buf, pos)
                if pos == len(buf):
                    self.line, self.counted = line, counted
                    if not self.refill(pos):
                        yield self.error(self.end_line(), _UNCLOSED)
                        return None
                    buf, line, counted, dirty, pos = self.buf, self.line, 0, self.dirty, 0
                    continue
            char = buf[pos]
            if char in ",]":
                line += buf.count("\n", counted, pos)
                counted = pos
                self.line, self.counted = line, counted
                if char == "]":
                    if not first:
                        yield LogLine(line, None, _TRAILING_COMMA, source)
                    return pos
                yield LogLine(line, None, _EXTRA_COMMA, source)
                first = False
                pos += 1
                continue
            first = False
            try:
                value, end = scan_value(buf, pos)
            except (StopIteration, ValueError, RecursionError):
                pass  # read again below, where the element's end is found first
            else:
                after = _after_element(buf, end)
                if (
                    after is not None
                    and after.end() - pos <= quick
                    and not (dirty and _undecodable(buf, pos, end))
                ):
                    line += buf.count("\n", counted, pos)
                    counted = pos
                    yield LogLine(line, value, None, source)
                    pos = after.end()
                    if after.lastindex is None:  # a comma
                        continue
                    self.line, self.counted = line, counted
                    return pos - 1
            # The element runs past the text at hand, or something is wrong with it.
            self.line, self.counted = line, counted
            pos, delimiter = yield from self.element(pos)
            if delimiter != ",":
                return pos - 1 if delimiter == "]" else None
            buf, line, counted, dirty = self.buf, self.line, self.counted, self.dirty

    def element(self, pos: int) -> Generator[LogLine, None, tuple[int, str]]:
        """Read the element at ``buf[pos]`` up to the ``,`` or ``]`` after it, and yield it.

        Returns the index in ``buf`` after that delimiter, and the delimiter (``""`` when the log
        ended first: then what it left unread is reported).
        """
        self.line = start_line = self.line_at(pos)
        self.counted = pos
        start_column = self.column_at(pos)
        buf = self.buf
        scan, depth, in_string, found = _scan(buf, pos, 0, False)
        if found:
            text = buf[pos:scan]
            value, message = _element_value(text, start_line, start_column, self.limit, self.dirty)
            yield LogLine(start_line, value, message, self.source)
            return scan + 1, buf[scan]
        # The element runs past the window: the rest comes a piece at a time, each scanned as it
        # comes and kept in a list (joining each to the window would copy the element every time).
        parts = [buf[pos:scan]]
        rest = buf[scan:]  # a backslash whose escaped character is still to come, or nothing
        held = scan - pos
        newlines = parts[0].count("\n")
        column = _column_after(start_column - 1, parts[0])  # 0-based, of what comes next
        dirty = self.dirty
        skipping = held > self.limit  # too long: the rest is read but not kept
        if skipping:
            parts.clear()
        while True:
            piece = next(self.texts, None)
            if piece is None:
                yield from self.unfinished(
                    [*parts, rest], skipping, start_line, start_column, dirty
                )
                self.buf, self.counted = "", 0
                return 0, ""
            text = rest + piece[0]
            scan, depth, in_string, found = _scan(text, 0, depth, in_string)
            if found:
                break
            part, rest = text[:scan], text[scan:]
            held += len(part)
            newlines += part.count("\n")
            column = _column_after(column, part)
            dirty = dirty or piece[1]
            if skipping:
                continue
            parts.append(part)
            if held > self.limit:
                skipping = True
                parts.clear()
        if skipping:
            yield self.error(start_line, f"element is longer than {self.limit} bytes")
        else:
            parts.append(text[:scan])
            value, message = _element_value(
                "".join(parts), start_line, start_column, self.limit, dirty or piece[1]
            )
            yield LogLine(start_line, value, message, self.source)
        # The window goes on from the piece holding the delimiter.
        self.buf, self.counted, self.dirty = text, 0, piece[1]
        self.line, self.col, self.last_line = start_line + newlines, column, start_line
        return scan + 1, text[scan]

    def unfinished(
        self, parts: list[str], skipping: bool, start_line: int, start_column: int, dirty: bool
    ) -> Iterator[LogLine]:
        """Report an element that the log ends inside of (``parts`` is its text, when kept)."""
        if skipping:
            yield self.error(
                start_line,
                f"element is longer than {self.limit} bytes, and the log ends inside it "
                "(it may have been cut while being written)",
            )
            return
        text = "".join(parts)
        value, message = _element_value(text, start_line, start_column, self.limit, dirty)
        if message is None:  # complete: only the closing "]" is missing
            yield LogLine(start_line, value, None, self.source)
            last_line = start_line + text.rstrip(_SPACES).count("\n")
            yield self.error(last_line, _UNCLOSED)
        else:
            yield self.error(
                start_line,
                f"the log ends inside this element (it may have been cut while being written): "
                f"{message}",
            )

    def after_end(self, close: int) -> Iterator[LogLine]:
        """Check that nothing but whitespace follows the ``]`` at ``buf[close]``."""
        close_line = self.line_at(close)
        pos = close + 1
        while True:
            pos = _skip_spaces(self.buf, pos)
            if pos < len(self.buf):
                break
            if not self.refill(pos):
                return
            pos = 0
        yield self.error(
            self.line_at(pos),
            f"found data after the ']' that closes the JSON array on line {close_line}: "
            "it is not read (a log holds one array, or one record per line)",
        )


_UNCLOSED: Final = (
    "the JSON array is not closed: the log ends without ']' "
    "(it may have been cut while being written)"
)
_EXTRA_COMMA: Final = (
    "element is missing: found ',' where a record should start; remove the extra comma"
)
_TRAILING_COMMA: Final = (
    "element is missing: found ']' right after a comma; remove the trailing comma"
)


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
        batches = _line_batches(itertools.chain((head,), chunks), limit)
        yield from _jsonl(batches, blank, limit, source)
        return
    at = len(head) - len(content)
    line = blank + 1 + head.count(b"\n", 0, at)
    column = at - head.rfind(b"\n", 0, at)  # 0-based, of what follows the "["
    texts = _texts(itertools.chain((content[1:],), chunks))
    yield from _ArrayReader(texts, line, column, limit, source).read()


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
