r"""JSON Lines logs: one record per line, each at its physical line, bad lines reported.

Part of :mod:`deskstate.logfile` (see there for what is reported and when): this module turns the
decompressed chunks of a log into :class:`~deskstate.LogLine` s, holding at most ``limit`` bytes of
one line, so that an over-long line is reported without being read whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Final

from deskstate.records import LogLine

__all__ = ["DECODER", "read_lines", "what_json_found"]

DECODER: Final = json.JSONDecoder()
_CR: Final = 13


def read_lines(chunks: Iterator[bytes], before: int, limit: int, source: str) -> Iterator[LogLine]:
    """Yield a LogLine per non-blank line of ``chunks``; ``before`` lines come before them."""
    return _jsonl(_line_batches(chunks, limit), before, limit, source)


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
    decode = DECODER.decode
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
                message = f"line is not JSON ({what_json_found(error)} at column {error.colno})"
            except RecursionError:
                message = "line is nested too deeply to read"
            else:
                yield LogLine(number, value, None, source)
                continue
            yield LogLine(number, None, message, source)
        if long_line:
            number += 1
            yield LogLine(number, None, too_long, source)


def what_json_found(error: json.JSONDecodeError) -> str:
    """What a JSON error found, to go before `` at column N``: ``"Expecting value"``."""
    return error.msg.removesuffix(" at")  # "Unterminated string starting at"
