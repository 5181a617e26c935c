"""`deskstate report`: desk metrics on the terminal and as JSON, driven through a subprocess."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from helpers import added, availability, deskstate, envelope, focused, message, removed, write_log

from deskstate.report import format_duration


def ts(seconds: int) -> str:
    """The ``ts`` of ``seconds`` after 10:00 UTC (under an hour)."""
    minutes, second = divmod(seconds, 60)
    return f"2026-11-25T10:{minutes:02d}:{second:02d}Z"


def two_desks(path: Path) -> Path:
    """Two desks: the metrics of each are worked out by hand in the tests below."""
    # agent-1: a1 open 0-100, focused 30-100, answered 30 s after its visitor; a2 opened without
    # ts, never answered; unread 20-30 and 60-100. agent-2: b1 open from 10 to the desk's end at
    # 70, unread 10-40; CHAT AVAILABLE 20-70; one record from a foreign page (line 11).
    return write_log(
        path,
        envelope(added("a1"), desk="agent-1", ts=ts(0)),
        envelope(added("b1"), desk="agent-2", ts=ts(10)),
        envelope(message("a1", "m1", "Visitor"), desk="agent-1", ts=ts(20)),
        envelope(message("b1", "n1", "Visitor"), desk="agent-2", ts=ts(10)),
        envelope(focused("a1"), desk="agent-1", ts=ts(30)),
        envelope(availability(("CHAT", "AVAILABLE")), desk="agent-2", ts=ts(20)),
        envelope(focused("b1"), desk="agent-2", ts=ts(40)),
        envelope(message("a1", "m2", "Professional"), desk="agent-1", ts=ts(50)),
        envelope(added("a2"), desk="agent-1"),  # no ts
        envelope(message("a2", "m3", "Visitor"), desk="agent-1", ts=ts(60)),
        envelope(added("z9"), desk="agent-2", ts=ts(65), origin="https://evil.example"),
        envelope(availability(("CHAT", "UNAVAILABLE")), desk="agent-2", ts=ts(70)),
        envelope(removed("a1"), desk="agent-1", ts=ts(100)),
    )


def test_report_json_gives_every_metric_per_desk(tmp_path: Path) -> None:
    """The metrics of each desk, worked out by hand from the log above."""
    result = deskstate("report", str(two_desks(tmp_path / "desks.jsonl")), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report["desks"]) == ["agent-1", "agent-2"]
    one, two = report["desks"]["agent-1"], report["desks"]["agent-2"]
    assert one["conversations"]["a1"] == {
        "conversation_id": "a1",
        "time_open": 100.0,
        "time_focused": 70.0,
        "answered": True,
        "first_response": 30.0,
        "messages": {"Professional": 1, "Visitor": 1},
        "unread_peak": 1,
        "implicit": False,
        "reopened": 0,
        "still_open": False,
    }
    a2 = one["conversations"]["a2"]
    assert (a2["time_open"], a2["answered"], a2["still_open"]) == (None, False, True)
    assert (one["started_at"], one["ended_at"]) == ("2026-11-25T10:00:00Z", "2026-11-25T10:01:40Z")
    assert one["open_counts"] == [
        ["2026-11-25T10:00:00Z", 1],
        [None, 2],
        ["2026-11-25T10:01:40Z", 1],
    ]
    assert one["unread_share"] == 0.5  # 10 s + 40 s of 100 s
    assert two["conversations"]["b1"]["time_open"] == 60.0  # 10 to the desk's end at 70
    assert two["availability_time"] == {"CHAT": {"AVAILABLE": 50.0, "UNAVAILABLE": 0.0}}
    assert two["unread_share"] == 0.5  # unread from 10 to 40, of 10 to 70
    assert "z9" not in two["conversations"]  # the foreign record is not applied
    assert "foreign-origin" in result.stderr and "desks.jsonl:11" in result.stderr


def test_report_for_one_desk(tmp_path: Path) -> None:
    """`--desk` keeps one desk; a desk the log lacks is bad usage (exit 2)."""
    log = str(two_desks(tmp_path / "desks.jsonl"))
    result = deskstate("report", log, "--json", "--desk", "agent-1")
    assert list(json.loads(result.stdout)["desks"]) == ["agent-1"]
    assert result.stderr == ""  # the foreign record was agent-2's
    missing = deskstate("report", log, "--desk", "agent-7")
    assert missing.returncode == 2
    assert "no desk 'agent-7'" in missing.stderr


def test_report_human_output_has_a_row_per_desk_and_per_conversation(tmp_path: Path) -> None:
    """The tables show the figures, '?' for an unknown time and '-' for no answer."""
    result = deskstate("report", str(two_desks(tmp_path / "desks.jsonl")))
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    # desk, from (date, time), to (date, time), handled, most open, still open, answered,
    # median first response, time with unread
    assert rows["agent-1"][1:] == [
        *("2026-11-25", "10:00:00", "2026-11-25", "10:01:40"),
        *("2", "2", "1", "1/2", "30.0s", "50%"),
    ]
    assert rows["agent-2"][5:] == ["1", "1", "1", "0/1", "-", "50%"]
    assert rows["a1"][1:] == ["1m40s", "1m10s", "30.0s", "1/1/0", "1"]
    assert rows["a2"][1:] == ["?", "0.0s", "-", "1/0/0", "1", "open"]
    chat = [line.split() for line in result.stdout.splitlines() if line.split()[:1] == ["CHAT"]]
    assert chat == [["CHAT", "AVAILABLE", "50.0s"], ["CHAT", "UNAVAILABLE", "0.0s"]]
    assert "1 anomalies reported on standard error" in result.stdout


def test_report_reads_the_bundled_example_and_refuses_a_missing_log(tmp_path: Path) -> None:
    """With no LOG it reads the example; a log that does not exist exits 2 naming it."""
    example = deskstate("report", "--json")
    assert example.returncode == 0, example.stderr
    assert json.loads(example.stdout)["desks"]
    missing = deskstate("report", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2
    assert "nope.jsonl" in missing.stderr


def test_durations_read_as_people_say_them() -> None:
    """Seconds with a tenth, then minutes and seconds, hours and minutes, days and hours."""
    assert format_duration(None) == "?"
    assert format_duration(timedelta(seconds=45.25)) == "45.2s"
    assert format_duration(timedelta(minutes=3, seconds=5.9)) == "3m05s"
    assert format_duration(timedelta(hours=2, minutes=7, seconds=30)) == "2h07m"
    assert format_duration(timedelta(days=1, hours=4, minutes=59)) == "1d04h"
