"""`deskstate.fleet.export_many` and `deskstate export LOG...`: a file per desk, every way alike."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import distributed
import duckdb
import pandas as pd
import pytest
from fleet_helpers import hourly_logs, read_parts
from helpers import added, deskstate, envelope, message, write_log

from deskstate import Anomaly
from deskstate.export import TABLES, export_tables
from deskstate.fleet import Desk, OutOfOrder, export_many, part_desk, part_name
from deskstate.metrics import metric_rows
from deskstate.replay import replay_steps

Rows = dict[str, list[tuple[Any, ...]]]


def query(sql: str) -> list[tuple[Any, ...]]:
    relation = duckdb.sql(sql)
    assert relation is not None  # a SELECT always gives a relation
    return relation.fetchall()


def ordered(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``rows`` as a multiset: sorted, nulls and all."""
    return sorted(rows, key=repr)


def tables_of(directory: Path, format: str = "parquet") -> Rows:
    """Every table of a fleet export, each read by DuckDB as one table over its parts."""
    read = "read_parquet" if format == "parquet" else "read_csv"
    return {
        name: ordered(query(f"SELECT * FROM {read}('{directory}/{name}/*.{format}')"))
        for name in TABLES
    }


def listing(directory: Path) -> dict[str, list[str]]:
    return {name: sorted(os.listdir(directory / name)) for name in TABLES}


def noting(found: list[tuple[Desk, Anomaly]]) -> Callable[[Desk, Anomaly], None]:
    """An ``on_anomaly`` that appends each desk and anomaly to ``found``."""
    return lambda desk, anomaly: found.append((desk, anomaly))


def reference(parts: list[Path]) -> Rows:
    """The tables of one replay of every part in sequence (`export_tables`), as one process.

    Its records are numbered across the whole: each row's record index is made its part's, and
    each anomaly gets its part as source, as they are when each part is read apart.
    """
    sources = read_parts(parts)
    placed = [(name, index) for name, records in sources for index in range(len(records))]
    steps = replay_steps(record for _, records in sources for record in records)
    out = parts[0].parent / "reference"
    export_tables(metric_rows(steps), out)
    tables = {
        name: query(f"SELECT * FROM '{out}/{name}.parquet'") for name in TABLES
    }  # columns in the order of TABLES
    record = [column.name for column in TABLES["messages"]].index("record")
    tables["messages"] = [
        (*row[:record], placed[row[record]][1], *row[record + 1 :]) for row in tables["messages"]
    ]
    columns = [column.name for column in TABLES["anomalies"]]
    index, source = columns.index("record"), columns.index("source")
    relocated = []
    for row in tables["anomalies"]:
        fields = list(row)
        assert fields[source] is None
        fields[source], fields[index] = placed[row[index]]
        relocated.append(tuple(fields))
    tables["anomalies"] = relocated
    return {name: ordered(rows) for name, rows in tables.items()}


def test_the_tables_are_the_same_every_way(
    parts: list[Path], tmp_path: Path, cluster: distributed.LocalCluster
) -> None:
    """One process, a pool of 2, a 2-worker cluster: the same parts, the rows of one replay.

    The rows, read back as one table per directory, are those `export_tables` writes for one
    replay of all the parts; each desk has one file per table, holding that desk's rows only.
    """
    expected = reference(parts)
    assert len({row[0] for row in expected["conversations"]}) == 40
    assert all(expected.values())  # every table has rows, anomalies included
    reported: dict[str, list[tuple[Desk, Anomaly]]] = {}
    ways: dict[str, dict[str, Any]] = {
        "here": {},
        "jobs": {"jobs": 2},
        "cluster": {"scheduler": cluster.scheduler_address},
    }
    for way, where in ways.items():
        reported[way] = []
        written = export_many(parts, tmp_path / way, on_anomaly=noting(reported[way]), **where)
        assert written == {name: len(rows) for name, rows in expected.items()}, way
        assert tables_of(tmp_path / way) == expected, way
        assert listing(tmp_path / way) == listing(tmp_path / "here"), way
        assert sorted(os.listdir(tmp_path / way)) == sorted(TABLES), way  # no staging left
    assert reported["jobs"] == reported["cluster"] == reported["here"]
    assert len(reported["here"]) == len(expected["anomalies"])
    per_file = query(
        "SELECT DISTINCT desk, filename "
        f"FROM read_parquet('{tmp_path}/here/messages/*.parquet', filename = true)"
    )
    assert len(per_file) == 40
    assert all(part_desk(Path(name).name) == desk for desk, name in per_file)


AWKWARD: list[Desk] = ["a/b", "..", ".", "%41", "A", "x y\\z:*?", "\N{SNOWMAN}", "é", None]


def test_awkward_desk_keys_round_trip_through_the_file_names(tmp_path: Path) -> None:
    """Each desk's file is named after its key, read back by part_desk; None has its own."""
    records = [
        envelope(added(f"c{number}"), **({} if desk is None else {"desk": desk}), ts=number)
        for number, desk in enumerate(AWKWARD)
    ]
    written = export_many([records], tmp_path / "out", format="csv")
    assert written["conversations"] == len(AWKWARD)
    for name in TABLES:
        files = os.listdir(tmp_path / "out" / name)
        assert sorted(files) == sorted(part_name(desk, "csv") for desk in AWKWARD)
        assert {part_desk(file) for file in files} == set(AWKWARD)
        assert all(file.startswith("desk") and file.endswith(".csv") for file in files)
    assert part_name(None, "csv") == "desk-none.csv"
    assert part_name("a/b", "csv") == "desk=a%2Fb.csv"
    assert part_name("..", "parquet") == "desk=%2E%2E.parquet"
    assert part_desk(part_name("", "csv")) == ""  # no record names it: an empty desk is none
    assert part_desk(part_name("\udc80", "csv")) == "\udc80"  # a lone surrogate, from JSON
    assert part_name("\N{LATIN SMALL LETTER E WITH ACUTE}", "csv") == "desk=%C3%A9.csv"
    for number, desk in enumerate(AWKWARD):
        frame = pd.read_csv(tmp_path / "out" / "conversations" / part_name(desk, "csv"))
        assert frame["conversation_id"].tolist() == [f"c{number}"]


def test_pandas_reads_a_table_directory_as_one_table(tmp_path: Path) -> None:
    """`pd.read_parquet(DIR/TABLE)` takes every part, with no extra column from the names."""
    log = [
        envelope(added("a1"), desk="d=1", ts=1000),
        envelope(added("b1"), desk="d2", ts=1100),
        envelope(message("a1", "m1", "Visitor"), desk="d=1", ts=1200),
        envelope(message("b1", "m2", "Visitor"), desk="d2", ts=1300),
        envelope(message("b1", "m3", "Professional"), desk="d2", ts=1400),
    ]
    export_many([log], tmp_path)
    frame = pd.read_parquet(tmp_path / "messages")
    assert list(frame.columns) == [column.name for column in TABLES["messages"]]
    assert sorted(zip(frame["desk"], frame["message_id"], strict=True)) == [
        ("d2", "m2"),
        ("d2", "m3"),
        ("d=1", "m1"),
    ]


def test_an_earlier_export_is_refused_unless_overwritten(tmp_path: Path) -> None:
    """Without overwrite nothing changes; with it, each table is the new export only."""
    out = tmp_path / "out"
    first = [envelope(added("a1"), desk="old", ts=1000)]
    second = [envelope(added("b1"), desk="new", ts=1000)]
    export_many([first], out)
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    with pytest.raises(FileExistsError, match="already holds exported tables"):
        export_many([second], out)
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before
    assert export_many([second], out, overwrite=True)["conversations"] == 1
    assert listing(out)["conversations"] == ["desk=new.parquet"]
    assert sorted(os.listdir(out)) == sorted(TABLES)


def test_a_failed_export_leaves_nothing(tmp_path: Path, cluster: distributed.LocalCluster) -> None:
    """Logs out of order: OutOfOrder, and no table, part or staging directory left behind."""
    newer = write_log(tmp_path / "newer.jsonl", envelope(added("c1"), desk="d", ts=5000))
    older = write_log(
        tmp_path / "older.jsonl",
        envelope(added("c0"), desk="d", ts=1000),
        envelope(added("e0"), desk="e", ts=1000),
    )
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine", encoding="utf-8")
    for where in ({}, {"scheduler": cluster.scheduler_address}):
        with pytest.raises(OutOfOrder, match="desk 'd' goes back in time"):
            export_many([newer, older], tmp_path / "made", **where)  # type: ignore[arg-type]
        assert not (tmp_path / "made").exists()
        with pytest.raises(OutOfOrder):
            export_many([newer, older], kept, **where)  # type: ignore[arg-type]
        assert os.listdir(kept) == ["notes.txt"]
    written = export_many([newer, older], tmp_path / "any", check_order=False)
    assert written["conversations"] == 3


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def logs(tmp_path: Path) -> list[str]:
    return hourly_logs(tmp_path)


def summary(stdout: str) -> dict[str, int]:
    return {line.split()[0]: int(line.split()[1]) for line in stdout.splitlines()[1:4]}


def test_the_command_exports_several_logs_a_file_per_desk(logs: list[str], tmp_path: Path) -> None:
    """Two logs: a directory per table, a file per desk; d1's messages from both logs."""
    out = tmp_path / "tables"
    result = deskstate("export", *logs, "--to", str(out))
    assert result.returncode == 0, result.stderr
    assert listing(out)["messages"] == ["desk=d1.parquet", "desk=d2.parquet"]
    # ghost, focused on d2 without being announced, is opened implicitly (README "Semantics")
    assert summary(result.stdout) == {"conversations": 3, "messages": 2, "open_intervals": 3}
    assert query(
        f"SELECT desk, conversation_id, implicit FROM '{out}/conversations/*.parquet' ORDER BY ALL"
    ) == [("d1", "a1", False), ("d2", "b1", False), ("d2", "ghost", True)]
    assert result.stderr.startswith(f"{logs[1]}:2: unknown-conversation: ")
    assert query(
        f"SELECT desk, message_id, line FROM '{out}/messages/*.parquet' ORDER BY message_id"
    ) == [("d1", "m1", 3), ("d1", "m2", 3)]
    assert query(f"SELECT desk, source, line, kind FROM '{out}/anomalies/*.parquet'") == [
        ("d2", logs[1], 2, "unknown-conversation")
    ]
    again = deskstate("export", *logs, "--to", str(out))
    assert again.returncode == 2
    assert "already holds exported tables" in again.stderr
    assert deskstate("export", *logs, "--to", str(out), "--force").returncode == 0


def test_the_command_on_a_cluster_as_csv(
    logs: list[str], tmp_path: Path, cluster: distributed.LocalCluster
) -> None:
    """`--scheduler --format csv`: the same rows as in one process, the same output."""
    here, there = tmp_path / "here", tmp_path / "there"
    alone = deskstate("export", *logs, "--to", str(here), "--format", "csv")
    pooled = deskstate(
        "export",
        *logs,
        "--to",
        str(there),
        "--format",
        "csv",
        "--scheduler",
        cluster.scheduler_address,
    )
    assert alone.returncode == pooled.returncode == 0, pooled.stderr
    assert pooled.stdout.replace(str(there), str(here)) == alone.stdout
    assert pooled.stderr == alone.stderr
    assert listing(there) == listing(here)
    assert tables_of(there, "csv") == tables_of(here, "csv")
    assert tables_of(here, "csv")["focus_intervals"]  # a1 focused from 2 s to 2.5 s


def test_desk_with_several_logs_is_a_usage_error(logs: list[str], tmp_path: Path) -> None:
    """`--desk` takes one LOG: with several it exits 2, saying so, and writes nothing."""
    result = deskstate("export", *logs, "--to", str(tmp_path / "out"), "--desk", "d1")
    assert result.returncode == 2
    assert "--desk exports one desk of one LOG" in result.stderr
    assert not (tmp_path / "out").exists()
