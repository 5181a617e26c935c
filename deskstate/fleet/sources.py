"""Reading the sources of :mod:`deskstate.fleet` and filing their records under desks."""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import PurePath, PurePosixPath
from typing import NamedTuple
from urllib.parse import urlsplit

from deskstate.errors import UnreadableLog
from deskstate.fleet.common import Desk, Source
from deskstate.logfile import read_log
from deskstate.records import LogLine, desk_of


class _Chunk(NamedTuple):
    """The records of one desk in one source, in record order.

    Each record is ``(index, line, value, error)``: its index in the source and, for a log line,
    its line, JSON value and error (see :func:`_packed`); plain tuples pickle fast.
    """

    desk: Desk
    order: int
    source: str | None
    records: list[tuple[int, int | None, object, str | None]]


def _is_url(name: str) -> bool:
    return "://" in name


def _file_desk(name: str) -> str:
    """The desk of a file's records that name none: its name up to the first dot."""
    base = PurePosixPath(urlsplit(name).path).name if _is_url(name) else PurePath(name).name
    return base.partition(".")[0] or base


def _is_file(source: object) -> bool:
    """Whether a worker can open ``source`` itself (a path or URL, not standard input)."""
    return isinstance(source, str | os.PathLike) and os.fspath(source) != "-"


@contextlib.contextmanager
def _opened(source: Source) -> Iterator[tuple[str | None, Desk, Iterable[object]]]:
    """The records of ``source``: its name in reports, the desk of deskless records, the records."""
    if not isinstance(source, str | os.PathLike):
        yield None, None, source
        return
    name = os.fspath(source)
    if name == "-":
        yield "<stdin>", None, read_log(name)
    elif not _is_url(name):
        yield name, _file_desk(name), read_log(name)
    else:
        import fsspec  # type: ignore[import-untyped] # noqa: PLC0415 - URLs only (the fleet extra)

        try:
            file = fsspec.open(name, "rb").open()
        except (OSError, ValueError, ImportError) as error:  # missing, unknown protocol, no backend
            raise UnreadableLog(f"{name}: cannot open: {error}") from error
        with file:
            yield name, _file_desk(name), read_log(file)


def _desk_key(record: object, default: Desk) -> Desk:
    desk = desk_of(record.value if isinstance(record, LogLine) else record)
    return default if desk is None else desk


def _positioned(sources: list[Source]) -> Iterator[tuple[Desk, int, str | None, int, object]]:
    """Every record of every source in order: its desk, source number, source name and index."""
    for order, source in enumerate(sources):
        with _opened(source) as (name, default, records):
            for index, record in enumerate(records):
                yield _desk_key(record, default), order, name, index, record


def _packed(index: int, record: object) -> tuple[int, int | None, object, str | None]:
    if isinstance(record, LogLine):
        return index, record.line, record.value, record.error
    return index, None, record, None


def _unpacked(line: int | None, value: object, error: str | None) -> object:
    return value if line is None else LogLine(line, value, error)


def _bucket(desk: Desk, buckets: int) -> int:
    """Which of ``buckets`` replay tasks takes ``desk``: the same in every process."""
    return 0 if desk is None else zlib.crc32(desk.encode("utf-8", "surrogatepass")) % buckets


def _chunks(order: int, source: Source, buckets: int) -> list[list[_Chunk]]:
    """The records of one source, one chunk per desk, in ``buckets`` lists by :func:`_bucket`."""
    chunks: dict[Desk, _Chunk] = {}
    with _opened(source) as (name, default, records):
        for index, record in enumerate(records):
            desk = _desk_key(record, default)
            chunk = chunks.get(desk)
            if chunk is None:
                chunk = chunks[desk] = _Chunk(desk, order, name, [])
            chunk.records.append(_packed(index, record))
    split: list[list[_Chunk]] = [[] for _ in range(buckets)]
    for chunk in chunks.values():
        split[_bucket(chunk.desk, buckets)].append(chunk)
    return split
