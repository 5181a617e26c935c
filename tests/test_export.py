"""The tidy tables as files: schema, hand-built logs read back by DuckDB, failures, round trips."""

from __future__ import annotations

import csv
import datetime as dt
import math
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import added, availability, focus_lost, focused, message, removed
from hypothesis import HealthCheck, given, settings
from test_metrics import Raw, at, t, timed, timed_logs

from deskstate.export import FORMATS, TABLES, Column, Format, export_tables, table_files
from deskstate.generate import generate
from deskstate.metrics import DeskMetrics, desk_metrics, metric_rows
from deskstate.replay import replay_steps
from deskstate.tables import (
    AnomalyRow,
    AvailabilityInterval,
    ConversationRow,
    FocusInterval,
    MessageRow,
    OpenInterval,
    Row,
)
from deskstate.timestamps import parse_timestamp

ROW_OF: dict[str, type[Row]] = {
    "conversations": ConversationRow,
    "messages": MessageRow,
    "open_intervals": OpenInterval,
    "focus_intervals": FocusInterval,
    "availability_intervals": AvailabilityInterval,
    "anomalies": AnomalyRow,
}
#: Fields renamed in the files: SQL keywords (END, AT) and the start that goes with the end.
RENAMED = {"start": "started_at", "end": "ended_at", "at": "added_at"}
KIND_OF_TYPE = {
    str: "string",
    int: "int",
    bool: "bool",
    dt.datetime: "timestamp",
    dt.timedelta: "seconds",
}


def export(records: list[Any], directory: Path, fmt: Format = "parquet") -> dict[str, int]:
    return export_tables(metric_rows(replay_steps(records)), directory, format=fmt)


def session(**members: Any) -> list[Raw]:
    """A session whose figures are worked out by hand.

    c1 open 0-120 and 300-360, focused 10-60, answered after 30 s; c2 open from 30 to the end
    (360) with two visitor messages; CHAT AVAILABLE 0-180 then UNAVAILABLE to 360; CALL
    UNAVAILABLE throughout.
    """
    return timed(
        (0, availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE"))),
        (0, added("c1")),
        (10, focused("c1")),
        (20, message("c1", "m1", "Visitor")),
        (30, added("c2")),
        (40, message("c2", "m3", "Visitor")),
        (50, message("c1", "m2", "Professional")),
        (55, message("c2", "m4", "Visitor")),
        (60, focus_lost("c1")),
        (120, removed("c1")),
        (180, availability(("CHAT", "UNAVAILABLE"), ("CALL", "UNAVAILABLE"))),
        (300, added("c1")),
        (360, removed("c1")),
        **members,
    )


# --- the schema ----------------------------------------------------------------------------------


def _column_of(name: str, hint: Any) -> Column:
    """The column a row field of type ``hint`` should have, worked out from the type alone."""
    arguments = typing.get_args(hint)
    nullable = isinstance(hint, types.UnionType) and type(None) in arguments
    base = next(a for a in arguments if a is not type(None)) if nullable else hint
    kind = KIND_OF_TYPE[base]
    column = f"{name}_seconds" if kind == "seconds" else RENAMED.get(name, name)
    return Column(column, kind, nullable)  # type: ignore[arg-type]


def test_each_table_has_a_column_per_field_of_its_row_typed_as_the_field() -> None:
    """The fixed schema follows the rows' fields, in order; durations are `*_seconds`."""
    assert list(TABLES) == list(ROW_OF)
    for name, row in ROW_OF.items():
        hints = typing.get_type_hints(row)
        assert TABLES[name] == tuple(_column_of(field, hints[field]) for field in row._fields)


def test_no_column_name_needs_quoting_in_sql(tmp_path: Path) -> None:
    """Every column can be selected unquoted in DuckDB (END and AT are keywords)."""
    export([], tmp_path)
    for name, columns in TABLES.items():
        listed = ", ".join(column.name for column in columns)
        assert query(f"SELECT {listed} FROM '{tmp_path / name}.parquet'") == []


# --- hand-built logs, read back with DuckDB ------------------------------------------------------


def query(sql: str) -> list[tuple[Any, ...]]:
    relation = duckdb.sql(sql)
    assert relation is not None  # a SELECT always gives a relation
    return relation.fetchall()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_session_reads_back_with_the_hand_worked_figures(tmp_path: Path, fmt: Format) -> None:
    """Sums of intervals, counts of messages and statuses, as worked out by hand and by metrics."""
    written = export(session(), tmp_path, fmt)
    assert written == {
        "conversations": 2,
        "messages": 4,
        "open_intervals": 3,
        "focus_intervals": 1,
        "availability_intervals": 3,  # CALL stays UNAVAILABLE: one interval
        "anomalies": 0,
    }
    files = {name: f"'{path}'" for name, path in table_files(tmp_path, fmt).items()}
    assert query(
        "SELECT conversation_id, SUM(duration_seconds), COUNT(*) "
        f"FROM {files['open_intervals']} GROUP BY ALL ORDER BY ALL"
    ) == [("c1", 180.0, 2), ("c2", 330.0, 1)]
    assert query(
        "SELECT conversation_id, SUM(duration_seconds) "
        f"FROM {files['focus_intervals']} GROUP BY ALL"
    ) == [("c1", 50.0)]
    assert query(
        "SELECT conversation_id, participant, COUNT(*) "
        f"FROM {files['messages']} GROUP BY ALL ORDER BY ALL"
    ) == [("c1", "Professional", 1), ("c1", "Visitor", 1), ("c2", "Visitor", 2)]
    assert query(
        "SELECT channel, status, SUM(duration_seconds) "
        f"FROM {files['availability_intervals']} GROUP BY ALL ORDER BY ALL"
    ) == [
        ("CALL", "UNAVAILABLE", 360.0),
        ("CHAT", "AVAILABLE", 180.0),
        ("CHAT", "UNAVAILABLE", 180.0),
    ]
    assert query(
        "SELECT conversation_id, time_open_seconds, time_focused_seconds, answered, "
        "first_response_seconds, messages_visitor, messages_professional, reopened, still_open, "
        f"first_opened, last_closed FROM {files['conversations']} ORDER BY ALL"
    ) == [
        ("c1", 180.0, 50.0, True, 30.0, 1, 1, 1, False, t(0), t(360)),
        ("c2", 330.0, 0.0, False, None, 2, 0, 0, True, t(30), None),
    ]
    metrics = desk_metrics(session())[None].conversations
    assert metrics["c1"].time_open == dt.timedelta(seconds=180)
    assert metrics["c2"].time_open == dt.timedelta(seconds=330)
    assert query(f"SELECT * FROM {files['anomalies']}") == []


def test_timestamps_are_utc_instants_and_durations_float_seconds(tmp_path: Path) -> None:
    """Parquet types: timestamp[us, UTC], float64, int64, bool, string; ms survive exactly."""
    records = timed((0.125, added("c1")), (61.5, removed("c1")))
    export(records, tmp_path)
    table = pq.read_table(tmp_path / "open_intervals.parquet")
    assert table.schema.field("started_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("duration_seconds").type == pa.float64()
    assert table.schema.field("running").type == pa.bool_()
    assert not table.schema.field("running").nullable
    assert table.schema.field("desk").nullable
    (row,) = table.to_pylist()
    assert row["started_at"] == t(0.125) and row["ended_at"] == t(61.5)
    assert row["duration_seconds"] == 61.375


def test_missing_timestamps_give_nulls_never_wrong_figures(tmp_path: Path) -> None:
    """A removal without ts: the interval's end and duration, and the time open, are null."""
    records = timed((0, added("c1")), (5, added("c2")), (None, removed("c1")), (50, removed("c2")))
    for fmt in FORMATS:
        export(records, tmp_path / fmt, fmt)
        files = table_files(tmp_path / fmt, fmt)
        assert query(
            "SELECT conversation_id, started_at, ended_at, duration_seconds "
            f"FROM '{files['open_intervals']}' ORDER BY ALL"
        ) == [("c1", t(0), None, None), ("c2", t(5), t(50), 45.0)]
        assert query(
            "SELECT conversation_id, time_open_seconds, last_closed "
            f"FROM '{files['conversations']}' ORDER BY ALL"
        ) == [("c1", None, None), ("c2", 45.0, t(50))]


def test_an_empty_log_gives_six_empty_tables_with_their_columns(tmp_path: Path) -> None:
    """Every file exists: Parquet with its full schema, CSV with its header."""
    assert export([], tmp_path / "parquet") == dict.fromkeys(TABLES, 0)
    assert export([], tmp_path / "csv", "csv") == dict.fromkeys(TABLES, 0)
    for name, columns in TABLES.items():
        schema = pq.read_schema(tmp_path / "parquet" / f"{name}.parquet")
        assert schema.names == [column.name for column in columns]
        assert [schema.field(c.name).nullable for c in columns] == [c.nullable for c in columns]
        assert pq.read_table(tmp_path / "parquet" / f"{name}.parquet").num_rows == 0
        text = (tmp_path / "csv" / f"{name}.csv").read_text(encoding="utf-8")
        assert text == ",".join(column.name for column in columns) + "\n"
    assert sorted(path.name for path in (tmp_path / "parquet").iterdir()) == sorted(
        f"{name}.parquet" for name in TABLES
    )


def test_anomalies_name_their_desk_record_and_line(tmp_path: Path) -> None:
    """The anomalies table holds what replay reported, with nulls where there is nothing."""
    records = [
        {"data": focused("c9"), "desk": "a", "ts": at(0)},
        {"data": {"event": "nope"}, "desk": "b", "origin": "https://evil.example"},
    ]
    export(records, tmp_path)
    rows = query(
        "SELECT desk, record, line, source, kind, conversation_id "
        f"FROM '{tmp_path / 'anomalies.parquet'}' ORDER BY record"
    )
    assert rows == [
        ("a", 0, None, None, "unknown-conversation", "c9"),
        ("b", 1, None, None, "foreign-origin", None),
    ]


def test_several_desks_keep_their_rows_apart(tmp_path: Path) -> None:
    """The same session on two desks: each desk's sums, and the desk column."""
    records = [
        record
        for pair in zip(session(desk="agent-1"), session(desk="agent-2"), strict=True)
        for record in pair
    ]
    export(records, tmp_path)
    assert query(
        "SELECT desk, SUM(duration_seconds) "
        f"FROM '{tmp_path / 'open_intervals.parquet'}' GROUP BY ALL ORDER BY ALL"
    ) == [("agent-1", 510.0), ("agent-2", 510.0)]


# --- against the metrics, on a generated log -----------------------------------------------------


def _known(durations: list[float | None]) -> float | None:
    """What SQL's SUM should be read as: unknown when any part is unknown."""
    return None if None in durations else sum(durations)  # type: ignore[arg-type]


def _seconds(duration: dt.timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds()


def test_sql_over_the_tables_agrees_with_the_metrics_of_a_generated_log(tmp_path: Path) -> None:
    """Per conversation and per channel status, DuckDB's sums are `desk_metrics`' figures."""
    records = list(generate(3000, seed=7, desks=3, chaos=0.05))
    export(records, tmp_path)
    metrics = desk_metrics(records)
    files = {name: f"'{path}'" for name, path in table_files(tmp_path, "parquet").items()}
    # SUM skips nulls: count them, so that one unknown part makes the total unknown.
    unknown_if_any_null = (
        "CASE WHEN COUNT(*) = COUNT(duration_seconds) THEN SUM(duration_seconds) END"
    )
    opened = {
        (desk, cid): total
        for desk, cid, total in query(
            f"SELECT desk, conversation_id, {unknown_if_any_null} "
            f"FROM {files['open_intervals']} GROUP BY ALL"
        )
    }
    focus = {
        (desk, cid): total
        for desk, cid, total in query(
            f"SELECT desk, conversation_id, {unknown_if_any_null} "
            f"FROM {files['focus_intervals']} GROUP BY ALL"
        )
    }
    messages = {
        (desk, cid, who): n
        for desk, cid, who, n in query(
            f"SELECT desk, conversation_id, participant, COUNT(*) FROM {files['messages']} "
            "GROUP BY ALL"
        )
    }
    statuses = {
        (desk, channel, status): total
        for desk, channel, status, total in query(
            f"SELECT desk, channel, status, {unknown_if_any_null} "
            f"FROM {files['availability_intervals']} GROUP BY ALL"
        )
    }
    conversations = {
        (desk, cid): (time_open, time_focused, first_response)
        for desk, cid, time_open, time_focused, first_response in query(
            "SELECT desk, conversation_id, time_open_seconds, time_focused_seconds, "
            f"first_response_seconds FROM {files['conversations']}"
        )
    }
    assert set(conversations) == {
        (desk, cid) for desk, measured in metrics.items() for cid in measured.conversations
    }
    checked = 0
    for desk, measured in metrics.items():
        for cid, conversation in measured.conversations.items():
            key = (desk, cid)
            expected = (
                _seconds(conversation.time_open),
                _seconds(conversation.time_focused),
                _seconds(conversation.first_response),
            )
            assert conversations[key] == expected
            assert _close(opened.get(key, 0.0), expected[0])
            assert _close(focus.get(key, 0.0), expected[1])
            for participant, count in conversation.messages.items():
                assert messages[desk, cid, participant] == count
            checked += 1
        for channel, times in measured.availability_time.items():
            for status, duration in times.items():
                assert _close(statuses[desk, channel, status], _seconds(duration))
    assert sum(n for n in messages.values()) == sum(
        sum(c.messages.values()) for m in metrics.values() for c in m.conversations.values()
    )
    assert checked > 50  # the generated log is not trivial
    anomalies = query(f"SELECT COUNT(*) FROM {files['anomalies']}")[0][0]
    assert anomalies == sum(len(step.anomalies) for step in replay_steps(records)) > 0


def _close(found: float | None, expected: float | None) -> bool:
    """Equal, or both unknown; float sums may differ from the timedelta sum in the last bits."""
    if found is None or expected is None:
        return found is expected
    return math.isclose(found, expected, rel_tol=1e-12, abs_tol=1e-6)


def test_pandas_reads_both_formats_alike(tmp_path: Path) -> None:
    """pandas: timestamps in UTC, seconds as floats, nulls as NaN or NaT."""
    records = timed((0, added("c1")), (30, focused("c1")), (None, removed("c1")), (90, added("c2")))
    export(records, tmp_path / "p")
    export(records, tmp_path / "c", "csv")
    parquet = pd.read_parquet(tmp_path / "p" / "open_intervals.parquet")
    text = pd.read_csv(
        tmp_path / "c" / "open_intervals.csv", parse_dates=["started_at", "ended_at"]
    )
    for frame in (parquet, text):
        assert list(frame["conversation_id"]) == ["c1", "c2"]
        assert frame["started_at"].iloc[0] == pd.Timestamp("2026-11-25T10:00:00Z")
        assert pd.isna(frame["ended_at"].iloc[0]) and pd.isna(frame["duration_seconds"].iloc[0])
        assert frame["duration_seconds"].iloc[1] == 0.0  # c2: opened at the desk's end
        assert list(frame["running"]) == [False, True]
    focused_time = pd.read_parquet(tmp_path / "p" / "focus_intervals.parquet")
    assert focused_time["duration_seconds"].isna().all()  # the removal ending it had no ts


# --- writing safely ------------------------------------------------------------------------------


def test_an_earlier_export_is_kept_unless_overwrite(tmp_path: Path) -> None:
    """The tables of an earlier export stop a new one, before it reads a row; overwrite replaces."""
    export(session(), tmp_path)
    before = (tmp_path / "messages.parquet").read_bytes()
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")

    def never() -> Iterator[Row]:
        raise AssertionError("no row should be read")
        yield  # pragma: no cover

    with pytest.raises(FileExistsError, match=r"messages\.parquet.*--force"):
        export_tables(never(), tmp_path)
    assert (tmp_path / "messages.parquet").read_bytes() == before
    assert export_tables([], tmp_path, overwrite=True)["messages"] == 0
    assert pq.read_table(tmp_path / "messages.parquet").num_rows == 0
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert export([], tmp_path, "csv")["messages"] == 0  # the other format's files are no bar


def test_a_failed_export_leaves_no_table_and_keeps_the_old_ones(tmp_path: Path) -> None:
    """Rows that raise midway: the error goes on, no partial file stays, old tables are intact."""
    export(session(), tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    def failing() -> Iterator[Row]:
        yield from metric_rows(replay_steps(session()[:6]))
        raise RuntimeError("the log broke")

    for fmt in FORMATS:
        with pytest.raises(RuntimeError, match="the log broke"):
            export_tables(failing(), tmp_path, format=fmt, overwrite=True, batch_rows=1)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
    with pytest.raises(RuntimeError):
        export_tables(failing(), tmp_path / "new", format="csv")
    assert not (tmp_path / "new").exists()  # made by the export, so removed with it


def test_rows_are_written_in_batches_a_row_group_each(tmp_path: Path) -> None:
    """batch_rows bounds what is held: a Parquet row group per batch, the same rows in the end."""
    export_tables(metric_rows(replay_steps(session())), tmp_path, batch_rows=3)
    messages = pq.ParquetFile(tmp_path / "messages.parquet")
    assert messages.metadata.num_row_groups == 2  # 4 messages: 3, then 1
    assert [row["message_id"] for row in messages.read().to_pylist()] == ["m1", "m3", "m2", "m4"]


def test_bad_arguments_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    """An unknown format, a batch of no rows, a row of no table: refused, nothing left behind."""
    with pytest.raises(ValueError, match="format must be one of parquet, csv, got 'xlsx'"):
        export_tables([], tmp_path / "x", format="xlsx")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_rows must be 1 or more, got 0"):
        export_tables([], tmp_path / "x", batch_rows=0)
    assert not (tmp_path / "x").exists()
    with pytest.raises(TypeError, match=r"takes rows of deskstate\.tables, got a tuple"):
        export_tables([("c1", 1)], tmp_path / "x", format="csv")  # type: ignore[list-item]
    assert not (tmp_path / "x").exists()


def test_csv_needs_no_pyarrow_and_parquet_says_which_extra_to_install(tmp_path: Path) -> None:
    """Without pyarrow importable, CSV is written and Parquet is an ImportError naming the extra."""
    script = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from deskstate.export import export_tables\n"
        f"export_tables([], {str(tmp_path / 'csv')!r}, format='csv')\n"
        f"export_tables([], {str(tmp_path / 'parquet')!r})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert "ImportError: Parquet export needs pyarrow" in result.stderr
    assert "pip install 'deskstate[analytics]'" in result.stderr
    assert len(list((tmp_path / "csv").iterdir())) == 6
    assert not (tmp_path / "parquet").exists()


def test_importing_deskstate_or_the_export_module_does_not_import_pyarrow() -> None:
    """Only the Parquet writer imports pyarrow."""
    script = (
        "import sys, deskstate, deskstate.export, deskstate.cli.parser\n"
        "assert 'pyarrow' not in sys.modules, 'pyarrow imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr


# --- round trips ---------------------------------------------------------------------------------


def _expected(row: Row) -> tuple[object, ...]:
    """A row as its file should hold it: durations as float seconds."""
    return tuple(_seconds(v) if isinstance(v, dt.timedelta) else v for v in row)


def _read_csv(path: Path, columns: tuple[Column, ...]) -> list[tuple[object, ...]]:
    """A CSV table read back by its schema: empty is null."""
    read: dict[str, Any] = {
        "string": str,
        "int": int,
        "bool": {"true": True, "false": False}.__getitem__,
        "timestamp": parse_timestamp,
        "seconds": float,
    }
    with path.open(encoding="utf-8", newline="") as stream:
        lines = csv.reader(stream)
        assert next(lines) == [column.name for column in columns]
        return [
            tuple(
                None if text == "" and c.nullable else read[c.kind](text)
                for c, text in zip(columns, line, strict=True)
            )
            for line in lines
        ]


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(timed_logs())
def test_every_row_reads_back_from_both_formats(
    tmp_path_factory: pytest.TempPathFactory, records: list[Raw]
) -> None:
    """On any chaotic log, each table's file holds its rows, in order, value for value."""
    rows = list(metric_rows(replay_steps(records)))
    tables: dict[str, list[tuple[object, ...]]] = {name: [] for name in TABLES}
    for row in rows:
        tables[next(n for n, kind in ROW_OF.items() if isinstance(row, kind))].append(
            _expected(row)
        )
    directory = tmp_path_factory.mktemp("export")
    for fmt in FORMATS:
        written = export_tables(iter(rows), directory / fmt, format=fmt, batch_rows=7)
        assert written == {name: len(table) for name, table in tables.items()}
    for name, columns in TABLES.items():
        parquet = pq.read_table(directory / "parquet" / f"{name}.parquet").to_pylist()
        assert [tuple(row[c.name] for c in columns) for row in parquet] == tables[name]
        assert _read_csv(directory / "csv" / f"{name}.csv", columns) == tables[name]


def test_metric_rows_fill_the_metrics_while_exporting(tmp_path: Path) -> None:
    """One pass gives the files and the metrics (``metric_rows(..., metrics=)``)."""
    measured: dict[str | None, DeskMetrics] = {}
    export_tables(metric_rows(replay_steps(session()), metrics=measured), tmp_path)
    assert measured == desk_metrics(session())
