"""The reduction rules of SPEC §4: every cell of the table, and every rule around it.

Expected snapshots are written by hand from the SPEC (and from the documented decisions where the
SPEC is silent), never produced by the code under test. Identity (``is``) is checked wherever the
SPEC says a sub-structure an event does not change must stay the very same object (§3).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

import attrs
import pytest
from helpers import (
    PREFIX,
    added,
    availability,
    clicked,
    focus_lost,
    focused,
    fold,
    message,
    removed,
    visitor_updated,
)
from pyrsistent import PMap, pmap, pvector

from deskstate import (
    Anomaly,
    Conversation,
    ConversationAdded,
    DeskState,
    DeskStateError,
    Event,
    InvalidEvent,
    Message,
    ProtocolError,
    Step,
    UnknownEvent,
    parse_event,
    query,
    reduce,
    step,
)

Raw = dict[str, Any]
Kinds = list[tuple[str, str | None]]

# --- builders ------------------------------------------------------------------------------------


def t(minute: int) -> datetime:
    """The instant ``minute`` minutes past 09:00 UTC on the day of the test session."""
    return datetime(2026, 11, 24, 9, minute, tzinfo=UTC)


def at(minute: int, raw: Mapping[str, Any]) -> Event:
    """``raw`` parsed as an event the desk sent at ``t(minute)``."""
    return parse_event(raw, ts=t(minute))


def profile(**fields: Any) -> PMap[str, Any]:
    return pmap(fields)


def kinds(anomalies: Iterable[Anomaly]) -> Kinds:
    return [(anomaly.kind, anomaly.conversation_id) for anomaly in anomalies]


def desk(
    *open_conversations: Conversation,
    closed: Sequence[Conversation] = (),
    focus: str | None = None,
    statuses: Mapping[str, str] | None = None,
    last_clicked: str | None = None,
    version: int = 0,
    clock: datetime | None = None,
) -> DeskState:
    """A snapshot written out by hand: open conversations in desk order, then the rest."""
    return DeskState(
        conversations=pmap({conversation.id: conversation for conversation in open_conversations}),
        order=pvector(conversation.id for conversation in open_conversations),
        focused_id=focus,
        availability=pmap(dict(statuses or {})),
        closed=pmap({conversation.id: conversation for conversation in closed}),
        last_clicked_id=last_clicked,
        version=version,
        clock=clock,
    )


def build(events: Iterable[Mapping[str, Any] | Event], start: DeskState | None = None) -> DeskState:
    """Reduce ``events`` in turn, checking that none of them raises an anomaly."""
    state = start if start is not None else DeskState()
    for event in events:
        state, anomalies = step(state, event)
        assert anomalies == (), f"setup event {event!r} raised {anomalies!r}"
    return state


def assert_desk(actual: DeskState, expected: DeskState) -> None:
    """``actual`` equals ``expected``, and the O(1) counters agree with the expected content."""
    assert actual == expected
    assert query.unread_count(actual) == sum(c.unread for c in expected.conversations.values())
    for conversation in (*expected.conversations.values(), *expected.closed.values()):
        counts = Counter(m.participant for m in conversation.messages)
        for participant in {"Visitor", "Professional", "Expert", *counts}:
            assert query.message_count(actual, conversation.id, participant) == counts[participant]
        assert query.message_count(actual, conversation.id) == len(conversation.messages)


# --- the two desks the cells start from ----------------------------------------------------------

STATUSES = {"CHAT": "AVAILABLE", "CALL": "UNAVAILABLE"}

# c1: announced, visitor known, one unread Visitor message, clicked once; c2: clicked, focused.
OPEN_EVENTS: tuple[Event, ...] = (
    at(0, availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE"))),
    at(1, added("c1", 1234)),
    at(2, added("c2", 5678)),
    at(3, visitor_updated("c1", visitorId="v1")),
    at(4, message("c1", "m1", "Visitor", 1234)),
    at(5, clicked("c1")),
    at(6, clicked("c2")),
    at(7, focused("c2")),
)
M1 = Message("m1", "Visitor", 1234, t(4))
C1 = Conversation(
    "c1",
    project_id=1234,
    visitor=profile(visitorId="v1"),
    messages=pvector([M1]),
    unread=1,
    state_box_clicks=1,
    added_at=t(1),
)
C2 = Conversation("c2", project_id=5678, state_box_clicks=1, added_at=t(2))
OPEN_DESK = desk(C1, C2, focus="c2", statuses=STATUSES, last_clicked="c2", version=8, clock=t(7))

# The same desk after c1 left it (its unread Visitor message kept on the closed record).
CLOSED_EVENTS: tuple[Event, ...] = (*OPEN_EVENTS, at(8, removed("c1")))
C1_CLOSED = attrs.evolve(C1, removed_at=t(8))
CLOSED_DESK = desk(
    C2, closed=[C1_CLOSED], focus="c2", statuses=STATUSES, last_clicked="c2", version=9, clock=t(8)
)


def open_after(
    *conversations: Conversation,
    closed: Sequence[Conversation] = (),
    focus: str | None = "c2",
    last_clicked: str | None = "c2",
) -> DeskState:
    """The open-desk snapshot after one more event, sent at ``t(10)``."""
    return desk(
        *conversations,
        closed=closed,
        focus=focus,
        statuses=STATUSES,
        last_clicked=last_clicked,
        version=9,
        clock=t(10),
    )


def closed_after(
    *conversations: Conversation,
    closed: Sequence[Conversation] = (),
    focus: str | None = "c2",
    last_clicked: str | None = "c2",
) -> DeskState:
    """The closed-desk snapshot after one more event, sent at ``t(10)``."""
    return desk(
        *conversations,
        closed=closed,
        focus=focus,
        statuses=STATUSES,
        last_clicked=last_clicked,
        version=10,
        clock=t(10),
    )


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param(OPEN_EVENTS, OPEN_DESK, id="open-desk"),
        pytest.param(CLOSED_EVENTS, CLOSED_DESK, id="closed-desk"),
    ],
)
def test_the_starting_desks_are_what_the_cells_assume(
    events: tuple[Event, ...], expected: DeskState
) -> None:
    """The desks the cell tests start from are reached without anomaly and are as written."""
    assert_desk(build(events), expected)


# --- SPEC §4, column "open conversation" ---------------------------------------------------------

OPEN_CELLS = [
    pytest.param(added("c1", 9999), open_after(C1, C2), [], id="ADDED-no-change"),
    pytest.param(
        focused("c1"),
        open_after(attrs.evolve(C1, unread=0), C2, focus="c1"),
        [],
        id="FOCUSED-moves-focus-and-reads",
    ),
    pytest.param(
        focus_lost("c2"), open_after(C1, C2, focus=None), [], id="FOCUS_LOST-of-the-focused"
    ),
    pytest.param(focus_lost("c1"), open_after(C1, C2), [], id="FOCUS_LOST-of-another-one"),
    pytest.param(
        clicked("c1"),
        open_after(attrs.evolve(C1, state_box_clicks=2), C2, last_clicked="c1"),
        [],
        id="STATE_BOX_CLICKED-counts",
    ),
    pytest.param(
        removed("c1"),
        open_after(C2, closed=[attrs.evolve(C1, removed_at=t(10))]),
        [],
        id="REMOVED-closes-it",
    ),
    pytest.param(
        removed("c2"),
        open_after(C1, closed=[attrs.evolve(C2, removed_at=t(10))], focus=None),
        [],
        id="REMOVED-of-the-focused-clears-focus",
    ),
    pytest.param(
        visitor_updated("c1", firstName="Ada", email="ada@example.com"),
        open_after(attrs.evolve(C1, visitor=profile(firstName="Ada", email="ada@example.com")), C2),
        [],
        id="VISITOR_UPDATED-replaces-the-visitor",
    ),
    pytest.param(
        message("c1", "m2", "Visitor", 1234),
        open_after(
            attrs.evolve(
                C1, messages=pvector([M1, Message("m2", "Visitor", 1234, t(10))]), unread=2
            ),
            C2,
        ),
        [],
        id="MESSAGE_ADDED-appends",
    ),
    pytest.param(
        message("c1", "m1", "Professional", 1234),
        open_after(C1, C2),
        [("duplicate-message", "c1")],
        id="MESSAGE_ADDED-duplicate-ignored",
    ),
]


@pytest.mark.parametrize(("event", "expected", "anomalies"), OPEN_CELLS)
def test_an_event_on_an_open_conversation_has_the_effect_of_its_cell(
    event: Raw, expected: DeskState, anomalies: Kinds
) -> None:
    """Each event kind applied to an open conversation does what column "open" of §4 says."""
    result = step(build(OPEN_EVENTS), at(10, event))
    assert_desk(result.state, expected)
    assert kinds(result.anomalies) == anomalies


# --- SPEC §4, column "closed conversation" -------------------------------------------------------

CLOSED_CELLS = [
    pytest.param(
        added("c1", 4321),
        closed_after(C2, attrs.evolve(C1, project_id=4321, added_at=t(10), removed_at=None)),
        [],
        id="ADDED-reopens-at-the-end",
    ),
    pytest.param(
        focused("c1"),
        closed_after(C2, attrs.evolve(C1, unread=0, added_at=t(10), removed_at=None), focus="c1"),
        [("closed-conversation", "c1")],
        id="FOCUSED-reopens-and-focuses",
    ),
    pytest.param(
        focus_lost("c1"), closed_after(C2, closed=[C1_CLOSED]), [], id="FOCUS_LOST-nothing"
    ),
    pytest.param(
        clicked("c1"),
        closed_after(C2, closed=[attrs.evolve(C1_CLOSED, state_box_clicks=2)], last_clicked="c1"),
        [("closed-conversation", "c1")],
        id="STATE_BOX_CLICKED-counted-on-the-record",
    ),
    pytest.param(
        removed("c1"),
        closed_after(C2, closed=[C1_CLOSED]),
        [("closed-conversation", "c1")],
        id="REMOVED-nothing",
    ),
    pytest.param(
        visitor_updated("c1", visitorId="v1", firstName="Ada"),
        closed_after(
            C2, closed=[attrs.evolve(C1_CLOSED, visitor=profile(visitorId="v1", firstName="Ada"))]
        ),
        [("closed-conversation", "c1")],
        id="VISITOR_UPDATED-replaced-on-the-record",
    ),
    pytest.param(
        message("c1", "m2", "Visitor", 1234),
        closed_after(
            C2,
            closed=[
                attrs.evolve(
                    C1_CLOSED,
                    messages=pvector([M1, Message("m2", "Visitor", 1234, t(10))]),
                    unread=2,
                )
            ],
        ),
        [("closed-conversation", "c1")],
        id="MESSAGE_ADDED-appended-to-the-record",
    ),
]


@pytest.mark.parametrize(("event", "expected", "anomalies"), CLOSED_CELLS)
def test_an_event_on_a_closed_conversation_has_the_effect_of_its_cell(
    event: Raw, expected: DeskState, anomalies: Kinds
) -> None:
    """Each event kind applied to a closed conversation does what column "closed" of §4 says."""
    result = step(build(CLOSED_EVENTS), at(10, event))
    assert_desk(result.state, expected)
    assert kinds(result.anomalies) == anomalies


# --- SPEC §4, column "unknown conversation" ------------------------------------------------------

UNKNOWN_CELLS = [
    pytest.param(
        added("c9", 7777),
        open_after(C1, C2, Conversation("c9", project_id=7777, added_at=t(10))),
        [],
        id="ADDED-opens-at-the-end",
    ),
    pytest.param(
        focused("c9"),
        open_after(C1, C2, Conversation("c9", implicit=True, added_at=t(10)), focus="c9"),
        [("unknown-conversation", "c9")],
        id="FOCUSED-opens-implicitly-and-focuses",
    ),
    pytest.param(
        focus_lost("c9"),
        open_after(C1, C2),
        [("unknown-conversation", "c9")],
        id="FOCUS_LOST-nothing",
    ),
    pytest.param(
        clicked("c9"),
        open_after(
            C1,
            C2,
            Conversation("c9", state_box_clicks=1, implicit=True, added_at=t(10)),
            last_clicked="c9",
        ),
        [("unknown-conversation", "c9")],
        id="STATE_BOX_CLICKED-opens-implicitly-and-counts",
    ),
    pytest.param(
        removed("c9"), open_after(C1, C2), [("unknown-conversation", "c9")], id="REMOVED-nothing"
    ),
    pytest.param(
        visitor_updated("c9", visitorId="v9"),
        open_after(
            C1,
            C2,
            Conversation("c9", visitor=profile(visitorId="v9"), implicit=True, added_at=t(10)),
        ),
        [("unknown-conversation", "c9")],
        id="VISITOR_UPDATED-opens-implicitly-with-the-visitor",
    ),
    pytest.param(
        message("c9", "m9", "Visitor", 4242),
        open_after(
            C1,
            C2,
            Conversation(
                "c9",
                project_id=4242,
                messages=pvector([Message("m9", "Visitor", 4242, t(10))]),
                unread=1,
                implicit=True,
                added_at=t(10),
            ),
        ),
        [("unknown-conversation", "c9")],
        id="MESSAGE_ADDED-opens-implicitly-and-appends",
    ),
]


@pytest.mark.parametrize(("event", "expected", "anomalies"), UNKNOWN_CELLS)
def test_an_event_on_an_unknown_conversation_has_the_effect_of_its_cell(
    event: Raw, expected: DeskState, anomalies: Kinds
) -> None:
    """Each event kind naming an unknown conversation does what column "unknown" of §4 says."""
    result = step(build(OPEN_EVENTS), at(10, event))
    assert_desk(result.state, expected)
    assert kinds(result.anomalies) == anomalies


# --- decisions where the SPEC is silent (README "Semantics") -------------------------------------


def test_added_announces_a_conversation_opened_implicitly_and_fills_its_project() -> None:
    """ADDED for an open implicit conversation without project: implicit=False, project set."""
    before = fold(at(1, focused("c9")))
    result = step(before, at(2, added("c9", 1234)))
    assert_desk(
        result.state,
        desk(Conversation("c9", project_id=1234, added_at=t(1)), focus="c9", version=2, clock=t(2)),
    )
    assert result.anomalies == ()


def test_added_announces_a_conversation_opened_implicitly_but_keeps_its_known_project() -> None:
    """ADDED for an open implicit conversation whose project is known: only implicit changes."""
    before = fold(at(1, message("c9", "m9", "Visitor", 4242)))
    result = step(before, at(2, added("c9", 1234)))
    expected = Conversation(
        "c9",
        project_id=4242,
        messages=pvector([Message("m9", "Visitor", 4242, t(1))]),
        unread=1,
        added_at=t(1),
    )
    assert_desk(result.state, desk(expected, version=2, clock=t(2)))
    assert result.anomalies == ()


def test_added_reopens_a_closed_implicit_conversation_as_announced() -> None:
    """ADDED of a closed conversation that had been opened implicitly reopens it not implicit."""
    before = fold(at(1, message("c9", "m9", "Visitor", 4242)), at(2, removed("c9")))
    result = step(before, at(3, added("c9", 1234)))
    expected = Conversation(
        "c9",
        project_id=1234,
        messages=pvector([Message("m9", "Visitor", 4242, t(1))]),
        unread=1,
        implicit=False,
        added_at=t(3),
        removed_at=None,
    )
    assert_desk(result.state, desk(expected, version=3, clock=t(3)))
    assert result.anomalies == ()


def test_focused_reopens_a_closed_conversation_keeping_its_project_and_implicit_flag() -> None:
    """FOCUSED of a closed implicit conversation reopens it still implicit, read, and focused."""
    before = fold(at(1, message("c9", "m9", "Visitor", 4242)), at(2, removed("c9")))
    result = step(before, at(3, focused("c9")))
    expected = Conversation(
        "c9",
        project_id=4242,
        messages=pvector([Message("m9", "Visitor", 4242, t(1))]),
        unread=0,
        implicit=True,
        added_at=t(3),
        removed_at=None,
    )
    assert_desk(result.state, desk(expected, focus="c9", version=3, clock=t(3)))
    assert kinds(result.anomalies) == [("closed-conversation", "c9")]


def test_a_reopened_conversation_goes_to_the_end_of_the_desk_order() -> None:
    """A closed conversation reopened by ADDED is placed after every conversation still open."""
    state = build([added("a"), added("b"), added("c"), removed("a"), added("a")])
    assert list(state.order) == ["b", "c", "a"]
    assert state.closed == pmap()


def test_a_message_fills_the_project_of_a_conversation_that_had_none() -> None:
    """MESSAGE_ADDED sets the project of a conversation opened without one (by FOCUSED)."""
    before = fold(at(1, focused("c9")))
    result = step(before, at(2, message("c9", "m1", "Visitor", 4242)))
    expected = Conversation(
        "c9",
        project_id=4242,
        messages=pvector([Message("m1", "Visitor", 4242, t(2))]),
        unread=0,
        implicit=True,
        added_at=t(1),
    )
    assert_desk(result.state, desk(expected, focus="c9", version=2, clock=t(2)))
    assert result.anomalies == ()


def test_a_message_does_not_overwrite_a_known_project() -> None:
    """A message naming another project keeps the conversation's project; the message keeps its."""
    result = step(build(OPEN_EVENTS), at(10, message("c1", "m2", "Professional", 9999)))
    expected = attrs.evolve(C1, messages=pvector([M1, Message("m2", "Professional", 9999, t(10))]))
    assert_desk(result.state, open_after(expected, C2))
    assert result.anomalies == ()


@pytest.mark.parametrize(
    ("participant", "unread"),
    [("Visitor", 2), ("Expert", 2), ("Professional", 1)],
)
def test_a_waiting_message_on_a_closed_conversation_counts_as_unread(
    participant: str, unread: int
) -> None:
    """Visitor and Expert messages appended to a closed record add 1 to its unread; others not."""
    result = step(build(CLOSED_EVENTS), at(10, message("c1", "m2", participant, 1234)))
    expected = attrs.evolve(
        C1_CLOSED, messages=pvector([M1, Message("m2", participant, 1234, t(10))]), unread=unread
    )
    assert_desk(result.state, closed_after(C2, closed=[expected]))
    assert query.unread_count(result.state) == 0  # closed records are not in the desk's total
    assert kinds(result.anomalies) == [("closed-conversation", "c1")]


def test_a_duplicate_message_on_a_closed_conversation_raises_both_anomalies_in_order() -> None:
    """A repeated message id on a closed record: closed-conversation, then duplicate-message."""
    result = step(build(CLOSED_EVENTS), at(10, message("c1", "m1", "Visitor", 1234)))
    assert_desk(result.state, closed_after(C2, closed=[C1_CLOSED]))
    assert kinds(result.anomalies) == [
        ("closed-conversation", "c1"),
        ("duplicate-message", "c1"),
    ]


@pytest.mark.parametrize(
    ("events", "cid", "anomalies"),
    [
        pytest.param(OPEN_EVENTS, "c1", [("unknown-value", "c1")], id="open"),
        pytest.param(
            CLOSED_EVENTS,
            "c1",
            [("closed-conversation", "c1"), ("unknown-value", "c1")],
            id="closed",
        ),
        pytest.param(
            OPEN_EVENTS,
            "c9",
            [("unknown-conversation", "c9"), ("unknown-value", "c9")],
            id="unknown",
        ),
    ],
)
def test_an_unknown_participant_is_reported_after_the_conversation_anomaly(
    events: tuple[Event, ...], cid: str, anomalies: Kinds
) -> None:
    """unknown-value for a participant type comes after unknown-/closed-conversation."""
    result = step(build(events), at(10, message(cid, "m-bot", "Chatbot", 1234)))
    assert kinds(result.anomalies) == anomalies
    # Applied as given: the message is there, under its participant type.
    assert [m.participant for m in query.messages(result.state, cid) if m.id == "m-bot"] == [
        "Chatbot"
    ]


def test_an_unknown_participant_is_applied_as_given_without_adding_unread() -> None:
    """A message of an unknown participant type is appended as given; only Visitor/Expert wait."""
    result = step(build(OPEN_EVENTS), at(10, message("c1", "m2", "Chatbot", 1234)))
    expected = attrs.evolve(C1, messages=pvector([M1, Message("m2", "Chatbot", 1234, t(10))]))
    assert_desk(result.state, open_after(expected, C2))
    assert query.message_count(result.state, "c1", "Chatbot") == 1
    assert kinds(result.anomalies) == [("unknown-value", "c1")]


def test_a_state_box_click_on_a_closed_conversation_is_the_last_click() -> None:
    """STATE_BOX_CLICKED on a closed conversation sets last_clicked_id to it."""
    state = reduce(build(CLOSED_EVENTS), clicked("c1"))
    assert state.last_clicked_id == "c1"


def test_removed_stamps_the_record_and_keeps_its_unread() -> None:
    """REMOVED sets removed_at to the event's time and keeps unread on the closed record."""
    state = reduce(build(OPEN_EVENTS), at(9, removed("c1")))
    record = state.closed["c1"]
    assert record.removed_at == t(9)
    assert record.unread == 1
    assert query.unread_count(state) == 0


# --- AVAILABILITY_UPDATED ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param([("VIDEO", "AVAILABLE")], {"VIDEO": "AVAILABLE"}, id="other-channel"),
        pytest.param(
            [("CHAT", "UNAVAILABLE"), ("THIRD_PARTY", "AVAILABLE")],
            {"CHAT": "UNAVAILABLE", "THIRD_PARTY": "AVAILABLE"},
            id="one-kept-one-new",
        ),
        pytest.param([], {}, id="empty-list"),
    ],
)
def test_availability_updated_replaces_the_whole_map(
    entries: list[tuple[str, str]], expected: dict[str, str]
) -> None:
    """Channels missing from the event's list are gone: the map is replaced, not merged."""
    before = build(OPEN_EVENTS)
    result = step(before, at(10, availability(*entries)))
    assert_desk(
        result.state, attrs.evolve(OPEN_DESK, availability=pmap(expected), version=9, clock=t(10))
    )
    assert result.anomalies == ()
    assert result.state.conversations is before.conversations


@pytest.mark.parametrize(
    ("entries", "expected", "duplicates"),
    [
        pytest.param(
            [("CHAT", "AVAILABLE"), ("CHAT", "UNAVAILABLE")],
            {"CHAT": "UNAVAILABLE"},
            1,
            id="twice",
        ),
        pytest.param(
            [
                ("CHAT", "AVAILABLE"),
                ("CALL", "UNAVAILABLE"),
                ("CHAT", "UNAVAILABLE_FORCED"),
                ("CHAT", "UNAVAILABLE"),
            ],
            {"CHAT": "UNAVAILABLE", "CALL": "UNAVAILABLE"},
            2,
            id="three-times",
        ),
        pytest.param(
            [
                ("CHAT", "AVAILABLE"),
                ("CALL", "AVAILABLE"),
                ("CHAT", "AVAILABLE"),
                ("CALL", "UNAVAILABLE"),
            ],
            {"CHAT": "AVAILABLE", "CALL": "UNAVAILABLE"},
            2,
            id="two-channels-twice",
        ),
    ],
)
def test_a_channel_listed_twice_takes_its_last_entry(
    entries: list[tuple[str, str]], expected: dict[str, str], duplicates: int
) -> None:
    """The last entry of a repeated channel wins, with one duplicate-channel per repeat."""
    result = step(DeskState(), availability(*entries))
    assert result.state.availability == expected
    assert kinds(result.anomalies) == [("duplicate-channel", None)] * duplicates


@pytest.mark.parametrize(
    ("entries", "expected", "unknown"),
    [
        pytest.param([("FAX", "AVAILABLE")], {"FAX": "AVAILABLE"}, 1, id="channel"),
        pytest.param([("CHAT", "BUSY")], {"CHAT": "BUSY"}, 1, id="status"),
        pytest.param([("FAX", "BUSY")], {"FAX": "BUSY"}, 1, id="both-in-one-entry"),
        pytest.param(
            [("FAX", "AVAILABLE"), ("CHAT", "BUSY"), ("CALL", "AVAILABLE")],
            {"FAX": "AVAILABLE", "CHAT": "BUSY", "CALL": "AVAILABLE"},
            2,
            id="two-offending-entries",
        ),
        pytest.param([("chat", "available")], {"chat": "available"}, 1, id="case-matters"),
    ],
)
def test_unknown_channels_and_statuses_are_applied_as_given(
    entries: list[tuple[str, str]], expected: dict[str, str], unknown: int
) -> None:
    """Unknown channels/statuses are kept as given, with one unknown-value per offending entry."""
    result = step(DeskState(), availability(*entries))
    assert result.state.availability == expected
    assert kinds(result.anomalies) == [("unknown-value", None)] * unknown


def test_a_repeated_unknown_channel_raises_both_kinds() -> None:
    """An unknown channel listed twice: unknown-value for each entry and one duplicate-channel."""
    result = step(DeskState(), availability(("FAX", "AVAILABLE"), ("FAX", "UNAVAILABLE")))
    assert result.state.availability == {"FAX": "UNAVAILABLE"}
    assert sorted(kinds(result.anomalies), key=str) == sorted(
        [("unknown-value", None), ("unknown-value", None), ("duplicate-channel", None)], key=str
    )


# --- unknown events, version, clock --------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"event": PREFIX + "CONVERSATION_ARCHIVED", "conversationId": "c1"}, id="new"),
        pytest.param({"event": "com.example.PING", "n": 1}, id="foreign-prefix"),
        pytest.param({"event": "CONVERSATION_FOCUSED", "conversationId": "c1"}, id="no-prefix"),
    ],
)
def test_an_unknown_event_changes_nothing_but_version(raw: Raw) -> None:
    """An UnknownEvent leaves every member identical except version, and raises unknown-event."""
    before = build(OPEN_EVENTS)
    event = parse_event(raw)
    assert isinstance(event, UnknownEvent)
    result = step(before, event)
    assert_desk(result.state, attrs.evolve(OPEN_DESK, version=9))
    assert kinds(result.anomalies) == [("unknown-event", None)]
    for member in ("conversations", "order", "availability", "closed"):
        assert getattr(result.state, member) is getattr(before, member)


def test_an_unknown_event_does_not_move_the_clock() -> None:
    """An UnknownEvent changes nothing but version: a timestamp in its envelope leaves clock be."""
    state = fold(at(1, added("c1")))
    after = reduce(state, at(9, {"event": PREFIX + "SOMETHING_NEW"}))
    assert after.clock == t(1)
    assert after.version == 2


def test_an_instance_of_a_subclass_of_an_event_is_reduced_like_its_base() -> None:
    """A user's subclass of an event class goes to its base class's handler."""

    class TaggedAdded(ConversationAdded):
        pass

    state = reduce(DeskState(), TaggedAdded("c1", 7))
    assert list(state.order) == ["c1"]
    assert state.conversations["c1"].project_id == 7


VERSION_CASES = [
    pytest.param(added("c1"), id="ADDED-refresh"),
    pytest.param(added("c9"), id="ADDED-new"),
    pytest.param(focused("c2"), id="FOCUSED-already-focused"),
    pytest.param(focused("c1"), id="FOCUSED-other"),
    pytest.param(focused("c9"), id="FOCUSED-unknown"),
    pytest.param(focus_lost("c1"), id="FOCUS_LOST-not-focused"),
    pytest.param(focus_lost("c9"), id="FOCUS_LOST-unknown"),
    pytest.param(clicked("c2"), id="STATE_BOX_CLICKED"),
    pytest.param(removed("c1"), id="REMOVED"),
    pytest.param(removed("c9"), id="REMOVED-unknown"),
    pytest.param(visitor_updated("c1", visitorId="v1"), id="VISITOR_UPDATED-same"),
    pytest.param(message("c1", "m1"), id="MESSAGE_ADDED-duplicate"),
    pytest.param(message("c2", "m2", "Expert"), id="MESSAGE_ADDED"),
    pytest.param(availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE")), id="AVAIL-same"),
    pytest.param(availability(("CHAT", "X"), ("CHAT", "Y")), id="AVAIL-anomalous"),
    pytest.param({"event": PREFIX + "SOMETHING_NEW"}, id="unknown-event"),
]


@pytest.mark.parametrize("raw", VERSION_CASES)
def test_every_event_adds_exactly_one_to_version(raw: Raw) -> None:
    """Every reduced event increments version by one, whether it changes anything or not."""
    before = build(OPEN_EVENTS)
    assert step(before, raw).state.version == 9
    assert reduce(before, raw).version == 9


def test_version_counts_every_event_of_a_stream() -> None:
    """After n events from the empty desk, version is n, anomalous events included."""
    events = [added("a"), focused("a"), focused("a"), focus_lost("z"), removed("a"), removed("a")]
    assert fold(*events).version == 6


def test_clock_is_none_until_an_event_carries_a_timestamp() -> None:
    """Events without a timestamp leave clock at None."""
    state = fold(added("c1"), focused("c1"))
    assert state.clock is None
    assert DeskState().clock is None


def test_clock_is_the_latest_timestamp_seen() -> None:
    """The clock follows the timestamps; an event without one leaves it where it was."""
    state = fold(at(1, added("c1")))
    assert state.clock == t(1)
    state = fold(at(5, focused("c1")), start=state)
    assert state.clock == t(5)
    state = fold(message("c1", "m1"), start=state)
    assert state.clock == t(5)


def test_a_timestamp_going_backwards_is_applied_without_moving_clock_back() -> None:
    """An older timestamp is applied as given (message time, added_at), but clock stays latest."""
    state = fold(at(10, added("c1")), at(7, message("c1", "m1", "Visitor", 1234)))
    assert state.clock == t(10)
    assert list(query.messages(state, "c1")) == [Message("m1", "Visitor", 1234, t(7))]
    assert query.unread_count(state, "c1") == 1
    state = fold(at(6, added("c2")), at(5, removed("c1")), start=state)
    assert state.clock == t(10)
    assert state.conversations["c2"].added_at == t(6)
    assert state.closed["c1"].removed_at == t(5)
    assert state.version == 4


# --- step and reduce, the public face ------------------------------------------------------------


def test_step_returns_a_step_named_tuple_with_a_tuple_of_anomalies() -> None:
    """A step is a Step(state, anomalies) NamedTuple whose anomalies is always a tuple."""
    quiet = step(DeskState(), added("c1"))
    assert type(quiet) is Step
    assert isinstance(quiet, tuple)
    assert Step._fields == ("state", "anomalies")
    state, anomalies = quiet
    assert state is quiet.state
    assert anomalies == ()
    assert type(anomalies) is tuple
    noisy = step(DeskState(), focused("c9"))
    assert type(noisy.anomalies) is tuple
    assert all(isinstance(anomaly, Anomaly) for anomaly in noisy.anomalies)
    assert kinds(noisy.anomalies) == [("unknown-conversation", "c9")]


def test_anomalies_from_step_are_not_placed_in_a_replay() -> None:
    """An anomaly raised by step has index and line None, and a message a person can read."""
    (anomaly,) = step(DeskState(), removed("c9")).anomalies
    assert anomaly.index is None
    assert anomaly.line is None
    assert anomaly.message


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(added("c1", 42), id="ADDED"),
        pytest.param(focused("c1"), id="FOCUSED"),
        pytest.param(visitor_updated("c1", visitorId="v1", tags=["vip"]), id="VISITOR_UPDATED"),
        pytest.param(message("c1", "m1", "Expert", 7), id="MESSAGE_ADDED"),
        pytest.param(availability(("CHAT", "AVAILABLE"), ("CHAT", "BUSY")), id="AVAILABILITY"),
        pytest.param({"event": PREFIX + "LATER", "x": 1}, id="unknown"),
    ],
)
def test_step_parses_a_raw_mapping_first(raw: Raw) -> None:
    """A raw mapping given to step gives what the parsed event gives."""
    start = build([added("c2", 1)])
    assert step(start, raw) == step(start, parse_event(raw))


INVALID_RAWS = [
    pytest.param({"conversationId": "c1"}, id="no-event"),
    pytest.param({"event": 42, "conversationId": "c1"}, id="event-not-a-string"),
    pytest.param(
        {"event": PREFIX + "CONVERSATION_ADDED", "conversationId": "c1", "projectId": "1234"},
        id="project-as-string",
    ),
    pytest.param(
        {"event": PREFIX + "CONVERSATION_ADDED", "conversationId": "c1", "projectId": True},
        id="project-as-bool",
    ),
    pytest.param({"event": PREFIX + "CONVERSATION_FOCUSED"}, id="no-conversation-id"),
    pytest.param(
        {"event": PREFIX + "CONVERSATION_REMOVED", "conversationId": ""}, id="empty-conversation-id"
    ),
    pytest.param(
        {"event": PREFIX + "CONVERSATION_VISITOR_UPDATED", "conversationId": "c1", "visitor": []},
        id="visitor-not-an-object",
    ),
    pytest.param({"event": PREFIX + "AVAILABILITY_UPDATED", "availabilities": {}}, id="avail"),
]


@pytest.mark.parametrize("raw", INVALID_RAWS)
def test_step_and_reduce_raise_invalid_event_for_a_raw_mapping_that_does_not_parse(
    raw: Raw,
) -> None:
    """A raw mapping that does not parse raises InvalidEvent (a ValueError) from step and reduce."""
    start = build(OPEN_EVENTS)
    with pytest.raises(InvalidEvent):
        step(start, raw)
    with pytest.raises(InvalidEvent):
        reduce(start, raw)
    with pytest.raises(ValueError):
        reduce(start, raw, strict=True)


def test_step_raises_invalid_event_for_something_that_is_not_a_mapping() -> None:
    """A record that is not a mapping at all (a JSON string) is refused with InvalidEvent."""
    with pytest.raises(InvalidEvent):
        step(DeskState(), cast(Any, "com.iadvize.desk.CONVERSATION_ADDED"))


@pytest.mark.parametrize(
    ("events", "raw", "kind", "cid"),
    [
        pytest.param(OPEN_EVENTS, focused("c9"), "unknown-conversation", "c9", id="unknown"),
        pytest.param(CLOSED_EVENTS, removed("c1"), "closed-conversation", "c1", id="closed"),
        pytest.param(OPEN_EVENTS, message("c1", "m1"), "duplicate-message", "c1", id="dup-msg"),
        pytest.param(
            OPEN_EVENTS,
            availability(("CHAT", "AVAILABLE"), ("CHAT", "AVAILABLE")),
            "duplicate-channel",
            None,
            id="dup-channel",
        ),
        pytest.param(
            OPEN_EVENTS, availability(("FAX", "AVAILABLE")), "unknown-value", None, id="value"
        ),
        pytest.param(OPEN_EVENTS, {"event": PREFIX + "NEW"}, "unknown-event", None, id="event"),
    ],
)
def test_strict_reduce_raises_protocol_error_carrying_the_anomaly(
    events: tuple[Event, ...], raw: Raw, kind: str, cid: str | None
) -> None:
    """reduce(strict=True) raises ProtocolError with .anomaly; lenient reduce returns the state."""
    before = build(events)
    with pytest.raises(ProtocolError) as raised:
        reduce(before, raw, strict=True)
    assert isinstance(raised.value, DeskStateError)
    assert raised.value.anomaly.kind == kind
    assert raised.value.anomaly.conversation_id == cid
    lenient = reduce(before, raw)
    assert lenient == step(before, raw).state
    assert lenient.version == before.version + 1


def test_lenient_reduce_returns_the_next_state() -> None:
    """Lenient reduce applies the anomalous event as §4 says and returns the snapshot."""
    state = reduce(build(OPEN_EVENTS), at(10, focused("c9")))
    assert_desk(
        state,
        open_after(C1, C2, Conversation("c9", implicit=True, added_at=t(10)), focus="c9"),
    )


def test_strict_reduce_of_a_well_behaved_event_returns_the_state() -> None:
    """reduce(strict=True) of an event without anomaly returns the same snapshot as lenient."""
    before = build(OPEN_EVENTS)
    strict = reduce(before, at(10, focused("c1")), strict=True)
    assert_desk(strict, open_after(attrs.evolve(C1, unread=0), C2, focus="c1"))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            visitor_updated("c1", visitorId="v1", address={"city": "Nantes", "lines": ["1 rue"]}),
            id="VISITOR_UPDATED",
        ),
        pytest.param(availability(("CHAT", "AVAILABLE"), ("CHAT", "BUSY")), id="AVAILABILITY"),
        pytest.param(message("c1", "m2", "Visitor"), id="MESSAGE_ADDED"),
        pytest.param(removed("c2"), id="REMOVED"),
    ],
)
def test_step_never_mutates_its_arguments(raw: Raw) -> None:
    """Neither the raw event nor the snapshot given to step changes (nor their sub-structures)."""
    before = build(OPEN_EVENTS)
    members = {member: getattr(before, member) for member in attrs.fields_dict(DeskState)}
    c1, c2 = before.conversations["c1"], before.conversations["c2"]
    pristine = copy.deepcopy(raw)
    step(before, raw)
    assert raw == pristine
    assert before == OPEN_DESK
    for member, value in members.items():
        assert getattr(before, member) is value
    assert before.conversations["c1"] is c1
    assert before.conversations["c2"] is c2
    assert c1 == C1
    assert c2 == C2


def test_mutating_a_raw_event_after_reducing_it_changes_nothing() -> None:
    """The snapshot keeps its own frozen copy of what it took from a raw event."""
    raw = visitor_updated("c1", visitorId="v1", tags=["vip"])
    state = reduce(build([added("c1")]), raw)
    raw["visitor"]["tags"].append("churn")
    raw["visitor"]["visitorId"] = "v2"
    assert state.conversations["c1"].visitor["visitorId"] == "v1"
    assert list(cast(Any, state.conversations["c1"].visitor["tags"])) == ["vip"]


# --- structural sharing (SPEC §3) ----------------------------------------------------------------

# Availability known, c1 closed, c2 focused (nothing unread), c3 open with one unread message.
BUSY_EVENTS: tuple[Mapping[str, Any] | Event, ...] = (
    *CLOSED_EVENTS,
    added("c3", 9012),
    visitor_updated("c3", visitorId="v3", custom={"tier": "gold", "tags": ["vip", "fr"]}),
    message("c3", "m3", "Visitor", 9012),
)


def assert_shared(after: DeskState, before: DeskState, *members: str) -> None:
    for member in members:
        assert getattr(after, member) is getattr(before, member), f"{member} was rebuilt"


def test_focus_moving_shares_every_other_conversation_and_member() -> None:
    """FOCUSED moves focus; other conversations, order, availability and closed stay identical."""
    before = build(BUSY_EVENTS)
    after = reduce(before, focused("c3"))
    assert after.focused_id == "c3"
    assert after.conversations["c3"].unread == 0
    assert after.conversations["c2"] is before.conversations["c2"]
    assert after.closed["c1"] is before.closed["c1"]
    assert_shared(after, before, "order", "availability", "closed")


def test_focusing_a_conversation_with_nothing_unread_shares_the_conversations() -> None:
    """FOCUSED of an open conversation with no unread message changes only focused_id."""
    before = build([*BUSY_EVENTS, focused("c3"), focused("c2")])
    assert before.focused_id == "c2"
    after = reduce(before, focused("c3"))
    assert after.focused_id == "c3"
    assert_shared(after, before, "conversations", "order", "availability", "closed")


def test_a_message_to_one_conversation_shares_the_others() -> None:
    """MESSAGE_ADDED to c3 leaves c2's Conversation, order, availability and closed identical."""
    before = build(BUSY_EVENTS)
    after = reduce(before, message("c3", "m4", "Visitor", 9012))
    assert query.message_count(after, "c3") == 2
    assert after.conversations["c2"] is before.conversations["c2"]
    assert_shared(after, before, "order", "availability", "closed")
    after = reduce(before, message("c2", "m5", "Professional", 5678))
    assert after.conversations["c3"] is before.conversations["c3"]
    assert_shared(after, before, "order", "availability", "closed")


def test_a_message_to_a_closed_conversation_shares_the_open_desk() -> None:
    """MESSAGE_ADDED to a closed record leaves conversations, order and availability identical."""
    before = build(BUSY_EVENTS)
    after = reduce(before, message("c1", "m6", "Visitor", 1234))
    assert query.message_count(after, "c1") == 2
    assert_shared(after, before, "conversations", "order", "availability")


def test_added_for_an_announced_open_conversation_shares_everything() -> None:
    """ADDED of an already open, announced conversation keeps every member identical."""
    before = build(BUSY_EVENTS)
    after = reduce(before, added("c3", 9012))
    assert after == attrs.evolve(before, version=before.version + 1)
    assert_shared(after, before, "conversations", "order", "availability", "closed")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE")), id="same-order"),
        pytest.param(availability(("CALL", "UNAVAILABLE"), ("CHAT", "AVAILABLE")), id="reordered"),
    ],
)
def test_an_availability_equal_to_the_current_one_shares_the_map(raw: Raw) -> None:
    """AVAILABILITY_UPDATED reporting the current statuses leaves availability identical."""
    before = build(BUSY_EVENTS)
    after = reduce(before, raw)
    assert_shared(after, before, "availability", "conversations", "order", "closed")


def test_a_visitor_update_with_an_equal_visitor_shares_the_conversation() -> None:
    """VISITOR_UPDATED with a visitor equal to the known one leaves the Conversation identical."""
    before = build(BUSY_EVENTS)
    after = reduce(
        before,
        visitor_updated("c3", visitorId="v3", custom={"tier": "gold", "tags": ["vip", "fr"]}),
    )
    assert after.conversations["c3"] is before.conversations["c3"]
    assert_shared(after, before, "conversations", "order", "availability", "closed")


def test_a_visitor_update_on_a_closed_record_shares_the_open_desk() -> None:
    """VISITOR_UPDATED on a closed conversation leaves the open conversations identical."""
    before = build(BUSY_EVENTS)
    after = reduce(before, visitor_updated("c1", visitorId="v1", firstName="Ada"))
    assert after.closed["c1"].visitor == {"visitorId": "v1", "firstName": "Ada"}
    assert_shared(after, before, "conversations", "order", "availability")


def test_an_equal_visitor_on_a_closed_record_shares_the_closed_records() -> None:
    """VISITOR_UPDATED with the visitor a closed record already has leaves `closed` identical."""
    before = build(BUSY_EVENTS)
    result = step(before, visitor_updated("c1", visitorId="v1"))
    assert kinds(result.anomalies) == [("closed-conversation", "c1")]
    assert result.state.closed["c1"] is before.closed["c1"]
    assert_shared(result.state, before, "conversations", "order", "availability", "closed")


def test_a_click_shares_the_other_conversations() -> None:
    """STATE_BOX_CLICKED on c3 leaves c2, order, availability and closed identical."""
    before = build(BUSY_EVENTS)
    after = reduce(before, clicked("c3"))
    assert after.conversations["c2"] is before.conversations["c2"]
    assert_shared(after, before, "order", "availability", "closed")


def test_a_removal_shares_the_remaining_conversations_and_closed_records() -> None:
    """REMOVED of c3 leaves c2 and the closed record of c1 identical."""
    before = build(BUSY_EVENTS)
    after = reduce(before, removed("c3"))
    assert after.conversations["c2"] is before.conversations["c2"]
    assert after.closed["c1"] is before.closed["c1"]
    assert_shared(after, before, "availability")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(focus_lost("c3"), id="FOCUS_LOST-not-focused"),
        pytest.param(focus_lost("c1"), id="FOCUS_LOST-closed"),
        pytest.param(focused("c2"), id="FOCUSED-already-focused"),
        pytest.param(removed("c1"), id="REMOVED-closed"),
        pytest.param(message("c3", "m3"), id="MESSAGE_ADDED-duplicate"),
    ],
)
def test_an_event_that_changes_nothing_shares_every_member(raw: Raw) -> None:
    """An event with no effect gives a snapshot equal but for version, sharing every member."""
    before = build(BUSY_EVENTS)
    after = reduce(before, raw)
    assert after == attrs.evolve(before, version=before.version + 1)
    assert_shared(after, before, "conversations", "order", "availability", "closed")


# --- focus and unread ----------------------------------------------------------------------------


def test_a_late_focus_lost_does_not_clear_a_newer_focus() -> None:
    """FOCUSED a, FOCUSED b, then the late FOCUS_LOST a: the focus stays on b."""
    before = build([added("a"), added("b"), focused("a"), focused("b")])
    result = step(before, focus_lost("a"))
    assert result.state.focused_id == "b"
    assert result.anomalies == ()
    assert_shared(result.state, before, "conversations", "order", "availability", "closed")


def test_focus_lost_of_the_focused_conversation_clears_focus() -> None:
    """FOCUS_LOST of the focused conversation leaves the desk without focus, all still open."""
    state = build([added("a"), added("b"), focused("a"), focus_lost("a")])
    assert state.focused_id is None
    assert list(state.order) == ["a", "b"]


@pytest.mark.parametrize(
    "events",
    [
        pytest.param([focus_lost("a"), removed("a")], id="FOCUS_LOST-then-REMOVED"),
        pytest.param([removed("a"), focus_lost("a")], id="REMOVED-then-FOCUS_LOST"),
    ],
)
def test_removing_the_focused_conversation_clears_focus_in_either_order(
    events: list[Raw],
) -> None:
    """REMOVED of the focused conversation clears focus whether FOCUS_LOST came before or after."""
    before = build([added("a", 1), added("b", 2), focused("a")])
    state = build(events, start=before)
    assert_desk(
        state,
        desk(
            Conversation("b", project_id=2),
            closed=[Conversation("a", project_id=1)],
            version=5,
        ),
    )


def test_removing_the_focused_conversation_clears_focus_at_once() -> None:
    """Right after REMOVED of the focused conversation (no FOCUS_LOST yet) nothing is focused."""
    state = build([added("a"), added("b"), focused("a"), removed("a")])
    assert state.focused_id is None


def test_a_duplicate_message_id_is_ignored() -> None:
    """A messageId already in the conversation is ignored, whatever the participant."""
    before = build([added("c1"), message("c1", "m1", "Visitor")])
    result = step(before, message("c1", "m1", "Expert"))
    assert_desk(
        result.state,
        desk(
            Conversation(
                "c1", project_id=1234, messages=pvector([Message("m1", "Visitor", 1234)]), unread=1
            ),
            version=3,
        ),
    )
    assert kinds(result.anomalies) == [("duplicate-message", "c1")]
    assert result.state.conversations is before.conversations


def test_the_same_message_id_in_another_conversation_is_not_a_duplicate() -> None:
    """Message ids are unique within a conversation: the same id elsewhere is appended."""
    before = build([added("c1"), added("c2"), message("c1", "m1", "Visitor")])
    result = step(before, message("c2", "m1", "Visitor"))
    assert result.anomalies == ()
    assert [m.id for m in query.messages(result.state, "c2")] == ["m1"]
    assert query.unread_count(result.state) == 2


@pytest.mark.parametrize(
    ("participant", "target", "unread"),
    [
        pytest.param("Visitor", "c1", 1, id="Visitor-unfocused"),
        pytest.param("Expert", "c1", 1, id="Expert-unfocused"),
        pytest.param("Professional", "c1", 0, id="Professional-unfocused"),
        pytest.param("Visitor", "c2", 0, id="Visitor-focused"),
        pytest.param("Expert", "c2", 0, id="Expert-focused"),
        pytest.param("Professional", "c2", 0, id="Professional-focused"),
    ],
)
def test_only_visitor_and_expert_messages_to_an_unfocused_conversation_add_unread(
    participant: str, target: str, unread: int
) -> None:
    """Visitor/Expert messages add 1 to unread unless focused; Professional ones never do."""
    before = build([added("c1"), added("c2"), focused("c2")])
    state = reduce(before, message(target, "m1", participant))
    assert state.conversations[target].unread == unread
    assert query.unread_count(state) == unread
    assert query.message_count(state, target, participant) == 1


def test_a_waiting_message_without_any_focus_adds_unread() -> None:
    """With nothing focused, every Visitor message is unread."""
    state = build([added("c1"), message("c1", "m1", "Visitor"), message("c1", "m2", "Expert")])
    assert state.conversations["c1"].unread == 2


def test_focused_resets_unread_to_zero() -> None:
    """FOCUSED sets the conversation's unread to 0 and keeps its messages."""
    before = build(
        [
            added("c1"),
            added("c2"),
            focused("c2"),
            message("c1", "m1", "Visitor"),
            message("c1", "m2", "Expert"),
            message("c1", "m3", "Professional"),
            message("c1", "m4", "Visitor"),
        ]
    )
    assert before.conversations["c1"].unread == 3
    assert query.unread_count(before) == 3
    state = reduce(before, focused("c1"))
    assert state.conversations["c1"].unread == 0
    assert query.unread_count(state) == 0
    assert [m.id for m in query.messages(state, "c1")] == ["m1", "m2", "m3", "m4"]
    # Messages arriving while focused stay read; after focus moves on, they count again.
    state = reduce(state, message("c1", "m5", "Visitor"))
    assert state.conversations["c1"].unread == 0
    state = fold(focused("c2"), message("c1", "m6", "Visitor"), start=state)
    assert state.conversations["c1"].unread == 1
