"""Writing the tidy tables of :mod:`deskstate.tables` to files: Parquet or CSV, one per table.

What ``deskstate export`` runs. :func:`export_tables` streams the rows that
:func:`deskstate.metrics.metric_rows` yields into six files, one per table, in batches of at most
``batch_rows`` rows a table: what it holds stays flat however long the log is. Parquet needs pyarrow
(the ``analytics`` extra), imported only when Parquet is written; CSV needs nothing.

The schema is fixed per table (:data:`TABLES`), so an empty table still has its columns and types.
A row's fields become its columns in order, with three renamings: a duration ``x`` becomes
``x_seconds`` (float seconds), and ``start``, ``end`` and ``at`` become ``started_at``,
``ended_at`` and ``added_at`` (``end`` and ``at`` are SQL keywords). Unknown is null.

Each file is written as ``NAME.EXT.partial`` and renamed to ``NAME.EXT`` only once every table is
complete: a failed export leaves no file that looks complete, and removes its partial files.
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Final, Literal, NamedTuple, TypeAlias

from deskstate.tables import (
    AnomalyRow,
    AvailabilityInterval,
    ConversationRow,
    FocusInterval,
    MessageRow,
    OpenInterval,
    Row,
)
from deskstate.timestamps import format_timestamp

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "BATCH_ROWS",
    "FORMATS",
    "TABLES",
    "Column",
    "Format",
    "Kind",
    "check_format",
    "export_tables",
    "table_files",
    "write_tables",
]

#: The kinds of column: text, whole number, true/false, UTC timestamp, duration in float seconds.
Kind: TypeAlias = Literal["string", "int", "bool", "timestamp", "seconds"]
#: The file formats :func:`export_tables` writes.
Format: TypeAlias = Literal["parquet", "csv"]
FORMATS: Final[tuple[Format, ...]] = ("parquet", "csv")

#: Rows of one table written at once: a Parquet row group each.
BATCH_ROWS: Final = 50_000


class Column(NamedTuple):
    """A column of a table: its name, its kind, and whether it may be null (unknown)."""

    name: str
    kind: Kind
    nullable: bool = False


def _interval(*keys: Column) -> tuple[Column, ...]:
    """The columns of an interval table: the desk, ``keys`` (what was in the state), the times."""
    return (
        Column("desk", "string", nullable=True),
        *keys,
        Column("started_at", "timestamp", nullable=True),
        Column("ended_at", "timestamp", nullable=True),
        Column("duration_seconds", "seconds", nullable=True),
        Column("running", "bool"),
    )


#: Every table: its name (the file's, less the extension) and its columns, in order.
TABLES: Final[Mapping[str, tuple[Column, ...]]] = MappingProxyType(
    {
        "conversations": (
            Column("desk", "string", nullable=True),
            Column("conversation_id", "string"),
            Column("project_id", "int", nullable=True),
            Column("first_opened", "timestamp", nullable=True),
            Column("last_closed", "timestamp", nullable=True),
            Column("time_open_seconds", "seconds", nullable=True),
            Column("time_focused_seconds", "seconds", nullable=True),
            Column("answered", "bool"),
            Column("first_response_seconds", "seconds", nullable=True),
            Column("messages_visitor", "int"),
            Column("messages_professional", "int"),
            Column("messages_expert", "int"),
            Column("messages_other", "int"),
            Column("unread_peak", "int"),
            Column("implicit", "bool"),
            Column("reopened", "int"),
            Column("still_open", "bool"),
        ),
        "messages": (
            Column("desk", "string", nullable=True),
            Column("conversation_id", "string"),
            Column("message_id", "string"),
            Column("participant", "string"),
            Column("added_at", "timestamp", nullable=True),
            Column("record", "int"),
            Column("line", "int", nullable=True),
        ),
        "open_intervals": _interval(Column("conversation_id", "string")),
        "focus_intervals": _interval(Column("conversation_id", "string")),
        "availability_intervals": _interval(
            Column("channel", "string"), Column("status", "string")
        ),
        "anomalies": (
            Column("desk", "string", nullable=True),
            Column("record", "int", nullable=True),
            Column("line", "int", nullable=True),
            Column("source", "string", nullable=True),
            Column("kind", "string"),
            Column("conversation_id", "string", nullable=True),
            Column("message", "string"),
        ),
    }
)

_TABLE_OF: Final[Mapping[type[Row], str]] = MappingProxyType(
    {
        ConversationRow: "conversations",
        MessageRow: "messages",
        OpenInterval: "open_intervals",
        FocusInterval: "focus_intervals",
        AvailabilityInterval: "availability_intervals",
        AnomalyRow: "anomalies",
    }
)


def table_files(directory: str | os.PathLike[str], format: Format) -> dict[str, Path]:
    """The file of each table in ``directory``: ``NAME.parquet`` or ``NAME.csv``."""
    return {name: Path(directory, f"{name}.{format}") for name in TABLES}


# --- writers -------------------------------------------------------------------------------------

_Convert: TypeAlias = Callable[[Any], object]


def _seconds(duration: timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds()


class _Writer:
    """One table's file being written: rows buffered, then written a batch at a time."""

    def __init__(self, columns: tuple[Column, ...], batch_rows: int) -> None:
        self.columns = columns
        self.batch_rows = batch_rows
        self.pending: list[tuple[object, ...]] = []
        self.count = 0

    def add(self, row: tuple[object, ...]) -> None:
        self.pending.append(row)
        self.count += 1
        if len(self.pending) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.write(self.pending)
            self.pending = []

    def write(self, rows: list[tuple[object, ...]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Write what is pending and close the file (call once, on success)."""
        raise NotImplementedError

    def discard(self) -> None:
        """Close the file without finishing it (after a failure)."""
        raise NotImplementedError


def _csv_text(kind: Kind) -> _Convert:
    """How a value of ``kind`` is written in CSV; null is an empty field."""
    if kind == "bool":
        return lambda value: "true" if value else "false"
    if kind == "timestamp":
        return lambda value: "" if value is None else format_timestamp(value)
    if kind == "seconds":
        return lambda value: "" if value is None else repr(value.total_seconds())
    return lambda value: "" if value is None else value


class _CsvWriter(_Writer):
    def __init__(self, path: Path, columns: tuple[Column, ...], batch_rows: int) -> None:
        super().__init__(columns, batch_rows)
        self.converters = tuple(_csv_text(column.kind) for column in columns)
        self.stream: IO[str] = path.open("w", encoding="utf-8", newline="")
        self.csv = csv.writer(self.stream)  # RFC 4180: CRLF ends a row, so a lone CR is quoted
        self.csv.writerow(column.name for column in columns)

    def write(self, rows: list[tuple[object, ...]]) -> None:
        converters = self.converters
        self.csv.writerows(
            [convert(value) for convert, value in zip(converters, row, strict=True)] for row in rows
        )

    def close(self) -> None:
        self.flush()
        self.stream.close()

    def discard(self) -> None:
        self.stream.close()


def _check_pyarrow() -> None:
    """Raise ImportError, saying which extra to install, when pyarrow is missing."""
    try:
        import pyarrow.parquet  # noqa: F401, PLC0415 - only Parquet needs pyarrow (analytics extra)
    except ImportError as error:
        raise ImportError(
            f"Parquet export needs pyarrow ({error}): pip install 'deskstate[analytics]' "
            "(or export --format csv)",
            name=error.name,
        ) from error


def check_format(format: str) -> None:
    """Raise ``ValueError`` for an unknown format, ``ImportError`` for Parquet without pyarrow."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if format == "parquet":
        _check_pyarrow()


def _arrow_schema(columns: tuple[Column, ...]) -> pa.Schema:
    import pyarrow as pa  # noqa: PLC0415

    types = {
        "string": pa.string(),
        "int": pa.int64(),
        "bool": pa.bool_(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "seconds": pa.float64(),
    }
    return pa.schema(
        [pa.field(column.name, types[column.kind], column.nullable) for column in columns]
    )


class _ParquetWriter(_Writer):
    def __init__(self, path: Path, columns: tuple[Column, ...], batch_rows: int) -> None:
        import pyarrow.parquet as pq  # noqa: PLC0415

        super().__init__(columns, batch_rows)
        self.schema = _arrow_schema(columns)
        self.parquet = pq.ParquetWriter(path, self.schema)

    def write(self, rows: list[tuple[object, ...]]) -> None:
        import pyarrow as pa  # noqa: PLC0415

        arrays = []
        for number, (column, field) in enumerate(zip(self.columns, self.schema, strict=True)):
            values = [row[number] for row in rows]
            if column.kind == "seconds":
                values = [_seconds(value) for value in values]  # type: ignore[arg-type]
            arrays.append(pa.array(values, type=field.type))
        self.parquet.write_batch(pa.record_batch(arrays, schema=self.schema))

    def close(self) -> None:
        self.flush()
        self.parquet.close()

    def discard(self) -> None:
        self.parquet.close()


# --- the public face -----------------------------------------------------------------------------


def _refuse_to_overwrite(files: Mapping[str, Path]) -> None:
    found = [path.name for path in files.values() if path.exists()]
    if found:
        directory = next(iter(files.values())).parent
        raise FileExistsError(
            f"{directory} already holds exported tables ({', '.join(found)}): "
            "export to another directory, or overwrite them (--force)"
        )


def export_tables(
    rows: Iterable[Row],
    directory: str | os.PathLike[str],
    *,
    format: Format = "parquet",
    overwrite: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> dict[str, int]:
    """Write ``rows`` (of :func:`~deskstate.metrics.metric_rows`) to one file per table.

    Creates ``directory`` (and its parents) when missing, and writes the six tables of
    :data:`TABLES` there, ``NAME.parquet`` or ``NAME.csv`` as ``format`` says, every one of them
    even when it has no row; returns the rows written per table. Raises ``FileExistsError`` before
    writing anything when one of those files exists, unless ``overwrite``; ``ImportError`` when
    Parquet is asked for without pyarrow (``pip install 'deskstate[analytics]'``);
    ``NotADirectoryError`` when ``directory`` is a file; ``ValueError`` for an unknown ``format``.
    Files are renamed into place only once every row is written: when ``rows`` (or writing)
    raises, the error goes on and no table file is left, new or changed (nor ``directory``, when
    this call made it).
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be 1 or more, got {batch_rows}")
    if format == "parquet":
        _check_pyarrow()  # fail now, before the directory or the rows are touched
    files = table_files(directory, format)
    if not overwrite:
        _refuse_to_overwrite(files)
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a directory")
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    partial = {name: path.with_name(path.name + ".partial") for name, path in files.items()}
    try:
        written = write_tables(rows, partial, format=format, batch_rows=batch_rows)
    except BaseException:
        if made:
            with contextlib.suppress(OSError):  # only if still empty
                folder.rmdir()
        raise
    for name, path in files.items():
        partial[name].replace(path)
    return written


def write_tables(
    rows: Iterable[Row],
    files: Mapping[str, Path],
    *,
    format: Format,
    batch_rows: int = BATCH_ROWS,
) -> dict[str, int]:
    """Write the six tables of ``rows`` to ``files`` (a path per name of :data:`TABLES`), as is.

    The part of :func:`export_tables` that writes, shared with :func:`deskstate.fleet.export_many`:
    no check, no rename; the directories must exist. Returns the rows written per table; when
    anything fails, removes every one of ``files`` and lets the error go on.
    """
    return _write(rows, files, _ParquetWriter if format == "parquet" else _CsvWriter, batch_rows)


def _write(
    rows: Iterable[Row],
    files: Mapping[str, Path],
    make: Callable[[Path, tuple[Column, ...], int], _Writer],
    batch_rows: int,
) -> dict[str, int]:
    """Write each table to its file in ``files``; remove them all when anything fails."""
    writers: dict[str, _Writer] = {}
    try:
        for name, columns in TABLES.items():
            writers[name] = make(files[name], columns, batch_rows)
        for row in rows:
            table = _TABLE_OF.get(type(row))
            if table is None:
                raise TypeError(
                    f"export_tables takes rows of deskstate.tables, got a {type(row).__name__}"
                )
            writers[table].add(row)
        for writer in writers.values():
            writer.close()
    except BaseException:
        for writer in writers.values():
            with contextlib.suppress(Exception):  # the first error is the one to report
                writer.discard()
        for path in files.values():
            path.unlink(missing_ok=True)
        raise
    return {name: writer.count for name, writer in writers.items()}
