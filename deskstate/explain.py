"""Explaining a conversation: every record that touched it, what each changed, and how it ended.

:func:`explain` follows one conversation id through a log, :func:`explain_visitor` every
conversation whose visitor had a given field value. A record *touches* a conversation when its
event names it, when a fact of :func:`~deskstate.facts.diff` concerns it (the focus moving away
from it counts), when one of its anomalies names it, or when its raw event names it in
``conversationId`` although it gives no parsed event that does (a record not applied, for
``invalid-event`` or ``foreign-origin``, or an event outside the catalogue).

Desks are kept apart, as :func:`~deskstate.replay_desks` does: the same id on two desks gives two
timelines.
"""

from __future__ import annotations

import enum
import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final, Literal

import attrs
from pyrsistent import PMap

from deskstate._json import Frozen, thaw
from deskstate.anomaly import Anomaly
from deskstate.clock import record_time
from deskstate.facts import Fact, FocusMoved, diff_touched
from deskstate.records import DEFAULT_ORIGINS, LogLine
from deskstate.replay import ReplayStep, replay_steps
from deskstate.serialise import conversation_to_dict
from deskstate.state import Conversation, DeskState
from deskstate.timestamps import format_timestamp

__all__ = ["EVERY_DESK", "Entry", "Timeline", "explain", "explain_visitor", "visitor_matches"]


class _Every(enum.Enum):
    DESK = "every desk"


#: The default ``desk`` of :func:`explain`: follow the conversation on every desk of the log.
EVERY_DESK: Final = _Every.DESK


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


@attrs.frozen
class Entry:
    """One record that touched a conversation, and what it did to it.

    ``index`` is the 0-based record index, ``line`` its file line and ``source`` its file (when
    known), ``desk`` the desk it was filed under, ``ts`` its envelope time, ``event`` the name of
    the event applied (``None`` when the record was not applied), ``anomalies`` those of the
    record that concern the conversation, ``facts`` what it changed for the conversation.
    """

    index: int
    line: int | None
    source: str | None
    desk: str | None
    ts: datetime | None
    event: str | None
    anomalies: tuple[Anomaly, ...]
    facts: tuple[Fact, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe form of this entry."""
        return {
            "index": self.index,
            "line": self.line,
            "source": self.source,
            "desk": self.desk,
            "ts": _when(self.ts),
            "event": self.event,
            "anomalies": [anomaly.to_dict() for anomaly in self.anomalies],
            "facts": [fact.to_dict() for fact in self.facts],
        }

    def describe(self) -> list[str]:
        """Lines for a person: the facts, then the anomalies, one a line."""
        return [fact.describe() for fact in self.facts] + [
            f"{anomaly.kind}: {anomaly.message}" for anomaly in self.anomalies
        ]


@attrs.frozen
class Timeline:
    """A conversation of one desk, explained: the records that touched it and its final state.

    ``conversation`` is its record at the end (open or closed), ``None`` when the desk never had
    it (only records that were not applied named it).
    """

    conversation_id: str
    desk: str | None
    entries: tuple[Entry, ...]
    conversation: Conversation | None
    is_open: bool

    @property
    def status(self) -> Literal["open", "closed", "never seen"]:
        """``open``, ``closed``, or ``never seen`` (no record of it was applied)."""
        if self.conversation is None:
            return "never seen"
        return "open" if self.is_open else "closed"

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe form of this timeline (the conversation as in ``deskstate/1``)."""
        return {
            "conversation_id": self.conversation_id,
            "desk": self.desk,
            "status": self.status,
            "entries": [entry.to_dict() for entry in self.entries],
            "conversation": (
                None if self.conversation is None else conversation_to_dict(self.conversation)
            ),
        }

    def describe(self) -> list[str]:
        """Lines for a person: one per record (with its facts and anomalies), then the end."""
        lines = []
        for entry in self.entries:
            where = f"record {entry.index}" if entry.line is None else f"line {entry.line}"
            lines.append(f"{where}  {_when(entry.ts) or '-'}  {entry.event or 'not applied'}")
            lines.extend(f"  {text}" for text in entry.describe())
        lines.append(f"{self.conversation_id}: {self.status}")
        return lines


# --- following conversations ----------------------------------------------------------------------

_Key = tuple[str | None, str]  # (desk, conversation id)


def _named(record: object) -> str | None:
    """The ``conversationId`` the raw event of a record names, if a string (bare or envelope)."""
    value = record.value if isinstance(record, LogLine) else record
    if isinstance(value, Mapping) and "event" not in value:
        value = value.get("data")
    if isinstance(value, Mapping):
        cid = value.get("conversationId")
        if isinstance(cid, str):
            return cid
    return None


def _subject(step: ReplayStep, record: object) -> str | None:
    """The conversation a record's event names: parsed, or raw when not applied or unknown."""
    if step.event is not None and hasattr(step.event, "conversation_id"):
        cid: str = step.event.conversation_id
        return cid
    return _named(record)


def _candidates(step: ReplayStep, before: DeskState, record: object) -> set[str]:
    """The conversations a record may have touched (a superset; facts decide the rest)."""
    named = [anomaly.conversation_id for anomaly in step.anomalies]
    named.append(_subject(step, record))
    if step.event is not None:  # the focus may have left a conversation the event does not name
        named += (before.focused_id, step.state.focused_id)
    return {cid for cid in named if cid is not None}


def _entry(step: ReplayStep, before: DeskState, record: object, cid: str) -> Entry | None:
    """The entry of ``record`` in the timeline of ``cid``, or ``None`` when it did not touch it."""
    named = _subject(step, record) == cid
    facts: tuple[Fact, ...] = ()
    if step.event is not None:
        facts = tuple(
            fact
            for fact in diff_touched(before, step.state, {cid})
            if fact.conversation_id == cid
            or (isinstance(fact, FocusMoved) and cid in (fact.old_id, fact.new_id))
        )
    anomalies = tuple(
        anomaly
        for anomaly in step.anomalies
        if anomaly.conversation_id == cid or (named and anomaly.conversation_id is None)
    )
    if not (named or facts or anomalies):
        return None
    source = record.source if isinstance(record, LogLine) else None
    ts = record_time(record) if step.event is None else step.event.ts
    event = None if step.event is None else step.event.name
    return Entry(step.index, step.line, source, step.desk, ts, event, anomalies, facts)


def _follow(
    records: Iterable[object],
    wanted: Callable[[str], bool],
    initial: DeskState | None,
    allowed_origins: Iterable[str] | None,
    note: Callable[[ReplayStep], None] | None = None,
) -> tuple[dict[_Key, list[Entry]], dict[str | None, DeskState]]:
    """One pass: the entries of every wanted conversation per desk, and each desk's last state."""
    start = initial if initial is not None else DeskState()
    last: dict[str | None, DeskState] = {}
    entries: dict[_Key, list[Entry]] = {}
    mine, theirs = itertools.tee(records)
    steps = replay_steps(theirs, initial=initial, allowed_origins=allowed_origins, by_desk=True)
    for record, step in zip(mine, steps, strict=True):
        before = last.get(step.desk, start)
        for cid in _candidates(step, before, record):
            if wanted(cid):
                entry = _entry(step, before, record, cid)
                if entry is not None:
                    entries.setdefault((step.desk, cid), []).append(entry)
        last[step.desk] = step.state
        if note is not None:
            note(step)
    return entries, last


def _timeline(key: _Key, entries: list[Entry], state: DeskState) -> Timeline:
    desk, cid = key
    found = state.conversations.get(cid)
    is_open = found is not None
    if found is None:
        found = state.closed.get(cid)
    return Timeline(cid, desk, tuple(entries), found, is_open)


def _desk_asked(desk: str | _Every | None, key: _Key) -> bool:
    return desk is EVERY_DESK or key[0] == desk


def explain(
    records: Iterable[object],
    conversation_id: str,
    *,
    desk: str | _Every | None = EVERY_DESK,
    initial: DeskState | None = None,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
) -> tuple[Timeline, ...]:
    """The timeline of conversation ``conversation_id`` on each desk of ``records`` that had it.

    One :class:`Timeline` per desk whose records touched it (or whose ``initial`` snapshot has
    it), in order of first record; empty when nothing did. With ``desk`` (a key, or ``None`` for
    records without a desk) only that desk, and always one timeline (``never seen``, without
    entries, when it never had it). ``initial`` and ``allowed_origins`` are those of
    :func:`~deskstate.replay`. Memory stays flat: it keeps one snapshot per desk and the entries
    about the conversation.
    """
    entries, last = _follow(records, conversation_id.__eq__, initial, allowed_origins)
    start = initial if initial is not None else DeskState()
    if desk is not EVERY_DESK:
        key = (desk, conversation_id)
        return (_timeline(key, entries.get(key, []), last.get(desk, start)),)
    for key_desk, state in last.items():  # a desk that had it from its initial snapshot
        if (key_desk, conversation_id) not in entries and (
            conversation_id in state.conversations or conversation_id in state.closed
        ):
            entries[key_desk, conversation_id] = []
    return tuple(_timeline(key, found, last[key[0]]) for key, found in entries.items())


# --- following a visitor --------------------------------------------------------------------------


def _field(visitor: PMap[str, Frozen], path: str) -> tuple[bool, Frozen]:
    """The value at a dotted ``path`` of a profile: ``(True, value)``, or ``(False, None)``."""
    value: Frozen = visitor
    for name in path.split("."):
        if not isinstance(value, PMap) or name not in value:
            return False, None
        value = value[name]
    return True, value


def visitor_matches(visitor: PMap[str, Frozen], field: str, value: object) -> bool:
    """Whether a visitor profile has ``value`` at ``field`` (a dotted path: ``address.city``).

    Equal values match; a string ``value`` (as a command line gives) also matches a stored value
    that is not a string and whose JSON text it is: ``"42"`` matches ``42``, ``"true"`` ``true``.
    """
    present, stored = _field(visitor, field)
    if not present:
        return False
    if stored == value and isinstance(stored, bool) == isinstance(value, bool):
        return True
    if isinstance(value, str) and not isinstance(stored, str):
        return json.dumps(thaw(stored), ensure_ascii=False, separators=(",", ":")) == value
    return False


def explain_visitor(
    records: Iterable[object],
    field: str,
    value: object,
    *,
    desk: str | _Every | None = EVERY_DESK,
    initial: DeskState | None = None,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
) -> tuple[Timeline, ...]:
    """The timelines of every conversation whose visitor had ``field`` equal to ``value``.

    A conversation is followed when its profile matched (:func:`visitor_matches`) after some
    record; timelines come in order of the conversations' first records. Since a conversation
    may match only late, the entries of every conversation are kept until the end: memory grows
    with the log, unlike :func:`explain`. ``desk`` keeps one desk; the other options are those of
    :func:`explain`.
    """
    matched: set[_Key] = set()

    def note(step: ReplayStep) -> None:
        cid = getattr(step.event, "conversation_id", None)
        if cid is None or (step.desk, cid) in matched:
            return
        found = step.state.conversations.get(cid) or step.state.closed.get(cid)
        if found is not None and visitor_matches(found.visitor, field, value):
            matched.add((step.desk, cid))

    entries, last = _follow(records, lambda cid: True, initial, allowed_origins, note)
    start = initial if initial is not None else DeskState()
    return tuple(
        _timeline(key, found, last.get(key[0], start))
        for key, found in entries.items()
        if key in matched and _desk_asked(desk, key)
    )
