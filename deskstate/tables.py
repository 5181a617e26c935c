"""Tidy tables of a replay: one row per conversation, message, interval and anomaly.

The rows that :func:`deskstate.metrics.metric_rows` streams, and that ``deskstate export`` writes
and ``deskstate report --html`` draws. Each table is a :class:`~typing.NamedTuple` whose fields are
its columns, in order; the README's "Tables for analysts" section gives their schema. Every row
names its ``desk`` (``None`` for records without one).

Intervals follow the rules of :mod:`deskstate.metrics`: ``start`` and ``end`` are the ``ts`` of
the records that began and ended them (``None`` when that record had none, or when the interval
began before the log, in the initial desk), and ``duration`` is ``None`` whenever it is unknown,
never a wrong figure. An interval still running after the desk's last record ends at the desk's
last timestamp, with ``running`` set.

Pure data: this module only defines the rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple, TypeAlias

from deskstate.anomaly import Anomaly

__all__ = [
    "AnomalyRow",
    "AvailabilityInterval",
    "ConversationRow",
    "FocusInterval",
    "MessageRow",
    "OpenInterval",
    "Row",
]


class OpenInterval(NamedTuple):
    """A conversation was open from ``start`` to ``end`` (added or reopened, then removed)."""

    desk: str | None
    conversation_id: str
    start: datetime | None
    end: datetime | None
    duration: timedelta | None
    running: bool


class FocusInterval(NamedTuple):
    """A conversation held the desk's focus from ``start`` to ``end``."""

    desk: str | None
    conversation_id: str
    start: datetime | None
    end: datetime | None
    duration: timedelta | None
    running: bool


class AvailabilityInterval(NamedTuple):
    """A channel was in ``status`` from ``start`` to ``end``, as the desk reported it."""

    desk: str | None
    channel: str
    status: str
    start: datetime | None
    end: datetime | None
    duration: timedelta | None
    running: bool


class MessageRow(NamedTuple):
    """A message kept in a conversation, at the ``ts`` of its record (``at``).

    ``record`` is the 0-based index of that record in its log, ``line`` its line (or ``None``).
    A duplicate message (anomaly ``duplicate-message``) is not kept, so it has no row.
    """

    desk: str | None
    conversation_id: str
    message_id: str
    participant: str
    at: datetime | None
    record: int
    line: int | None


class AnomalyRow(NamedTuple):
    """An anomaly (:class:`~deskstate.Anomaly`) and the desk of the record that raised it."""

    desk: str | None
    record: int | None
    line: int | None
    source: str | None
    kind: str
    conversation_id: str | None
    message: str

    @classmethod
    def of(cls, desk: str | None, anomaly: Anomaly) -> AnomalyRow:
        """The row of ``anomaly``, raised on ``desk``."""
        return cls(
            desk,
            anomaly.index,
            anomaly.line,
            anomaly.source,
            anomaly.kind,
            anomaly.conversation_id,
            anomaly.message,
        )


class ConversationRow(NamedTuple):
    """A conversation and its metrics (:class:`~deskstate.metrics.ConversationMetrics`).

    ``first_opened`` is when it was first opened and ``last_closed`` when it was last removed
    (``None`` when unknown, or still open); ``messages_visitor``, ``messages_professional`` and
    ``messages_expert`` count its kept messages of the three known participant types, and
    ``messages_other`` those of any other type; ``project_id`` is its project, when known.
    """

    desk: str | None
    conversation_id: str
    project_id: int | None
    first_opened: datetime | None
    last_closed: datetime | None
    time_open: timedelta | None
    time_focused: timedelta | None
    answered: bool
    first_response: timedelta | None
    messages_visitor: int
    messages_professional: int
    messages_expert: int
    messages_other: int
    unread_peak: int
    implicit: bool
    reopened: int
    still_open: bool


#: A row of any of the tables.
Row: TypeAlias = (
    OpenInterval | FocusInterval | AvailabilityInterval | MessageRow | AnomalyRow | ConversationRow
)
