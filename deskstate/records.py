"""Log records: a bare event, or an envelope around one as a browser's ``message`` listener sees it.

An envelope is ``{"data": EVENT, "ts": ..., "desk": ..., "origin": ...}`` with ``data`` required and
the rest optional. A record with an ``event`` member is a bare event, whatever else it holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple

import attrs

from deskstate._json import found
from deskstate.errors import InvalidEvent
from deskstate.events import EVENT_CLASSES, Event, check_ignored_depth, parse_event_at
from deskstate.timestamps import parse_timestamp

__all__ = ["DEFAULT_ORIGINS", "LogLine", "OpenedRecord", "desk_of", "open_record"]

#: The origins the iAdvize desk is served from: a record from any other page is not applied.
DEFAULT_ORIGINS: Final = frozenset({"https://ha.iadvize.com", "https://sd.iadvize.com"})

_ENVELOPE_MEMBERS: Final = frozenset({"data", "ts", "desk", "origin"})


@attrs.frozen
class LogLine:
    """One record read from a log file: its JSON ``value``, or the ``error`` that made it unusable.

    ``line`` is the 1-based physical line it started on; ``source`` names the file.
    """

    line: int
    value: object = None
    error: str | None = None
    source: str | None = None


class OpenedRecord(NamedTuple):
    """A record taken apart: its parsed event, and the desk and origin its envelope named."""

    event: Event
    desk: str | None
    origin: str | None


def _optional_string(envelope: Mapping[str, object], member: str) -> str | None:
    value = envelope.get(member)
    if value is None or (isinstance(value, str) and value):
        return value
    raise InvalidEvent(f"{member} must be a non-empty string, got {found(value)}")


def open_record(record: object) -> OpenedRecord:
    """Take a record apart: a parsed event, a bare event, or an envelope around one.

    Raises :class:`~deskstate.InvalidEvent` naming the member at fault when the record is neither,
    when the envelope's ``ts``, ``desk`` or ``origin`` is malformed, or when its event is invalid.
    """
    if type(record) is not dict:  # a log's records are dicts: they skip the slower checks
        if isinstance(record, EVENT_CLASSES):
            return OpenedRecord(record, None, None)
        if not isinstance(record, Mapping):
            raise InvalidEvent(f"a record must be a JSON object, got {found(record)}")
    if "event" in record or "data" not in record:
        return OpenedRecord(parse_event_at(record, None, 1), None, None)
    ts_value = record.get("ts")
    ts = None if ts_value is None else parse_timestamp(ts_value)
    desk = _optional_string(record, "desk")
    origin = _optional_string(record, "origin")
    data = record["data"]
    if type(data) is not dict and not isinstance(data, Mapping):
        raise InvalidEvent(f"data must be a JSON object (the event), got {found(data)}")
    event = parse_event_at(data, ts, 2)
    check_ignored_depth(record, _ENVELOPE_MEMBERS, 1)
    return OpenedRecord(event, desk, origin)


def desk_of(record: object) -> str | None:
    """The desk an envelope names (SPEC §2), or ``None`` (a bare event, or no usable ``desk``).

    Read from the raw record, so that even a record whose event does not parse is filed under its
    desk.
    """
    if isinstance(record, Mapping) and "event" not in record:
        desk = record.get("desk")
        if isinstance(desk, str) and desk:
            return desk
    return None
