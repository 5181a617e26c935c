"""Hypothesis strategies of single desk events, raw (as the desk posts them) or parsed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, TypeAlias

from hypothesis import strategies as st

from deskstate.events import (
    EVENT_PREFIX,
    KNOWN_CHANNELS,
    KNOWN_PARTICIPANTS,
    KNOWN_STATUSES,
    MAX_ID_LENGTH,
    Event,
    parse_event,
)

__all__ = ["RawEvent", "events", "raw_events"]

#: A raw event, as the desk posts it: a JSON object.
RawEvent: TypeAlias = dict[str, Any]

# Every catalogue event and the members it requires (SPEC §1).
_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "CONVERSATION_ADDED": ("conversationId", "projectId"),
    "CONVERSATION_FOCUSED": ("conversationId",),
    "CONVERSATION_FOCUS_LOST": ("conversationId",),
    "CONVERSATION_STATE_BOX_CLICKED": ("conversationId",),
    "CONVERSATION_REMOVED": ("conversationId",),
    "CONVERSATION_VISITOR_UPDATED": ("conversationId", "visitor"),
    "AVAILABILITY_UPDATED": ("availabilities",),
    "CONVERSATION_MESSAGE_ADDED": (
        "conversationId",
        "messageId",
        "projectId",
        "conversationParticipantType",
    ),
}
_CATALOGUE: Final = frozenset(EVENT_PREFIX + name for name in _REQUIRED)
_CHANNELS: Final = tuple(sorted(KNOWN_CHANNELS))
_STATUSES: Final = tuple(sorted(KNOWN_STATUSES))
_PARTICIPANTS: Final = ("Visitor", "Professional", "Expert")


# --- values --------------------------------------------------------------------------------------

_json_scalars: Final = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_json_values: Final = st.recursive(
    _json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

_conversation_ids: Final = (
    st.sampled_from(("c1", "c2", "c3", "c4"))
    | st.text(min_size=1, max_size=12)
    | st.text(min_size=MAX_ID_LENGTH, max_size=MAX_ID_LENGTH)
)
_message_ids: Final = (
    st.sampled_from(("m1", "m2", "m3"))
    | st.uuids().map(str)
    | st.text(min_size=1, max_size=12)
    | st.text(min_size=MAX_ID_LENGTH, max_size=MAX_ID_LENGTH)
)
_projects: Final = st.sampled_from((1234, 5678)) | st.integers()


def _unknown(known: Iterable[str], examples: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Strings outside ``known``: typical slips first, then any text."""
    known = frozenset(known)
    return st.sampled_from(examples) | st.text(max_size=12).filter(lambda value: value not in known)


_unknown_channels: Final = _unknown(KNOWN_CHANNELS, ("SMS", "chat", "EMAIL", ""))
_unknown_statuses: Final = _unknown(KNOWN_STATUSES, ("BUSY", "available", "AWAY", ""))
_unknown_participants: Final = _unknown(KNOWN_PARTICIPANTS, ("Bot", "visitor", "Operator", ""))
_unknown_names: Final = st.sampled_from(
    (
        EVENT_PREFIX + "CONVERSATION_TRANSFERRED",
        EVENT_PREFIX + "OPERATOR_STATUS_CHANGED",
        EVENT_PREFIX + "conversation_added",
        EVENT_PREFIX,
        "CONVERSATION_ADDED",
        "com.example.widget.READY",
        "",
    )
) | st.text(max_size=40).filter(lambda name: name not in _CATALOGUE)

_channels: Final = st.sampled_from(_CHANNELS) | _unknown_channels
_statuses: Final = st.sampled_from(_STATUSES) | _unknown_statuses
_participants: Final = st.sampled_from(_PARTICIPANTS) | _unknown_participants

#: Visitor profiles as iAdvize sends them (the GraphQL ``Visitor`` type's fields).
_profiles: Final = st.fixed_dictionaries(
    {},
    optional={
        "visitorId": st.uuids().map(str),
        "externalUserId": st.sampled_from(("crm-1", "crm-2")) | st.text(max_size=12),
        "firstName": st.sampled_from(("Ada", "Grace", "Émile", "Zoë")),
        "lastName": st.sampled_from(("Lovelace", "Hopper", "Durand", "李")),
        "email": st.sampled_from(("ada@example.com", "grace@example.org")),
        "phoneNumber": st.sampled_from(("+33123456789", "")),
        "city": st.sampled_from(("Nantes", "Paris", "Montréal")) | st.none(),
        "country": st.sampled_from(("FR", "CA", "JP")),
        "custom": _json_values,
    },
)
_visitors: Final = _profiles | st.dictionaries(st.text(max_size=12), _json_values, max_size=5)

_timestamps: Final = st.datetimes(
    # the bounds of a strategy of aware datetimes are naive; the zone comes from ``timezones``
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
)


def _entry(channel: str, status: str) -> dict[str, str]:
    return {"channel": channel, "status": status}


_availabilities: Final = st.lists(st.builds(_entry, _channels, _statuses), max_size=6)

#: A valid value for each member of a catalogue event.
_MEMBER_VALUES: Final[dict[str, st.SearchStrategy[Any]]] = {
    "conversationId": _conversation_ids,
    "messageId": _message_ids,
    "projectId": _projects,
    "conversationParticipantType": _participants,
    "visitor": _visitors,
    "availabilities": _availabilities,
}

#: Members the catalogue does not list: allowed, ignored (the catalogue grows over time).
_extras: Final[st.SearchStrategy[dict[str, Any]]] = st.just({}) | st.dictionaries(
    st.sampled_from(("sentAt", "operatorId", "meta")), _json_values, max_size=2
)


def _merged(record: RawEvent, extras: Mapping[str, Any]) -> RawEvent:
    return {**extras, **record}


def _record(name: str) -> st.SearchStrategy[RawEvent]:
    """Valid records of the catalogue event ``name`` (without unlisted members)."""
    members = {member: _MEMBER_VALUES[member] for member in _REQUIRED[name]}
    return st.fixed_dictionaries({"event": st.just(EVENT_PREFIX + name), **members})


def _unknown_record(name: str, extras: Mapping[str, Any]) -> RawEvent:
    return {**extras, "event": name}


_unknown_records: Final = st.builds(
    _unknown_record,
    _unknown_names,
    st.dictionaries(
        st.text(max_size=10).filter(lambda key: key != "event"), _json_values, max_size=3
    ),
)


# --- single events -------------------------------------------------------------------------------


def raw_events() -> st.SearchStrategy[RawEvent]:
    """Raw desk events as JSON objects: every catalogue event, and some names outside it.

    Every value parses: ids are non-empty strings of at most 256 characters, ``projectId`` is an
    integer, and so on. Values are mostly the known ones (``CHAT``, ``AVAILABLE``, ``Visitor``...)
    with unknown channels, statuses and participant types mixed in, and now and then a member the
    catalogue does not list (which parsing ignores).
    """
    return st.one_of(
        *(st.builds(_merged, _record(name), _extras) for name in _REQUIRED),
        _unknown_records,
    )


def _parsed(raw: RawEvent, ts: datetime | None) -> Event:
    return parse_event(raw, ts=ts)


def events() -> st.SearchStrategy[Event]:
    """Parsed events of every kind, :class:`~deskstate.UnknownEvent` included.

    They are what :func:`~deskstate.parse_event` makes of :func:`raw_events`, with ``ts`` either
    ``None`` or an aware UTC timestamp (in no particular order: desk clocks drift).
    """
    return st.builds(_parsed, raw_events(), st.none() | _timestamps)
