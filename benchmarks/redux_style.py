"""A hand-written "Redux-style" reducer: what a Python user writes without deskstate.

``reducer(state, event) -> new_state`` is a pure function of plain dicts: it never mutates its
arguments, and returns a new state that copies every dict on the path to what the event changes
(``{**state, "open": {**state["open"], cid: {**conv, ...}}}``), the way Redux reducers are written
in JavaScript. Messages are a tuple and message ids a frozenset, copied on each new message.

The semantics are those of :func:`bench_reduce.mutable_fold`, the in-place fold it is compared
with, on the same state shape: SPEC §4's table without the anomalies, the timestamps, the
``implicit`` flag and the per-participant counts. Desk order is the insertion order of
``state["open"]`` (copying a dict keeps its order; a reopened conversation goes back at the end).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import reduce as fold
from types import MappingProxyType
from typing import Any, Final

P: Final = "com.iadvize.desk."

State = Mapping[str, Any]
Event = Mapping[str, Any]

_NEW_CONVERSATION: Final[Mapping[str, Any]] = MappingProxyType(
    {"messages": (), "ids": frozenset(), "unread": 0, "visitor": {}, "clicks": 0}
)

#: The empty desk: no conversation open or closed, no focus, no availability reported.
INITIAL: Final[State] = MappingProxyType({"open": {}, "closed": {}, "focused": None, "avail": {}})


def _without(conversations: Mapping[str, Any], cid: str) -> dict[str, Any]:
    return {key: value for key, value in conversations.items() if key != cid}


def _put(state: State, cid: str, conv: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A copy of ``state`` with ``conv`` at ``cid`` in ``state[where]`` ("open" or "closed")."""
    return {**state, where: {**state[where], cid: conv}}


def reducer(state: State, event: Event) -> State:  # noqa: PLR0912 - one reducer, as users write
    """Return the desk after ``event``: a new dict, ``state`` left as it was."""
    name = event["event"][len(P) :]
    if name == "AVAILABILITY_UPDATED":
        return {**state, "avail": {a["channel"]: a["status"] for a in event["availabilities"]}}
    cid = event["conversationId"]
    where = "open"
    conv = state["open"].get(cid)
    if conv is None:
        if name in {"CONVERSATION_FOCUS_LOST", "CONVERSATION_REMOVED"}:
            return state  # closed or unknown: nothing to do
        conv = state["closed"].get(cid)
        if conv is None:
            conv = _NEW_CONVERSATION  # opened by this event
        elif name in {"CONVERSATION_ADDED", "CONVERSATION_FOCUSED"}:
            state = {**state, "closed": _without(state["closed"], cid)}  # reopened at the end
        else:
            where = "closed"  # updated where it lies
    if name == "CONVERSATION_MESSAGE_ADDED":
        mid = event["messageId"]
        if mid in conv["ids"]:
            return state  # a repeat: ignored (only an existing conversation has ids)
        who = event["conversationParticipantType"]
        unread = who in {"Visitor", "Expert"} and state["focused"] != cid
        new = {
            **conv,
            "messages": (*conv["messages"], (mid, who, event["projectId"])),
            "ids": conv["ids"] | {mid},
            "unread": conv["unread"] + 1 if unread else conv["unread"],
        }
        return _put(state, cid, new, where)
    if name == "CONVERSATION_FOCUSED":  # open, or reopened above
        return {**state, "open": {**state["open"], cid: {**conv, "unread": 0}}, "focused": cid}
    if name == "CONVERSATION_FOCUS_LOST":
        return {**state, "focused": None} if state["focused"] == cid else state
    if name == "CONVERSATION_REMOVED":
        focused = None if state["focused"] == cid else state["focused"]
        opened = _without(state["open"], cid)
        return {
            **state,
            "open": opened,
            "closed": {**state["closed"], cid: conv},
            "focused": focused,
        }
    if name == "CONVERSATION_VISITOR_UPDATED":
        return _put(state, cid, {**conv, "visitor": dict(event["visitor"])}, where)
    if name == "CONVERSATION_STATE_BOX_CLICKED":
        return _put(state, cid, {**conv, "clicks": conv["clicks"] + 1}, where)
    # CONVERSATION_ADDED (or an unknown event naming a conversation): open it if it is not.
    return state if where == "open" and cid in state["open"] else _put(state, cid, conv, "open")


def redux_fold(events: Iterable[Event], initial: State = INITIAL) -> State:
    """Fold ``events`` with :func:`reducer` from ``initial``, by ``functools.reduce``."""
    return fold(reducer, events, initial)
