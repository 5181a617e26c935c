"""Reading the common records of a log inline, without a frozen event: for the batch fold.

A log's records are nearly all dicts of one shape: an envelope of ``data``, ``ts``, ``desk`` and
``origin`` around a catalogue event with exactly its members, of exactly their types.
:func:`read_envelope` and :func:`read_event` take those apart in a few checks and give the
event's name and members; any other record gives ``None``, and goes to
:func:`~deskstate.records.open_record`, the parser of every other path, which accepts or refuses
it in its own words. So what is read here is exactly what the parser would accept, with the same
members (``tests/test_fold.py`` holds the two paths equal).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from deskstate._json import Frozen
from deskstate.errors import InvalidEvent
from deskstate.events import (
    EVENT_PREFIX,
    MAX_AVAILABILITIES,
    MAX_ID_LENGTH,
    AvailabilityUpdated,
    ConversationAdded,
    ConversationFocused,
    ConversationFocusLost,
    ConversationMessageAdded,
    ConversationRemoved,
    ConversationStateBoxClicked,
    ConversationVisitorUpdated,
)
from deskstate.timestamps import parse_timestamp

__all__ = ["Inline", "read_envelope", "read_event"]

_ENVELOPE: Final = frozenset({"data", "ts", "desk", "origin"})
_FLAT_VALUES: Final = frozenset({str, int, bool, type(None)})


def _id(value: object) -> bool:
    return type(value) is str and 0 < len(value) <= MAX_ID_LENGTH


def _flat_visitor(value: object) -> dict[str, Frozen] | None:
    """A copy of ``value`` when it is a visitor of plain members, else ``None`` (parse it)."""
    if type(value) is not dict:
        return None
    flat = _FLAT_VALUES
    for key, item in value.items():
        if type(key) is not str or (type(item) not in flat):
            return None
    return dict(value)


def _entries(value: object) -> list[tuple[str, str]] | None:
    """The ``(channel, status)`` entries of plain ``availabilities``, else ``None`` (parse it)."""
    if type(value) is not list or len(value) > MAX_AVAILABILITIES:
        return None
    entries = []
    for entry in value:
        if type(entry) is not dict or len(entry) != 2:
            return None
        channel, status = entry.get("channel"), entry.get("status")
        if type(channel) is not str or type(status) is not str:
            return None
        entries.append((channel, status))
    return entries


#: What an inline read gives: the event's name, its members in its rule's order, its conversation.
Inline = tuple[str, tuple[Any, ...], "str | None"]

#: The events that name one conversation and nothing else, by their wire name.
_ONE_ID_EVENTS: Final = {
    EVENT_PREFIX + cls.name: cls.name
    for cls in (
        ConversationFocused,
        ConversationFocusLost,
        ConversationStateBoxClicked,
        ConversationRemoved,
    )
}
_ADDED_NAME: Final = EVENT_PREFIX + ConversationAdded.name
_MESSAGE_NAME: Final = EVENT_PREFIX + ConversationMessageAdded.name
_VISITOR_NAME: Final = EVENT_PREFIX + ConversationVisitorUpdated.name
_AVAILABILITY_NAME: Final = EVENT_PREFIX + AvailabilityUpdated.name


def read_event(data: dict[str, Any], ts: datetime | None) -> Inline | None:
    """Read a catalogue event of the common shape, or ``None`` when the parser must see it."""
    name = data.get("event")
    if type(name) is not str:
        return None
    size = len(data)
    cid = data.get("conversationId")
    one_id = _ONE_ID_EVENTS.get(name)
    if one_id is not None:
        if size == 2 and _id(cid):
            return one_id, (cid, ts), cid
        return None
    if name == _MESSAGE_NAME:
        message_id, project_id = data.get("messageId"), data.get("projectId")
        participant = data.get("conversationParticipantType")
        if (
            size == 5
            and _id(cid)
            and _id(message_id)
            and type(project_id) is int
            and type(participant) is str
        ):
            return (
                ConversationMessageAdded.name,
                (cid, message_id, project_id, participant, ts),
                cid,
            )
        return None
    if name == _ADDED_NAME:
        project_id = data.get("projectId")
        if size == 3 and _id(cid) and type(project_id) is int:
            return ConversationAdded.name, (cid, project_id, ts), cid
        return None
    if name == _VISITOR_NAME:
        visitor = _flat_visitor(data.get("visitor"))
        if size == 3 and _id(cid) and visitor is not None:
            return ConversationVisitorUpdated.name, (cid, visitor, ts), cid
        return None
    if name == _AVAILABILITY_NAME:
        entries = _entries(data.get("availabilities"))
        if size == 2 and entries is not None:
            return AvailabilityUpdated.name, (entries, ts), None
    return None


def read_envelope(record: dict[str, Any]) -> tuple[Inline, str | None, str | None] | None:
    """Read an envelope of the common shape: the event, its desk and origin; else ``None``."""
    if not record.keys() <= _ENVELOPE:
        return None
    data = record["data"]
    desk, origin = record.get("desk"), record.get("origin")
    if type(data) is not dict or not (desk is None or (type(desk) is str and desk)):
        return None
    if not (origin is None or (type(origin) is str and origin)):
        return None
    ts_value = record.get("ts")
    ts = None
    if ts_value is not None:
        try:
            ts = parse_timestamp(ts_value)
        except InvalidEvent:
            return None  # the parser reports it, in its own words
    read = read_event(data, ts)
    if read is None:
        return None
    return read, desk, origin
