"""A versioned, JSON-safe form of a snapshot: :func:`to_dict` and the validating :func:`from_dict`.

The form is named (``"format": "deskstate/1"``), never derived from Python class paths, so renaming
a class cannot break a stored snapshot. Older formats are upgraded on load by the functions in
``_UPGRADES``. Derived fields (counts, totals) are not stored: they are rebuilt on load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from pyrsistent import PMap, pmap

from deskstate._json import Frozen, Members, found, freeze, thaw
from deskstate._rules import UNREAD_PARTICIPANTS
from deskstate.errors import InvalidEvent, InvalidSnapshot
from deskstate.events import MAX_VISITOR_DEPTH
from deskstate.state import (
    Conversation,
    DeskOrder,
    DeskState,
    HashMap,
    HashSet,
    Message,
    Vector,
)
from deskstate.timestamps import format_timestamp, parse_timestamp

__all__ = ["FORMAT", "conversation_to_dict", "from_dict", "to_dict"]

#: The name of the current snapshot format.
FORMAT: Final = "deskstate/1"

#: Upgrades from each older format to the next one, applied in turn on load.
_UPGRADES: Final[dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]]] = {}


# --- writing -------------------------------------------------------------------------------------


def _timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


def conversation_to_dict(conversation: Conversation) -> dict[str, Any]:
    """One conversation in the JSON-safe form ``to_dict`` gives it inside a snapshot."""
    return {
        "id": conversation.id,
        "project_id": conversation.project_id,
        "implicit": conversation.implicit,
        "unread": conversation.unread,
        "state_box_clicks": conversation.state_box_clicks,
        "added_at": _timestamp(conversation.added_at),
        "removed_at": _timestamp(conversation.removed_at),
        "visitor": thaw(conversation.visitor),
        "messages": [
            {
                "id": message.id,
                "participant": message.participant,
                "project_id": message.project_id,
                "at": _timestamp(message.at),
            }
            for message in conversation.messages
        ],
    }


def to_dict(state: DeskState) -> dict[str, Any]:
    """Return ``state`` as plain JSON data (dicts, lists, strings, numbers, booleans, ``None``).

    Open conversations are listed in desk order, closed ones sorted by id, timestamps in ISO-8601.
    ``from_dict(to_dict(state)) == state`` for every snapshot.
    """
    return {
        "format": FORMAT,
        "version": state.version,
        "clock": _timestamp(state.clock),
        "focused_id": state.focused_id,
        "last_clicked_id": state.last_clicked_id,
        "availability": dict(state.availability),
        "conversations": [conversation_to_dict(state.conversations[cid]) for cid in state.order],
        "closed": [conversation_to_dict(state.closed[cid]) for cid in sorted(state.closed)],
    }


# --- reading -------------------------------------------------------------------------------------


class _Reader(Members):
    """The members of a snapshot's JSON form; errors are :class:`~deskstate.InvalidSnapshot`."""

    error = InvalidSnapshot
    whole = "snapshot"

    def string(self, member: str, *, optional: bool = False, empty: bool = False) -> Any:
        value = self.get(member)
        if isinstance(value, str) and (value or empty):
            return value
        if optional and value is None:
            return None
        expected = "a string" if empty else "a non-empty string"
        raise self.fail(member, expected + (" or null" if optional else ""), value)

    def integer(self, member: str, *, optional: bool = False, minimum: int | None = None) -> Any:
        value = self.get(member)
        if optional and value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(member, "an integer" + (" or null" if optional else ""), value)
        if minimum is not None and value < minimum:
            raise self.fail(member, f"at least {minimum}", value)
        return value

    def timestamp(self, member: str) -> datetime | None:
        value = self.get(member)
        if value is None:
            return None
        try:
            return parse_timestamp(value, self.where(member))
        except InvalidEvent as error:
            raise InvalidSnapshot(str(error)) from None


def _message_from_dict(data: object, path: str) -> Message:
    read = _Reader(data, path)
    return Message(
        read.string("id"),
        read.string("participant", empty=True),  # any string the desk sent, as it sent it
        read.integer("project_id"),
        read.timestamp("at"),
    )


def _conversation_from_dict(data: object, path: str) -> Conversation:
    read = _Reader(data, path)
    visitor_data = read.get("visitor")
    if not isinstance(visitor_data, Mapping):
        raise read.fail("visitor", "a JSON object", visitor_data)
    try:
        visitor: Frozen = freeze(visitor_data, read.where("visitor"), 1, MAX_VISITOR_DEPTH)
    except InvalidEvent as error:
        raise InvalidSnapshot(str(error)) from None
    assert isinstance(visitor, PMap)  # a Mapping freezes to a PMap
    messages = [
        _message_from_dict(item, f"{read.where('messages')}[{i}]")
        for i, item in enumerate(read.array("messages"))
    ]
    ids = HashSet(message.id for message in messages)
    if len(ids) != len(messages):
        raise InvalidSnapshot(f"{read.where('messages')} has the same message id twice")
    counts: dict[str, int] = {}
    for message in messages:
        counts[message.participant] = counts.get(message.participant, 0) + 1
    unread = read.integer("unread", minimum=0)
    waiting = sum(counts.get(participant, 0) for participant in UNREAD_PARTICIPANTS)
    if unread > waiting:
        raise InvalidSnapshot(
            f"{read.where('unread')} is {unread}, more than its {waiting} Visitor and Expert "
            "messages"
        )
    return Conversation(
        read.string("id"),
        project_id=read.integer("project_id", optional=True),
        visitor=visitor,
        messages=Vector(messages),
        unread=unread,
        state_box_clicks=read.integer("state_box_clicks", minimum=0),
        implicit=read.boolean("implicit"),
        added_at=read.timestamp("added_at"),
        removed_at=read.timestamp("removed_at"),
        message_counts=HashMap(counts),
        message_ids=ids,
    )


def _conversations(read: _Reader, member: str) -> list[Conversation]:
    return [
        _conversation_from_dict(item, f"{read.where(member)}[{i}]")
        for i, item in enumerate(read.array(member))
    ]


def _upgraded(data: Mapping[str, Any]) -> Mapping[str, Any]:
    name = data.get("format")
    while name in _UPGRADES:
        name, upgrade = _UPGRADES[name]
        data = upgrade(dict(data))
    if name != FORMAT:
        raise InvalidSnapshot(f"format must be {FORMAT!r}, got {found(name)}")
    return data


def from_dict(data: object) -> DeskState:
    """Read back a snapshot written by :func:`to_dict` (or an older format, upgraded first).

    Validates everything it reads and raises :class:`~deskstate.InvalidSnapshot` (a ``ValueError``)
    naming the path of the first bad member. Never unpickles anything.
    """
    if not isinstance(data, Mapping):
        raise InvalidSnapshot(f"snapshot must be a JSON object, got {found(data)}")
    read = _Reader(_upgraded(data), "")
    open_ones = _conversations(read, "conversations")
    closed = _conversations(read, "closed")
    order = [conversation.id for conversation in open_ones]
    seen: set[str] = set()
    for cid in [*order, *(conversation.id for conversation in closed)]:
        if cid in seen:
            raise InvalidSnapshot(f"conversation {cid!r} appears more than once")
        seen.add(cid)
    focused_id = read.string("focused_id", optional=True)
    conversations = {conversation.id: conversation for conversation in open_ones}
    if focused_id is not None:
        if focused_id not in conversations:
            raise InvalidSnapshot(f"focused_id {focused_id!r} is not an open conversation")
        if conversations[focused_id].unread:
            raise InvalidSnapshot(f"focused conversation {focused_id!r} has unread messages")
    availability = read.get("availability")
    if not isinstance(availability, Mapping) or not all(
        isinstance(status, str) for status in availability.values()
    ):
        raise read.fail("availability", "an object of channel to status strings", availability)
    return DeskState(
        conversations=HashMap(conversations),
        order=DeskOrder(order),
        focused_id=focused_id,
        availability=pmap(availability),
        closed=HashMap({conversation.id: conversation for conversation in closed}),
        last_clicked_id=read.string("last_clicked_id", optional=True),
        version=read.integer("version", minimum=0),
        clock=read.timestamp("clock"),
        unread_total=sum(conversation.unread for conversation in open_ones),
    )
