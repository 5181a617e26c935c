"""`deskstate check`: every anomaly of a log, counted per kind, with where it occurs."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import added, deskstate, envelope, focused, message, removed, write_log


def test_a_clean_log_checks_out_with_status_0() -> None:
    """The bundled example is protocol-valid: status 0, nothing on standard error."""
    result = deskstate("check", "--example")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "52 records, no anomaly" in result.stdout


def test_anomalies_are_counted_per_kind_with_their_first_lines(tmp_path: Path) -> None:
    """Each anomaly is reported as FILE:LINE on stderr; the summary counts them; status 1."""
    log = tmp_path / "desk.jsonl"
    log.write_text(
        "\n".join(
            [
                json.dumps(added("c1")),  # 1
                json.dumps(focused("c2")),  # 2: unknown-conversation
                "{oops",  # 3: invalid-event
                json.dumps(removed("c1")),  # 4
                json.dumps(message("c1", "m1")),  # 5: closed-conversation
                json.dumps(removed("c3")),  # 6: unknown-conversation
                "",  # 7: blank, still a line
                json.dumps(envelope(focused("c2"), origin="https://evil.example")),  # 8
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = deskstate("check", str(log), "--json")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary["records"] == 7
    assert summary["anomalies"] == {
        "unknown-conversation": {"count": 2, "first_lines": [2, 6]},
        "closed-conversation": {"count": 1, "first_lines": [5]},
        "invalid-event": {"count": 1, "first_lines": [3]},
        "foreign-origin": {"count": 1, "first_lines": [8]},
    }
    reported = result.stderr.splitlines()
    assert [line.split(": ")[0:2] for line in reported] == [
        [f"{log}:2", "unknown-conversation"],
        [f"{log}:3", "invalid-event"],
        [f"{log}:5", "closed-conversation"],
        [f"{log}:6", "unknown-conversation"],
        [f"{log}:8", "foreign-origin"],
    ]


def test_the_human_summary_names_kinds_counts_and_lines(tmp_path: Path) -> None:
    """Without --json the summary is a table: kind, count, first lines."""
    log = write_log(tmp_path / "desk.jsonl", added("c1"), message("c1", "m1"), message("c1", "m1"))
    result = deskstate("check", str(log))
    assert result.returncode == 1
    row = next(line for line in result.stdout.splitlines() if "duplicate-message" in line)
    assert row.split() == ["duplicate-message", "1", "3"]


def test_check_reads_a_json_array_log(tmp_path: Path) -> None:
    """A JSON array log is checked like JSON Lines, each record at the line it starts on."""
    log = tmp_path / "desk.json"
    log.write_text(
        "[\n" + json.dumps(added("c1")) + ",\n" + json.dumps(focused("c9")) + "\n]\n",
        encoding="utf-8",
    )
    result = deskstate("check", str(log), "--json")
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["anomalies"] == {
        "unknown-conversation": {"count": 1, "first_lines": [3]}
    }


def test_an_unreadable_log_exits_2(tmp_path: Path) -> None:
    """A missing log is bad input, not a failed check: status 2, the file named."""
    result = deskstate("check", str(tmp_path / "missing.jsonl"))
    assert result.returncode == 2
    assert "missing.jsonl" in result.stderr
