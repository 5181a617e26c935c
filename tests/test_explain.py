"""`deskstate.explain`: the timeline of a conversation, and of every conversation of a visitor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    added,
    availability,
    envelope,
    focused,
    message,
    removed,
    visitor_updated,
    write_log,
)
from hypothesis import given
from hypothesis import strategies as st
from pyrsistent import freeze

from deskstate import query, read_log, replay
from deskstate.explain import Timeline, explain, explain_visitor, visitor_matches
from deskstate.facts import (
    ConversationClosed,
    ConversationOpened,
    ConversationReopened,
    FocusMoved,
    MessageAppended,
    UnreadChanged,
)
from deskstate.testing import chaotic_streams, streams

EVIL = "https://evil.example"


def at(event: dict[str, Any], second: int, **members: Any) -> dict[str, Any]:
    """``event`` in an envelope of desk ``a``, stamped at 10:00:SS."""
    return envelope(event, ts=f"2026-11-24T10:00:{second:02d}Z", desk="a", **members)


#: A desk ``a`` where c1 opens, is focused, loses the focus to c2, gets anomalies, closes and
#: comes back; then a desk ``b`` with a c1 of its own. Comments give the record index.
RECORDS: list[dict[str, Any]] = [
    at(added("c1"), 0),  # 0
    at(visitor_updated("c1", visitorId="v-1", age=42, address={"city": "Nantes"}), 1),  # 1
    at(focused("c1"), 2),  # 2
    at(message("c1", "m1"), 3),  # 3
    at(added("c2"), 4),  # 4: not about c1
    at(focused("c2"), 5),  # 5: the focus leaves c1
    at(message("c1", "m2"), 6),  # 6: unread now, c1 is not focused
    at(message("c1", "m2"), 7),  # 7: duplicate-message
    at({**added("c1"), "projectId": "x"}, 8),  # 8: invalid-event naming c1
    at(focused("c1"), 9, origin=EVIL),  # 9: foreign-origin
    at(removed("c1"), 10),  # 10
    at(added("c1"), 11),  # 11: reopened
    at(availability(("CHAT", "AVAILABLE")), 12),  # 12: not about c1
    envelope(added("c1"), desk="b"),  # 13: another desk's c1, no time
]


def timeline_of_a() -> Timeline:
    (timeline,) = explain(RECORDS, "c1", desk="a")
    return timeline


def test_every_record_that_touched_it_in_order() -> None:
    timeline = timeline_of_a()
    assert [entry.index for entry in timeline.entries] == [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]
    assert [entry.event for entry in timeline.entries] == [
        "CONVERSATION_ADDED",
        "CONVERSATION_VISITOR_UPDATED",
        "CONVERSATION_FOCUSED",
        "CONVERSATION_MESSAGE_ADDED",
        "CONVERSATION_FOCUSED",
        "CONVERSATION_MESSAGE_ADDED",
        "CONVERSATION_MESSAGE_ADDED",
        None,  # not applied
        None,
        "CONVERSATION_REMOVED",
        "CONVERSATION_ADDED",
    ]
    assert {entry.desk for entry in timeline.entries} == {"a"}


def test_each_entry_tells_what_it_changed() -> None:
    facts = {entry.index: entry.facts for entry in timeline_of_a().entries}
    assert facts[0] == (ConversationOpened("c1"),)
    assert facts[2] == (FocusMoved(None, "c1"),)
    assert facts[3] == (MessageAppended("c1", "m1", "Visitor"),)
    assert facts[5] == (FocusMoved("c1", "c2"),)  # the event names c2, the fact concerns c1
    assert facts[6] == (MessageAppended("c1", "m2", "Visitor"), UnreadChanged("c1", 0, 1))
    assert facts[7] == facts[8] == facts[9] == ()
    assert facts[10] == (ConversationClosed("c1"),)
    assert facts[11] == (ConversationReopened("c1"),)


def test_anomalies_about_it_and_records_not_applied() -> None:
    kinds = {entry.index: [a.kind for a in entry.anomalies] for entry in timeline_of_a().entries}
    assert kinds[7] == ["duplicate-message"]
    assert kinds[8] == ["invalid-event"]
    assert kinds[9] == ["foreign-origin"]
    assert sum(map(len, kinds.values())) == 3


def test_entries_carry_the_envelope_time() -> None:
    entries = {entry.index: entry for entry in timeline_of_a().entries}
    assert entries[0].to_dict()["ts"] == "2026-11-24T10:00:00Z"
    assert entries[8].to_dict()["ts"] == "2026-11-24T10:00:08Z"  # even when not applied


def test_it_ends_with_the_final_state() -> None:
    timeline = timeline_of_a()
    assert timeline.status == "open"
    assert timeline.conversation is not None
    assert [m.id for m in timeline.conversation.messages] == ["m1", "m2"]
    assert timeline.describe()[-1] == "c1: open"


def test_two_desks_with_the_same_id_give_two_timelines() -> None:
    first, second = explain(RECORDS, "c1")
    assert (first.desk, second.desk) == ("a", "b")
    assert [entry.index for entry in second.entries] == [13]
    assert second.entries[0].ts is None
    (only_b,) = explain(RECORDS, "c1", desk="b")
    assert only_b == second


def test_a_desk_without_it_has_a_timeline_never_seen() -> None:
    (timeline,) = explain(RECORDS, "c1", desk="nowhere")
    assert timeline.entries == ()
    assert timeline.status == "never seen"
    assert timeline.to_dict()["conversation"] is None


def test_an_unknown_conversation_has_no_timeline() -> None:
    assert explain(RECORDS, "c9") == ()


def test_a_conversation_named_only_by_a_record_not_applied_is_never_seen() -> None:
    (timeline,) = explain([at(focused("c5"), 0, origin=EVIL)], "c5")
    assert [a.kind for entry in timeline.entries for a in entry.anomalies] == ["foreign-origin"]
    assert timeline.status == "never seen"
    assert timeline.describe()[-1] == "c5: never seen"


def test_to_dict_is_json_and_names_the_file_lines(tmp_path: Path) -> None:
    log = write_log(tmp_path / "desk.jsonl", *RECORDS)
    (timeline,) = explain(read_log(log), "c1", desk="a")
    data = json.loads(json.dumps(timeline.to_dict()))
    assert data["conversation_id"] == "c1"
    assert data["status"] == "open"
    assert [entry["line"] for entry in data["entries"]] == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]
    assert data["entries"][4]["facts"] == [
        {"kind": "focus-moved", "conversation_id": None, "old_id": "c1", "new_id": "c2"}
    ]
    assert data["entries"][7]["anomalies"][0]["kind"] == "invalid-event"
    assert data["conversation"]["id"] == "c1"
    assert data["conversation"]["visitor"] == {
        "visitorId": "v-1",
        "age": 42,
        "address": {"city": "Nantes"},
    }


def test_allowed_origins_are_those_of_replay() -> None:
    (timeline,) = explain(RECORDS, "c1", desk="a", allowed_origins=None)
    entry = next(entry for entry in timeline.entries if entry.index == 9)
    assert entry.event == "CONVERSATION_FOCUSED"
    assert entry.facts == (UnreadChanged("c1", 1, 0), FocusMoved("c2", "c1"))  # read on focus


# --- following a visitor -------------------------------------------------------------------------

VISITOR_RECORDS: list[dict[str, Any]] = [
    added("c1"),  # 0
    visitor_updated("c1", visitorId="v-1"),  # 1
    added("c2"),  # 2
    visitor_updated("c2", visitorId="v-2"),  # 3: another visitor
    removed("c1"),  # 4
    added("c3"),  # 5
    message("c3", "m1"),  # 6
    visitor_updated("c3", visitorId="v-1", age=42, vip=True),  # 7: c3 is v-1 too, seen late
]


def test_a_visitor_is_followed_across_conversations() -> None:
    timelines = explain_visitor(VISITOR_RECORDS, "visitorId", "v-1")
    assert [timeline.conversation_id for timeline in timelines] == ["c1", "c3"]
    c1, c3 = timelines
    assert [entry.index for entry in c1.entries] == [0, 1, 4]
    assert [entry.index for entry in c3.entries] == [5, 6, 7]  # kept from before the match
    assert (c1.status, c3.status) == ("closed", "open")


def test_a_visitor_matched_by_number_as_text_or_nothing() -> None:
    assert [t.conversation_id for t in explain_visitor(VISITOR_RECORDS, "age", "42")] == ["c3"]
    assert [t.conversation_id for t in explain_visitor(VISITOR_RECORDS, "age", 42)] == ["c3"]
    assert explain_visitor(VISITOR_RECORDS, "visitorId", "v-3") == ()


def test_visitor_matches_by_dotted_path_and_json_text() -> None:
    profile: Any = freeze({"address": {"city": "Nantes"}, "age": 42, "vip": True, "id": "42"})
    assert visitor_matches(profile, "address.city", "Nantes")
    assert not visitor_matches(profile, "address.town", "Nantes")
    assert not visitor_matches(profile, "age.years", "42")
    assert visitor_matches(profile, "age", "42")
    assert visitor_matches(profile, "id", "42")
    assert not visitor_matches(profile, "id", 42)  # a number does not match a string
    assert visitor_matches(profile, "vip", "true")
    assert visitor_matches(profile, "vip", True)
    assert not visitor_matches(profile, "vip", 1)  # True == 1 in Python, not in JSON
    assert visitor_matches(profile, "address", '{"city":"Nantes"}')


def test_a_visitor_on_one_desk_only() -> None:
    records = [envelope(event, desk="a") for event in VISITOR_RECORDS]
    records += [envelope(event, desk="b") for event in VISITOR_RECORDS[:2]]
    found = explain_visitor(records, "visitorId", "v-1")
    assert [(t.desk, t.conversation_id) for t in found] == [("a", "c1"), ("a", "c3"), ("b", "c1")]
    only_b = explain_visitor(records, "visitorId", "v-1", desk="b")
    assert [(t.desk, t.conversation_id) for t in only_b] == [("b", "c1")]


# --- on any session ------------------------------------------------------------------------------


@given(st.one_of(streams(), chaotic_streams()), st.data())
def test_the_timeline_agrees_with_replay(events: list[dict[str, Any]], data: st.DataObject) -> None:
    named = sorted(
        {e["conversationId"] for e in events if isinstance(e.get("conversationId"), str)}
    )
    if not named:
        return
    cid = data.draw(st.sampled_from(named))
    (timeline,) = explain(events, cid, desk=None)
    assert timeline.conversation == query.conversation(replay(events).state, cid)
    indices = {entry.index for entry in timeline.entries}
    assert {i for i, e in enumerate(events) if e.get("conversationId") == cid} <= indices


@pytest.mark.parametrize("desk", ["a", None])
def test_no_timeline_for_an_id_on_no_desk(desk: str | None) -> None:
    (timeline,) = explain([], "c1", desk=desk)
    assert timeline == Timeline("c1", desk, (), None, is_open=False)
