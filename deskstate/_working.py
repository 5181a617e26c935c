"""The working copies of the batch fold (:mod:`deskstate._fold`): a desk and its conversations.

A :class:`WorkingDesk` holds what the fold changed in a snapshot: its open and closed
conversations seen through a dict of changes (:class:`Changes`), a :class:`Talk` for each
conversation an event changed (a mutable :class:`~deskstate.Conversation`), and the desk's own
members. :meth:`WorkingDesk.freeze` builds the snapshot once, with the same classes and
collections as the reducer, sharing with the snapshot the fold started from all it can.
Pure: the working copies belong to one fold and never leave it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Final

from pyrsistent import PMap, pmap

from deskstate._hamt import HashMap, HashSet
from deskstate._json import Frozen
from deskstate._vector import Vector
from deskstate.anomaly import Anomaly
from deskstate.state import (
    Conversation,
    DeskState,
    Message,
    build_conversation,
    build_desk,
    build_message,
)

__all__ = ["Changes", "MessageFields", "Talk", "WorkingDesk", "frozen"]

_new_object = object.__new__

#: A message appended by the fold: its id, participant, project id and time.
MessageFields = tuple[str, str, int, "datetime | None"]

_NO_COUNTS: Final[HashMap[str, int]] = HashMap()
_NO_IDS: Final[HashSet[str]] = HashSet()
_NO_MESSAGES: Final[Vector[Message]] = Vector()
_NO_VISITOR: Final[PMap[str, Frozen]] = pmap()


class Talk:
    """A conversation being changed: a mutable :class:`~deskstate.Conversation`.

    Messages and their ids are kept as the frozen collections it started with plus what was
    added since, so that taking a conversation out of a snapshot costs O(1), however long it is.
    """

    __slots__ = (
        "added_at",
        "clicks",
        "counts",
        "id",
        "ids",
        "implicit",
        "messages",
        "new_messages",
        "project_id",
        "removed_at",
        "unread",
        "visitor",
    )

    def __init__(
        self,
        cid: str,
        project_id: int | None = None,
        *,
        implicit: bool = False,
        added_at: datetime | None = None,
    ) -> None:
        self.id = cid
        self.project_id = project_id
        self.visitor: Mapping[str, Frozen] = _NO_VISITOR
        self.messages: Vector[Message] = _NO_MESSAGES
        #: The ids of ``messages``, or ``None`` when it has none (checked before every append).
        self.ids: HashSet[str] | None = None
        # What the fold appended, by id in order: made at the first message, since every
        # container that outlives the young generations adds to the garbage collector's work.
        # The messages are plain tuples until the freeze for the same reason: the collector
        # stops tracking a tuple of strings, numbers and times (and then a dict of them), where
        # each ``Message`` would stay tracked, and enough of those set off full collections
        # over the whole heap.
        self.new_messages: dict[str, MessageFields] | None = None
        self.unread = 0
        self.clicks = 0
        self.implicit = implicit
        self.added_at = added_at
        self.removed_at: datetime | None = None
        #: The per-participant counts of ``messages``.
        self.counts: HashMap[str, int] = _NO_COUNTS

    @classmethod
    def of(cls, conversation: Conversation) -> Talk:
        """A working copy of ``conversation``."""
        talk = _new_object(cls)  # every member set once, not through __init__ and again
        talk.id = conversation.id
        talk.project_id = conversation.project_id
        talk.visitor = conversation.visitor
        talk.messages = conversation.messages
        talk.ids = conversation.message_ids or None
        talk.new_messages = None
        talk.unread = conversation.unread
        talk.clicks = conversation.state_box_clicks
        talk.implicit = conversation.implicit
        talk.added_at = conversation.added_at
        talk.removed_at = conversation.removed_at
        talk.counts = conversation.message_counts
        return talk

    def has_message(self, message_id: str) -> bool:
        return (self.new_messages is not None and message_id in self.new_messages) or (
            self.ids is not None and message_id in self.ids
        )

    def append(self, message: MessageFields, unread: bool) -> None:
        """Append a message, given as the fields of :func:`~deskstate.state.build_message`."""
        if self.project_id is None:
            self.project_id = message[2]
        if self.new_messages is None:
            self.new_messages = {message[0]: message}
        else:
            self.new_messages[message[0]] = message
        if unread:
            self.unread += 1

    def _counts(self, appended: Iterable[MessageFields]) -> HashMap[str, int]:
        added: dict[str, int] = {}
        for _, participant, _, _ in appended:
            added[participant] = added.get(participant, 0) + 1
        counts = self.counts
        if not counts:
            return HashMap(added)
        return counts.update({who: counts.get(who, 0) + more for who, more in added.items()})

    def freeze(self) -> Conversation:
        messages, ids, counts = self.messages, self.ids, self.counts
        appended = self.new_messages
        if appended is not None:
            built = [build_message(*fields) for fields in appended.values()]
            messages = messages.extend(built) if messages else Vector(built)
            ids = HashSet(appended) if ids is None else ids.update(appended)
            counts = self._counts(appended.values())
        elif ids is None:
            ids = _NO_IDS
        visitor = self.visitor
        if type(visitor) is not PMap:
            visitor = pmap(visitor)  # a flat visitor, checked when it was read
        return build_conversation(
            self.id,
            self.project_id,
            visitor,
            messages,
            self.unread,
            self.clicks,
            self.implicit,
            self.added_at,
            self.removed_at,
            counts,
            ids,
        )


def frozen(talk: Talk | Conversation) -> Conversation:
    """``talk`` frozen, or the conversation itself when it is one already."""
    return talk if type(talk) is Conversation else talk.freeze()  # type: ignore[union-attr]


class Changes:
    """A map of a snapshot (``base``) and what the fold changed in it, by id.

    ``changes`` holds, for each id changed, its new value (a working copy, or a conversation
    moved in unchanged), or ``None`` when it left the map: finding an id costs O(1) once it was
    touched, and nothing is copied from ``base`` that no event touched.
    """

    __slots__ = ("base", "changes")

    def __init__(self, base: HashMap[str, Conversation]) -> None:
        self.base = base
        self.changes: dict[str, Talk | Conversation | None] = {}

    def get(self, cid: str) -> Talk | Conversation | None:
        changes = self.changes
        if cid in changes:
            return changes[cid]
        return self.base.get(cid)

    def __contains__(self, cid: str) -> bool:
        return self.get(cid) is not None

    def talk(self, cid: str) -> Talk | None:
        """The conversation ``cid`` as a working copy, or ``None`` when it is not in the map."""
        changes = self.changes
        found = changes.get(cid)
        if isinstance(found, Talk):  # the usual case once a conversation was touched: one lookup
            return found
        if found is None:
            if cid in changes:
                return None  # it left the map
            found = self.base.get(cid)
            if found is None:
                return None
        talk = changes[cid] = Talk.of(found)
        return talk

    def freeze(self) -> HashMap[str, Conversation]:
        """The map with the changes made, sharing all it can with ``base``."""
        merged = self.base
        updates: dict[str, Conversation] = {}
        for cid, found in self.changes.items():
            if found is not None:
                updates[cid] = frozen(found)
            elif cid in merged:
                merged = merged.remove(cid)
        return merged.update(updates)


class WorkingDesk:
    """A desk being folded: its open and closed conversations, its order, and the rest."""

    __slots__ = (
        "anomalies",
        "availability",
        "base",
        "clock",
        "closed",
        "count",
        "focused_id",
        "last_clicked_id",
        "opened",
        "order",
        "unread_total",
        "version",
    )

    def __init__(self, base: DeskState) -> None:
        self.base = base
        self.opened = Changes(base.conversations)
        self.closed = Changes(base.closed)
        self.order = base.order
        self.focused_id = base.focused_id
        self.availability: Mapping[str, str] = base.availability
        self.last_clicked_id = base.last_clicked_id
        self.version = base.version
        self.clock = base.clock
        self.unread_total = base.unread_total
        self.count = 0
        self.anomalies: list[Anomaly] = []

    def open(self, talk: Talk) -> None:
        """Open ``talk`` (not open yet) at the end of the desk order."""
        cid = talk.id
        self.opened.changes[cid] = talk
        self.order = self.order.append(cid)
        self.unread_total += talk.unread
        if cid in self.closed:
            self.closed.changes[cid] = None

    def close(self, talk: Talk) -> None:
        """Move the open ``talk`` to the closed conversations."""
        cid = talk.id
        self.opened.changes[cid] = None
        self.order = self.order.remove(cid)
        self.closed.changes[cid] = talk
        self.unread_total -= talk.unread

    def tick(self, ts: datetime | None) -> None:
        """One more event, at ``ts``: the clock keeps the latest time seen."""
        self.version += 1
        if ts is not None and (self.clock is None or ts > self.clock):
            self.clock = ts

    def freeze(self) -> DeskState:
        """The snapshot this working desk holds (``base`` itself when nothing was applied)."""
        base = self.base
        if self.version == base.version:
            return base
        availability = self.availability
        if type(availability) is not PMap:
            availability = pmap(availability)
        return build_desk(
            self.opened.freeze(),
            self.order,
            self.focused_id,
            availability,
            self.closed.freeze(),
            self.last_clicked_id,
            self.version,
            self.clock,
            self.unread_total,
            None,
        )
