"""Questions asked of a snapshot: pure functions, O(1) or O(log n) unless returning a collection."""

from __future__ import annotations

from pyrsistent import PMap

from deskstate._json import Frozen
from deskstate.state import Conversation, DeskState, Message

__all__ = [
    "availability",
    "can_accept",
    "closed_conversations",
    "conversation",
    "find_by_visitor",
    "focused",
    "focused_visitor",
    "is_empty",
    "is_open",
    "message_count",
    "messages",
    "open_conversations",
    "unread_count",
    "visitor",
]


def open_conversations(state: DeskState) -> tuple[Conversation, ...]:
    """The open conversations, in desk order."""
    conversations = state.conversations
    return tuple(conversations[cid] for cid in state.order)


def conversation(state: DeskState, cid: str) -> Conversation | None:
    """The open or closed conversation ``cid``, or ``None`` when the desk never had it."""
    found = state.conversations.get(cid)
    return found if found is not None else state.closed.get(cid)


def is_open(state: DeskState, cid: str) -> bool:
    """Whether ``cid`` is open on the desk."""
    return cid in state.conversations


def focused(state: DeskState) -> Conversation | None:
    """The focused conversation, or ``None``."""
    return None if state.focused_id is None else state.conversations[state.focused_id]


def focused_visitor(state: DeskState) -> PMap[str, Frozen] | None:
    """The focused conversation's visitor profile (empty until known), or ``None`` without focus."""
    current = focused(state)
    return None if current is None else current.visitor


def visitor(state: DeskState, cid: str) -> PMap[str, Frozen] | None:
    """The visitor profile of conversation ``cid`` (open or closed), or ``None`` when unknown."""
    found = conversation(state, cid)
    return None if found is None else found.visitor


def messages(state: DeskState, cid: str, participant: str | None = None) -> tuple[Message, ...]:
    """The messages of ``cid`` in arrival order, optionally only those of one participant type.

    An unknown conversation has no messages: the result is empty.
    """
    found = conversation(state, cid)
    if found is None:
        return ()
    if participant is None:
        return tuple(found.messages)
    return tuple(message for message in found.messages if message.participant == participant)


def message_count(state: DeskState, cid: str, participant: str | None = None) -> int:
    """How many messages ``cid`` has (of one participant type, when given), in O(1)."""
    found = conversation(state, cid)
    if found is None:
        return 0
    if participant is None:
        return len(found.messages)
    return found.message_counts.get(participant, 0)


def unread_count(state: DeskState, cid: str | None = None) -> int:
    """Unread messages of conversation ``cid``, or without ``cid`` the total over open ones."""
    if cid is None:
        return state.unread_total
    found = conversation(state, cid)
    return 0 if found is None else found.unread


def availability(state: DeskState, channel: str) -> str | None:
    """The operator's last reported status on ``channel``, or ``None`` when never reported."""
    return state.availability.get(channel)


def can_accept(state: DeskState, channel: str) -> bool:
    """Whether the operator can take a new conversation on ``channel``: only when ``AVAILABLE``."""
    return state.availability.get(channel) == "AVAILABLE"


def is_empty(state: DeskState) -> bool:
    """Whether no conversation is open (the desk can be hidden)."""
    return not state.conversations


def closed_conversations(state: DeskState) -> tuple[Conversation, ...]:
    """The conversations that left the desk, sorted by id (so the result is deterministic)."""
    return tuple(state.closed[cid] for cid in sorted(state.closed))


def find_by_visitor(state: DeskState, field: str, value: object) -> tuple[Conversation, ...]:
    """The open conversations, in desk order, whose visitor has ``field`` equal to ``value``."""
    missing = object()
    return tuple(
        found for found in open_conversations(state) if found.visitor.get(field, missing) == value
    )
