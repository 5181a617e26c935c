"""A hypothesis strategy of malformed records, each one that ``parse_event`` must refuse."""

from __future__ import annotations

import functools
import math
from typing import Final

from hypothesis import strategies as st

from deskstate._json import MAX_RECORD_DEPTH
from deskstate.events import (
    MAX_AVAILABILITIES,
    MAX_ID_LENGTH,
    MAX_VISITOR_DEPTH,
)
from deskstate.testing.events import (
    _CHANNELS,
    _REQUIRED,
    _STATUSES,
    RawEvent,
    _entry,
    _json_scalars,
    _json_values,
    _record,
    _unknown_records,
    raw_events,
)

__all__ = ["invalid_records"]


def _nested(depth: int) -> object:
    """``depth`` containers inside one another, lists and objects in turn (the innermost empty)."""
    value: object = []
    for level in range(depth - 1):
        value = [value] if level % 2 else {"a": value}
    return value


def _without(member: str, record: RawEvent) -> RawEvent:
    return {key: value for key, value in record.items() if key != member}


def _replaced(record: RawEvent, member: str, value: object) -> RawEvent:
    return {**record, member: value}


def _repeated(character: str, count: int) -> str:
    return character * count


def _entries(entry: object, count: int) -> list[object]:
    return [entry] * count


def _inserted(entries: list[object], position: int, entry: object) -> list[object]:
    return [*entries[:position], entry, *entries[position:]]


_non_strings: Final = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.lists(_json_scalars, max_size=3)
    | st.dictionaries(st.text(max_size=5), _json_scalars, max_size=3)
)
_bad_ids: Final = (
    _non_strings
    | st.just("")
    | st.builds(_repeated, st.characters(), st.integers(MAX_ID_LENGTH + 1, MAX_ID_LENGTH + 40))
)
_bad_integers: Final = (
    st.booleans()
    | st.integers().map(str)
    | st.floats()
    | st.none()
    | st.text(max_size=5)
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)
)
_not_json: Final = st.sampled_from(
    (math.nan, math.inf, -math.inf, b"bytes", frozenset({1}), complex(1, 2), object())
)
_bad_visitors: Final[st.SearchStrategy[object]] = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.lists(_json_values, max_size=3)
    # nested deeper than 32 levels, the visitor object being level 1
    | st.builds(dict, profile=st.integers(MAX_VISITOR_DEPTH, MAX_VISITOR_DEPTH + 40).map(_nested))
    | st.dictionaries(st.integers(), _json_scalars, min_size=1, max_size=2)
    | st.builds(dict, firstName=_not_json)
)
_good_entry: Final = st.builds(_entry, st.sampled_from(_CHANNELS), st.sampled_from(_STATUSES))
_bad_entries: Final[st.SearchStrategy[object]] = (
    st.none()
    | st.integers()
    | st.text(max_size=5)
    | st.lists(st.text(max_size=5), max_size=2)
    | st.builds(dict)
    | st.builds(dict, channel=st.sampled_from(_CHANNELS))
    | st.builds(dict, status=st.sampled_from(_STATUSES))
    | st.builds(dict, channel=_non_strings, status=st.sampled_from(_STATUSES))
    | st.builds(dict, channel=st.sampled_from(_CHANNELS), status=_non_strings)
    # an unlisted member of an entry nested past 64 levels: the entry is level 3 of the record
    | st.builds(
        dict,
        channel=st.just("CHAT"),
        status=st.just("AVAILABLE"),
        meta=st.integers(MAX_RECORD_DEPTH - 2, MAX_RECORD_DEPTH + 40).map(_nested),
    )
)
_bad_availabilities: Final = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=10)
    | st.dictionaries(st.text(max_size=5), _json_scalars, max_size=2)
    | st.builds(_entries, _good_entry, st.integers(MAX_AVAILABILITIES + 1, MAX_AVAILABILITIES + 20))
    | st.builds(_inserted, st.lists(_good_entry, max_size=3), st.integers(0, 3), _bad_entries)
)
#: A wrong value for each member of a catalogue event.
_WRONG_VALUES: Final[dict[str, st.SearchStrategy[object]]] = {
    "conversationId": _bad_ids,
    "messageId": _bad_ids,
    "projectId": _bad_integers,
    "conversationParticipantType": _non_strings,
    "visitor": _bad_visitors,
    "availabilities": _bad_availabilities,
}
#: Log lines a desk capture can leave behind, handed over as text instead of a parsed object.
_broken_json_text: Final = st.sampled_from(
    (
        '{"event": "com.iadvize.desk.CONVERSATION_ADDED", "conversationId": "c1", ',
        '{"event": "com.iadvize.desk.CONVERSATION_FOCUSED", "conversationId": "c1"}',
        "{'event': 'com.iadvize.desk.CONVERSATION_REMOVED'}",
        "",
        "null",
        "[{}]",
    )
) | st.text(max_size=30)
_catalogue_records: Final = st.one_of(*(_record(name) for name in _REQUIRED))
_deep: Final = st.integers(MAX_RECORD_DEPTH, MAX_RECORD_DEPTH + 60).map(_nested)


def invalid_records() -> st.SearchStrategy[object]:
    """Malformed records, each of which :func:`~deskstate.parse_event` refuses with InvalidEvent.

    Python objects: values that are not objects at all (JSON text, broken or not, among them: a
    record is parsed JSON, never its text); records without a string
    ``event``; catalogue events with a member missing or of the wrong type (a string for an
    integer, ``true`` for an integer, ids of 0 or 257 characters, a visitor that is not an object
    or nests deeper than 32 levels or holds a value JSON cannot carry, an availability list that is
    not a list, has more than 64 entries or a malformed entry); and records of any name nested
    deeper than 64 levels.
    """
    missing = [
        _record(name).map(functools.partial(_without, member))
        for name, members in _REQUIRED.items()
        for member in ("event", *members)
    ]
    wrong = [
        st.builds(_replaced, _record(name), st.just(member), _WRONG_VALUES[member])
        for name, members in _REQUIRED.items()
        for member in members
    ]
    return st.one_of(
        _non_strings,
        _broken_json_text,
        st.sets(st.integers(), max_size=2),
        st.builds(_replaced, raw_events(), st.just("event"), _non_strings),
        *missing,
        *wrong,
        st.builds(_replaced, _catalogue_records, st.just("meta"), _deep),
        st.builds(_replaced, _unknown_records, st.just("meta"), _deep),
        st.builds(_replaced, _unknown_records, st.just("meta"), _not_json),
    )
