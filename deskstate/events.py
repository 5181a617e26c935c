"""The desk's events: one frozen class per catalogue entry, and :func:`parse_event`.

An event arrives as a JSON object whose ``event`` member is ``"com.iadvize.desk." + NAME``. Parsing
checks every member the catalogue names (SPEC §1), copies what it keeps into immutable values, and
turns any name outside the catalogue into an :class:`UnknownEvent` that keeps the whole record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import ClassVar, Final, NamedTuple, TypeAlias, get_args

import attrs
from pyrsistent import PMap

from deskstate._json import MAX_RECORD_DEPTH, Frozen, check_depth, found, freeze, thaw
from deskstate.errors import InvalidEvent

__all__ = [
    "EVENT_CLASSES",
    "EVENT_PREFIX",
    "KNOWN_CHANNELS",
    "KNOWN_PARTICIPANTS",
    "KNOWN_STATUSES",
    "MAX_AVAILABILITIES",
    "MAX_ID_LENGTH",
    "MAX_VISITOR_DEPTH",
    "AvailabilityUpdated",
    "ChannelStatus",
    "ConversationAdded",
    "ConversationFocusLost",
    "ConversationFocused",
    "ConversationMessageAdded",
    "ConversationRemoved",
    "ConversationStateBoxClicked",
    "ConversationVisitorUpdated",
    "Event",
    "UnknownEvent",
    "parse_event",
    "to_wire",
]

EVENT_PREFIX: Final = "com.iadvize.desk."
MAX_ID_LENGTH: Final = 256
MAX_VISITOR_DEPTH: Final = 32
MAX_AVAILABILITIES: Final = 64
KNOWN_CHANNELS: Final = frozenset({"CHAT", "CALL", "VIDEO", "THIRD_PARTY"})
KNOWN_STATUSES: Final = frozenset({"AVAILABLE", "UNAVAILABLE", "UNAVAILABLE_FORCED"})
KNOWN_PARTICIPANTS: Final = frozenset({"Visitor", "Professional", "Expert"})


class ChannelStatus(NamedTuple):
    """One entry of an ``AVAILABILITY_UPDATED``: a channel and the operator's status on it."""

    channel: str
    status: str


@attrs.frozen
class ConversationAdded:
    """A conversation pops into the desk (or the desk was refreshed with one already open)."""

    name: ClassVar[str] = "CONVERSATION_ADDED"
    conversation_id: str
    project_id: int
    ts: datetime | None = None


@attrs.frozen
class ConversationFocused:
    """A conversation gets the focus: the operator clicked it, or it was elected after a removal."""

    name: ClassVar[str] = "CONVERSATION_FOCUSED"
    conversation_id: str
    ts: datetime | None = None


@attrs.frozen
class ConversationFocusLost:
    """A conversation loses the focus: another was clicked, or it was closed or transferred."""

    name: ClassVar[str] = "CONVERSATION_FOCUS_LOST"
    conversation_id: str
    ts: datetime | None = None


@attrs.frozen
class ConversationStateBoxClicked:
    """The operator clicked a conversation's state box (its tab on the left of the desk)."""

    name: ClassVar[str] = "CONVERSATION_STATE_BOX_CLICKED"
    conversation_id: str
    ts: datetime | None = None


@attrs.frozen
class ConversationRemoved:
    """A conversation leaves the desk: closed, snoozed or transferred."""

    name: ClassVar[str] = "CONVERSATION_REMOVED"
    conversation_id: str
    ts: datetime | None = None


@attrs.frozen
class ConversationVisitorUpdated:
    """New visitor information: ``visitor`` carries every known field of the profile."""

    name: ClassVar[str] = "CONVERSATION_VISITOR_UPDATED"
    conversation_id: str
    visitor: PMap[str, Frozen]
    ts: datetime | None = None


@attrs.frozen
class AvailabilityUpdated:
    """The operator's status on every channel, reported whole each time."""

    name: ClassVar[str] = "AVAILABILITY_UPDATED"
    availabilities: tuple[ChannelStatus, ...]
    ts: datetime | None = None


@attrs.frozen
class ConversationMessageAdded:
    """A visitor, the operator or an ibbü expert sent a message in a conversation of the desk."""

    name: ClassVar[str] = "CONVERSATION_MESSAGE_ADDED"
    conversation_id: str
    message_id: str
    project_id: int
    participant: str
    ts: datetime | None = None


@attrs.frozen
class UnknownEvent:
    """A record whose ``event`` is not in the catalogue (or lacks the prefix), kept whole.

    ``name`` is the record's ``event`` member; ``raw`` the whole record, deep-frozen.
    """

    name: str | None
    raw: PMap[str, Frozen]
    ts: datetime | None = None


Event: TypeAlias = (
    ConversationAdded
    | ConversationFocused
    | ConversationFocusLost
    | ConversationStateBoxClicked
    | ConversationRemoved
    | ConversationVisitorUpdated
    | AvailabilityUpdated
    | ConversationMessageAdded
    | UnknownEvent
)

#: Every event class, the catalogue's and :class:`UnknownEvent`.
EVENT_CLASSES: Final[tuple[type[Event], ...]] = get_args(Event)


# --- member checks -------------------------------------------------------------------------------


def _member(record: Mapping[str, object], member: str, path: str | None = None) -> object:
    try:
        return record[member]
    except KeyError:
        raise InvalidEvent(f"{path or member} is missing") from None


def _identifier(record: Mapping[str, object], member: str) -> str:
    value = _member(record, member)
    if isinstance(value, str):
        if 0 < len(value) <= MAX_ID_LENGTH:
            return str(value)
        what = "an empty string" if not value else f"a string of {len(value)} characters"
        raise InvalidEvent(
            f"{member} must be a non-empty string of at most {MAX_ID_LENGTH} characters, got {what}"
        )
    raise InvalidEvent(f"{member} must be a string, got {found(value)}")


def _integer(record: Mapping[str, object], member: str) -> int:
    value = _member(record, member)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise InvalidEvent(f"{member} must be an integer, got {found(value)}")


def _string(record: Mapping[str, object], member: str, path: str | None = None) -> str:
    value = _member(record, member, path)
    if isinstance(value, str):
        return str(value)
    raise InvalidEvent(f"{path or member} must be a string, got {found(value)}")


def _visitor(record: Mapping[str, object]) -> PMap[str, Frozen]:
    value = _member(record, "visitor")
    if not isinstance(value, Mapping):
        raise InvalidEvent(f"visitor must be a JSON object, got {found(value)}")
    frozen = freeze(value, "visitor", 1, MAX_VISITOR_DEPTH)
    assert isinstance(frozen, PMap)  # a Mapping freezes to a PMap
    return frozen


def _availabilities(record: Mapping[str, object]) -> tuple[ChannelStatus, ...]:
    value = _member(record, "availabilities")
    if not isinstance(value, list | tuple):
        raise InvalidEvent(f"availabilities must be a list, got {found(value)}")
    if len(value) > MAX_AVAILABILITIES:
        raise InvalidEvent(
            f"availabilities must have at most {MAX_AVAILABILITIES} entries, got {len(value)}"
        )
    entries = []
    for i, entry in enumerate(value):
        path = f"availabilities[{i}]"
        if not isinstance(entry, Mapping):
            raise InvalidEvent(f"{path} must be a JSON object, got {found(entry)}")
        entries.append(
            ChannelStatus(
                _string(entry, "channel", f"{path}.channel"),
                _string(entry, "status", f"{path}.status"),
            )
        )
    return tuple(entries)


#: Member values with nothing nested in them: most members, checked by type alone (no ABC check).
_FLAT: Final = frozenset({str, int, float, bool, type(None)})


def check_ignored_depth(record: Mapping[str, object], checked: frozenset[str], level: int) -> None:
    """Check the nesting of the members of ``record`` (at ``level``) not in ``checked``."""
    flat = _FLAT
    for member, value in record.items():
        if type(value) in flat or member in checked:
            continue
        if isinstance(value, Mapping | list | tuple):
            check_depth(value, member, level + 1, MAX_RECORD_DEPTH)


# --- one parser per catalogue entry --------------------------------------------------------------

_Parser: TypeAlias = Callable[[Mapping[str, object], "datetime | None"], Event]


def _conversation_added(record: Mapping[str, object], ts: datetime | None) -> Event:
    return ConversationAdded(
        _identifier(record, "conversationId"), _integer(record, "projectId"), ts
    )


def _conversation_focused(record: Mapping[str, object], ts: datetime | None) -> Event:
    return ConversationFocused(_identifier(record, "conversationId"), ts)


def _conversation_focus_lost(record: Mapping[str, object], ts: datetime | None) -> Event:
    return ConversationFocusLost(_identifier(record, "conversationId"), ts)


def _state_box_clicked(record: Mapping[str, object], ts: datetime | None) -> Event:
    return ConversationStateBoxClicked(_identifier(record, "conversationId"), ts)


def _conversation_removed(record: Mapping[str, object], ts: datetime | None) -> Event:
    return ConversationRemoved(_identifier(record, "conversationId"), ts)


def _visitor_updated(record: Mapping[str, object], ts: datetime | None) -> Event:
    return ConversationVisitorUpdated(_identifier(record, "conversationId"), _visitor(record), ts)


def _availability_updated(record: Mapping[str, object], ts: datetime | None) -> Event:
    return AvailabilityUpdated(_availabilities(record), ts)


def _message_added(record: Mapping[str, object], ts: datetime | None) -> Event:
    return ConversationMessageAdded(
        _identifier(record, "conversationId"),
        _identifier(record, "messageId"),
        _integer(record, "projectId"),
        _string(record, "conversationParticipantType"),
        ts,
    )


# The wire name of each catalogue event, the parser for it, and the members it validates itself
# (the others are ignored, but their nesting depth is still checked).
_PARSERS: Final[dict[str, tuple[_Parser, frozenset[str]]]] = {
    EVENT_PREFIX + "CONVERSATION_ADDED": (_conversation_added, frozenset()),
    EVENT_PREFIX + "CONVERSATION_FOCUSED": (_conversation_focused, frozenset()),
    EVENT_PREFIX + "CONVERSATION_FOCUS_LOST": (_conversation_focus_lost, frozenset()),
    EVENT_PREFIX + "CONVERSATION_STATE_BOX_CLICKED": (_state_box_clicked, frozenset()),
    EVENT_PREFIX + "CONVERSATION_REMOVED": (_conversation_removed, frozenset()),
    EVENT_PREFIX + "CONVERSATION_VISITOR_UPDATED": (_visitor_updated, frozenset({"visitor"})),
    EVENT_PREFIX + "AVAILABILITY_UPDATED": (_availability_updated, frozenset()),
    EVENT_PREFIX + "CONVERSATION_MESSAGE_ADDED": (_message_added, frozenset()),
}


def parse_event(obj: object, *, ts: datetime | None = None) -> Event:
    """Parse one desk event (a JSON object) into a typed, frozen event.

    ``ts`` is the time the desk sent it, when known (replay takes it from the record's envelope).
    Raises :class:`~deskstate.InvalidEvent` when ``obj`` is not a mapping, has no string ``event``,
    is nested deeper than 64 levels, or is a catalogue event with a member missing or of the wrong
    type. A name outside the catalogue gives an :class:`UnknownEvent` holding the whole record.
    """
    return parse_event_at(obj, ts, 1)


def parse_event_at(obj: object, ts: datetime | None, level: int) -> Event:
    """Parse ``obj`` found at nesting ``level`` of its record (1 bare, 2 inside an envelope)."""
    if type(obj) is not dict and not isinstance(obj, Mapping):  # dict first: no ABC check
        raise InvalidEvent(f"an event must be a JSON object, got {found(obj)}")
    name = obj.get("event")
    if not isinstance(name, str):
        if "event" not in obj:
            raise InvalidEvent("event is missing")
        raise InvalidEvent(f"event must be a string, got {found(name)}")
    entry = _PARSERS.get(name)
    if entry is None:
        raw = freeze(obj, "record", level, MAX_RECORD_DEPTH)
        assert isinstance(raw, PMap)  # a Mapping freezes to a PMap
        return UnknownEvent(name, raw, ts)
    parser, self_checked = entry
    event = parser(obj, ts)
    check_ignored_depth(obj, self_checked, level)
    return event


# --- back to the wire ----------------------------------------------------------------------------


def to_wire(event: Event) -> dict[str, object]:
    """Return the JSON object the desk would have posted for ``event`` (without its timestamp)."""
    if isinstance(event, UnknownEvent):
        raw = thaw(event.raw)
        assert isinstance(raw, dict)
        return raw
    wire: dict[str, object] = {"event": EVENT_PREFIX + event.name}
    if isinstance(event, AvailabilityUpdated):
        wire["availabilities"] = [
            {"channel": entry.channel, "status": entry.status} for entry in event.availabilities
        ]
        return wire
    wire["conversationId"] = event.conversation_id
    if isinstance(event, ConversationMessageAdded):
        wire["messageId"] = event.message_id
    if isinstance(event, ConversationAdded | ConversationMessageAdded):
        wire["projectId"] = event.project_id
    if isinstance(event, ConversationMessageAdded):
        wire["conversationParticipantType"] = event.participant
    if isinstance(event, ConversationVisitorUpdated):
        wire["visitor"] = thaw(event.visitor)
    return wire
