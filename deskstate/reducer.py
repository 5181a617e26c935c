"""The pure core: :func:`step` folds one event into a snapshot, by a table of small handlers.

Each handler implements one row of the SPEC's reduction table (§4) for one event type. Handlers
never mutate anything, never raise for a parsed event, and leave every sub-structure they do not
change identical (``is``) to the one in the previous snapshot, so that ``diff`` and selectors can
skip it at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple, TypeAlias

import attrs
from pyrsistent import pmap

from deskstate._rules import (
    UNREAD_PARTICIPANTS,
    availability_statuses,
    closed_conversation,
    duplicate_message,
    unknown_conversation,
    unknown_event,
    unknown_participant,
)
from deskstate.anomaly import Anomaly
from deskstate.errors import ProtocolError
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
    parse_event,
)
from deskstate.state import (
    Conversation,
    DeskState,
    Lineage,
    build_conversation,
    build_desk,
    build_message,
)

__all__ = ["Step", "reduce", "step"]

_NO_ANOMALIES: Final[tuple[Anomaly, ...]] = ()


class Step(NamedTuple):
    """What one event did: the next snapshot, and the anomalies the event raised."""

    state: DeskState
    anomalies: tuple[Anomaly, ...]


# --- building the next snapshot ------------------------------------------------------------------

_CONVERSATION_FIELDS: Final = frozenset(attrs.fields_dict(Conversation))
_DESK_FIELDS: Final = frozenset(attrs.fields_dict(DeskState))


def _conversation_with(conversation: Conversation, **changes: Any) -> Conversation:
    """``conversation`` with ``changes``: ``attrs.evolve`` written out (evolve costs 6 µs).

    Built without attrs' ``__init__`` (:func:`~deskstate.state.build_conversation`): every value
    here already has its field's type, so there is nothing to convert.
    """
    assert changes.keys() <= _CONVERSATION_FIELDS, changes.keys() - _CONVERSATION_FIELDS
    get = changes.get
    c = conversation
    return build_conversation(
        c.id,
        get("project_id", c.project_id),
        get("visitor", c.visitor),
        get("messages", c.messages),
        get("unread", c.unread),
        get("state_box_clicks", c.state_box_clicks),
        get("implicit", c.implicit),
        get("added_at", c.added_at),
        get("removed_at", c.removed_at),
        get("message_counts", c.message_counts),
        get("message_ids", c.message_ids),
    )


def _desk_with(state: DeskState, **changes: Any) -> DeskState:
    """``state`` with ``changes``: ``attrs.evolve`` written out, built as above."""
    assert changes.keys() <= _DESK_FIELDS, changes.keys() - _DESK_FIELDS
    get = changes.get
    return build_desk(
        get("conversations", state.conversations),
        get("order", state.order),
        get("focused_id", state.focused_id),
        get("availability", state.availability),
        get("closed", state.closed),
        get("last_clicked_id", state.last_clicked_id),
        get("version", state.version),
        get("clock", state.clock),
        get("unread_total", state.unread_total),
        get("lineage", state.lineage),
    )


def _commit(state: DeskState, event: Event, **changes: Any) -> DeskState:
    """Return the next snapshot: ``state`` with ``changes``, one more event and the clock moved."""
    clock = state.clock
    if event.ts is not None and (clock is None or event.ts > clock):
        clock = event.ts
    touched = getattr(event, "conversation_id", None)
    return _desk_with(
        state,
        version=state.version + 1,
        clock=clock,
        lineage=Lineage(state, touched),
        **changes,
    )


def _put_open(state: DeskState, new: Conversation) -> dict[str, Any]:
    """Changes that replace an open conversation by ``new``, keeping the unread total right."""
    old = state.conversations[new.id]
    return {
        "conversations": state.conversations.set(new.id, new),
        "unread_total": state.unread_total - old.unread + new.unread,
    }


def _open(state: DeskState, new: Conversation) -> dict[str, Any]:
    """Changes that open ``new`` (not open yet) at the end of the desk order."""
    changes = {
        "conversations": state.conversations.set(new.id, new),
        "order": state.order.append(new.id),
        "unread_total": state.unread_total + new.unread,
    }
    if new.id in state.closed:
        changes["closed"] = state.closed.remove(new.id)
    return changes


def _reopened(closed: Conversation, event: Event) -> Conversation:
    return _conversation_with(closed, added_at=event.ts, removed_at=None)


def _implicit(conversation_id: str, event: Event, project_id: int | None = None) -> Conversation:
    return Conversation(conversation_id, project_id=project_id, implicit=True, added_at=event.ts)


def _unknown(event: Event, conversation_id: str, outcome: str) -> Anomaly:
    return unknown_conversation(event.name or "", conversation_id, outcome)


def _closed(event: Event, conversation_id: str, outcome: str) -> Anomaly:
    return closed_conversation(event.name or "", conversation_id, outcome)


# --- one handler per event type ------------------------------------------------------------------

_Handler: TypeAlias = Callable[[DeskState, Any], Step]


def _on_added(state: DeskState, event: ConversationAdded) -> Step:
    cid = event.conversation_id
    current = state.conversations.get(cid)
    if current is not None:
        if not current.implicit:
            return Step(_commit(state, event), _NO_ANOMALIES)  # the desk was refreshed
        announced = _conversation_with(
            current,
            implicit=False,
            project_id=event.project_id if current.project_id is None else current.project_id,
        )
        return Step(_commit(state, event, **_put_open(state, announced)), _NO_ANOMALIES)
    closed = state.closed.get(cid)
    if closed is not None:
        new = _conversation_with(
            _reopened(closed, event), project_id=event.project_id, implicit=False
        )
    else:
        new = Conversation(cid, project_id=event.project_id, added_at=event.ts)
    return Step(_commit(state, event, **_open(state, new)), _NO_ANOMALIES)


def _on_focused(state: DeskState, event: ConversationFocused) -> Step:
    cid = event.conversation_id
    current = state.conversations.get(cid)
    if current is not None:
        if current.unread == 0:
            if state.focused_id == cid:
                return Step(_commit(state, event), _NO_ANOMALIES)
            return Step(_commit(state, event, focused_id=cid), _NO_ANOMALIES)
        read = _conversation_with(current, unread=0)
        return Step(_commit(state, event, focused_id=cid, **_put_open(state, read)), _NO_ANOMALIES)
    closed = state.closed.get(cid)
    if closed is not None:
        new = _conversation_with(_reopened(closed, event), unread=0)
        anomaly = _closed(event, cid, "reopened it and gave it the focus")
    else:
        new = _implicit(cid, event)
        anomaly = _unknown(event, cid, "opened it and gave it the focus")
    return Step(_commit(state, event, focused_id=cid, **_open(state, new)), (anomaly,))


def _on_focus_lost(state: DeskState, event: ConversationFocusLost) -> Step:
    cid = event.conversation_id
    if cid in state.conversations or cid in state.closed:
        # A late FOCUS_LOST must not clear the focus a newer FOCUSED gave to another conversation.
        if state.focused_id == cid:
            return Step(_commit(state, event, focused_id=None), _NO_ANOMALIES)
        return Step(_commit(state, event), _NO_ANOMALIES)
    return Step(_commit(state, event), (_unknown(event, cid, "nothing to unfocus"),))


def _on_state_box_clicked(state: DeskState, event: ConversationStateBoxClicked) -> Step:
    cid = event.conversation_id
    current = state.conversations.get(cid)
    if current is not None:
        clicked = _conversation_with(current, state_box_clicks=current.state_box_clicks + 1)
        changes = _put_open(state, clicked)
        return Step(_commit(state, event, last_clicked_id=cid, **changes), _NO_ANOMALIES)
    closed = state.closed.get(cid)
    if closed is not None:
        clicked = _conversation_with(closed, state_box_clicks=closed.state_box_clicks + 1)
        anomaly = _closed(event, cid, "counted the click on its closed record")
        return Step(
            _commit(state, event, last_clicked_id=cid, closed=state.closed.set(cid, clicked)),
            (anomaly,),
        )
    new = _conversation_with(_implicit(cid, event), state_box_clicks=1)
    anomaly = _unknown(event, cid, "opened it and counted the click")
    return Step(_commit(state, event, last_clicked_id=cid, **_open(state, new)), (anomaly,))


def _on_removed(state: DeskState, event: ConversationRemoved) -> Step:
    cid = event.conversation_id
    current = state.conversations.get(cid)
    if current is not None:
        gone = _conversation_with(current, removed_at=event.ts)
        changes: dict[str, Any] = {
            "conversations": state.conversations.remove(cid),
            "order": state.order.remove(cid),
            "closed": state.closed.set(cid, gone),
            "unread_total": state.unread_total - current.unread,
        }
        if state.focused_id == cid:
            changes["focused_id"] = None  # FOCUS_LOST may come before or after the removal
        return Step(_commit(state, event, **changes), _NO_ANOMALIES)
    if cid in state.closed:
        anomaly = _closed(event, cid, "it was already removed, nothing to do")
    else:
        anomaly = _unknown(event, cid, "nothing to remove")
    return Step(_commit(state, event), (anomaly,))


def _on_visitor_updated(state: DeskState, event: ConversationVisitorUpdated) -> Step:
    cid = event.conversation_id
    current = state.conversations.get(cid)
    if current is not None:
        if current.visitor == event.visitor:
            return Step(_commit(state, event), _NO_ANOMALIES)
        updated = _conversation_with(current, visitor=event.visitor)
        return Step(_commit(state, event, **_put_open(state, updated)), _NO_ANOMALIES)
    closed = state.closed.get(cid)
    if closed is not None:
        anomaly = _closed(event, cid, "updated the visitor on its closed record")
        if closed.visitor == event.visitor:
            return Step(_commit(state, event), (anomaly,))
        updated = _conversation_with(closed, visitor=event.visitor)
        return Step(_commit(state, event, closed=state.closed.set(cid, updated)), (anomaly,))
    new = _conversation_with(_implicit(cid, event), visitor=event.visitor)
    anomaly = _unknown(event, cid, "opened it with this visitor")
    return Step(_commit(state, event, **_open(state, new)), (anomaly,))


def _with_message(
    conversation: Conversation, event: ConversationMessageAdded, unread: bool
) -> Conversation:
    participant = event.participant
    return _conversation_with(
        conversation,
        project_id=(
            event.project_id if conversation.project_id is None else conversation.project_id
        ),
        messages=conversation.messages.append(
            build_message(event.message_id, participant, event.project_id, event.ts)
        ),
        message_ids=conversation.message_ids.add(event.message_id),
        message_counts=conversation.message_counts.set(
            participant, conversation.message_counts.get(participant, 0) + 1
        ),
        unread=conversation.unread + 1 if unread else conversation.unread,
    )


def _on_message_added(state: DeskState, event: ConversationMessageAdded) -> Step:
    cid = event.conversation_id
    anomalies: list[Anomaly] = []
    if event.participant not in KNOWN_PARTICIPANTS:
        anomalies.append(unknown_participant(cid, event.participant))
    waits = event.participant in UNREAD_PARTICIPANTS
    current = state.conversations.get(cid)
    if current is not None:
        if event.message_id in current.message_ids:
            anomalies.append(duplicate_message(cid, event.message_id))
            return Step(_commit(state, event), tuple(anomalies))
        appended = _with_message(current, event, waits and state.focused_id != cid)
        return Step(_commit(state, event, **_put_open(state, appended)), tuple(anomalies))
    closed = state.closed.get(cid)
    if closed is not None:
        anomalies.insert(0, _closed(event, cid, "appended the message to its closed record"))
        if event.message_id in closed.message_ids:
            anomalies.append(duplicate_message(cid, event.message_id))
            return Step(_commit(state, event), tuple(anomalies))
        appended = _with_message(closed, event, waits)
        return Step(_commit(state, event, closed=state.closed.set(cid, appended)), tuple(anomalies))
    anomalies.insert(0, _unknown(event, cid, "opened it and appended the message"))
    new = _with_message(_implicit(cid, event, event.project_id), event, waits)
    return Step(_commit(state, event, **_open(state, new)), tuple(anomalies))


def _on_availability_updated(state: DeskState, event: AvailabilityUpdated) -> Step:
    statuses, anomalies = availability_statuses(event.availabilities)
    if statuses == state.availability:
        return Step(_commit(state, event), tuple(anomalies))
    return Step(_commit(state, event, availability=pmap(statuses)), tuple(anomalies))


def _on_unknown_event(state: DeskState, event: UnknownEvent) -> Step:
    anomaly = unknown_event(event.name)
    # No change but the version (SPEC §4): not even the clock, whatever its envelope said.
    next_state = _desk_with(state, version=state.version + 1, lineage=Lineage(state, None))
    return Step(next_state, (anomaly,))


_HANDLERS: Final[dict[type[Event], _Handler]] = {
    ConversationAdded: _on_added,
    ConversationFocused: _on_focused,
    ConversationFocusLost: _on_focus_lost,
    ConversationStateBoxClicked: _on_state_box_clicked,
    ConversationRemoved: _on_removed,
    ConversationVisitorUpdated: _on_visitor_updated,
    ConversationMessageAdded: _on_message_added,
    AvailabilityUpdated: _on_availability_updated,
    UnknownEvent: _on_unknown_event,
}


# --- the public face -----------------------------------------------------------------------------


def step(state: DeskState, event: Event | Mapping[str, object]) -> Step:
    """Fold one event into ``state``: return the next snapshot and the anomalies it raised.

    ``event`` is a parsed event or a raw mapping (parsed first; one that does not parse raises
    :class:`~deskstate.InvalidEvent`). Never mutates its arguments and never raises for a parsed
    event. Every event adds one to ``version``, whatever it did.
    """
    if not isinstance(state, DeskState):
        raise TypeError(f"step() needs a DeskState as its state, got {type(state).__name__}")
    handler = _HANDLERS.get(type(event))  # type: ignore[arg-type]
    if handler is None:
        handler, event = _resolve(event)
    return handler(state, event)


def _resolve(event: object) -> tuple[_Handler, Event]:
    """The handler for a raw mapping (parsed first) or an instance of a subclass of an event."""
    for kind in type(event).__mro__:
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return handler, event  # type: ignore[return-value] # an instance of an event class
    parsed = parse_event(event)
    return _HANDLERS[type(parsed)], parsed


def reduce(
    state: DeskState, event: Event | Mapping[str, object], *, strict: bool = False
) -> DeskState:
    """Fold one event into ``state`` and return the next snapshot.

    Lenient by default: anomalies are applied as the SPEC says and dropped. With ``strict=True``
    an event that raises anomalies raises :class:`~deskstate.ProtocolError`, which carries the
    first of them (in the order :func:`step` gives them).
    """
    next_state, anomalies = step(state, event)
    if strict and anomalies:
        raise ProtocolError(anomalies[0])
    return next_state
