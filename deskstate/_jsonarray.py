r"""JSON array logs: one record per element, at the line the element starts on.

Part of :mod:`deskstate.logfile` (see there for what is reported and when). Element boundaries are
found by scanning the decoded text with regular expressions, tracking strings, escapes and bracket
depth, then each element is parsed by the C scanner of :mod:`json`; an element is never held beyond
``limit`` bytes, so memory stays bounded whatever the size of the log.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Generator, Iterator
from typing import Final

from deskstate._jsonlines import DECODER, what_json_found
from deskstate.records import LogLine

__all__ = ["read_array"]

# The C scanner under JSONDecoder.raw_decode (an attribute the stubs do not declare): one value
# at an index, without a Python frame around it.
_scan_value: Final[Callable[[str, int], tuple[object, int]]] = vars(DECODER)["scan_once"]
_SPACES: Final = " \t\r\n"
_space_run: Final = re.compile(r"[ \t\r\n]*").match
# After an element: the comma and the whitespace after it (where the next element starts), or "]".
_after_element: Final = re.compile(r"[ \t\r\n]*(?:,[ \t\r\n]*|(\]))").match
_structure: Final = re.compile(r'["\[\]{},]').search
_nested_structure: Final = re.compile(r'["\[\]{}]').search  # commas inside an element do not count
_string_rest: Final = re.compile(r'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL).match
# What bytes that are not UTF-8 decode to with "surrogateescape" (and nothing valid decodes to).
_undecodable: Final = re.compile("[\udc80-\udcff]").search


def read_array(
    chunks: Iterator[bytes], line: int, column: int, limit: int, source: str
) -> Iterator[LogLine]:
    """Yield a LogLine per element of the array whose text, after its ``[``, ``chunks`` hold.

    ``line`` is the physical line of the ``[`` and ``column`` the 0-based column after it.
    """
    return _ArrayReader(_texts(chunks), line, column, limit, source).read()


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
        return DECODER.decode(text), None
    except json.JSONDecodeError as error:
        at_column = error.colno + column - 1 if error.lineno == 1 else error.colno
        where = f"line {line + error.lineno - 1} column {at_column}"
        return None, f"element is not JSON ({what_json_found(error)} at {where})"
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
