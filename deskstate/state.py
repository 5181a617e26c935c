"""The snapshot of a desk: :class:`DeskState`, its conversations and their messages.

Every class here is frozen and every collection persistent, so nothing reachable from a snapshot
can be changed by a caller, and an old snapshot never changes when a newer one is made. The
conversation maps, the message counts, the messages, their ids and the order are deskstate's own
tuple-based structures (see ``_hamt``, ``_vector``, ``_order`` for why), converted from any
mapping, sequence or set given to the constructors; ``visitor`` and ``availability`` are
pyrsistent maps.
Fields marked *derived* are kept so that queries stay O(1); they follow from the other fields, take
no part in equality, and are rebuilt when a snapshot is read back with ``from_dict``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final, NoReturn

import attrs
from pyrsistent import PMap, pmap

from deskstate._hamt import HashMap, HashSet
from deskstate._json import Frozen
from deskstate._order import DeskOrder
from deskstate._vector import Vector

__all__ = [
    "Conversation",
    "DeskOrder",
    "DeskState",
    "HashMap",
    "HashSet",
    "Lineage",
    "Message",
    "Vector",
]

_NO_VISITOR: Final[PMap[str, Frozen]] = pmap()
_NO_MESSAGES: Final[Vector[Message]] = Vector()
_NO_COUNTS: Final[HashMap[str, int]] = HashMap()
_NO_IDS: Final[HashSet[str]] = HashSet()


def _as_vector(messages: Iterable[Message]) -> Vector[Message]:
    return messages if type(messages) is Vector else Vector(messages)


def _as_id_set(ids: Iterable[str]) -> HashSet[str]:
    return ids if type(ids) is HashSet else HashSet(ids)


def _as_conversations(conversations: Mapping[str, Conversation]) -> HashMap[str, Conversation]:
    return conversations if type(conversations) is HashMap else HashMap(conversations)


def _as_counts(counts: Mapping[str, int]) -> HashMap[str, int]:
    return counts if type(counts) is HashMap else HashMap(counts)


def _as_order(ids: Iterable[str]) -> DeskOrder:
    return ids if type(ids) is DeskOrder else DeskOrder(ids)


@attrs.frozen
class Message:
    """One message of a conversation: its id, who sent it, its project and when it arrived."""

    id: str
    participant: str
    project_id: int
    at: datetime | None = None


@attrs.frozen(cache_hash=True)
class Conversation:
    """A conversation as the desk has shown it so far (open or closed).

    ``project_id`` is ``None`` until an event names it. ``visitor`` is the last profile the desk
    sent (empty until known). ``messages`` are in arrival order. ``implicit`` is True when the
    conversation was opened by another event without ever being announced by
    ``CONVERSATION_ADDED``. ``added_at`` is when it was last opened, ``removed_at`` when it last
    left the desk (``None`` while open, or when the event carried no timestamp).
    """

    id: str
    project_id: int | None = None
    visitor: PMap[str, Frozen] = _NO_VISITOR
    messages: Vector[Message] = attrs.field(default=_NO_MESSAGES, converter=_as_vector)
    unread: int = 0
    state_box_clicks: int = 0
    implicit: bool = False
    added_at: datetime | None = None
    removed_at: datetime | None = None
    #: Derived: number of messages per participant type.
    message_counts: HashMap[str, int] = attrs.field(
        default=_NO_COUNTS, converter=_as_counts, eq=False, repr=False
    )
    #: Derived: the ids of ``messages``, to refuse a duplicate in O(1).
    message_ids: HashSet[str] = attrs.field(
        default=_NO_IDS, converter=_as_id_set, eq=False, repr=False
    )


_NO_CONVERSATIONS: Final[HashMap[str, Conversation]] = HashMap()
_NO_ORDER: Final[DeskOrder] = DeskOrder()
_NO_AVAILABILITY: Final[PMap[str, str]] = pmap()


@attrs.frozen(cache_hash=True)
class DeskState:
    """An immutable snapshot of an operator desk. ``DeskState()`` is the empty desk.

    ``conversations`` maps the id of each open conversation to it, ``order`` lists those ids in desk
    order, ``focused_id`` names the focused one (or is ``None``). ``availability`` maps each channel
    to its last reported status. ``closed`` keeps the conversations that left the desk. ``version``
    counts the events reduced into this snapshot and ``clock`` is the latest timestamp seen.
    """

    conversations: HashMap[str, Conversation] = attrs.field(
        default=_NO_CONVERSATIONS, converter=_as_conversations
    )
    order: DeskOrder = attrs.field(default=_NO_ORDER, converter=_as_order)
    focused_id: str | None = None
    availability: PMap[str, str] = _NO_AVAILABILITY
    closed: HashMap[str, Conversation] = attrs.field(
        default=_NO_CONVERSATIONS, converter=_as_conversations
    )
    last_clicked_id: str | None = None
    version: int = 0
    clock: datetime | None = None
    #: Derived: the sum of ``unread`` over the open conversations.
    unread_total: int = attrs.field(default=0, eq=False, repr=False)
    #: Derived: the snapshot this one was reduced from (weakly) and the conversation the event
    #: named, so that ``diff`` of two snapshots of one history looks only at what changed.
    lineage: Lineage | None = attrs.field(default=None, eq=False, repr=False)


class Lineage(weakref.ref):  # type: ignore[type-arg] # a ref to a DeskState, see parent()
    """Where a snapshot comes from: a weak reference to the snapshot it was reduced from.

    ``touched`` is the id of the conversation the event named (``None`` for a desk-wide event).
    Weak, so that a snapshot never keeps its history alive: once the parent is gone, ``diff``
    compares the two snapshots the slower way. Frozen like everything under a snapshot.
    """

    __slots__ = ("touched",)
    touched: str | None

    def __new__(cls, parent: DeskState, touched: str | None) -> Lineage:  # noqa: D102
        self = super().__new__(cls, parent)
        object.__setattr__(self, "touched", touched)
        return self

    def __init__(self, parent: DeskState, touched: str | None) -> None:
        # weakref.ref.__init__ would take ``touched`` for a callback: the reference is made above.
        pass

    def parent(self) -> DeskState | None:
        """The snapshot this one was reduced from, or ``None`` once it is gone."""
        found: DeskState | None = self()
        return found

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"a snapshot's lineage cannot be changed (tried to set {name!r})")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"a snapshot's lineage cannot be changed (tried to delete {name!r})")


# --- building snapshots without attrs' __init__ (for the reducer) --------------------------------
# attrs' frozen __init__ sets each field through object.__setattr__ and runs the converters; the
# reducer, which always holds values of the right types, sets the slots through their own
# descriptors instead, in half the time. tests/test_state_builders.py checks that these set every
# field, so that a field added to a class without being added here fails at once.

_new_object = object.__new__


def _setters(cls: type, *, cached_hash: bool = True) -> tuple[Any, ...]:
    """The slot setters of ``cls``'s fields in order, then that of the hash attrs caches."""
    names = [field.name for field in attrs.fields(cls)]
    if cached_hash:
        names.append("_attrs_cached_hash")
    return tuple(cls.__dict__[name].__set__ for name in names)


(
    _set_conversations,
    _set_order,
    _set_focused_id,
    _set_availability,
    _set_closed,
    _set_last_clicked_id,
    _set_version,
    _set_clock,
    _set_unread_total,
    _set_lineage,
    _set_desk_hash,
) = _setters(DeskState)


def build_desk(
    conversations: HashMap[str, Conversation],
    order: DeskOrder,
    focused_id: str | None,
    availability: PMap[str, str],
    closed: HashMap[str, Conversation],
    last_clicked_id: str | None,
    version: int,
    clock: datetime | None,
    unread_total: int,
    lineage: Lineage | None,
) -> DeskState:
    """``DeskState(...)`` of values already of the fields' types, without converting them."""
    desk = _new_object(DeskState)
    _set_conversations(desk, conversations)
    _set_order(desk, order)
    _set_focused_id(desk, focused_id)
    _set_availability(desk, availability)
    _set_closed(desk, closed)
    _set_last_clicked_id(desk, last_clicked_id)
    _set_version(desk, version)
    _set_clock(desk, clock)
    _set_unread_total(desk, unread_total)
    _set_lineage(desk, lineage)
    _set_desk_hash(desk, None)
    return desk


(
    _set_id,
    _set_project_id,
    _set_visitor,
    _set_messages,
    _set_unread,
    _set_state_box_clicks,
    _set_implicit,
    _set_added_at,
    _set_removed_at,
    _set_message_counts,
    _set_message_ids,
    _set_conversation_hash,
) = _setters(Conversation)


def build_conversation(
    id: str,
    project_id: int | None,
    visitor: PMap[str, Frozen],
    messages: Vector[Message],
    unread: int,
    state_box_clicks: int,
    implicit: bool,
    added_at: datetime | None,
    removed_at: datetime | None,
    message_counts: HashMap[str, int],
    message_ids: HashSet[str],
) -> Conversation:
    """``Conversation(...)`` of values already of the fields' types, without converting them."""
    conversation = _new_object(Conversation)
    _set_id(conversation, id)
    _set_project_id(conversation, project_id)
    _set_visitor(conversation, visitor)
    _set_messages(conversation, messages)
    _set_unread(conversation, unread)
    _set_state_box_clicks(conversation, state_box_clicks)
    _set_implicit(conversation, implicit)
    _set_added_at(conversation, added_at)
    _set_removed_at(conversation, removed_at)
    _set_message_counts(conversation, message_counts)
    _set_message_ids(conversation, message_ids)
    _set_conversation_hash(conversation, None)
    return conversation


_set_message_id, _set_participant, _set_message_project_id, _set_at = _setters(
    Message, cached_hash=False
)


def build_message(id: str, participant: str, project_id: int, at: datetime | None) -> Message:
    """``Message(...)`` of values already of the fields' types, without attrs' ``__init__``."""
    message = _new_object(Message)
    _set_message_id(message, id)
    _set_participant(message, participant)
    _set_message_project_id(message, project_id)
    _set_at(message, at)
    return message
