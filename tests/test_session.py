"""A realistic desk session, replayed event by event and checked query by query along the story.

Every expected value is written by hand from the story told in the comments, not computed by the
library. A well-behaved desk sent every event: the whole session raises no anomaly.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import (
    added,
    availability,
    clicked,
    focus_lost,
    focused,
    message,
    removed,
    visitor_updated,
)
from pyrsistent import PMap, pmap

from deskstate import Anomaly, DeskState, query, step

Raw = dict[str, Any]

# Conversation ids as the desk sends them (UUIDs).
ANNA = "c1750366-9483-4372-a57d-844da14071c6"
BRUNO = "93d86726-aaf7-4962-877e-104c577d86ae"
CHLOE = "4f0c2a8e-5b1d-4c3e-9a77-0e5d2c6b8f10"
DAVID = "e2b7d9c4-1f3a-48d6-b0c5-7a9e3d2f1c88"

BRUNO_AUTHENTICATED = {
    "visitorId": "vis-bruno",
    "externalUserId": "crm-4711",
    "firstName": "Bruno",
    "lastName": "Martin",
    "email": "bruno.martin@example.com",
}

# The session, chapter by chapter (chapters run in this order).
CHAPTERS: dict[str, list[Raw]] = {
    # 09:00 — the operator logs in: available on every channel but THIRD_PARTY.
    "login": [
        availability(
            ("CHAT", "AVAILABLE"),
            ("CALL", "AVAILABLE"),
            ("VIDEO", "AVAILABLE"),
            ("THIRD_PARTY", "UNAVAILABLE"),
        ),
    ],
    # Two chats pop in, each followed by its (still anonymous) visitor profile.
    "two-arrive": [
        added(ANNA, 1234),
        visitor_updated(ANNA, visitorId="vis-anna"),
        added(BRUNO, 1234),
        visitor_updated(BRUNO, visitorId="vis-bruno"),
    ],
    # The desk gives the focus to the first one; then a third chat arrives, from another project.
    "focus-first-third-arrives": [
        focused(ANNA),
        added(CHLOE, 5678),
        visitor_updated(CHLOE, visitorId="vis-chloe"),
    ],
    # Visitors write; the operator answers Anna (focused). Bruno's and Chloé's messages wait.
    "first-messages": [
        message(ANNA, "a1", "Visitor", 1234),
        message(ANNA, "a2", "Professional", 1234),
        message(BRUNO, "b1", "Visitor", 1234),
        message(BRUNO, "b2", "Visitor", 1234),
        message(CHLOE, "c1", "Visitor", 5678),
        message(ANNA, "a3", "Visitor", 1234),
    ],
    # The operator clicks Bruno's state box: Anna loses the focus, Bruno gets it; a reply.
    "switch-to-bruno": [
        clicked(BRUNO),
        focus_lost(ANNA),
        focused(BRUNO),
        message(BRUNO, "b3", "Professional", 1234),
    ],
    # Bruno logs in to his customer account mid-conversation: the desk sends his full profile.
    "bruno-authenticates": [
        visitor_updated(BRUNO, **BRUNO_AUTHENTICATED),
        message(BRUNO, "b4", "Visitor", 1234),
    ],
    # Meanwhile Anna writes again, unseen.
    "anna-writes-unseen": [
        message(ANNA, "a4", "Visitor", 1234),
    ],
    # Back to Anna, who needs the delivery team: the operator transfers her conversation.
    "anna-transferred": [
        clicked(ANNA),
        focus_lost(BRUNO),
        focused(ANNA),
        message(ANNA, "a5", "Professional", 1234),
        focus_lost(ANNA),
        removed(ANNA),
    ],
    # The desk elects Chloé for the focus; an ibbü expert answers Bruno's question; Chloé chats.
    # Being in chats, the operator is forced unavailable on the non-parallelizable channels.
    "expert-and-forced": [
        focused(CHLOE),
        message(BRUNO, "b5", "Expert", 1234),
        message(CHLOE, "c2", "Professional", 5678),
        message(CHLOE, "c3", "Visitor", 5678),
        availability(
            ("CHAT", "AVAILABLE"),
            ("CALL", "UNAVAILABLE_FORCED"),
            ("VIDEO", "UNAVAILABLE_FORCED"),
            ("THIRD_PARTY", "UNAVAILABLE"),
        ),
    ],
    # Chloé's chat is closed; the desk sends REMOVED before its FOCUS_LOST.
    "chloe-closed": [
        removed(CHLOE),
        focus_lost(CHLOE),
    ],
    # The desk elects Bruno; a fourth chat arrives and its visitor writes at once.
    "fourth-arrives": [
        focused(BRUNO),
        added(DAVID, 1234),
        visitor_updated(DAVID, visitorId="vis-david"),
        message(DAVID, "d1", "Visitor", 1234),
    ],
    # The operator refreshes the page: the desk announces the open conversations again.
    "refresh": [
        added(BRUNO, 1234),
        added(DAVID, 1234),
    ],
}


def profile(**fields: Any) -> PMap[str, Any]:
    return pmap(fields)


def events_until(chapter: str) -> list[Raw]:
    """The events of the session from its start up to the end of ``chapter``."""
    events: list[Raw] = []
    for name, chapter_events in CHAPTERS.items():
        events.extend(chapter_events)
        if name == chapter:
            return events
    raise KeyError(chapter)


def replay(events: list[Raw]) -> tuple[DeskState, list[Anomaly]]:
    state = DeskState()
    anomalies: list[Anomaly] = []
    for event in events:
        state, raised = step(state, event)
        anomalies.extend(raised)
    return state, anomalies


def desk_after(chapter: str) -> DeskState:
    state, anomalies = replay(events_until(chapter))
    assert anomalies == []
    return state


def ids(conversations: tuple[Any, ...]) -> list[str]:
    return [conversation.id for conversation in conversations]


def test_the_whole_session_raises_no_anomaly() -> None:
    """A well-behaved desk session, replayed from start to end, raises no anomaly at all."""
    state, anomalies = replay(events_until("refresh"))
    assert anomalies == []
    assert state.version == 40


def test_after_login_the_operator_is_available_and_the_desk_empty() -> None:
    """After the first availability report: CHAT/CALL/VIDEO accepted, THIRD_PARTY not, no chat."""
    desk = desk_after("login")
    assert query.is_empty(desk)
    assert query.can_accept(desk, "CHAT")
    assert query.can_accept(desk, "CALL")
    assert query.can_accept(desk, "VIDEO")
    assert not query.can_accept(desk, "THIRD_PARTY")
    assert query.availability(desk, "THIRD_PARTY") == "UNAVAILABLE"
    assert query.focused(desk) is None
    assert desk.version == 1


def test_two_chats_arrive_with_anonymous_visitors() -> None:
    """Two ADDED + VISITOR_UPDATED: both open in arrival order, visitors anonymous, no focus."""
    desk = desk_after("two-arrive")
    assert ids(query.open_conversations(desk)) == [ANNA, BRUNO]
    assert query.focused(desk) is None
    assert query.visitor(desk, ANNA) == profile(visitorId="vis-anna")
    assert query.visitor(desk, BRUNO) == profile(visitorId="vis-bruno")
    assert query.conversation(desk, ANNA) is not None
    assert desk.conversations[ANNA].project_id == 1234
    assert not desk.conversations[ANNA].implicit
    assert query.message_count(desk, ANNA) == 0
    assert desk.version == 5


def test_the_first_chat_is_focused_and_a_third_arrives_at_the_end() -> None:
    """The desk focuses Anna; Chloé's chat, from project 5678, is added after the other two."""
    desk = desk_after("focus-first-third-arrives")
    assert ids(query.open_conversations(desk)) == [ANNA, BRUNO, CHLOE]
    assert desk.focused_id == ANNA
    assert query.focused_visitor(desk) == profile(visitorId="vis-anna")
    assert desk.conversations[CHLOE].project_id == 5678
    assert query.find_by_visitor(desk, "visitorId", "vis-chloe") == (desk.conversations[CHLOE],)
    assert desk.version == 8


def test_messages_wait_on_unfocused_chats_only() -> None:
    """Visitors of Bruno and Chloé wait (unread 2 and 1); Anna, focused, has nothing unread."""
    desk = desk_after("first-messages")
    assert query.unread_count(desk, ANNA) == 0
    assert query.unread_count(desk, BRUNO) == 2
    assert query.unread_count(desk, CHLOE) == 1
    assert query.unread_count(desk) == 3
    assert query.message_count(desk, ANNA) == 3
    assert query.message_count(desk, ANNA, "Visitor") == 2
    assert query.message_count(desk, ANNA, "Professional") == 1
    assert [m.id for m in query.messages(desk, ANNA)] == ["a1", "a2", "a3"]
    assert [m.id for m in query.messages(desk, BRUNO, "Visitor")] == ["b1", "b2"]
    assert query.messages(desk, BRUNO, "Professional") == ()
    assert desk.version == 14


def test_switching_to_bruno_reads_his_chat() -> None:
    """Clicking Bruno's state box and focusing it: his unread drops to 0, Chloé's 1 remains."""
    desk = desk_after("switch-to-bruno")
    assert desk.focused_id == BRUNO
    assert desk.last_clicked_id == BRUNO
    assert desk.conversations[BRUNO].state_box_clicks == 1
    assert query.unread_count(desk, BRUNO) == 0
    assert query.unread_count(desk) == 1
    assert query.message_count(desk, BRUNO) == 3
    assert query.message_count(desk, BRUNO, "Professional") == 1
    assert desk.version == 18


def test_an_authenticated_visitor_is_found_by_his_profile() -> None:
    """Bruno's full profile replaces the anonymous one; the desk finds him by email and CRM id."""
    desk = desk_after("bruno-authenticates")
    assert query.focused_visitor(desk) == profile(**BRUNO_AUTHENTICATED)
    assert query.visitor(desk, BRUNO) == profile(**BRUNO_AUTHENTICATED)
    bruno = desk.conversations[BRUNO]
    assert query.find_by_visitor(desk, "email", "bruno.martin@example.com") == (bruno,)
    assert query.find_by_visitor(desk, "externalUserId", "crm-4711") == (bruno,)
    assert query.find_by_visitor(desk, "lastName", "Martin") == (bruno,)
    assert query.visitor(desk, ANNA) == profile(visitorId="vis-anna")
    assert query.unread_count(desk, BRUNO) == 0  # b4 arrived while focused
    assert desk.version == 20


def test_a_message_on_the_unfocused_chat_waits() -> None:
    """Anna writes while Bruno has the focus: Anna has 1 unread, the desk 2 (with Chloé's)."""
    desk = desk_after("anna-writes-unseen")
    assert query.unread_count(desk, ANNA) == 1
    assert query.unread_count(desk) == 2
    assert desk.focused_id == BRUNO
    assert desk.version == 21


def test_a_transferred_chat_leaves_the_desk_with_its_history() -> None:
    """After FOCUS_LOST + REMOVED, Anna's chat is closed (5 messages kept), nothing focused."""
    desk = desk_after("anna-transferred")
    assert not query.is_open(desk, ANNA)
    assert ids(query.open_conversations(desk)) == [BRUNO, CHLOE]
    assert ids(query.closed_conversations(desk)) == [ANNA]
    assert query.focused(desk) is None
    assert query.focused_visitor(desk) is None
    assert query.message_count(desk, ANNA) == 5
    assert [m.participant for m in query.messages(desk, ANNA)] == [
        "Visitor",
        "Professional",
        "Visitor",
        "Visitor",
        "Professional",
    ]
    assert query.unread_count(desk, ANNA) == 0  # read when she was focused again
    assert query.unread_count(desk) == 1  # Chloé's first message
    assert desk.last_clicked_id == ANNA
    assert desk.conversations[BRUNO].state_box_clicks == 1
    assert desk.version == 27


def test_an_expert_message_waits_and_calls_are_forced_unavailable() -> None:
    """Chloé is elected; the ibbü expert's answer waits on Bruno; CALL and VIDEO are forced off."""
    desk = desk_after("expert-and-forced")
    assert desk.focused_id == CHLOE
    assert query.unread_count(desk, CHLOE) == 0
    assert query.unread_count(desk, BRUNO) == 1
    assert query.unread_count(desk) == 1
    assert query.message_count(desk, BRUNO, "Expert") == 1
    assert [m.id for m in query.messages(desk, BRUNO, "Expert")] == ["b5"]
    assert query.message_count(desk, CHLOE) == 3
    assert query.availability(desk, "CALL") == "UNAVAILABLE_FORCED"
    assert query.availability(desk, "VIDEO") == "UNAVAILABLE_FORCED"
    assert query.can_accept(desk, "CHAT")
    assert not query.can_accept(desk, "CALL")
    assert not query.can_accept(desk, "VIDEO")
    assert desk.version == 32


def test_a_chat_removed_before_its_focus_lost_leaves_no_focus() -> None:
    """REMOVED then FOCUS_LOST of focused Chloé: no focus, Bruno alone open, two closed by id."""
    desk = desk_after("chloe-closed")
    assert desk.focused_id is None
    assert ids(query.open_conversations(desk)) == [BRUNO]
    assert ids(query.closed_conversations(desk)) == [CHLOE, ANNA]  # "4f0c…" sorts before "c175…"
    assert query.conversation(desk, CHLOE) is not None
    assert query.message_count(desk, CHLOE) == 3
    assert query.unread_count(desk) == 1  # Bruno's expert message still waits
    assert not query.is_empty(desk)
    assert desk.version == 34


def test_bruno_elected_and_a_fourth_chat_waiting() -> None:
    """Bruno gets the focus (expert message read); David arrives and his first message waits."""
    desk = desk_after("fourth-arrives")
    assert desk.focused_id == BRUNO
    assert ids(query.open_conversations(desk)) == [BRUNO, DAVID]
    assert query.unread_count(desk, BRUNO) == 0
    assert query.unread_count(desk, DAVID) == 1
    assert query.unread_count(desk) == 1
    assert [m.participant for m in query.messages(desk, BRUNO)] == [
        "Visitor",
        "Visitor",
        "Professional",
        "Visitor",
        "Expert",
    ]
    assert desk.version == 38


def test_a_refresh_changes_nothing_but_the_version() -> None:
    """ADDED again for the open chats (a page refresh) leaves the desk as it was, bar version."""
    before = desk_after("fourth-arrives")
    desk = before
    for event in CHAPTERS["refresh"]:
        desk, anomalies = step(desk, event)
        assert anomalies == ()
    assert desk.version == 40
    assert desk.conversations is before.conversations
    assert desk.order is before.order
    assert desk.closed is before.closed
    assert desk.availability is before.availability
    assert desk.focused_id == BRUNO
    assert desk.last_clicked_id == ANNA
    assert ids(query.open_conversations(desk)) == [BRUNO, DAVID]
    assert query.unread_count(desk) == 1
    assert query.visitor(desk, BRUNO) == profile(**BRUNO_AUTHENTICATED)


@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_every_chapter_keeps_the_desk_consistent(chapter: str) -> None:
    """At every chapter end: focus on an open chat, each open id once in order, none both ways."""
    desk = desk_after(chapter)
    assert desk.focused_id is None or desk.focused_id in desk.conversations
    assert sorted(desk.order) == sorted(desk.conversations)
    assert len(set(desk.order)) == len(desk.order)
    assert not set(desk.conversations) & set(desk.closed)
    assert desk.version == len(events_until(chapter))
