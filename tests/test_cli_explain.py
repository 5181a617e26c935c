"""`deskstate explain`: a conversation's timeline (or a visitor's) through the command line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    added,
    deskstate,
    envelope,
    focused,
    message,
    removed,
    visitor_updated,
    write_log,
)

EVIL = "https://evil.example"


def at(event: dict[str, Any], second: int, **members: Any) -> dict[str, Any]:
    return envelope(event, ts=f"2026-11-24T10:00:{second:02d}Z", desk="a", **members)


RECORDS = [
    at(added("c1"), 0),  # line 1
    at(visitor_updated("c1", visitorId="v-1"), 1),  # line 2
    at(focused("c1"), 2),  # line 3
    at(added("c2"), 3),  # line 4: not about c1
    at(focused("c2"), 4),  # line 5: focus leaves c1
    at(message("c1", "m1"), 5, origin=EVIL),  # line 6: foreign-origin
    at(removed("c1"), 6),  # line 7
    envelope(added("c1"), desk="b"),  # line 8: desk b's own c1
]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return write_log(tmp_path / "desk.jsonl", *RECORDS)


def test_text_is_one_line_per_record_then_the_end(log: Path) -> None:
    result = deskstate("explain", str(log), "c1", "--desk", "a")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Conversation c1 on desk a"
    assert (
        lines[1] == f"{log}:1  2026-11-24T10:00:00Z  CONVERSATION_ADDED  — conversation c1 opened"
    )
    assert lines[3] == f"{log}:3  2026-11-24T10:00:02Z  CONVERSATION_FOCUSED  — focus moved to c1"
    assert lines[4] == (
        f"{log}:5  2026-11-24T10:00:04Z  CONVERSATION_FOCUSED  — focus moved from c1 to c2"
    )
    assert lines[5] == f"{log}:6  2026-11-24T10:00:05Z  not applied"
    assert lines[6].startswith("    foreign-origin: sent from 'https://evil.example'")
    assert (
        lines[7] == f"{log}:7  2026-11-24T10:00:06Z  CONVERSATION_REMOVED  — conversation c1 closed"
    )
    assert lines[8].startswith("c1: closed, added at 2026-11-24T10:00:00Z, removed at ")
    assert '"visitorId": "v-1"' in lines[8]
    assert not any(":4 " in line for line in lines)  # added c2 did not touch c1


def test_json_gives_every_desk_timeline(log: Path) -> None:
    result = deskstate("explain", str(log), "c1", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["log"] == str(log)
    assert data["conversation_id"] == "c1"
    assert [(t["desk"], t["status"]) for t in data["timelines"]] == [("a", "closed"), ("b", "open")]
    assert [e["line"] for e in data["timelines"][0]["entries"]] == [1, 2, 3, 5, 6, 7]
    assert [e["line"] for e in data["timelines"][1]["entries"]] == [8]
    assert data["timelines"][0]["entries"][4]["anomalies"][0]["kind"] == "foreign-origin"


def test_allow_origin_applies_the_record(log: Path) -> None:
    result = deskstate("explain", str(log), "c1", "--desk", "a", "--json", "--allow-origin", EVIL)
    assert result.returncode == 0, result.stderr
    (timeline,) = json.loads(result.stdout)["timelines"]
    entry = timeline["entries"][4]
    assert entry["event"] == "CONVERSATION_MESSAGE_ADDED"
    assert entry["anomalies"] == []


def test_an_unknown_conversation_exits_1(log: Path) -> None:
    result = deskstate("explain", str(log), "c9")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"deskstate: no conversation 'c9' in {log}\n"


def test_a_conversation_not_on_the_desk_asked_for_exits_1(log: Path) -> None:
    result = deskstate("explain", str(log), "c2", "--desk", "b", "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["timelines"] == []
    assert "no conversation 'c2' on desk 'b'" in result.stderr


def test_a_visitor_across_conversations(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "desk.jsonl",
        added("c1"),
        visitor_updated("c1", visitorId="v-1", age=42),
        removed("c1"),
        added("c2"),
        visitor_updated("c2", visitorId="v-1"),
        added("c3"),
        visitor_updated("c3", visitorId="v-2"),
    )
    result = deskstate("explain", str(log), "--visitor", "visitorId=v-1", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["visitor"] == {"field": "visitorId", "value": "v-1"}
    assert [t["conversation_id"] for t in data["timelines"]] == ["c1", "c2"]
    text = deskstate("explain", str(log), "--visitor", "age=42")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[0] == "Conversation c1"
    missing = deskstate("explain", str(log), "--visitor", "visitorId=v-9")
    assert missing.returncode == 1
    assert "no conversation whose visitor has visitorId=v-9" in missing.stderr


def test_gzip_and_stdin(log: Path, tmp_path: Path) -> None:
    packed = tmp_path / "desk.jsonl.gz"
    packed.write_bytes(gzip.compress(log.read_bytes()))
    from_gzip = deskstate("explain", str(packed), "c1", "--json")
    from_stdin = deskstate("explain", "-", "c1", "--json", stdin=log.read_text())
    assert from_gzip.returncode == from_stdin.returncode == 0
    lines = [
        [(entry["line"], entry["event"]) for entry in timeline["entries"]]
        for timeline in json.loads(from_gzip.stdout)["timelines"]
    ]
    assert lines == [
        [(entry["line"], entry["event"]) for entry in timeline["entries"]]
        for timeline in json.loads(from_stdin.stdout)["timelines"]
    ]
    assert [len(entries) for entries in lines] == [6, 1]


def test_the_example_with_one_positional() -> None:
    result = deskstate("explain", "c1750366-9483-4372-a57d-844da14071c6", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["log"] == "<example example.jsonl>"
    (timeline,) = data["timelines"]
    assert timeline["desk"] == "agent-42"
    assert timeline["entries"][0]["event"] == "CONVERSATION_ADDED"
    assert timeline["status"] == "closed"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "give a CONVERSATION_ID or --visitor FIELD=VALUE"),
        (("LOG", "c1", "--visitor", "a=b"), "not both"),
        (("--visitor", "nothing"), "--visitor takes FIELD=VALUE"),
        (("--visitor", "=x"), "--visitor takes FIELD=VALUE"),
    ],
)
def test_bad_usage_exits_2(arguments: tuple[str, ...], message: str) -> None:
    result = deskstate("explain", *arguments)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_log_without_a_conversation_is_refused_saying_so(log: Path) -> None:
    """`explain LOG` alone would look LOG up as an id in the example: it is refused instead."""
    result = deskstate("explain", str(log))
    assert result.returncode == 2
    assert "is a log: give the conversation after it (LOG CONVERSATION_ID)" in result.stderr
    assert result.stdout == ""
