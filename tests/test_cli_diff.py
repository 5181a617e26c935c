"""`deskstate diff`: the facts between the desk after N records and the desk after M."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import added, deskstate, envelope, focused, message, removed, write_log


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return write_log(
        tmp_path / "desk.jsonl",
        added("c1"),  # 1
        message("c1", "m1"),  # 2
        added("c2"),  # 3
        focused("c1"),  # 4
        message("c2", "m2"),  # 5
        removed("c1"),  # 6
    )


def test_diff_json_lists_the_facts_between_two_points(log: Path) -> None:
    """From record 1 to 5: c1 got a message (read since), c2 opened with an unread message."""
    result = deskstate("diff", str(log), "--from", "1", "--to", "5", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "log": str(log),
        "from": 1,
        "to": 5,
        "desks": [
            {
                "desk": None,
                "facts": [
                    {
                        "kind": "message-appended",
                        "conversation_id": "c1",
                        "message_id": "m1",
                        "participant": "Visitor",
                    },
                    {"kind": "conversation-opened", "conversation_id": "c2"},
                    {
                        "kind": "message-appended",
                        "conversation_id": "c2",
                        "message_id": "m2",
                        "participant": "Visitor",
                    },
                    {"kind": "unread-changed", "conversation_id": "c2", "old": 0, "new": 1},
                    {
                        "kind": "focus-moved",
                        "conversation_id": None,
                        "old_id": None,
                        "new_id": "c1",
                    },
                ],
            }
        ],
    }


def test_diff_prints_one_sentence_per_fact(log: Path) -> None:
    """The human form says each fact in a sentence: here c1 is closed, which ends its focus."""
    result = deskstate("diff", str(log), "--from", "5", "--to", "6")
    assert result.returncode == 0, result.stderr
    assert [line.strip() for line in result.stdout.splitlines()] == [
        "conversation c1 closed",
        "focus left c1",
    ]


def test_nothing_changed_between_equal_points(log: Path) -> None:
    """--from N --to N: nothing changed, and the output says so."""
    result = deskstate("diff", str(log), "--from", "3", "--to", "3")
    assert result.returncode == 0
    assert result.stdout.strip() == "nothing changed"


def test_diff_beyond_the_end_uses_the_whole_log_and_says_so(log: Path) -> None:
    """--to past the last record shows the desk after the whole log, with a note on stderr."""
    result = deskstate("diff", str(log), "--from", "6", "--to", "99", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["to"] == 6
    assert "has 6 records" in result.stderr


def test_diff_backwards_is_bad_usage(log: Path) -> None:
    """--from after --to is refused with status 2."""
    result = deskstate("diff", str(log), "--from", "4", "--to", "2")
    assert result.returncode == 2
    assert "--from 4" in result.stderr


def test_diff_of_an_interleaved_log_is_per_desk(tmp_path: Path) -> None:
    """Each desk's facts come under its key; --desk keeps one."""
    log = write_log(
        tmp_path / "desks.jsonl",
        envelope(added("a1"), desk="agent-1"),
        envelope(added("b1"), desk="agent-2"),
        envelope(focused("b1"), desk="agent-2"),
    )
    both = json.loads(deskstate("diff", str(log), "--from", "1", "--to", "3", "--json").stdout)
    assert both["desks"] == [
        {"desk": "agent-1", "facts": []},
        {
            "desk": "agent-2",
            "facts": [
                {"kind": "conversation-opened", "conversation_id": "b1"},
                {"kind": "focus-moved", "conversation_id": None, "old_id": None, "new_id": "b1"},
            ],
        },
    ]
    one = deskstate("diff", str(log), "--from", "0", "--to", "3", "--desk", "agent-1")
    assert one.returncode == 0, one.stderr
    assert "Desk agent-1" in one.stdout and "conversation a1 opened" in one.stdout
    assert "b1" not in one.stdout
