"""The questions of SPEC §5 (``deskstate.query``), asked of open, closed and unknown conversations.

The desk below is written as events; every expected answer is written by hand from that story.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import added, availability, focused, message, removed, visitor_updated
from pyrsistent import PMap, pmap, pvector

from deskstate import Conversation, DeskState, Message, query, step


def build(*events: dict[str, Any]) -> DeskState:
    """Reduce ``events`` from the empty desk, checking that none raises an anomaly."""
    state = DeskState()
    for event in events:
        state, anomalies = step(state, event)
        assert anomalies == (), f"setup event {event!r} raised {anomalies!r}"
    return state


def profile(**fields: Any) -> PMap[str, Any]:
    return pmap(fields)


ANN = {"visitorId": "v2", "email": "ann@example.com", "country": "FR", "firstName": "Ann"}
BOB = {"visitorId": "v1", "email": "bob@example.com", "country": "FR", "phoneNumber": None}
CARL = {"visitorId": "v3", "country": "DE", "custom": {"tier": "gold"}}
OLD_ANN = {"visitorId": "v9", "email": "ann@example.com", "country": "FR"}

DESK_EVENTS = (
    availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE_FORCED"), ("VIDEO", "UNAVAILABLE")),
    # c9: an earlier conversation of Ann's, closed with one unread Visitor message.
    added("c9", 9000),
    visitor_updated("c9", **OLD_ANN),
    message("c9", "m90", "Visitor", 9000),
    removed("c9"),
    # Three open conversations, added in the order c2, c1, c3 (not the order of their ids).
    added("c2", 2000),
    visitor_updated("c2", **ANN),
    added("c1", 1000),
    visitor_updated("c1", **BOB),
    added("c3", 3000),
    visitor_updated("c3", **CARL),
    # c5: added and closed at once, no visitor known, no message.
    added("c5", 5000),
    removed("c5"),
    # Messages: c2 gets 2 Visitor + 1 Professional, c1 a Visitor and an Expert one (all unread).
    message("c2", "m21", "Visitor", 2000),
    message("c2", "m22", "Professional", 2000),
    message("c2", "m23", "Visitor", 2000),
    message("c1", "m11", "Visitor", 1000),
    message("c1", "m12", "Expert", 1000),
    # The operator reads c2; a Visitor message arriving while it is focused is read at once.
    focused("c2"),
    message("c2", "m24", "Visitor", 2000),
    message("c3", "m31", "Professional", 3000),
)

C1 = Conversation(
    "c1",
    project_id=1000,
    visitor=profile(**BOB),
    messages=pvector([Message("m11", "Visitor", 1000), Message("m12", "Expert", 1000)]),
    unread=2,
)
C9 = Conversation(
    "c9",
    project_id=9000,
    visitor=profile(**OLD_ANN),
    messages=pvector([Message("m90", "Visitor", 9000)]),
    unread=1,
)
C5 = Conversation("c5", project_id=5000)


@pytest.fixture(name="desk")
def desk_fixture() -> DeskState:
    return build(*DESK_EVENTS)


def test_open_conversations_are_in_desk_order(desk: DeskState) -> None:
    """open_conversations gives a tuple of the open conversations in the order they were added."""
    found = query.open_conversations(desk)
    assert type(found) is tuple
    assert [conversation.id for conversation in found] == ["c2", "c1", "c3"]
    assert found[1] == C1
    assert query.open_conversations(DeskState()) == ()


@pytest.mark.parametrize(
    ("cid", "expected"),
    [
        pytest.param("c1", C1, id="open"),
        pytest.param("c9", C9, id="closed"),
        pytest.param("c5", C5, id="closed-bare"),
        pytest.param("nope", None, id="unknown"),
    ],
)
def test_conversation_finds_open_and_closed_ones(
    desk: DeskState, cid: str, expected: Conversation | None
) -> None:
    """Conversation returns the open or closed record, or None for an id the desk never had."""
    assert query.conversation(desk, cid) == expected


@pytest.mark.parametrize(
    ("cid", "expected"),
    [("c1", True), ("c2", True), ("c3", True), ("c9", False), ("c5", False), ("nope", False)],
)
def test_is_open_only_for_conversations_on_the_desk(
    desk: DeskState, cid: str, expected: bool
) -> None:
    """is_open is True for open conversations, False for closed and unknown ones."""
    assert query.is_open(desk, cid) is expected


def test_focused_is_the_focused_conversation(desk: DeskState) -> None:
    """Focused returns the focused conversation (read, with all its messages)."""
    current = query.focused(desk)
    assert current is not None
    assert current.id == "c2"
    assert current.unread == 0
    assert [m.id for m in current.messages] == ["m21", "m22", "m23", "m24"]


@pytest.mark.parametrize(
    "events",
    [
        pytest.param((), id="empty-desk"),
        pytest.param((added("a"), added("b")), id="nothing-focused-yet"),
        pytest.param((added("a"), focused("a"), removed("a")), id="focused-one-removed"),
    ],
)
def test_focused_and_focused_visitor_are_none_without_focus(events: tuple[dict[str, Any]]) -> None:
    """Without a focused conversation, focused and focused_visitor are None."""
    state = build(*events)
    assert query.focused(state) is None
    assert query.focused_visitor(state) is None


def test_focused_visitor_is_the_focused_conversations_visitor(desk: DeskState) -> None:
    """focused_visitor gives the profile of the visitor of the focused conversation."""
    assert query.focused_visitor(desk) == profile(**ANN)


def test_focused_visitor_is_empty_until_the_visitor_is_known() -> None:
    """A focused conversation whose visitor is not known yet has an empty profile, not None."""
    state = build(added("a"), focused("a"))
    assert query.focused_visitor(state) == profile()
    state = build(added("a"), focused("a"), visitor_updated("a", visitorId="v7"))
    assert query.focused_visitor(state) == profile(visitorId="v7")


@pytest.mark.parametrize(
    ("cid", "expected"),
    [
        pytest.param("c1", BOB, id="open"),
        pytest.param("c3", CARL, id="open-nested"),
        pytest.param("c9", OLD_ANN, id="closed"),
        pytest.param("c5", {}, id="closed-never-known"),
        pytest.param("nope", None, id="unknown"),
    ],
)
def test_visitor_of_a_conversation(
    desk: DeskState, cid: str, expected: dict[str, Any] | None
) -> None:
    """Visitor gives the profile of an open or closed conversation, None for an unknown id."""
    assert query.visitor(desk, cid) == expected


@pytest.mark.parametrize(
    ("cid", "participant", "expected"),
    [
        pytest.param("c2", None, ["m21", "m22", "m23", "m24"], id="open-all"),
        pytest.param("c2", "Visitor", ["m21", "m23", "m24"], id="open-Visitor"),
        pytest.param("c2", "Professional", ["m22"], id="open-Professional"),
        pytest.param("c2", "Expert", [], id="open-none-of-that-type"),
        pytest.param("c1", "Expert", ["m12"], id="open-Expert"),
        pytest.param("c9", None, ["m90"], id="closed-all"),
        pytest.param("c9", "Visitor", ["m90"], id="closed-Visitor"),
        pytest.param("c5", None, [], id="closed-no-message"),
        pytest.param("nope", None, [], id="unknown"),
        pytest.param("nope", "Visitor", [], id="unknown-Visitor"),
    ],
)
def test_messages_in_arrival_order_with_participant_filter(
    desk: DeskState, cid: str, participant: str | None, expected: list[str]
) -> None:
    """Messages gives a conversation's messages (a tuple) in arrival order, of one type if asked."""
    found = query.messages(desk, cid, participant)
    assert type(found) is tuple
    assert [m.id for m in found] == expected
    assert all(isinstance(m, Message) for m in found)


def test_messages_carry_participant_and_project(desk: DeskState) -> None:
    """Each message keeps its id, participant type and project."""
    assert query.messages(desk, "c1") == (
        Message("m11", "Visitor", 1000),
        Message("m12", "Expert", 1000),
    )


@pytest.mark.parametrize(
    ("cid", "participant", "expected"),
    [
        pytest.param("c2", None, 4, id="open-all"),
        pytest.param("c2", "Visitor", 3, id="open-Visitor"),
        pytest.param("c2", "Professional", 1, id="open-Professional"),
        pytest.param("c2", "Expert", 0, id="open-Expert-none"),
        pytest.param("c1", "Expert", 1, id="open-Expert"),
        pytest.param("c3", None, 1, id="open-one"),
        pytest.param("c2", "Chatbot", 0, id="open-unknown-type"),
        pytest.param("c9", None, 1, id="closed"),
        pytest.param("c9", "Professional", 0, id="closed-Professional"),
        pytest.param("c5", None, 0, id="closed-no-message"),
        pytest.param("nope", None, 0, id="unknown"),
        pytest.param("nope", "Visitor", 0, id="unknown-Visitor"),
    ],
)
def test_message_count_with_and_without_participant(
    desk: DeskState, cid: str, participant: str | None, expected: int
) -> None:
    """message_count counts a conversation's messages, or those of one participant type."""
    assert query.message_count(desk, cid, participant) == expected


@pytest.mark.parametrize(
    ("cid", "expected"),
    [
        pytest.param("c1", 2, id="open-unfocused"),
        pytest.param("c2", 0, id="open-focused"),
        pytest.param("c3", 0, id="open-only-Professional"),
        pytest.param("c9", 1, id="closed-kept"),
        pytest.param("c5", 0, id="closed-none"),
        pytest.param("nope", 0, id="unknown"),
    ],
)
def test_unread_count_of_one_conversation(desk: DeskState, cid: str, expected: int) -> None:
    """unread_count(cid) is that conversation's unread (kept on closed records), 0 if unknown."""
    assert query.unread_count(desk, cid) == expected


def test_unread_count_total_is_over_open_conversations_only(desk: DeskState) -> None:
    """unread_count() sums the open conversations' unread; closed c9's 1 unread is not in it."""
    assert query.unread_count(desk) == 2
    assert query.unread_count(DeskState()) == 0


def test_unread_count_total_follows_closing_and_reopening(desk: DeskState) -> None:
    """Closing a conversation takes its unread out of the total; reopening it brings it back."""
    state, _ = step(desk, removed("c1"))
    assert query.unread_count(state) == 0
    assert query.unread_count(state, "c1") == 2
    state, _ = step(state, added("c1", 1000))
    assert query.unread_count(state) == 2
    state, _ = step(state, added("c9", 9000))
    assert query.unread_count(state) == 3


@pytest.mark.parametrize(
    ("channel", "status", "accepts"),
    [
        pytest.param("CHAT", "AVAILABLE", True, id="CHAT-available"),
        pytest.param("CALL", "UNAVAILABLE_FORCED", False, id="CALL-forced"),
        pytest.param("VIDEO", "UNAVAILABLE", False, id="VIDEO-unavailable"),
        pytest.param("THIRD_PARTY", None, False, id="THIRD_PARTY-never-reported"),
        pytest.param("FAX", None, False, id="unknown-channel"),
    ],
)
def test_availability_and_can_accept(
    desk: DeskState, channel: str, status: str | None, accepts: bool
) -> None:
    """Availability gives the reported status (None if never); can_accept only for AVAILABLE."""
    assert query.availability(desk, channel) == status
    assert query.can_accept(desk, channel) is accepts


@pytest.mark.parametrize(
    ("status", "accepts"),
    [("AVAILABLE", True), ("available", False), ("BUSY", False), ("UNAVAILABLE_FORCED", False)],
)
def test_can_accept_is_true_only_for_exactly_available(status: str, accepts: bool) -> None:
    """can_accept compares the status exactly with AVAILABLE, whatever else the desk reported."""
    state, _ = step(DeskState(), availability(("CHAT", status)))
    assert query.availability(state, "CHAT") == status
    assert query.can_accept(state, "CHAT") is accepts


def test_can_accept_follows_the_last_report() -> None:
    """A channel missing from the last report is no longer accepted (the map is replaced)."""
    state = build(
        availability(("CHAT", "AVAILABLE"), ("CALL", "AVAILABLE")),
        availability(("CHAT", "AVAILABLE")),
    )
    assert query.can_accept(state, "CHAT") is True
    assert query.can_accept(state, "CALL") is False
    assert query.availability(state, "CALL") is None


@pytest.mark.parametrize(
    ("events", "empty"),
    [
        pytest.param((), True, id="empty-desk"),
        pytest.param((availability(("CHAT", "AVAILABLE")),), True, id="only-availability"),
        pytest.param((added("a"),), False, id="one-open"),
        pytest.param((added("a"), removed("a")), True, id="only-closed"),
        pytest.param((added("a"), added("b"), removed("a")), False, id="one-left"),
    ],
)
def test_is_empty_when_no_conversation_is_open(
    events: tuple[dict[str, Any], ...], empty: bool
) -> None:
    """is_empty is True exactly when no conversation is open (closed ones do not count)."""
    assert query.is_empty(build(*events)) is empty


def test_is_empty_is_false_for_the_sample_desk(desk: DeskState) -> None:
    """The sample desk has three open conversations: it is not empty."""
    assert query.is_empty(desk) is False


def test_closed_conversations_are_sorted_by_id(desk: DeskState) -> None:
    """closed_conversations gives the closed records sorted by id, not in closing order."""
    found = query.closed_conversations(desk)
    assert type(found) is tuple
    assert found == (C5, C9)
    assert query.closed_conversations(DeskState()) == ()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        pytest.param("email", "ann@example.com", ["c2"], id="closed-one-excluded"),
        pytest.param("country", "FR", ["c2", "c1"], id="desk-order"),
        pytest.param("country", "DE", ["c3"], id="one"),
        pytest.param("phoneNumber", None, ["c1"], id="null-only-where-present"),
        pytest.param("custom", {"tier": "gold"}, ["c3"], id="nested-object"),
        pytest.param("country", "ES", [], id="no-match"),
        pytest.param("lastName", "Smith", [], id="field-nowhere"),
        pytest.param("visitorId", "v9", [], id="only-closed-match"),
    ],
)
def test_find_by_visitor_finds_open_conversations_in_desk_order(
    desk: DeskState, field: str, value: object, expected: list[str]
) -> None:
    """find_by_visitor: the open conversations, in desk order, whose visitor has field == value."""
    found = query.find_by_visitor(desk, field, value)
    assert type(found) is tuple
    assert [conversation.id for conversation in found] == expected
