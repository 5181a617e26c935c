"""Replay without the snapshots in between: fold records into working copies, freeze them once.

:func:`deskstate.replay` and :func:`deskstate.replay_desks` return only each desk's last
snapshot, so they need not build one per record as :func:`deskstate.step` does. This module
applies SPEC §4's rules to a working copy of each desk (:mod:`deskstate._working`: dicts of what
changed, and a mutable conversation for each one an event changed) and builds the snapshot once,
at the end, with the same classes and collections as the reducer. The result is equal (``==``)
to folding :func:`~deskstate.step` over the same records, with the same anomalies in the same
order: tests/test_fold.py holds the two equal on chaotic streams.

Records of the common shapes are read inline (:mod:`deskstate._inline`); any other record is
opened by :func:`~deskstate.records.open_record`, the parser of every other path, which accepts or
refuses it with its own words.

Pure, like the reducer: the working copies belong to one call and never leave it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from deskstate._inline import Inline, read_envelope, read_event
from deskstate._json import Frozen
from deskstate._rules import (
    UNREAD_PARTICIPANTS,
    availability_statuses,
    closed_conversation,
    duplicate_message,
    unknown_conversation,
    unknown_event,
    unknown_participant,
)
from deskstate._working import Talk, WorkingDesk
from deskstate.anomaly import Anomaly
from deskstate.errors import InvalidEvent, ProtocolError
from deskstate.events import (
    KNOWN_PARTICIPANTS,
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
from deskstate.state import DeskState

__all__ = ["FoldedDesk", "fold_desks", "foreign_origin"]


def foreign_origin(origin: str, conversation_id: str | None) -> Anomaly:
    """A record came from a page outside the allowed origins."""
    return Anomaly(
        "foreign-origin",
        f"sent from {origin!r}, which is not an allowed desk origin: not applied "
        "(allow it explicitly if that page is trusted)",
        conversation_id,
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


def _reopen(talk: Talk, ts: datetime | None) -> Talk:
    talk.added_at = ts
    talk.removed_at = None
    return talk


def _added(
    desk: WorkingDesk, cid: str, project_id: int, ts: datetime | None
) -> tuple[Anomaly, ...]:
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
        talk = Talk(cid, project_id, added_at=ts)
    desk.open(talk)
    return _NONE


def _focused(desk: WorkingDesk, cid: str, ts: datetime | None) -> tuple[Anomaly, ...]:
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
        talk = Talk(cid, implicit=True, added_at=ts)
        anomaly = unknown_conversation(_FOCUSED, cid, "opened it and gave it the focus")
    desk.open(talk)
    desk.focused_id = cid
    return (anomaly,)


def _focus_lost(desk: WorkingDesk, cid: str, ts: datetime | None) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    if cid in desk.opened or cid in desk.closed:
        if desk.focused_id == cid:
            desk.focused_id = None
        return _NONE
    return (unknown_conversation(_FOCUS_LOST, cid, "nothing to unfocus"),)


def _clicked(desk: WorkingDesk, cid: str, ts: datetime | None) -> tuple[Anomaly, ...]:
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
    talk = Talk(cid, implicit=True, added_at=ts)
    talk.clicks = 1
    desk.open(talk)
    return (unknown_conversation(_CLICKED, cid, "opened it and counted the click"),)


def _removed(desk: WorkingDesk, cid: str, ts: datetime | None) -> tuple[Anomaly, ...]:
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
    desk: WorkingDesk, cid: str, visitor: Mapping[str, Frozen], ts: datetime | None
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
    talk = Talk(cid, implicit=True, added_at=ts)
    talk.visitor = visitor
    desk.open(talk)
    return (unknown_conversation(_VISITOR, cid, "opened it with this visitor"),)


def _message(
    desk: WorkingDesk,
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
        talk.append((message_id, participant, project_id, ts), unread)
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
            talk.append((message_id, participant, project_id, ts), waits)
        return tuple(anomalies)
    anomalies.insert(0, unknown_conversation(_MESSAGE, cid, "opened it and appended the message"))
    talk = Talk(cid, project_id, implicit=True, added_at=ts)
    talk.append((message_id, participant, project_id, ts), waits)
    desk.open(talk)
    return tuple(anomalies)


def _availability(
    desk: WorkingDesk,
    entries: list[tuple[str, str]] | tuple[tuple[str, str], ...],
    ts: datetime | None,
) -> tuple[Anomaly, ...]:
    desk.tick(ts)
    statuses, anomalies = availability_statuses(entries)
    if statuses != desk.availability:
        desk.availability = statuses
    return tuple(anomalies) if anomalies else _NONE


def _unknown(desk: WorkingDesk, event: UnknownEvent) -> tuple[Anomaly, ...]:
    desk.version += 1  # no change but the version (SPEC §4): not even the clock
    return (unknown_event(event.name),)


# --- parsed events -------------------------------------------------------------------------------

_Rule = Callable[[WorkingDesk, Any], tuple[Anomaly, ...]]

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


#: The rule of each event, by the name an inline read gives.
_INLINE_RULES: Final[dict[str, Callable[..., tuple[Anomaly, ...]]]] = {
    _ADDED: _added,
    _FOCUSED: _focused,
    _FOCUS_LOST: _focus_lost,
    _CLICKED: _clicked,
    _REMOVED: _removed,
    _VISITOR: _visitor,
    _MESSAGE: _message,
    AvailabilityUpdated.name: _availability,
}


# --- the fold ------------------------------------------------------------------------------------


_Read = tuple[Callable[..., tuple[Anomaly, ...]], tuple[Any, ...], "str | None"]


def _read_record(value: object) -> tuple[_Read, str | None, str | None]:
    """The rule a record's event calls for, its arguments, its conversation, desk and origin.

    Raises ``InvalidEvent`` for a record that does not parse.
    """
    if type(value) is dict:
        read: Inline | None = None
        desk = origin = None
        if "event" in value:
            read = read_event(value, None)
        elif "data" in value:
            envelope = read_envelope(value)
            if envelope is not None:
                read, desk, origin = envelope
        if read is not None:
            name, arguments, cid = read
            return (_INLINE_RULES[name], arguments, cid), desk, origin
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
    desks: dict[str | None, WorkingDesk] = {}
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
            desk = desks[key] = WorkingDesk(initial)
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
