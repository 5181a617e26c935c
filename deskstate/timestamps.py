"""Timestamps as envelopes carry them: ISO-8601 with an offset (or ``Z``), or epoch milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from deskstate._json import found
from deskstate.errors import InvalidEvent

__all__ = ["format_timestamp", "parse_timestamp"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def parse_timestamp(value: object, member: str = "ts") -> datetime:
    """Return ``value`` as an aware UTC :class:`~datetime.datetime`, or raise :class:`InvalidEvent`.

    Accepts an ISO-8601 string that carries an offset or ``Z`` (a local time without an offset is
    ambiguous across desks, so it is refused), or a number of milliseconds since the Unix epoch.
    """
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidEvent(
                f"{member} must be an ISO-8601 timestamp or epoch milliseconds, got {found(value)}"
            ) from None
        if moment.tzinfo is None:
            raise InvalidEvent(
                f"{member} must carry an offset or Z, got {found(value)} "
                "(a local time is ambiguous)"
            )
        try:
            return moment.astimezone(UTC)
        except OverflowError:  # a date at the very edge of the calendar, moved past it
            raise InvalidEvent(f"{member} is out of range, got {found(value)}") from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return _EPOCH + timedelta(milliseconds=value)
        except (OverflowError, ValueError):  # too large for a date, or not a finite number
            raise InvalidEvent(f"{member} is out of range, got {found(value)}") from None
    raise InvalidEvent(
        f"{member} must be an ISO-8601 timestamp or epoch milliseconds, got {found(value)}"
    )


def format_timestamp(moment: datetime) -> str:
    """Return the ISO-8601 form that :func:`parse_timestamp` reads back to an equal instant."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
