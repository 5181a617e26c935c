"""The deskstate/1 JSON form of a snapshot: plain JSON, a faithful round trip, validated on load."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import added, availability, clicked, focused, fold, message, removed, visitor_updated

from deskstate import DeskState, InvalidSnapshot, from_dict, parse_event, reduce, to_dict


def rich_desk() -> DeskState:
    """A desk using every part of the snapshot: timestamps, nested visitor, closed, implicit."""
    at = datetime(2026, 11, 24, 9, 30, 0, 125000, tzinfo=UTC)
    state = reduce(DeskState(), parse_event(added("c1", 7), ts=at))
    return fold(
        visitor_updated("c1", firstName="Léa", tags=["vip", {"since": 2019}], score=0.5, ok=True),
        message("c1", "m1"),
        message("c1", "m2", "Professional"),
        message("c1", "m3", "Expert"),
        clicked("c1"),
        added("c2"),
        focused("c2"),
        removed("c2"),
        focused("c3"),  # implicit
        availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE_FORCED")),
        start=state,
    )


def test_to_dict_is_plain_json_and_round_trips() -> None:
    """to_dict gives plain JSON (dumps/loads give it back equal) and from_dict restores the desk."""
    state = rich_desk()
    data = to_dict(state)
    assert json.loads(json.dumps(data)) == data
    restored = from_dict(json.loads(json.dumps(data)))
    assert restored == state
    assert hash(restored) == hash(state)


def test_round_trip_rebuilds_the_derived_fields() -> None:
    """Counts, message ids and the unread total are rebuilt on load (they are not stored)."""
    state = rich_desk()
    restored = from_dict(to_dict(state))
    c1 = restored.conversations["c1"]
    assert dict(c1.message_counts) == {"Visitor": 1, "Professional": 1, "Expert": 1}
    assert set(c1.message_ids) == {"m1", "m2", "m3"}
    assert restored.unread_total == 2  # c1: Visitor + Expert while c1 was never focused


def test_the_form_is_named_and_readable() -> None:
    """The form says its format, lists open conversations in desk order and writes times in ISO."""
    data = to_dict(rich_desk())
    assert data["format"] == "deskstate/1"
    assert [c["id"] for c in data["conversations"]] == ["c1", "c3"]
    assert [c["id"] for c in data["closed"]] == ["c2"]
    assert data["conversations"][0]["added_at"] == "2026-11-24T09:30:00.125000Z"
    assert data["conversations"][0]["visitor"]["tags"] == ["vip", {"since": 2019}]
    assert data["clock"] == "2026-11-24T09:30:00.125000Z"


def test_the_empty_desk_round_trips() -> None:
    """The empty desk survives the round trip."""
    assert from_dict(to_dict(DeskState())) == DeskState()


def corrupt(path: list[str | int], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(to_dict(rich_desk()))
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def without(path: list[str | int]) -> dict[str, Any]:
    data = copy.deepcopy(to_dict(rich_desk()))
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (corrupt(["format"], "deskstate/0"), "format must be 'deskstate/1'"),
        (without(["format"]), "format must be 'deskstate/1'"),
        (corrupt(["version"], "3"), "version must be an integer"),
        (corrupt(["version"], -1), "version must be at least 0"),
        (corrupt(["conversations"], {}), "conversations must be a list"),
        (corrupt(["conversations", 0, "id"], ""), "conversations[0].id must be a non-empty string"),
        (corrupt(["conversations", 0, "project_id"], True), "conversations[0].project_id must be"),
        (corrupt(["conversations", 0, "implicit"], 1), "conversations[0].implicit must be true or"),
        (
            corrupt(["conversations", 0, "messages", 1, "participant"], 3),
            "conversations[0].messages[1].participant must be a string",
        ),
        (
            corrupt(["conversations", 0, "messages", 0, "at"], "yesterday"),
            "conversations[0].messages[0].at must be an ISO-8601 timestamp",
        ),
        (without(["closed", 0, "unread"]), "closed[0].unread is missing"),
        (corrupt(["conversations", 0, "visitor"], []), "conversations[0].visitor must be a JSON"),
        (corrupt(["availability"], {"CHAT": 1}), "availability must be an object of channel"),
        (corrupt(["focused_id"], "c2"), "focused_id 'c2' is not an open conversation"),
        (corrupt(["conversations", 1, "id"], "c2"), "conversation 'c2' appears more than once"),
        (corrupt(["conversations", 0, "unread"], 3), "conversations[0].unread is 3, more than"),
        (
            corrupt(["conversations", 0, "messages", 1, "id"], "m1"),
            "conversations[0].messages has the same message id twice",
        ),
        ([], "snapshot must be a JSON object"),
    ],
)
def test_from_dict_refuses_bad_data_naming_the_path(data: object, expected: str) -> None:
    """from_dict raises InvalidSnapshot (a ValueError) whose message starts at the bad member."""
    with pytest.raises(InvalidSnapshot) as raised:
        from_dict(data)
    assert expected in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_from_dict_refuses_a_focused_conversation_with_unread_messages() -> None:
    """A snapshot whose focused conversation has unread messages breaks invariant 4: refused."""
    data = to_dict(fold(added("c1"), message("c1", "m1"), focused("c1")))
    data["conversations"][0]["unread"] = 1
    with pytest.raises(InvalidSnapshot, match="focused conversation 'c1' has unread"):
        from_dict(data)


def test_from_dict_does_not_keep_references_to_its_input() -> None:
    """Mutating the data after loading changes nothing in the snapshot."""
    data = to_dict(rich_desk())
    restored = from_dict(data)
    data["conversations"][0]["visitor"]["tags"].append("changed")
    data["conversations"][0]["messages"].clear()
    assert restored == rich_desk()
