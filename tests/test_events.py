"""Tests for ``deskstate.events``: the catalogue, the type rules of SPEC §1 and the names of §13."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from helpers import PREFIX, added, availability, focused, message, visitor_updated
from hypothesis import given, settings
from hypothesis import strategies as st
from pyrsistent import PMap, PVector, pmap, pvector
from pyrsistent import freeze as pfreeze

from deskstate import (
    AvailabilityUpdated,
    ChannelStatus,
    ConversationAdded,
    ConversationFocused,
    ConversationFocusLost,
    ConversationMessageAdded,
    ConversationRemoved,
    ConversationStateBoxClicked,
    ConversationVisitorUpdated,
    DeskStateError,
    Event,
    InvalidEvent,
    UnknownEvent,
    parse_event,
)
from deskstate.events import to_wire

CID = "c1750366-9483-4372-a57d-844da14071c6"
OTHER_CID = "93d86726-aaf7-4962-877e-104c577d86ae"

# --- the examples of reference/desk-events.md, as the desk posts them -----------------------------

#: A realistic visitor profile (fields of the GraphQL ``Visitor`` type), with nested values.
VISITOR: dict[str, Any] = {
    "visitorId": "5b1c4f6e-2a53-4d0f-9d3e-7c5a0e1b8f21",
    "externalUserId": "crm-88123",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "phoneNumber": "+33240000000",
    "city": "Nantes",
    "country": "FR",
    "isAuthenticated": True,
    "score": 0.75,
    "age": None,
    "tags": ["vip", "returning"],
    "customData": [{"key": "tier", "value": "gold"}, {"key": "orders", "value": 12}],
    "address": {"street": "1 quai de la Fosse", "zipCode": "44000"},
}

#: ``VISITOR`` as the parsed event must hold it, written out by hand.
FROZEN_VISITOR: PMap[str, Any] = pmap(
    {
        "visitorId": "5b1c4f6e-2a53-4d0f-9d3e-7c5a0e1b8f21",
        "externalUserId": "crm-88123",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "phoneNumber": "+33240000000",
        "city": "Nantes",
        "country": "FR",
        "isAuthenticated": True,
        "score": 0.75,
        "age": None,
        "tags": pvector(["vip", "returning"]),
        "customData": pvector(
            [pmap({"key": "tier", "value": "gold"}), pmap({"key": "orders", "value": 12})]
        ),
        "address": pmap({"street": "1 quai de la Fosse", "zipCode": "44000"}),
    }
)

_EXAMPLES: dict[str, dict[str, Any]] = {
    # The page's example is not valid JSON; this is the corrected form its header gives.
    "CONVERSATION_ADDED": {
        "event": "com.iadvize.desk.CONVERSATION_ADDED",
        "conversationId": "c1750366-9483-4372-a57d-844da14071c6",
        "projectId": 1234,
    },
    "CONVERSATION_FOCUSED": {
        "event": "com.iadvize.desk.CONVERSATION_FOCUSED",
        "conversationId": "c1750366-9483-4372-a57d-844da14071c6",
    },
    "CONVERSATION_FOCUS_LOST": {
        "event": "com.iadvize.desk.CONVERSATION_FOCUS_LOST",
        "conversationId": "c1750366-9483-4372-a57d-844da14071c6",
    },
    "CONVERSATION_STATE_BOX_CLICKED": {
        "event": "com.iadvize.desk.CONVERSATION_STATE_BOX_CLICKED",
        "conversationId": "93d86726-aaf7-4962-877e-104c577d86ae",
    },
    "CONVERSATION_VISITOR_UPDATED": {
        "event": "com.iadvize.desk.CONVERSATION_VISITOR_UPDATED",
        "conversationId": "c1750366-9483-4372-a57d-844da14071c6",
        "visitor": VISITOR,
    },
    "CONVERSATION_REMOVED": {
        "event": "com.iadvize.desk.CONVERSATION_REMOVED",
        "conversationId": "c1750366-9483-4372-a57d-844da14071c6",
    },
    "AVAILABILITY_UPDATED": {
        "event": "com.iadvize.desk.AVAILABILITY_UPDATED",
        "availabilities": [
            {"channel": "CHAT", "status": "AVAILABLE"},
            {"channel": "CALL", "status": "UNAVAILABLE"},
            {"channel": "VIDEO", "status": "UNAVAILABLE_FORCED"},
            {"channel": "THIRD_PARTY", "status": "UNAVAILABLE_FORCED"},
        ],
    },
    "CONVERSATION_MESSAGE_ADDED": {
        "event": "com.iadvize.desk.CONVERSATION_MESSAGE_ADDED",
        "conversationId": "c1750366-9483-4372-a57d-844da14071c6",
        "messageId": "93d86726-aaf7-4962-877e-104c577d86ae",
        "projectId": 1234,
        "conversationParticipantType": "Professional",
    },
}

#: What each example parses to, written out by hand.
_EXPECTED: dict[str, Event] = {
    "CONVERSATION_ADDED": ConversationAdded(CID, 1234),
    "CONVERSATION_FOCUSED": ConversationFocused(CID),
    "CONVERSATION_FOCUS_LOST": ConversationFocusLost(CID),
    "CONVERSATION_STATE_BOX_CLICKED": ConversationStateBoxClicked(OTHER_CID),
    "CONVERSATION_VISITOR_UPDATED": ConversationVisitorUpdated(CID, FROZEN_VISITOR),
    "CONVERSATION_REMOVED": ConversationRemoved(CID),
    "AVAILABILITY_UPDATED": AvailabilityUpdated(
        (
            ChannelStatus("CHAT", "AVAILABLE"),
            ChannelStatus("CALL", "UNAVAILABLE"),
            ChannelStatus("VIDEO", "UNAVAILABLE_FORCED"),
            ChannelStatus("THIRD_PARTY", "UNAVAILABLE_FORCED"),
        )
    ),
    "CONVERSATION_MESSAGE_ADDED": ConversationMessageAdded(CID, OTHER_CID, 1234, "Professional"),
}

_CLASSES: dict[str, type] = {
    "CONVERSATION_ADDED": ConversationAdded,
    "CONVERSATION_FOCUSED": ConversationFocused,
    "CONVERSATION_FOCUS_LOST": ConversationFocusLost,
    "CONVERSATION_STATE_BOX_CLICKED": ConversationStateBoxClicked,
    "CONVERSATION_VISITOR_UPDATED": ConversationVisitorUpdated,
    "CONVERSATION_REMOVED": ConversationRemoved,
    "AVAILABILITY_UPDATED": AvailabilityUpdated,
    "CONVERSATION_MESSAGE_ADDED": ConversationMessageAdded,
}

#: The members each catalogue event requires, by wire name (SPEC §1 table).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "CONVERSATION_ADDED": ("conversationId", "projectId"),
    "CONVERSATION_FOCUSED": ("conversationId",),
    "CONVERSATION_FOCUS_LOST": ("conversationId",),
    "CONVERSATION_STATE_BOX_CLICKED": ("conversationId",),
    "CONVERSATION_VISITOR_UPDATED": ("conversationId", "visitor"),
    "CONVERSATION_REMOVED": ("conversationId",),
    "AVAILABILITY_UPDATED": ("availabilities",),
    "CONVERSATION_MESSAGE_ADDED": (
        "conversationId",
        "messageId",
        "projectId",
        "conversationParticipantType",
    ),
}

NAMES = tuple(_EXAMPLES)
EVENT_CLASSES = (*_CLASSES.values(), UnknownEvent)

#: Every (event name, member) pair where the member is an identifier.
ID_MEMBERS = [
    (name, member)
    for name, members in _REQUIRED.items()
    for member in members
    if member in {"conversationId", "messageId"}
]
#: Every (event name, member) pair where the member is a ``projectId``.
PROJECT_MEMBERS = [
    (name, "projectId") for name, members in _REQUIRED.items() if "projectId" in members
]
MISSING_MEMBERS = [(name, member) for name, members in _REQUIRED.items() for member in members]


def example(name: str) -> dict[str, Any]:
    """A fresh deep copy of the catalogue example for ``name`` (tests may mutate it)."""
    return copy.deepcopy(_EXAMPLES[name])


def nested_dicts(levels: int) -> dict[str, Any]:
    """An object nested ``levels`` deep (itself level 1), built without recursion."""
    inner: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        inner = {"k": inner}
    return inner


def nested_lists(levels: int) -> list[Any]:
    """An array nested ``levels`` deep (itself level 1), built without recursion."""
    inner: list[Any] = [1]
    for _ in range(levels - 1):
        inner = [inner]
    return inner


NESTERS: list[Callable[[int], object]] = [nested_dicts, nested_lists]


# --- the catalogue --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_catalogue_example_parses_unchanged_to_its_event(name: str) -> None:
    """Every example of desk-events.md parses to the event it describes, with ``ts`` None."""
    event = parse_event(example(name))
    assert event == _EXPECTED[name]
    assert event.ts is None


@pytest.mark.parametrize("name", NAMES)
def test_each_catalogue_event_parses_to_its_own_class(name: str) -> None:
    """Each catalogue name parses to the class named after it in CamelCase (SPEC §13)."""
    assert type(parse_event(example(name))) is _CLASSES[name]


@pytest.mark.parametrize(
    ("cls", "members"),
    [
        (ConversationAdded, ["conversation_id", "project_id", "ts"]),
        (ConversationFocused, ["conversation_id", "ts"]),
        (ConversationFocusLost, ["conversation_id", "ts"]),
        (ConversationStateBoxClicked, ["conversation_id", "ts"]),
        (ConversationRemoved, ["conversation_id", "ts"]),
        (ConversationVisitorUpdated, ["conversation_id", "visitor", "ts"]),
        (AvailabilityUpdated, ["availabilities", "ts"]),
        (
            ConversationMessageAdded,
            ["conversation_id", "message_id", "project_id", "participant", "ts"],
        ),
        (UnknownEvent, ["name", "raw", "ts"]),
    ],
)
def test_event_classes_have_their_members_in_snake_case(cls: type, members: list[str]) -> None:
    """Each event class has exactly the snake_case members SPEC §13 names, plus ``ts``."""
    assert [field.name for field in attrs.fields(cls)] == members


def test_message_added_members_read_back_as_sent() -> None:
    """A parsed CONVERSATION_MESSAGE_ADDED exposes every wire member under its snake_case name."""
    event = parse_event(message("c9", "m7", participant="Expert", project=77))
    assert isinstance(event, ConversationMessageAdded)
    assert event.conversation_id == "c9"
    assert event.message_id == "m7"
    assert event.project_id == 77
    assert event.participant == "Expert"


def test_availabilities_entries_expose_channel_and_status() -> None:
    """Each availability entry reads back as ``channel`` and ``status``, in wire order."""
    event = parse_event(availability(("VIDEO", "AVAILABLE"), ("CHAT", "UNAVAILABLE")))
    assert isinstance(event, AvailabilityUpdated)
    assert [(entry.channel, entry.status) for entry in event.availabilities] == [
        ("VIDEO", "AVAILABLE"),
        ("CHAT", "UNAVAILABLE"),
    ]


def test_parse_event_keeps_the_timestamp_it_is_given() -> None:
    """``parse_event(obj, ts=...)`` puts the timestamp on the event; it takes part in equality."""
    moment = datetime(2026, 11, 24, 9, 30, 0, 125000, tzinfo=UTC)
    event = parse_event(focused("c1"), ts=moment)
    assert event.ts == moment
    assert event != parse_event(focused("c1"))


# --- identifiers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "member"), ID_MEMBERS)
@pytest.mark.parametrize(
    "value",
    ["x", "a" * 256, "😀" * 256, "é" * 256, " "],
    ids=["one", "256", "256-emoji", "256-é", "space"],
)
def test_identifiers_accept_non_empty_strings_up_to_256_code_points(
    name: str, member: str, value: str
) -> None:
    """The conversationId and messageId accept any non-empty string of at most 256 code points."""
    record = example(name)
    record[member] = value
    event = parse_event(record)
    snake = "conversation_id" if member == "conversationId" else "message_id"
    assert getattr(event, snake) == value


@pytest.mark.parametrize(("name", "member"), ID_MEMBERS)
@pytest.mark.parametrize(
    "value", ["", "a" * 257, "😀" * 257, "x" * 10_000], ids=["empty", "257", "257-emoji", "10000"]
)
def test_identifiers_refuse_empty_or_too_long_strings(name: str, member: str, value: str) -> None:
    """The conversationId and messageId refuse "" and strings of 257 code points or more."""
    record = example(name)
    record[member] = value
    with pytest.raises(InvalidEvent, match=member):
        parse_event(record)


@pytest.mark.parametrize(("name", "member"), ID_MEMBERS)
@pytest.mark.parametrize("value", [None, 42, True, 1.5, ["c1"], {"id": "c1"}, b"c1"], ids=repr)
def test_identifiers_refuse_values_that_are_not_strings(
    name: str, member: str, value: object
) -> None:
    """The conversationId and messageId refuse anything that is not a string, naming the member."""
    record = example(name)
    record[member] = value
    with pytest.raises(InvalidEvent, match=member):
        parse_event(record)


# --- projectId ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "member"), PROJECT_MEMBERS)
@pytest.mark.parametrize("value", [0, 1, -5, 1234, 2**70])
def test_project_id_accepts_integers(name: str, member: str, value: int) -> None:
    """The projectId accepts any integer."""
    record = example(name)
    record[member] = value
    event = parse_event(record)
    assert isinstance(event, ConversationAdded | ConversationMessageAdded)
    assert event.project_id == value
    assert type(event.project_id) is int


@pytest.mark.parametrize(("name", "member"), PROJECT_MEMBERS)
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (True, "True"),
        (False, "False"),
        ("1234", "'1234'"),
        (12.5, "12.5"),
        (1234.0, "1234.0"),
        (None, "None"),
        ([1234], "[1234]"),
    ],
)
def test_project_id_refuses_what_is_not_an_integer(
    name: str, member: str, value: object, shown: str
) -> None:
    """The projectId refuses booleans, strings, floats and null; the message shows the value."""
    record = example(name)
    record[member] = value
    with pytest.raises(InvalidEvent) as excinfo:
        parse_event(record)
    text = str(excinfo.value)
    assert "projectId" in text
    assert shown in text


@pytest.mark.parametrize("name", ["CONVERSATION_ADDED", "CONVERSATION_MESSAGE_ADDED"])
def test_project_id_refuses_a_string_with_the_spec_message(name: str) -> None:
    """A string projectId gives exactly ``projectId must be an integer, got '1234'``."""
    record = example(name)
    record["projectId"] = "1234"
    with pytest.raises(InvalidEvent) as excinfo:
        parse_event(record)
    assert str(excinfo.value) == "projectId must be an integer, got '1234'"


# --- visitor --------------------------------------------------------------------------------------


def test_visitor_is_kept_as_an_immutable_mapping() -> None:
    """The visitor is deep-frozen: objects become PMap, arrays PVector."""
    event = parse_event(example("CONVERSATION_VISITOR_UPDATED"))
    assert isinstance(event, ConversationVisitorUpdated)
    visitor: Any = event.visitor
    assert isinstance(visitor, PMap)
    assert isinstance(visitor["tags"], PVector)
    assert isinstance(visitor["customData"][0], PMap)
    assert isinstance(visitor["address"], PMap)


def test_visitor_may_be_an_empty_object() -> None:
    """An empty visitor object is a JSON object, so it is accepted."""
    event = parse_event(visitor_updated("c1"))
    assert event == ConversationVisitorUpdated("c1", pmap())


@pytest.mark.parametrize(
    "value",
    [None, "Ada", 42, True, [], [["firstName", "Ada"]], ["Ada"]],
    ids=repr,
)
def test_visitor_refuses_what_is_not_an_object(value: object) -> None:
    """The visitor must be a JSON object: null, strings, numbers and arrays are refused."""
    record = example("CONVERSATION_VISITOR_UPDATED")
    record["visitor"] = value
    with pytest.raises(InvalidEvent, match="visitor"):
        parse_event(record)


@pytest.mark.parametrize("nest", NESTERS)
def test_visitor_nested_exactly_32_levels_is_accepted(nest: Callable[[int], object]) -> None:
    """The visitor itself is level 1; values nested down to level 32 are accepted."""
    record = visitor_updated("c1", deep=nest(31))
    event = parse_event(record)
    assert isinstance(event, ConversationVisitorUpdated)


@pytest.mark.parametrize("nest", NESTERS)
def test_visitor_nested_33_levels_is_refused(nest: Callable[[int], object]) -> None:
    """A visitor whose nesting reaches level 33 is refused, naming the visitor."""
    record = visitor_updated("c1", deep=nest(32))
    with pytest.raises(InvalidEvent, match="visitor"):
        parse_event(record)


@pytest.mark.parametrize(
    "value",
    [{1, 2}, b"bytes", object(), float("nan"), float("inf"), float("-inf"), {1: "a"}, 1j],
    ids=["set", "bytes", "object", "nan", "inf", "-inf", "int-key", "complex"],
)
@pytest.mark.parametrize("where", ["top", "nested"])
def test_visitor_refuses_values_that_are_not_json(value: object, where: str) -> None:
    """A visitor holding a set, bytes, an object, a non-finite float... is invalid."""
    visitor: dict[str, Any] = {"x": value} if where == "top" else {"a": [{"b": value}]}
    record = visitor_updated("c1", **visitor)
    with pytest.raises(InvalidEvent):
        parse_event(record)


def test_visitor_that_contains_itself_is_invalid_not_a_recursion_error() -> None:
    """A cyclic visitor (only possible from Python) is refused as too deep, never recursed on."""
    cyclic: dict[str, Any] = {"firstName": "Ada"}
    cyclic["self"] = cyclic
    with pytest.raises(InvalidEvent):
        parse_event(visitor_updated("c1", **cyclic))


# --- availabilities -------------------------------------------------------------------------------


def _availability_entries(count: int) -> list[dict[str, Any]]:
    return [{"channel": f"CH{i}", "status": "AVAILABLE"} for i in range(count)]


@pytest.mark.parametrize("count", [0, 1, 64])
def test_availabilities_accept_up_to_64_entries(count: int) -> None:
    """The availabilities may hold from 0 to 64 entries."""
    record = example("AVAILABILITY_UPDATED")
    record["availabilities"] = _availability_entries(count)
    event = parse_event(record)
    assert isinstance(event, AvailabilityUpdated)
    assert len(event.availabilities) == count


def test_availabilities_refuse_65_entries() -> None:
    """The availabilities with 65 entries are refused."""
    record = example("AVAILABILITY_UPDATED")
    record["availabilities"] = _availability_entries(65)
    with pytest.raises(InvalidEvent, match="availabilities"):
        parse_event(record)


@pytest.mark.parametrize(
    "value",
    [None, "CHAT", 3, {"channel": "CHAT", "status": "AVAILABLE"}, {"CHAT": "AVAILABLE"}],
    ids=repr,
)
def test_availabilities_refuse_what_is_not_a_list(value: object) -> None:
    """The availabilities must be a list: null, a string, a number or an object are refused."""
    record = example("AVAILABILITY_UPDATED")
    record["availabilities"] = value
    with pytest.raises(InvalidEvent, match="availabilities"):
        parse_event(record)


@pytest.mark.parametrize("entry", ["CHAT", None, 1, ["CHAT", "AVAILABLE"]], ids=repr)
def test_availabilities_refuse_an_entry_that_is_not_an_object(entry: object) -> None:
    """Every entry of availabilities must be an object; the message names the entry's index."""
    record = example("AVAILABILITY_UPDATED")
    record["availabilities"][2] = entry
    with pytest.raises(InvalidEvent, match=re.escape("availabilities[2]")):
        parse_event(record)


@pytest.mark.parametrize("member", ["channel", "status"])
@pytest.mark.parametrize("value", [None, 1, True, ["CHAT"], {"name": "CHAT"}], ids=repr)
def test_availabilities_refuse_a_channel_or_status_that_is_not_a_string(
    member: str, value: object
) -> None:
    """Both channel and status must be strings; the message names ``availabilities[2].channel``."""
    record = example("AVAILABILITY_UPDATED")
    record["availabilities"][2][member] = value
    with pytest.raises(InvalidEvent, match=re.escape(f"availabilities[2].{member}")):
        parse_event(record)


@pytest.mark.parametrize("member", ["channel", "status"])
def test_availabilities_refuse_an_entry_missing_channel_or_status(member: str) -> None:
    """An entry without channel or status is refused, and the message says which entry."""
    record = example("AVAILABILITY_UPDATED")
    del record["availabilities"][2][member]
    with pytest.raises(InvalidEvent, match=re.escape(f"availabilities[2].{member}")):
        parse_event(record)


def test_availabilities_accept_unknown_channels_and_statuses() -> None:
    """Parsing checks only types: channels and statuses outside the known lists are kept."""
    event = parse_event(availability(("FAX", "ASLEEP")))
    assert event == AvailabilityUpdated((ChannelStatus("FAX", "ASLEEP"),))


# --- conversationParticipantType ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Visitor", "Professional", "Expert", "Bot", ""])
def test_participant_accepts_any_string(value: str) -> None:
    """The conversationParticipantType is a string; values outside the known three still parse."""
    event = parse_event(message("c1", "m1", participant=value))
    assert isinstance(event, ConversationMessageAdded)
    assert event.participant == value


@pytest.mark.parametrize("value", [None, 1, True, ["Visitor"], {"type": "Visitor"}], ids=repr)
def test_participant_refuses_what_is_not_a_string(value: object) -> None:
    """The conversationParticipantType must be a string; the message names it."""
    record = message("c1", "m1")
    record["conversationParticipantType"] = value
    with pytest.raises(InvalidEvent, match="conversationParticipantType"):
        parse_event(record)


# --- unknown members, missing members, malformed records ------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_unknown_members_are_ignored(name: str) -> None:
    """Members outside the catalogue (of any JSON type) do not change the parsed event."""
    record = example(name)
    record.update(
        {
            "newMember": "x",
            "count": 3,
            "flags": [True, None, 1.5],
            "meta": {"a": {"b": [1, 2]}},
            "conversationID": 5,  # a near-miss of a known member is just another unknown one
        }
    )
    assert parse_event(record) == _EXPECTED[name]


@pytest.mark.parametrize(("name", "member"), MISSING_MEMBERS)
def test_a_missing_member_is_invalid_and_named(name: str, member: str) -> None:
    """A catalogue event without one of its members is invalid; the message names the member."""
    record = example(name)
    del record[member]
    with pytest.raises(InvalidEvent, match=member):
        parse_event(record)


@pytest.mark.parametrize(
    "value",
    [None, 42, "com.iadvize.desk.CONVERSATION_FOCUSED", b"{}", [("event", "x")], ["event"], 1.5],
    ids=repr,
)
def test_a_record_that_is_not_a_mapping_is_invalid(value: object) -> None:
    """parse_event refuses anything that is not a mapping with InvalidEvent."""
    with pytest.raises(InvalidEvent):
        parse_event(value)


def test_a_record_without_event_is_invalid() -> None:
    """A mapping with no ``event`` member is invalid, and the message names ``event``."""
    with pytest.raises(InvalidEvent, match="event"):
        parse_event({"conversationId": "c1", "projectId": 1})


@pytest.mark.parametrize("value", [None, 5, True, ["com.iadvize.desk.CONVERSATION_FOCUSED"], {}])
def test_a_record_whose_event_is_not_a_string_is_invalid(value: object) -> None:
    """An ``event`` member that is not a string is invalid, and the message names ``event``."""
    with pytest.raises(InvalidEvent, match="event"):
        parse_event({"event": value, "conversationId": "c1"})


def test_invalid_event_is_a_value_error_and_a_desk_state_error() -> None:
    """InvalidEvent is both a ValueError and a DeskStateError, so either catches it."""
    assert issubclass(InvalidEvent, ValueError)
    assert issubclass(InvalidEvent, DeskStateError)
    record = added("c1")
    record["projectId"] = "1234"
    with pytest.raises(ValueError, match="projectId"):
        parse_event(record)


# --- unknown events -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "com.iadvize.desk.CONVERSATION_ARCHIVED",
        "com.iadvize.desk.conversation_added",
        "com.iadvize.desk.",
        "CONVERSATION_ADDED",
        "com.iadvize.CONVERSATION_ADDED",
        " com.iadvize.desk.CONVERSATION_ADDED",
        "com.iadvize.desk.CONVERSATION_ADDED ",
        "",
        "webpackOk",
    ],
)
def test_unknown_names_parse_to_unknown_event_keeping_everything(name: str) -> None:
    """A name outside the catalogue or without the prefix gives an UnknownEvent (name, raw)."""
    record: dict[str, Any] = {
        "event": name,
        "conversationId": 5,  # not checked: the event is not in the catalogue
        "payload": {"items": [1, {"a": None}], "ok": True},
    }
    expected_raw = pfreeze(copy.deepcopy(record))
    event = parse_event(record)
    assert isinstance(event, UnknownEvent)
    assert event.name == name
    assert event.raw == expected_raw
    assert event.raw == record
    assert event.ts is None


def test_unknown_event_raw_is_deep_frozen() -> None:
    """UnknownEvent.raw is a PMap whose objects are PMaps and arrays PVectors."""
    event = parse_event({"event": "other", "list": [{"a": [1]}], "map": {"b": {"c": 1}}})
    assert isinstance(event, UnknownEvent)
    raw: Any = event.raw
    assert isinstance(raw, PMap)
    assert isinstance(raw["list"], PVector)
    assert isinstance(raw["list"][0], PMap)
    assert isinstance(raw["list"][0]["a"], PVector)
    assert isinstance(raw["map"]["b"], PMap)


@pytest.mark.parametrize(
    "value",
    [{1, 2}, b"bytes", object(), float("nan"), float("inf"), {1: "a"}],
    ids=["set", "bytes", "object", "nan", "inf", "int-key"],
)
def test_unknown_event_refuses_values_that_are_not_json(value: object) -> None:
    """An unknown event holding a set, bytes, an object or a non-finite float is invalid."""
    with pytest.raises(InvalidEvent):
        parse_event({"event": "com.iadvize.desk.FUTURE", "payload": [{"x": value}]})


def test_unknown_event_that_contains_itself_is_invalid_not_a_recursion_error() -> None:
    """A cyclic unknown event is refused as too deep, never recursed on."""
    cyclic: dict[str, Any] = {"event": "com.iadvize.desk.FUTURE"}
    cyclic["self"] = cyclic
    with pytest.raises(InvalidEvent):
        parse_event(cyclic)


# --- nesting depth of the whole record ------------------------------------------------------------


def _known_with_member(name: str, value: object) -> dict[str, Any]:
    record = example(name)
    record["ignored"] = value
    return record


def _unknown_with_member(name: str, value: object) -> dict[str, Any]:
    return {"event": PREFIX + "NOT_IN_THE_CATALOGUE_" + name, "ignored": value}


WITH_MEMBER = [_known_with_member, _unknown_with_member]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("build", WITH_MEMBER, ids=["known", "unknown"])
@pytest.mark.parametrize("nest", NESTERS)
def test_a_record_nested_64_levels_is_accepted(
    name: str, build: Callable[[str, object], dict[str, Any]], nest: Callable[[int], object]
) -> None:
    """A record (itself level 1) whose deepest value is at level 64 parses."""
    record = build(name, nest(63))
    event = parse_event(record)
    assert isinstance(event, EVENT_CLASSES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("build", WITH_MEMBER, ids=["known", "unknown"])
@pytest.mark.parametrize("nest", NESTERS)
@pytest.mark.parametrize("levels", [64, 99_999], ids=["65-levels", "100000-levels"])
def test_a_record_nested_deeper_than_64_levels_is_invalid(
    name: str,
    build: Callable[[str, object], dict[str, Any]],
    nest: Callable[[int], object],
    levels: int,
) -> None:
    """A record nested 65 or 100000 levels, even in an ignored member, gives InvalidEvent only."""
    record = build(name, nest(levels))
    with pytest.raises(InvalidEvent):
        parse_event(record)


def test_an_availability_entry_may_reach_level_64_but_not_65() -> None:
    """Depth counts from the record: record 1, the list 2, an entry 3, the entry's members 4..."""
    ok = example("AVAILABILITY_UPDATED")
    ok["availabilities"][0]["extra"] = nested_dicts(61)
    assert isinstance(parse_event(ok), AvailabilityUpdated)
    too_deep = example("AVAILABILITY_UPDATED")
    too_deep["availabilities"][0]["extra"] = nested_dicts(62)
    with pytest.raises(InvalidEvent):
        parse_event(too_deep)


def test_a_known_event_with_a_cyclic_ignored_member_is_invalid() -> None:
    """A cycle in a member a known event ignores is refused as too deep, never recursed on."""
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(InvalidEvent):
        parse_event(_known_with_member("CONVERSATION_FOCUSED", cyclic))


# --- frozen, hashable, equal by value, independent of the input -----------------------------------


@pytest.mark.parametrize(
    ("name", "attribute"),
    [
        ("CONVERSATION_ADDED", "project_id"),
        ("CONVERSATION_FOCUSED", "conversation_id"),
        ("CONVERSATION_FOCUS_LOST", "conversation_id"),
        ("CONVERSATION_STATE_BOX_CLICKED", "ts"),
        ("CONVERSATION_REMOVED", "conversation_id"),
        ("CONVERSATION_VISITOR_UPDATED", "visitor"),
        ("AVAILABILITY_UPDATED", "availabilities"),
        ("CONVERSATION_MESSAGE_ADDED", "participant"),
    ],
)
def test_parsed_events_are_frozen(name: str, attribute: str) -> None:
    """Setting a member of a parsed event raises FrozenInstanceError."""
    event = parse_event(example(name))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(event, attribute, None)


def test_unknown_events_are_frozen() -> None:
    """Setting a member of an UnknownEvent raises FrozenInstanceError."""
    event = parse_event({"event": "other"})
    attribute = "raw"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(event, attribute, None)


@pytest.mark.parametrize("name", NAMES)
def test_parsed_events_are_hashable_and_equal_by_value(name: str) -> None:
    """Two parses of equal records are equal, hash alike, and collapse in a set."""
    first = parse_event(example(name))
    second = parse_event(example(name))
    assert first == second
    assert first is not second
    assert hash(first) == hash(second)
    assert len({first, second}) == 1


def test_unknown_events_are_hashable_and_equal_by_value() -> None:
    """Two UnknownEvents parsed from equal records are equal and hash alike."""
    record = {"event": "other", "a": [1, {"b": 2}]}
    first, second = parse_event(copy.deepcopy(record)), parse_event(copy.deepcopy(record))
    assert first == second
    assert hash(first) == hash(second)


def test_mutating_the_visitor_input_after_parsing_changes_nothing() -> None:
    """Changing the input, its visitor and the visitor's nested values leaves the event as is."""
    record = example("CONVERSATION_VISITOR_UPDATED")
    event = parse_event(record)
    record["conversationId"] = "changed"
    record["visitor"]["firstName"] = "Grace"
    record["visitor"]["tags"].append("mutated")
    record["visitor"]["customData"][0]["value"] = "lead"
    record["visitor"]["address"]["zipCode"] = "75001"
    del record["visitor"]["email"]
    assert event == ConversationVisitorUpdated(CID, FROZEN_VISITOR)


def test_mutating_the_availabilities_input_after_parsing_changes_nothing() -> None:
    """Changing the availabilities list or its entries leaves the parsed event as it was."""
    record = example("AVAILABILITY_UPDATED")
    event = parse_event(record)
    record["availabilities"][0]["status"] = "UNAVAILABLE"
    record["availabilities"].append({"channel": "FAX", "status": "AVAILABLE"})
    assert event == _EXPECTED["AVAILABILITY_UPDATED"]


def test_mutating_an_unknown_event_input_after_parsing_changes_nothing() -> None:
    """Changing the input of an UnknownEvent, deep down, leaves its raw record as it was."""
    record: dict[str, Any] = {"event": "other", "items": [{"a": 1}], "meta": {"b": [2]}}
    event = parse_event(record)
    record["items"][0]["a"] = 99
    record["meta"]["b"].append(3)
    record["new"] = True
    assert isinstance(event, UnknownEvent)
    expected: dict[str, Any] = {
        "event": "other",
        "items": pvector([pmap({"a": 1})]),
        "meta": pmap({"b": pvector([2])}),
    }
    assert event.raw == pmap(expected)


# --- back to the wire -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_to_wire_gives_back_the_catalogue_example(name: str) -> None:
    """to_wire of a parsed example is the example itself, as plain JSON-serialisable values."""
    wire = to_wire(parse_event(example(name)))
    assert wire == _EXAMPLES[name]
    assert json.loads(json.dumps(wire)) == _EXAMPLES[name]


_ONE: Any = pvector([1])

ROUND_TRIP_EVENTS: list[Event] = [
    *_EXPECTED.values(),
    ConversationVisitorUpdated("c1", pmap()),
    AvailabilityUpdated(()),
    UnknownEvent("com.iadvize.desk.FUTURE", pmap({"event": "com.iadvize.desk.FUTURE", "a": _ONE})),
    UnknownEvent("no-prefix", pmap({"event": "no-prefix"})),
]


@pytest.mark.parametrize("event", ROUND_TRIP_EVENTS, ids=lambda event: type(event).__name__)
def test_to_wire_round_trips_through_parse_event(event: Event) -> None:
    """``parse_event(to_wire(e)) == e`` for every kind of event (ts None)."""
    assert parse_event(to_wire(event)) == event


# --- whatever it is given, parsing gives an event or InvalidEvent ---------------------------------

json_values: st.SearchStrategy[object] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

#: Values that are sometimes right for a member, so that some generated events parse.
plausible_members: st.SearchStrategy[object] = st.one_of(
    json_values,
    st.text(min_size=1, max_size=3),
    st.integers(),
    st.lists(
        st.fixed_dictionaries(
            {"channel": st.one_of(st.text(max_size=3), json_values), "status": st.text(max_size=3)}
        ),
        max_size=3,
    ),
    st.dictionaries(st.text(max_size=3), json_values, max_size=3),
)

event_like_records: st.SearchStrategy[dict[str, object]] = st.fixed_dictionaries(
    {"event": st.sampled_from([PREFIX + name for name in NAMES])},
    optional={
        "conversationId": plausible_members,
        "messageId": plausible_members,
        "projectId": plausible_members,
        "visitor": plausible_members,
        "availabilities": plausible_members,
        "conversationParticipantType": plausible_members,
        "other": json_values,
    },
)


def _event_or_invalid(value: object) -> Event | None:
    try:
        return parse_event(value)
    except InvalidEvent:
        return None


@settings(max_examples=200)
@given(json_values)
def test_any_json_value_parses_to_an_event_or_raises_invalid_event(value: object) -> None:
    """For any JSON-like value, parse_event returns an event or raises InvalidEvent, no other."""
    event = _event_or_invalid(value)
    assert event is None or isinstance(event, EVENT_CLASSES)


@settings(max_examples=200)
@given(event_like_records)
def test_a_catalogue_name_with_any_members_parses_to_its_class_or_is_invalid(
    record: dict[str, object],
) -> None:
    """A real event name with arbitrary member values parses to that event's class or is invalid."""
    event = _event_or_invalid(record)
    if event is not None:
        name = str(record["event"]).removeprefix(PREFIX)
        assert type(event) is _CLASSES[name]
