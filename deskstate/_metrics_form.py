"""Reading back the ``to_dict`` forms of the metrics, member by member, naming each bad member.

Durations travel in one of two forms: float seconds (the default, what ``deskstate report --json``
prints), or whole microseconds (``lossless``). A float keeps 53 bits, so seconds read back to the
same microsecond below 2**52 microseconds (about 142 years) and may be a microsecond off beyond;
whole microseconds read back exactly, whatever the length, which is why the fleet sends them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from pyrsistent import PMap, pmap

from deskstate._json import Members as JsonMembers
from deskstate._json import found


def microseconds(duration: timedelta | None) -> int | None:
    """The lossless form of ``duration``: whole microseconds (``None``: unknown)."""
    return None if duration is None else duration // timedelta(microseconds=1)


def _fail(path: str, expected: str, value: object) -> ValueError:
    return ValueError(f"{path} must be {expected}, got {found(value)}")


class Members(JsonMembers):
    """The members of a metrics' JSON form; errors are plain ``ValueError`` s."""

    whole = "the metrics"

    def string(self, member: str) -> str:
        value = self.get(member)
        if not isinstance(value, str):
            raise self.fail(member, "a string", value)
        return value

    def count(self, member: str) -> int:
        return count(self.get(member), self.where(member))

    def share(self, member: str) -> float | None:
        value = self.get(member)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(member, "a number or null", value)
        return float(value)

    def moment(self, member: str) -> datetime | None:
        return moment(self.get(member), self.where(member))

    def duration(self, member: str, lossless: bool) -> timedelta | None:
        return duration(self.get(member), self.where(member), lossless)

    def mapping(self, member: str) -> Mapping[str, object]:
        value = self.get(member)
        if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
            raise self.fail(member, "a JSON object", value)
        return value


def count(value: object, path: str) -> int:
    """``value`` as a count (a whole number, 0 or more), or a ValueError naming ``path``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(path, "a whole number, 0 or more", value)
    return value


def moment(value: object, path: str) -> datetime | None:
    """An ISO-8601 time with an offset or ``Z`` (or null), in UTC as the metrics keep it."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                try:
                    return parsed.astimezone(UTC)
                except OverflowError:
                    pass
    raise _fail(path, "an ISO-8601 time with an offset or Z, or null", value)


def duration(value: object, path: str, lossless: bool) -> timedelta | None:
    """A duration in seconds (``lossless``: whole microseconds), or null (unknown)."""
    if value is None:
        return None
    if lossless:
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return timedelta(microseconds=value)
            except OverflowError:
                pass
        raise _fail(path, "a duration in whole microseconds, or null", value)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        try:
            return timedelta(seconds=value)
        except OverflowError:
            pass
    raise _fail(path, "a duration in seconds, or null", value)


def open_count(value: object, path: str) -> tuple[datetime | None, int]:
    """One ``[time, count]`` pair of ``open_counts``."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _fail(path, "a [time, count] pair", value)
    return moment(value[0], f"{path}[0]"), count(value[1], f"{path}[1]")


def durations(value: object, path: str, lossless: bool) -> PMap[str, timedelta | None]:
    """A JSON object of durations, such as the time per status of one channel."""
    read = Members(value, path)
    return pmap({name: read.duration(name, lossless) for name in read.data})
