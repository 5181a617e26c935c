"""`deskstate stats`: what a log holds, per desk and in all."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import added, deskstate, envelope, focused, message, removed, write_log


def two_desks(path: Path) -> Path:
    return write_log(
        path,
        envelope(added("a1"), desk="agent-1"),
        envelope(added("a2"), desk="agent-1"),
        envelope(added("b1"), desk="agent-2"),
        envelope(message("a1", "m1", "Visitor"), desk="agent-1"),
        envelope(message("a1", "m2", "Professional"), desk="agent-1"),
        envelope(removed("a1"), desk="agent-1"),
        envelope(focused("b1"), desk="agent-2"),
        envelope(message("b1", "m3", "Expert"), desk="agent-2"),
    )


def test_stats_json_counts_each_desk_and_the_total(tmp_path: Path) -> None:
    """Events per type, conversations, most open at once and messages, per desk and in all."""
    result = deskstate("stats", str(two_desks(tmp_path / "desks.jsonl")), "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["desks"]["agent-1"] == {
        "records": 5,
        "events": {
            "CONVERSATION_ADDED": 2,
            "CONVERSATION_MESSAGE_ADDED": 2,
            "CONVERSATION_REMOVED": 1,
        },
        "anomalies": {},
        "conversations": 2,
        "most_open": 2,
        "open_at_end": 1,
        "messages": {"Professional": 1, "Visitor": 1},
    }
    assert stats["desks"]["agent-2"]["messages"] == {"Expert": 1}
    assert stats["total"]["records"] == 8
    assert stats["total"]["conversations"] == 3
    assert stats["total"]["most_open"] == 2


def test_stats_for_one_desk(tmp_path: Path) -> None:
    """`--desk` keeps one desk; an unknown desk is bad usage."""
    log = str(two_desks(tmp_path / "desks.jsonl"))
    one = json.loads(deskstate("stats", log, "--json", "--desk", "agent-2").stdout)
    assert list(one["desks"]) == ["agent-2"]
    assert one["total"]["records"] == 3
    assert deskstate("stats", log, "--desk", "agent-7").returncode == 2


def test_stats_human_output_is_a_table_per_desk(tmp_path: Path) -> None:
    """The table has a row per desk with its figures, a total row, and events per type."""
    result = deskstate("stats", str(two_desks(tmp_path / "desks.jsonl")))
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert rows["agent-1"][1:] == ["5", "2", "2", "1", "1/1/0", "0"]
    assert rows["agent-2"][1:] == ["3", "1", "1", "1", "0/0/1", "0"]
    assert rows["all"][2:] == ["8", "3", "2", "2", "1/1/1", "0"]
    assert rows["CONVERSATION_ADDED"] == ["CONVERSATION_ADDED", "3"]
