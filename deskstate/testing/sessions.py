"""Hypothesis strategies of desk sessions drawn from a model of the desk, calm or chaotic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeAlias

import attrs
from hypothesis import strategies as st

from deskstate.events import EVENT_PREFIX
from deskstate.testing.events import (
    _CHANNELS,
    _PARTICIPANTS,
    _STATUSES,
    RawEvent,
    _entry,
    _profiles,
    _statuses,
    _unknown_channels,
    _unknown_participants,
    _unknown_records,
    _unknown_statuses,
)

__all__ = ["chaotic_streams", "streams"]


@attrs.define
class _Desk:
    """What a session generator knows of the desk it drives: enough to stay protocol-valid."""

    max_open: int
    records: list[RawEvent] = attrs.Factory(list)
    open: list[str] = attrs.Factory(list)
    closed: list[str] = attrs.Factory(list)
    focused: str | None = None
    messages: dict[str, list[str]] = attrs.Factory(dict)
    projects: dict[str, int] = attrs.Factory(dict)
    named: int = 0

    def fresh(self, prefix: str) -> str:
        """A conversation id never used in this session."""
        self.named += 1
        return f"{prefix}{self.named}"

    def emit(self, name: str, **members: Any) -> None:
        self.records.append({"event": EVENT_PREFIX + name, **members})

    def project(self, draw: st.DrawFn, cid: str) -> int:
        """The project of ``cid``, drawn the first time it is needed."""
        if cid not in self.projects:
            self.projects[cid] = draw(_session_projects)
        return self.projects[cid]

    def reopen(self, cid: str) -> None:
        """Open ``cid`` (unknown or closed) at the end of the desk order."""
        if cid in self.closed:
            self.closed.remove(cid)
        if cid not in self.open:
            self.open.append(cid)

    def open_if_unknown(self, cid: str) -> None:
        if cid not in self.open and cid not in self.closed:
            self.open.append(cid)

    def room(self) -> bool:
        return len(self.open) < self.max_open


_session_projects: Final = st.sampled_from((1234, 5678)) | st.integers(1, 10**9)
_known_entries: Final = st.lists(st.sampled_from(_CHANNELS), unique=True, max_size=4)


def _send(draw: st.DrawFn, desk: _Desk, name: str, cid: str) -> None:
    """Emit a ``name`` event about ``cid``, and follow its effect on the desk (SPEC §4)."""
    if name == "CONVERSATION_ADDED":
        desk.emit(name, conversationId=cid, projectId=desk.project(draw, cid))
        desk.reopen(cid)
    elif name == "CONVERSATION_FOCUSED":
        desk.emit(name, conversationId=cid)
        desk.reopen(cid)
        desk.focused = cid
    elif name == "CONVERSATION_FOCUS_LOST":
        desk.emit(name, conversationId=cid)
        if desk.focused == cid:
            desk.focused = None
    elif name == "CONVERSATION_REMOVED":
        desk.emit(name, conversationId=cid)
        if cid in desk.open:
            desk.open.remove(cid)
            desk.closed.append(cid)
            if desk.focused == cid:
                desk.focused = None
    elif name == "CONVERSATION_VISITOR_UPDATED":
        desk.emit(name, conversationId=cid, visitor=draw(_profiles))
        desk.open_if_unknown(cid)
    elif name == "CONVERSATION_MESSAGE_ADDED":
        ids = desk.messages.setdefault(cid, [])
        ids.append(f"m{len(ids) + 1}")
        desk.emit(
            name,
            conversationId=cid,
            messageId=ids[-1],
            projectId=desk.project(draw, cid),
            conversationParticipantType=draw(st.sampled_from(_PARTICIPANTS)),
        )
        desk.open_if_unknown(cid)
    else:
        assert name == "CONVERSATION_STATE_BOX_CLICKED", name
        desk.emit(name, conversationId=cid)
        desk.open_if_unknown(cid)


def _statuses_of(draw: st.DrawFn, channels: list[str]) -> list[dict[str, str]]:
    return [_entry(channel, draw(st.sampled_from(_STATUSES))) for channel in channels]


# Protocol-valid actions: each emits the events of one thing the desk does.

_Action: TypeAlias = Callable[[st.DrawFn, _Desk], None]


def _add(draw: st.DrawFn, desk: _Desk) -> None:
    _send(draw, desk, "CONVERSATION_ADDED", desk.fresh("c"))


def _message(draw: st.DrawFn, desk: _Desk) -> None:
    _send(draw, desk, "CONVERSATION_MESSAGE_ADDED", draw(st.sampled_from(desk.open)))


def _focus(draw: st.DrawFn, desk: _Desk) -> None:
    cid = draw(st.sampled_from(desk.open))
    previous = desk.focused
    if previous is not None and previous != cid and draw(st.booleans()):
        _send(draw, desk, "CONVERSATION_FOCUS_LOST", previous)
    _send(draw, desk, "CONVERSATION_FOCUSED", cid)


def _lose_focus(draw: st.DrawFn, desk: _Desk) -> None:
    assert desk.focused is not None
    _send(draw, desk, "CONVERSATION_FOCUS_LOST", desk.focused)


def _click(draw: st.DrawFn, desk: _Desk) -> None:
    _send(draw, desk, "CONVERSATION_STATE_BOX_CLICKED", draw(st.sampled_from(desk.open)))


def _update_visitor(draw: st.DrawFn, desk: _Desk) -> None:
    _send(draw, desk, "CONVERSATION_VISITOR_UPDATED", draw(st.sampled_from(desk.open)))


def _remove(draw: st.DrawFn, desk: _Desk) -> None:
    cid = draw(st.sampled_from(desk.open))
    focus_lost = "never"
    if desk.focused == cid:
        focus_lost = draw(st.sampled_from(("after", "before", "never")))
    if focus_lost == "before":
        _send(draw, desk, "CONVERSATION_FOCUS_LOST", cid)
    _send(draw, desk, "CONVERSATION_REMOVED", cid)
    if focus_lost == "after":
        _send(draw, desk, "CONVERSATION_FOCUS_LOST", cid)


def _readd(draw: st.DrawFn, desk: _Desk) -> None:
    _send(draw, desk, "CONVERSATION_ADDED", draw(st.sampled_from(desk.closed)))


def _refresh(draw: st.DrawFn, desk: _Desk) -> None:
    _send(draw, desk, "CONVERSATION_ADDED", draw(st.sampled_from(desk.open)))


def _availability(draw: st.DrawFn, desk: _Desk) -> None:
    desk.emit("AVAILABILITY_UPDATED", availabilities=_statuses_of(draw, draw(_known_entries)))


def _valid_actions(desk: _Desk) -> list[_Action]:
    """The actions the desk can take next, the simplest (for shrinking) first."""
    actions: list[_Action] = []
    if desk.room():
        actions.append(_add)
    if desk.open:
        actions += [_message, _focus, _click, _update_visitor, _remove, _refresh]
    if desk.focused is not None:
        actions.append(_lose_focus)
    if desk.closed and desk.room():
        actions.append(_readd)
    actions.append(_availability)
    return actions


# Anomalous actions, for chaotic sessions.

_OPENING: Final = (
    "CONVERSATION_FOCUSED",
    "CONVERSATION_STATE_BOX_CLICKED",
    "CONVERSATION_VISITOR_UPDATED",
    "CONVERSATION_MESSAGE_ADDED",
)


def _unknown_conversation(draw: st.DrawFn, desk: _Desk) -> None:
    kinds = ["CONVERSATION_FOCUS_LOST", "CONVERSATION_REMOVED"]
    if desk.room():
        kinds += _OPENING
    _send(draw, desk, draw(st.sampled_from(kinds)), desk.fresh("u"))


def _closed_conversation(draw: st.DrawFn, desk: _Desk) -> None:
    kinds = [
        "CONVERSATION_MESSAGE_ADDED",
        "CONVERSATION_FOCUS_LOST",
        "CONVERSATION_STATE_BOX_CLICKED",
        "CONVERSATION_REMOVED",
        "CONVERSATION_VISITOR_UPDATED",
    ]
    if desk.room():
        kinds.append("CONVERSATION_FOCUSED")
    _send(draw, desk, draw(st.sampled_from(kinds)), draw(st.sampled_from(desk.closed)))


def _with_messages(desk: _Desk) -> list[str]:
    return [cid for cid in desk.open + desk.closed if desk.messages.get(cid)]


def _duplicate_message(draw: st.DrawFn, desk: _Desk) -> None:
    cid = draw(st.sampled_from(_with_messages(desk)))
    desk.emit(
        "CONVERSATION_MESSAGE_ADDED",
        conversationId=cid,
        messageId=draw(st.sampled_from(desk.messages[cid])),
        projectId=desk.project(draw, cid),
        conversationParticipantType=draw(st.sampled_from(_PARTICIPANTS)),
    )


def _late_focus_lost(draw: st.DrawFn, desk: _Desk) -> None:
    previous = desk.focused
    assert previous is not None
    cid = draw(st.sampled_from([other for other in desk.open if other != previous]))
    _send(draw, desk, "CONVERSATION_FOCUSED", cid)
    desk.emit("CONVERSATION_FOCUS_LOST", conversationId=previous)


def _unknown_event(draw: st.DrawFn, desk: _Desk) -> None:
    desk.records.append(draw(_unknown_records))


def _insert(draw: st.DrawFn, entries: list[dict[str, str]], entry: dict[str, str]) -> None:
    entries.insert(draw(st.integers(0, len(entries))), entry)


def _unknown_value(draw: st.DrawFn, desk: _Desk) -> None:
    if bool(desk.open) and draw(st.booleans()):
        cid = draw(st.sampled_from(desk.open))
        ids = desk.messages.setdefault(cid, [])
        ids.append(f"m{len(ids) + 1}")
        desk.emit(
            "CONVERSATION_MESSAGE_ADDED",
            conversationId=cid,
            messageId=ids[-1],
            projectId=desk.project(draw, cid),
            conversationParticipantType=draw(_unknown_participants),
        )
        return
    entries = _statuses_of(draw, draw(_known_entries))
    odd = draw(
        st.builds(_entry, _unknown_channels, st.sampled_from(_STATUSES))
        | st.builds(_entry, _unknown_channels, _unknown_statuses)
        | st.builds(_entry, st.sampled_from(_CHANNELS), _unknown_statuses)
    )
    _insert(draw, entries, odd)
    desk.emit("AVAILABILITY_UPDATED", availabilities=entries)


def _duplicate_channel(draw: st.DrawFn, desk: _Desk) -> None:
    channels = draw(st.lists(st.sampled_from(_CHANNELS), unique=True, min_size=1, max_size=4))
    entries = _statuses_of(draw, channels)
    _insert(draw, entries, _entry(draw(st.sampled_from(channels)), draw(_statuses)))
    desk.emit("AVAILABILITY_UPDATED", availabilities=entries)


#: Every action, in a fixed order (simplest first), so that a drawn index keeps its meaning while
#: the shrinker deletes earlier actions; what is not possible at a step is filtered out there.
_VALID_ACTIONS: Final[tuple[_Action, ...]] = (
    _add,
    _message,
    _focus,
    _click,
    _update_visitor,
    _remove,
    _refresh,
    _lose_focus,
    _readd,
    _availability,
)
_CHAOS_ACTIONS: Final[tuple[_Action, ...]] = (
    _unknown_event,
    _unknown_value,
    _duplicate_channel,
    _unknown_conversation,
    _closed_conversation,
    _duplicate_message,
    _late_focus_lost,
)


def _chaos_actions(desk: _Desk) -> list[_Action]:
    """The anomalous actions possible next."""
    actions: list[_Action] = [_unknown_event, _unknown_value, _duplicate_channel]
    actions.append(_unknown_conversation)
    if desk.closed:
        actions.append(_closed_conversation)
    if _with_messages(desk):
        actions.append(_duplicate_message)
    if desk.focused is not None and len(desk.open) >= 2:
        actions.append(_late_focus_lost)
    return actions


@st.composite
def _step(draw: st.DrawFn, desk: _Desk, chaos: bool) -> None:
    """One action of the desk, drawn and applied to ``desk``: one span, deleted whole by shrinks."""
    # One action in four is anomalous in a chaotic session; 0 (the shrink target) is valid.
    if chaos and draw(st.integers(0, 3)) == 3:
        everything, possible = _CHAOS_ACTIONS, _chaos_actions(desk)
    else:
        everything, possible = _VALID_ACTIONS, _valid_actions(desk)
    action = draw(st.sampled_from(everything).filter(possible.__contains__))
    action(draw, desk)


@st.composite
def _sessions(draw: st.DrawFn, max_events: int, max_open: int, chaos: bool) -> list[RawEvent]:
    """A session of at most ``max_events`` events, drawn one action at a time.

    Before each action a small integer says whether to go on (0, the shrink target, stops): a
    failing session then shrinks by deleting whole actions, which a count drawn up front would
    prevent (the count and the actions it covers would have to shrink together).
    """
    desk = _Desk(max_open)
    go_on = st.integers(0, max(1, max_events))
    while len(desk.records) < max_events and draw(go_on) > 0:
        draw(_step(desk, chaos))
    return desk.records[:max_events]


def _check_sizes(function: str, max_events: int, max_open: int) -> None:
    for name, value in (("max_events", max_events), ("max_open", max_open)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(
                f"{function}() needs {name} to be an integer of at least 0, got {value!r}"
            )


def streams(*, max_events: int = 50, max_open: int = 8) -> st.SearchStrategy[list[RawEvent]]:
    """Protocol-valid desk sessions: lists of raw events that raise no anomaly when replayed.

    They are drawn from a model of the desk: a conversation is added before any other event names
    it, at most ``max_open`` are open at once, only an open conversation gets the focus and only
    the focused one loses it, a removed conversation may lose the focus just before or after its
    removal and may come back with a new ``CONVERSATION_ADDED``, message ids are unique within a
    conversation, and availability reports known channels (each once) and known statuses.
    A session has at most ``max_events`` events and shrinks towards fewer and simpler ones.
    """
    _check_sizes("streams", max_events, max_open)
    return _sessions(max_events, max_open, chaos=False)


def chaotic_streams(
    *, max_events: int = 50, max_open: int = 8
) -> st.SearchStrategy[list[RawEvent]]:
    """Desk sessions like :func:`streams`, with anomalies mixed in (about one action in four).

    The anomalies: events naming a conversation never added, or one already removed; repeated
    message ids; a ``CONVERSATION_FOCUS_LOST`` arriving after the next ``CONVERSATION_FOCUSED``;
    events outside the catalogue; unknown channels, statuses and participant types; a channel
    listed twice. At most ``max_open`` conversations are open at once, even implicitly.
    """
    _check_sizes("chaotic_streams", max_events, max_open)
    return _sessions(max_events, max_open, chaos=True)
