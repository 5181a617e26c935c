"""The ``deskstate`` command, run through a subprocess as a user runs it."""

from __future__ import annotations

import gzip
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import added, deskstate, envelope, focused, message, write_log

# The bundled example's story (see deskstate/data/example.jsonl): four conversations, two closed.
HUGO = "c1750366-9483-4372-a57d-844da14071c6"
LEA = "93d86726-aaf7-4962-877e-104c577d86ae"
SHOPPER = "5b0e1f4a-7c2d-4f39-9a51-2f8e6d3c9b10"
LATECOMER = "e2a4c6f8-1b3d-4e5f-8a7b-9c0d1e2f3a4b"


def test_replay_without_a_log_shows_the_bundled_example() -> None:
    """`deskstate replay` alone prints the example desk: open ones, focus, closed, availability."""
    result = deskstate("replay")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.index(SHOPPER) < out.index(LATECOMER)  # desk order
    assert f"Focus: {SHOPPER}" in out
    assert "Léa Bernard" in out and "Hugo Martin" in out  # the closed ones, by name
    assert "CHAT AVAILABLE" in out and "CALL UNAVAILABLE_FORCED" in out
    assert "\x1b[" not in out  # piped output carries no terminal escapes


def test_replay_json_is_the_snapshot_of_the_example() -> None:
    """`--json` prints the deskstate/1 form of the desk the example's story ends with."""
    result = deskstate("replay", "--example", "--json")
    assert result.returncode == 0, result.stderr
    snapshot = json.loads(result.stdout)
    assert snapshot["format"] == "deskstate/1"
    assert snapshot["version"] == 52
    assert [c["id"] for c in snapshot["conversations"]] == [SHOPPER, LATECOMER]
    assert snapshot["focused_id"] == SHOPPER
    assert [c["id"] for c in snapshot["closed"]] == sorted([HUGO, LEA])
    assert {c["id"]: c["unread"] for c in snapshot["conversations"]} == {SHOPPER: 0, LATECOMER: 2}


def test_replay_at_n_stops_after_n_records() -> None:
    """`--at 3` shows the desk after three records: Hugo's conversation, focused, from Nantes."""
    result = deskstate("replay", "--at", "3", "--json")
    assert result.returncode == 0, result.stderr
    snapshot = json.loads(result.stdout)
    assert snapshot["version"] == 3
    (only,) = snapshot["conversations"]
    assert only["id"] == HUGO and only["visitor"]["city"] == "Nantes"


def test_lenient_replay_reports_bad_lines_with_file_and_line_and_exits_0(tmp_path: Path) -> None:
    """A bad line is reported as FILE:LINE: KIND: MESSAGE on stderr; the rest is applied."""
    log = tmp_path / "desk.jsonl"
    log.write_text(
        json.dumps(added("c1"))
        + "\n\n"  # a blank line still counts as a line
        + json.dumps({**added("c2"), "projectId": "1234"})
        + "\nnot json\n"
        + json.dumps(focused("c1"))
        + "\n",
        encoding="utf-8",
    )
    result = deskstate("replay", str(log), "--json")
    assert result.returncode == 0
    assert f"{log}:3: invalid-event: projectId must be an integer, got '1234'" in result.stderr
    assert f"{log}:4: invalid-event: line is not JSON" in result.stderr
    snapshot = json.loads(result.stdout)
    assert [c["id"] for c in snapshot["conversations"]] == ["c1"]
    assert snapshot["focused_id"] == "c1"


def test_strict_replay_stops_at_the_first_anomaly_with_status_1(tmp_path: Path) -> None:
    """`--strict` stops at the first anomaly, names its line, and exits 1."""
    log = write_log(tmp_path / "desk.jsonl", added("c1"), focused("c9"), focused("c1"))
    result = deskstate("replay", str(log), "--strict")
    assert result.returncode == 1
    assert f"{log}:2: unknown-conversation:" in result.stderr


def test_replay_reads_gzip_and_stdin(tmp_path: Path) -> None:
    """A `.gz` log and `-` (standard input) replay like the plain file."""
    lines = json.dumps(added("c1")) + "\n" + json.dumps(message("c1", "m1")) + "\n"
    packed = tmp_path / "desk.jsonl.gz"
    packed.write_bytes(gzip.compress(lines.encode()))
    for result in (
        deskstate("replay", str(packed), "--json"),
        deskstate("replay", "-", "--json", stdin=lines),
    ):
        assert result.returncode == 0, result.stderr
        (only,) = json.loads(result.stdout)["conversations"]
        assert only["unread"] == 1


def test_foreign_origin_is_reported_unless_allowed(tmp_path: Path) -> None:
    """A record from another page is refused by default and applied once its origin is allowed."""
    log = write_log(tmp_path / "desk.jsonl", envelope(added("c1"), origin="https://crm.example"))
    refused = deskstate("replay", str(log), "--json")
    assert "foreign-origin" in refused.stderr
    assert json.loads(refused.stdout)["conversations"] == []
    allowed = deskstate("replay", str(log), "--json", "--allow-origin", "https://crm.example")
    assert allowed.stderr == ""
    assert [c["id"] for c in json.loads(allowed.stdout)["conversations"]] == ["c1"]


def test_desk_option_picks_one_desk_of_an_interleaved_log(tmp_path: Path) -> None:
    """`--desk KEY` shows that desk only; `--json` on several desks asks for `--desk`."""
    log = write_log(
        tmp_path / "desks.jsonl",
        envelope(added("a1"), desk="agent-1"),
        envelope(added("b1"), desk="agent-2"),
        envelope(focused("a1"), desk="agent-1"),
    )
    one = deskstate("replay", str(log), "--json", "--desk", "agent-2")
    assert one.returncode == 0, one.stderr
    assert [c["id"] for c in json.loads(one.stdout)["conversations"]] == ["b1"]
    both = deskstate("replay", str(log))
    assert both.returncode == 0
    assert "Desk agent-1" in both.stdout and "Desk agent-2" in both.stdout
    ambiguous = deskstate("replay", str(log), "--json")
    assert ambiguous.returncode == 2
    assert "--desk" in ambiguous.stderr
    unknown = deskstate("replay", str(log), "--desk", "agent-9")
    assert unknown.returncode == 2
    assert "agent-9" in unknown.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["replay", "--at", "-1"],
        ["replay", "--at", "many"],
        ["replay", "some.jsonl", "--example"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    """Bad usage is refused with exit status 2 and a message on standard error."""
    result = deskstate(*args)
    assert result.returncode == 2
    assert result.stderr.strip()


def test_missing_log_exits_2_naming_the_file(tmp_path: Path) -> None:
    """A log that does not exist gives exit status 2 and names the file."""
    missing = tmp_path / "nope.jsonl"
    result = deskstate("replay", str(missing))
    assert result.returncode == 2
    assert str(missing) in result.stderr


def test_damaged_gzip_exits_2(tmp_path: Path) -> None:
    """A damaged compressed log gives exit status 2 and says how far reading got."""
    lines = "".join(json.dumps(added(f"c{i}")) + "\n" for i in range(2000))
    packed = gzip.compress(lines.encode())
    damaged = tmp_path / "desk.jsonl.gz"
    damaged.write_bytes(packed[: len(packed) // 2])
    result = deskstate("replay", str(damaged))
    assert result.returncode == 2
    assert str(damaged) in result.stderr and "after line" in result.stderr


def test_a_table_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    """`deskstate replay LOG | head -1` ends with status 0 and no traceback when head stops."""
    log = tmp_path / "many.jsonl"
    made = deskstate("generate", "--events", "6000", "--desks", "300", "--out", str(log))
    assert made.returncode == 0, made.stderr
    script = shlex.quote(str(Path(sys.executable).with_name("deskstate")))
    # The tables of 300 desks outgrow a pipe's buffer, so the write fails once head has gone.
    result = subprocess.run(
        [
            "bash",
            "-c",
            f"{script} replay {shlex.quote(str(log))} | head -n 1; exit ${{PIPESTATUS[0]}}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
