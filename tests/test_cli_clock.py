"""`replay --at-time` and `diff --from-time/--to-time`: the desks at times of the envelope clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import added, deskstate, envelope, message, write_log

ORIGIN = "https://ha.iadvize.com"


def stamped(event: dict[str, Any], ts: str, desk: str) -> dict[str, Any]:
    return envelope(event, ts=ts, desk=desk, origin=ORIGIN)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return write_log(
        tmp_path / "desks.jsonl",
        stamped(added("a1"), "2026-11-24T10:00:00Z", "a"),
        stamped(added("b1"), "2026-11-24T10:05:00Z", "b"),
        stamped(message("a1", "m1"), "2026-11-24T10:30:00Z", "a"),
        stamped(added("a2"), "2026-11-24T10:40:00Z", "a"),
        stamped(added("a3"), "2026-11-24T10:20:00Z", "a"),  # a's clock went back: after the cut
    )


def conversations(snapshot: dict[str, Any]) -> list[str]:
    return [conversation["id"] for conversation in snapshot["conversations"]]


def test_replay_at_time_prints_the_desk_when_its_clock_first_passed_t(log: Path) -> None:
    result = deskstate(
        "replay", str(log), "--at-time", "2026-11-24T10:32:00Z", "--desk", "a", "--json"
    )
    assert result.returncode == 0, result.stderr
    snapshot = json.loads(result.stdout)
    assert conversations(snapshot) == ["a1"]
    assert [m["id"] for m in snapshot["conversations"][0]["messages"]] == ["m1"]


def test_replay_at_time_reads_an_offset_and_epoch_milliseconds(log: Path) -> None:
    # 10:04 UTC, as 11:04 at +01:00 and in milliseconds: desk b has no record yet.
    for when in ("2026-11-24T11:04:00+01:00", "1795514640000"):
        result = deskstate("replay", str(log), "--at-time", when, "--desk", "b", "--json")
        assert result.returncode == 0, result.stderr
        assert conversations(json.loads(result.stdout)) == []


def test_replay_at_time_shows_every_desk_on_the_terminal(log: Path) -> None:
    result = deskstate("replay", str(log), "--at-time", "2026-11-24T10:10:00Z")
    assert result.returncode == 0, result.stderr
    assert "Desk a" in result.stdout
    assert "Desk b" in result.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--at-time", "10:32"], ["--at-time", "'10:32'"]),
        (["--at-time", "2026-11-24T10:32:00"], ["--at-time", "offset", "2026-11-24T10:32:00"]),
        (["--at", "2", "--at-time", "2026-11-24T10:32:00Z"], ["--at-time", "--at"]),
        (["--at-time", "2026-11-24T10:32:00Z", "--jobs", "2"], ["--at-time", "one LOG"]),
    ],
)
def test_replay_at_time_usage_errors_name_the_option(
    log: Path, args: list[str], said: list[str]
) -> None:
    result = deskstate("replay", str(log), *args)
    assert result.returncode == 2
    for words in said:
        assert words in result.stderr


def test_diff_between_two_times_lists_the_facts_per_desk(log: Path) -> None:
    result = deskstate(
        "diff", str(log), "--from-time", "2026-11-24T10:01:00Z",
        "--to-time", "2026-11-24T10:35:00Z", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["from_time"] == "2026-11-24T10:01:00Z"
    assert out["to_time"] == "2026-11-24T10:35:00Z"
    facts = {desk["desk"]: desk["facts"] for desk in out["desks"]}
    # a's clock passed 10:35 at a2: neither a2 nor a3 (stamped 10:20, the clock going back) is in.
    assert [(f["kind"], f["conversation_id"]) for f in facts["a"]] == [
        ("message-appended", "a1"),
        ("unread-changed", "a1"),
    ]
    assert [(f["kind"], f["conversation_id"]) for f in facts["b"]] == [
        ("conversation-opened", "b1")
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--from-time", "2026-11-24T10:45:00Z", "--to-time", "2026-11-24T10:01:00Z"],
            "--from-time 2026-11-24T10:45:00Z comes after --to-time 2026-11-24T10:01:00Z",
        ),
        (["--from", "1", "--to-time", "2026-11-24T10:01:00Z"], "not a mix"),
        (["--from-time", "2026-11-24T10:01:00Z"], "--from-time and --to-time go together"),
        ([], "give --from N --to M"),
        (["--from-time", "soon", "--to-time", "2026-11-24T10:01:00Z"], "--from-time"),
    ],
)
def test_diff_time_usage_errors_exit_2(log: Path, args: list[str], said: str) -> None:
    result = deskstate("diff", str(log), *args)
    assert result.returncode == 2
    assert said in result.stderr
