"""`deskstate export`: the tables of a log written to a directory, driven through a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
from helpers import deskstate
from test_cli_report import two_desks

from deskstate.export import TABLES


def query(sql: str) -> list[tuple[Any, ...]]:
    relation = duckdb.sql(sql)
    assert relation is not None  # a SELECT always gives a relation
    return relation.fetchall()


def table_names(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


def test_export_writes_six_parquet_tables_with_the_figures_of_the_log(tmp_path: Path) -> None:
    """The two desks of test_cli_report: hand-worked sums; the anomaly on stderr and in a table."""
    out = tmp_path / "tables"
    result = deskstate("export", str(two_desks(tmp_path / "desks.jsonl")), "--to", str(out))
    assert result.returncode == 0, result.stderr
    assert table_names(out) == sorted(f"{name}.parquet" for name in TABLES)
    assert str(out) in result.stdout
    summary = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:]}
    assert summary["messages"] == "4" and summary["anomalies"] == "1"
    assert "desks.jsonl:11: foreign-origin" in result.stderr
    assert query(
        "SELECT desk, conversation_id, SUM(duration_seconds) "
        f"FROM '{out}/open_intervals.parquet' GROUP BY ALL ORDER BY ALL"
    ) == [("agent-1", "a1", 100.0), ("agent-1", "a2", None), ("agent-2", "b1", 60.0)]
    assert query(
        "SELECT desk, conversation_id, first_response_seconds, answered "
        f"FROM '{out}/conversations.parquet' ORDER BY ALL"
    ) == [
        ("agent-1", "a1", 30.0, True),
        ("agent-1", "a2", None, False),
        ("agent-2", "b1", None, False),
    ]
    assert query(
        "SELECT channel, status, SUM(duration_seconds) "
        f"FROM '{out}/availability_intervals.parquet' GROUP BY ALL ORDER BY ALL"
    ) == [("CHAT", "AVAILABLE", 50.0), ("CHAT", "UNAVAILABLE", 0.0)]
    assert query(f"SELECT desk, line, kind FROM '{out}/anomalies.parquet'") == [
        ("agent-2", 11, "foreign-origin")
    ]


def test_export_as_csv_for_one_desk(tmp_path: Path) -> None:
    """`--format csv --desk KEY`: CSV files holding that desk's rows only."""
    out = tmp_path / "csv"
    log = str(two_desks(tmp_path / "desks.jsonl"))
    result = deskstate("export", log, "--to", str(out), "--format", "csv", "--desk", "agent-1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # the foreign record was agent-2's
    assert table_names(out) == sorted(f"{name}.csv" for name in TABLES)
    assert query(
        f"SELECT DISTINCT desk, conversation_id FROM '{out}/messages.csv' ORDER BY ALL"
    ) == [("agent-1", "a1"), ("agent-1", "a2")]
    header = (out / "anomalies.csv").read_text(encoding="utf-8").splitlines()
    assert header == [",".join(column.name for column in TABLES["anomalies"])]


def test_a_desk_the_log_lacks_is_bad_usage_and_leaves_no_table(tmp_path: Path) -> None:
    """Exit 2 naming the desks there are; no table file, not even a partial one."""
    out = tmp_path / "tables"
    log = str(two_desks(tmp_path / "desks.jsonl"))
    result = deskstate("export", log, "--to", str(out), "--desk", "agent-7")
    assert result.returncode == 2
    assert "no desk 'agent-7' in this log (desks: 'agent-1', 'agent-2')" in result.stderr
    assert table_names(out) == []


def test_an_earlier_export_needs_force(tmp_path: Path) -> None:
    """A second export to the same directory is refused (exit 2) unless --force."""
    out = str(tmp_path / "tables")
    assert deskstate("export", "--to", out).returncode == 0
    again = deskstate("export", "--to", out)
    assert again.returncode == 2
    assert "already holds exported tables" in again.stderr and "--force" in again.stderr
    forced = deskstate("export", "--to", out, "--force")
    assert forced.returncode == 0, forced.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    """No --to, an unknown format, a missing log, a directory that is a file."""
    assert deskstate("export").returncode == 2
    bad_format = deskstate("export", "--to", str(tmp_path), "--format", "xlsx")
    assert bad_format.returncode == 2 and "invalid choice: 'xlsx'" in bad_format.stderr
    missing = deskstate("export", str(tmp_path / "nope.jsonl"), "--to", str(tmp_path / "t"))
    assert missing.returncode == 2 and "nope.jsonl" in missing.stderr
    assert not (tmp_path / "t").exists()
    (tmp_path / "file").write_text("", encoding="utf-8")
    not_a_directory = deskstate("export", "--to", str(tmp_path / "file"))
    assert not_a_directory.returncode == 2
    assert f"cannot write to {tmp_path / 'file'}" in not_a_directory.stderr


def test_parquet_without_pyarrow_says_which_extra_to_install(tmp_path: Path) -> None:
    """Exit 2 and `pip install 'deskstate[analytics]'`, before anything is written."""
    out = tmp_path / "tables"
    script = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from deskstate.cli import main\n"
        f"sys.exit(main(['export', '--to', {str(out)!r}]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2
    assert "pip install 'deskstate[analytics]'" in result.stderr
    assert not out.exists()
