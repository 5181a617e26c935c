r"""The JSON Lines log a receiver appends to: whole batches, written once and synced to disk.

Each batch of accepted records is appended with one write and ``fsync``-ed before the receiver
answers, so a crash loses at most the batch in flight, which the snippet was not told was stored
and sends again. Every line carries its record's place in its page session (the ``capture``
member, see :mod:`deskstate.record.protocol`); opening a log reads those back, so a receiver
restarted on the same log knows which records it already holds.

A log whose last line has no ``\n`` (a write cut by a crash or a full disk) is ended with one when
it is opened: what was written stays, as a line that replay applies when it is whole and reports
(``invalid-event``) when it is not, and the records after it start on a line of their own. Nothing
already in the log is ever removed or rewritten.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from typing import Final

from deskstate.errors import UnreadableLog
from deskstate.logfile import read_log
from deskstate.record.protocol import CAPTURE_MEMBER

__all__ = ["CaptureLog"]

_GZIP_MAGIC: Final = b"\x1f\x8b"
_JSON_SPACE: Final = b" \t\r\n\xef\xbb\xbf"  # and a byte-order mark


class CaptureLog:
    """A JSON Lines log opened for appending batches of captured records.

    Raises :class:`~deskstate.UnreadableLog` when the file cannot be opened, or is not a plain
    JSON Lines log (a gzip file or a JSON array cannot be appended to line by line). Safe to use
    from several threads: batches are appended one at a time.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        try:
            created = not os.path.exists(self.path)
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            raise UnreadableLog(f"{self.path}: cannot open: {error.strerror or error}") from None
        try:
            self._check_format()
            self._end_last_line()
            if created:
                _sync_directory(self.path)
            self._last = _last_numbers(self.path)
        except BaseException:
            os.close(self._fd)
            raise

    def last(self, session: str) -> int:
        """The number of the last record of ``session`` in the log, or 0 when it has none."""
        return self._last.get(session, 0)

    def append(self, session: str, lines: Iterable[tuple[int, bytes]]) -> None:
        """Append ``lines`` (each a record's number and its line) of ``session``, and sync them.

        Numbers must come in increasing order, above :meth:`last`: the caller leaves retries out.
        Returns once the lines are on disk.
        """
        batch = list(lines)
        if not batch:
            return
        numbers = [number for number, _ in batch]
        data = b"".join(line for _, line in batch)
        with self._lock:
            if numbers != sorted(set(numbers)) or numbers[0] <= self.last(session):
                raise ValueError(
                    f"record numbers must increase past {self.last(session)}: {numbers}"
                )
            _write_all(self._fd, data)
            os.fsync(self._fd)
            self._last[session] = numbers[-1]

    def close(self) -> None:
        """Close the log (the lines appended are already on disk)."""
        os.close(self._fd)

    def _check_format(self) -> None:
        start = os.pread(self._fd, 4096, 0)
        if start.startswith(_GZIP_MAGIC):
            raise UnreadableLog(f"{self.path}: is gzip-compressed: record appends to a plain log")
        if start.lstrip(_JSON_SPACE).startswith(b"["):
            raise UnreadableLog(
                f"{self.path}: is a JSON array: record appends JSON Lines, give another file"
            )

    def _end_last_line(self) -> None:
        size = os.fstat(self._fd).st_size
        if size and os.pread(self._fd, 1, size - 1) != b"\n":
            _write_all(self._fd, b"\n")
            os.fsync(self._fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_directory(path: str) -> None:
    """Make a new file's name durable, not only its contents."""
    directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _last_numbers(path: str) -> dict[str, int]:
    """For each page session in the log, the highest record number stored."""
    last: dict[str, int] = {}
    for record in read_log(path):
        value = record.value
        capture = value.get(CAPTURE_MEMBER) if isinstance(value, Mapping) else None
        if not isinstance(capture, Mapping):
            continue  # a record written by something else, or a line replay reports
        session, number = capture.get("session"), capture.get("n")
        if isinstance(session, str) and isinstance(number, int) and not isinstance(number, bool):
            last[session] = max(last.get(session, 0), number)
    return last
