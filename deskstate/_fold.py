"""Replay without the snapshots in between: fold records into working copies, freeze them once.

:func:`deskstate.replay` and :func:`deskstate.replay_desks` return only each desk's last
snapshot, so they need not build one per record as :func:`deskstate.step` does. This module
applies SPEC §4's rules to a mutable working copy of each desk (plain dicts, and a mutable
:class:`_Talk` for each conversation an event changed) and builds the snapshot once, at the end,
with the same classes and collections as the reducer. The result is equal (``==``) to folding
:func:`~deskstate.step` over the same records, with the same anomalies in the same order:
tests/test_fold.py holds the two equal on chaotic streams.

Records of the common shapes (a log's dicts: an envelope of ``data``, ``ts``, ``desk``,
``origin``, around a catalogue event with exactly its members, of exactly their types) are
validated here, inline; any other record is opened by :func:`~deskstate.records.open_record`, the
parser of every other path, which accepts or refuses it with its own words.

Pure, like the reducer: the working copies belong to one call and never leave it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from pyrsistent import PMap, pmap

from deskstate._hamt import HashMap, HashSet
from deskstate._json import Frozen
from deskstate._persistent import map_set
from deskstate._rules import (
    UNREAD_PARTICIPANTS,
    availability_statuses,
    closed_conversation,
    duplicate_message,
    unknown_conversation,
    unknown_event,
    unknown_participant,
)
from deskstate._vector import Vector
from deskstate.anomaly import Anomaly
from deskstate.errors import InvalidEvent, ProtocolError
from deskstate.events import (
    EVENT_PREFIX,
    KNOWN_PARTICIPANTS,
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
    Event,
    UnknownEvent,
)
from deskstate.records import LogLine, desk_of, open_record
from deskstate.state import (
    Conversation,
    DeskState,
    Message,
    build_conversation,
    build_desk,
    build_message,
)
from deskstate.timestamps import parse_timestamp

__all__ = ["FoldedDesk", "fold_desks", "foreign_origin"]

_NO_COUNTS: Final[PMap[str, int]] = pmap()
_NO_IDS: Final[HashSet[str]] = HashSet()
_NO_MESSAGES: Final[Vector[Message]] = Vector()
_NO_VISITOR: Final[PMap[str, Frozen]] = pmap()


def foreign_origin(origin: str, conversation_id: str | None) -> Anomaly:
    """A record came from a page outside the allowed origins."""
    return Anomaly(
        "foreign-origin",
        f"sent from {origin!r}, which is not an allowed desk origin: not applied "
        "(allow it explicitly if that page is trusted)",
        conversation_id,
    )


# --- the working copies --------------------------------------------------------------------------


class _Talk:
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
        "new_ids",
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
        # What the fold appended, and their ids: made at the first message, since every
        # container that outlives the young generations adds to the garbage collector's work.
        self.new_messages: list[Message] | None = None
        self.new_ids: set[str] | None = None
        self.unread = 0
        self.clicks = 0
        self.implicit = implicit
        self.added_at = added_at
        self.removed_at: datetime | None = None
        #: The per-participant counts of ``messages``.
        self.counts: PMap[str, int] = _NO_COUNTS

    @classmethod
    def of(cls, conversation: Conversation) -> _Talk:
        """A working copy of ``conversation``."""
        talk = cls(
            conversation.id,
            conversation.project_id,
            implicit=conversation.implicit,
            added_at=conversation.added_at,
        )
        talk.visitor = conversation.visitor
        talk.messages = conversation.messages
        talk.ids = conversation.message_ids or None
        talk.unread = conversation.unread
        talk.clicks = conversation.state_box_clicks
        talk.removed_at = conversation.removed_at
        talk.counts = conversation.message_counts
        return talk

    def has_message(self, message_id: str) -> bool:
        return (self.new_ids is not None and message_id in self.new_ids) or (
            self.ids is not None and message_id in self.ids
        )

    def append(self, message: Message, unread: bool) -> None:
        if self.project_id is None:
            self.project_id = message.project_id
        if self.new_messages is None or self.new_ids is None:
            self.new_messages, self.new_ids = [message], {message.id}
        else:
            self.new_messages.append(message)
            self.new_ids.add(message.id)
        if unread:
            self.unread += 1

    def _counts(self, appended: list[Message]) -> PMap[str, int]:
        added: dict[str, int] = {}
        for message in appended:
            added[message.participant] = added.get(message.participant, 0) + 1
        counts = self.counts
        for participant, more in added.items():
            counts = map_set(counts, participant, counts.get(participant, 0) + more)
        return counts

    def freeze(self) -> Conversation:
        messages, ids, counts = self.messages, self.ids, self.counts
        appended, appended_ids = self.new_messages, self.new_ids
        if appended is not None and appended_ids is not None:
            if messages:
                for message in appended:
                    messages = messages.append(message)
            else:
                messages = Vector(appended)
            if ids is not None:
                for message_id in appended_ids:
                    ids = ids.add(message_id)
            else:
                ids = HashSet(appended_ids)
            counts = self._counts(appended)
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


def _frozen(talk: _Talk | Conversation) -> Conversation:
    return talk if type(talk) is Conversation else talk.freeze()  # type: ignore[union-attr]


class _Changes:
    """A map of a snapshot (``base``) and what the fold changed in it, by id.

    ``changes`` holds, for each id changed, its new value (a working copy, or a conversation
    moved in unchanged), or ``None`` when it left the map: finding an id costs O(1) once it was
    touched, and nothing is copied from ``base`` that no event touched.
    """

    __slots__ = ("base", "changes")

    def __init__(self, base: HashMap[str, Conversation]) -> None:
        self.base = base
        self.changes: dict[str, _Talk | Conversation | None] = {}

    def get(self, cid: str) -> _Talk | Conversation | None:
        changes = self.changes
        if cid in changes:
            return changes[cid]
        return self.base.get(cid)

    def __contains__(self, cid: str) -> bool:
        return self.get(cid) is not None

    def talk(self, cid: str) -> _Talk | None:
        """The conversation ``cid`` as a working copy, or ``None`` when it is not in the map."""
        found = self.get(cid)
        if found is None or isinstance(found, _Talk):
            return found
        talk = self.changes[cid] = _Talk.of(found)
        return talk

    def freeze(self) -> HashMap[str, Conversation]:
        """The map with the changes made, sharing all it can with ``base``."""
        merged = self.base
        if len(self.changes) * 4 >= len(merged):  # most of it changed: build it anew, at once
            entries = dict(merged.items())
            for cid, found in self.changes.items():
                if found is not None:
                    entries[cid] = _frozen(found)
                else:
                    entries.pop(cid, None)
            return HashMap(entries)
        for cid, found in self.changes.items():
            if found is not None:
                merged = merged.set(cid, _frozen(found))
            elif cid in merged:
                merged = merged.remove(cid)
        return merged


class _Desk:
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
        self.opened = _Changes(base.conversations)
        self.closed = _Changes(base.closed)
        self.order = base.order
        self.focused_id = base.focused_id
        self.availability: Mapping[str, str] = base.availability
        self.last_clicked_id = base.last_clicked_id
        self.version = base.version
        self.clock = base.clock
        self.unread_total = base.unread_total
        self.count = 0
        self.anomalies: list[Anomaly] = []

    def open(self, talk: _Talk) -> None:
        """Open ``talk`` (not open yet) at the end of the desk order."""
        cid = talk.id
        self.opened.changes[cid] = talk
        self.order = self.order.append(cid)
        self.unread_total += talk.unread
        if cid in self.closed:
            self.closed.changes[cid] = None

    def close(self, talk: _Talk) -> None:
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


# --- one rule per event type (SPEC §4), on the working copies ------------------------------------
# Each returns the anomalies the event raised, in the reducer's order, without a record index.

_NONE: Final[tuple[Anomaly, ...]] = ()
_ADDED: Final = ConversationAdded.name
_FOCUSED: Final = ConversationFocused.name
_FOCUS_LOST: Final = ConversationFocusLost.name
_CLICKED: Final = ConversationStateBoxClicked.name
_REMOVED: Final = ConversationRemoved.name
_VISITOR: Final = ConversationVisitorUpdated.name
_MESSAGE: Final = ConversationMessageAdded.name


def _reopen(talk: _Talk, ts: datetime | None) -> _Talk:
    talk.added_at = ts
    talk.removed_at = None
    return talk


def _added(desk: _Desk, cid: str, project_id: int, ts: datetime | None) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    current = desk.opened.get(cid)
    if current is not None:
        if current.implicit:
            talk = desk.opened.talk(cid)
            assert talk is not None
            talk.implicit = False
            if talk.project_id is None:
                talk.project_id = project_id
        return _NONE  # otherwise, the desk was refreshed
    talk = desk.closed.talk(cid)
    if talk is not None:
        _reopen(talk, ts)
        talk.project_id = project_id
        talk.implicit = False
    else:
        talk = _Talk(cid, project_id, added_at=ts)
    desk.open(talk)
    return _NONE


def _focused(desk: _Desk, cid: str, ts: datetime | None) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    current = desk.opened.get(cid)
    if current is not None:
        if current.unread:
            talk = desk.opened.talk(cid)
            assert talk is not None
            desk.unread_total -= talk.unread
            talk.unread = 0
        desk.focused_id = cid
        return _NONE
    talk = desk.closed.talk(cid)
    if talk is not None:
        _reopen(talk, ts).unread = 0
        anomaly = closed_conversation(_FOCUSED, cid, "reopened it and gave it the focus")
    else:
        talk = _Talk(cid, implicit=True, added_at=ts)
        anomaly = unknown_conversation(_FOCUSED, cid, "opened it and gave it the focus")
    desk.open(talk)
    desk.focused_id = cid
    return (anomaly,)


def _focus_lost(desk: _Desk, cid: str, ts: datetime | None) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    if cid in desk.opened or cid in desk.closed:
        if desk.focused_id == cid:
            desk.focused_id = None
        return _NONE
    return (unknown_conversation(_FOCUS_LOST, cid, "nothing to unfocus"),)


def _clicked(desk: _Desk, cid: str, ts: datetime | None) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    desk.last_clicked_id = cid
    talk = desk.opened.talk(cid)
    if talk is not None:
        talk.clicks += 1
        return _NONE
    talk = desk.closed.talk(cid)
    if talk is not None:
        talk.clicks += 1
        return (closed_conversation(_CLICKED, cid, "counted the click on its closed record"),)
    talk = _Talk(cid, implicit=True, added_at=ts)
    talk.clicks = 1
    desk.open(talk)
    return (unknown_conversation(_CLICKED, cid, "opened it and counted the click"),)


def _removed(desk: _Desk, cid: str, ts: datetime | None) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    talk = desk.opened.talk(cid)
    if talk is not None:
        talk.removed_at = ts
        desk.close(talk)
        if desk.focused_id == cid:
            desk.focused_id = None  # FOCUS_LOST may come before or after the removal
        return _NONE
    if cid in desk.closed:
        return (closed_conversation(_REMOVED, cid, "it was already removed, nothing to do"),)
    return (unknown_conversation(_REMOVED, cid, "nothing to remove"),)


def _visitor(
    desk: _Desk, cid: str, visitor: Mapping[str, Frozen], ts: datetime | None
) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    talk = desk.opened.talk(cid)
    if talk is not None:
        talk.visitor = visitor
        return _NONE
    talk = desk.closed.talk(cid)
    if talk is not None:
        talk.visitor = visitor
        return (closed_conversation(_VISITOR, cid, "updated the visitor on its closed record"),)
    talk = _Talk(cid, implicit=True, added_at=ts)
    talk.visitor = visitor
    desk.open(talk)
    return (unknown_conversation(_VISITOR, cid, "opened it with this visitor"),)


def _message(
    desk: _Desk,
    cid: str,
    message_id: str,
    project_id: int,
    participant: str,
    ts: datetime | None,
) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    anomalies: list[Anomaly] = []
    if participant not in KNOWN_PARTICIPANTS:
        anomalies.append(unknown_participant(cid, participant))
    waits = participant in UNREAD_PARTICIPANTS
    talk = desk.opened.talk(cid)
    if talk is not None:
        if talk.has_message(message_id):
            anomalies.append(duplicate_message(cid, message_id))
            return tuple(anomalies)
        unread = waits and desk.focused_id != cid
        talk.append(build_message(message_id, participant, project_id, ts), unread)
        if unread:
            desk.unread_total += 1
        return tuple(anomalies) if anomalies else _NONE
    talk = desk.closed.talk(cid)
    if talk is not None:
        anomalies.insert(
            0, closed_conversation(_MESSAGE, cid, "appended the message to its closed record")
        )
        if talk.has_message(message_id):
            anomalies.append(duplicate_message(cid, message_id))
        else:
            talk.append(build_message(message_id, participant, project_id, ts), waits)
        return tuple(anomalies)
    anomalies.insert(0, unknown_conversation(_MESSAGE, cid, "opened it and appended the message"))
    talk = _Talk(cid, project_id, implicit=True, added_at=ts)
    talk.append(build_message(message_id, participant, project_id, ts), waits)
    desk.open(talk)
    return tuple(anomalies)


def _availability(
    desk: _Desk, entries: list[tuple[str, str]] | tuple[tuple[str, str], ...], ts: datetime | None
) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    statuses, anomalies = availability_statuses(entries)
    if statuses != desk.availability:
        desk.availability = statuses
    return tuple(anomalies) if anomalies else _NONE


def _unknown(desk: _Desk, event: UnknownEvent) -> tuple[Anomaly, ...]:
    desk.version += 1  # no change but the version (SPEC §4): not even the clock
    return (unknown_event(event.name),)


# --- parsed events -------------------------------------------------------------------------------

_Rule = Callable[[_Desk, Any], tuple[Anomaly, ...]]

_RULES: Final[dict[type[Event], _Rule]] = {
    ConversationAdded: lambda d, e: _added(d, e.conversation_id, e.project_id, e.ts),
    ConversationFocused: lambda d, e: _focused(d, e.conversation_id, e.ts),
    ConversationFocusLost: lambda d, e: _focus_lost(d, e.conversation_id, e.ts),
    ConversationStateBoxClicked: lambda d, e: _clicked(d, e.conversation_id, e.ts),
    ConversationRemoved: lambda d, e: _removed(d, e.conversation_id, e.ts),
    ConversationVisitorUpdated: lambda d, e: _visitor(d, e.conversation_id, e.visitor, e.ts),
    ConversationMessageAdded: lambda d, e: _message(
        d, e.conversation_id, e.message_id, e.project_id, e.participant, e.ts
    ),
    AvailabilityUpdated: lambda d, e: _availability(d, e.availabilities, e.ts),
    UnknownEvent: _unknown,
}


def _rule_for(event: Event) -> _Rule:
    for kind in type(event).__mro__:  # a subclass of an event class has its class's rule
        rule = _RULES.get(kind)
        if rule is not None:
            return rule
    raise TypeError(f"not an event: {type(event).__name__}")  # open_record returns only events


# --- reading the common records inline -----------------------------------------------------------

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


#: What an inline read gives: the rule to apply, its arguments but the desk, the conversation.
_Read = tuple[Callable[..., tuple[Anomaly, ...]], tuple[Any, ...], "str | None"]

_ONE_ID_RULES: Final[dict[str, Callable[..., tuple[Anomaly, ...]]]] = {
    EVENT_PREFIX + _FOCUSED: _focused,
    EVENT_PREFIX + _FOCUS_LOST: _focus_lost,
    EVENT_PREFIX + _CLICKED: _clicked,
    EVENT_PREFIX + _REMOVED: _removed,
}
_ADDED_NAME: Final = EVENT_PREFIX + _ADDED
_MESSAGE_NAME: Final = EVENT_PREFIX + _MESSAGE
_VISITOR_NAME: Final = EVENT_PREFIX + _VISITOR
_AVAILABILITY_NAME: Final = EVENT_PREFIX + AvailabilityUpdated.name


def _read_event(data: dict[str, Any], ts: datetime | None) -> _Read | None:
    """Read a catalogue event of the common shape, or ``None`` when the parser must see it."""
    name = data.get("event")
    if type(name) is not str:
        return None
    size = len(data)
    cid = data.get("conversationId")
    rule = _ONE_ID_RULES.get(name)
    if rule is not None:
        if size == 2 and _id(cid):
            return rule, (cid, ts), cid
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
            return _message, (cid, message_id, project_id, participant, ts), cid
        return None
    if name == _ADDED_NAME:
        project_id = data.get("projectId")
        if size == 3 and _id(cid) and type(project_id) is int:
            return _added, (cid, project_id, ts), cid
        return None
    if name == _VISITOR_NAME:
        visitor = _flat_visitor(data.get("visitor"))
        if size == 3 and _id(cid) and visitor is not None:
            return _visitor, (cid, visitor, ts), cid
        return None
    if name == _AVAILABILITY_NAME:
        entries = _entries(data.get("availabilities"))
        if size == 2 and entries is not None:
            return _availability, (entries, ts), None
    return None


def _read_envelope(record: dict[str, Any]) -> tuple[_Read, str | None, str | None] | None:
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
    read = _read_event(data, ts)
    if read is None:
        return None
    return read, desk, origin


# --- the fold ------------------------------------------------------------------------------------


def _read_record(value: object) -> tuple[_Read, str | None, str | None]:
    """The rule a record's event calls for, its desk and origin; raises ``InvalidEvent``."""
    if type(value) is dict:
        if "event" in value:
            read = _read_event(value, None)
            if read is not None:
                return read, None, None
        elif "data" in value:
            envelope = _read_envelope(value)
            if envelope is not None:
                return envelope
    event, desk, origin = open_record(value)
    return (_rule_for(event), (event,), getattr(event, "conversation_id", None)), desk, origin


class FoldedDesk:
    """One desk's outcome: its last snapshot, its anomalies and the number of its records."""

    __slots__ = ("anomalies", "count", "state")

    def __init__(self, state: DeskState, anomalies: tuple[Anomaly, ...], count: int) -> None:
        self.state = state
        self.anomalies = anomalies
        self.count = count


def fold_desks(
    records: Iterable[object],
    initial: DeskState,
    strict: bool,
    origins: frozenset[str] | None,
    by_desk: bool,
) -> dict[str | None, FoldedDesk]:
    """Fold ``records`` as :func:`~deskstate.replay_steps` would, keeping only the last snapshots.

    One entry per desk (every record under ``None`` without ``by_desk``), in order of first
    record. In strict mode, raises :class:`~deskstate.ProtocolError` at the first anomaly.
    """
    desks: dict[str | None, _Desk] = {}
    for index, record in enumerate(records):
        line = None
        value = record
        try:
            if type(record) is not dict and isinstance(record, LogLine):
                line, value = record.line, record.value
                if record.error is not None:
                    raise InvalidEvent(record.error)
            (rule, arguments, cid), desk_key, origin = _read_record(value)
        except InvalidEvent as error:
            key = desk_of(value) if by_desk else None
            anomalies: tuple[Anomaly, ...] = (Anomaly("invalid-event", str(error)),)
        else:
            key = desk_key if by_desk else None
            if origins is not None and origin is not None and origin not in origins:
                anomalies = (foreign_origin(origin, cid),)
            else:
                anomalies = ()
        desk = desks.get(key)
        if desk is None:
            desk = desks[key] = _Desk(initial)
        desk.count += 1
        if not anomalies:
            anomalies = rule(desk, *arguments)
            if not anomalies:
                continue
        located = [anomaly.located(index, line) for anomaly in anomalies]
        if strict:
            raise ProtocolError(located[0])
        desk.anomalies.extend(located)
    return {
        key: FoldedDesk(desk.freeze(), tuple(desk.anomalies), desk.count)
        for key, desk in desks.items()
    }
