"""The cells of the metrics tables, as text: shared by the terminal and the HTML reports.

``?`` is a time that is unknown (a record without ``ts``, or a clock going backwards) and ``-``
one that does not apply (a conversation never answered). Pure formatting: no rich, no I/O.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Final

from deskstate.metrics import ConversationMetrics, DeskMetrics

PARTICIPANTS: Final = ("Visitor", "Professional", "Expert")
UNKNOWN: Final = "?"


def format_duration(duration: timedelta | None) -> str:
    """A duration as people read it: ``45.2s``, ``3m05s``, ``2h07m``, ``1d04h``; ``?``: unknown."""
    if duration is None:
        return UNKNOWN
    seconds = duration.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    minutes, second = divmod(whole, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    if days:
        return f"{days}d{hour:02d}h"
    if hours:
        return f"{hours}h{minute:02d}m"
    return f"{minutes}m{second:02d}s"


def format_moment(moment: datetime | None) -> str:
    """A time to the second, in UTC (the JSON form keeps the full ISO-8601 one)."""
    return "-" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def format_share(share: float | None) -> str:
    """A share as a whole percentage; ``?``: unknown."""
    return UNKNOWN if share is None else f"{share:.0%}"


def first_response(conversation: ConversationMetrics) -> str:
    """The conversation's first response time; ``-`` when it was never answered."""
    if not conversation.answered:
        return "-"
    return format_duration(conversation.first_response)


def median_response(conversations: Iterable[ConversationMetrics]) -> str:
    """The median first response over the answers whose time is known, and how many are not."""
    answered = [c for c in conversations if c.answered]
    known = [c.first_response.total_seconds() for c in answered if c.first_response is not None]
    if not answered:
        return "-"
    shown = format_duration(timedelta(seconds=statistics.median(known))) if known else UNKNOWN
    unknown = len(answered) - len(known)
    return f"{shown} ({unknown} unknown)" if unknown else shown


def marks(conversation: ConversationMetrics) -> str:
    """What is worth a mark: still open, implicit, reopened."""
    found = []
    if conversation.still_open:
        found.append("open")
    if conversation.implicit:
        found.append("implicit")
    if conversation.reopened:
        found.append(f"reopened {conversation.reopened}x")
    return ", ".join(found)


def desk_name(key: str | None) -> str:
    """A desk's key as shown (``-`` for records without a desk)."""
    return "-" if key is None else key


def desk_cells(key: str | None, desk: DeskMetrics) -> list[str]:
    """The row of the desks table: from, to, handled, most open... (see ``DESK_COLUMNS``)."""
    conversations = desk.conversations.values()
    asked = sum(1 for c in conversations if c.messages.get("Visitor"))
    return [
        desk_name(key),
        format_moment(desk.started_at),
        format_moment(desk.ended_at),
        str(desk.handled),
        str(desk.most_open),
        str(sum(c.still_open for c in conversations)),
        f"{sum(c.answered for c in conversations)}/{asked}",
        median_response(conversations),
        format_share(desk.unread_share),
    ]


def conversation_cells(cid: str, conversation: ConversationMetrics) -> list[str]:
    """The row of the conversations table (see ``CONVERSATION_COLUMNS``)."""
    counts = conversation.messages
    return [
        cid,
        format_duration(conversation.time_open),
        format_duration(conversation.time_focused),
        first_response(conversation),
        "/".join(str(counts.get(kind, 0)) for kind in PARTICIPANTS),
        str(conversation.unread_peak),
        marks(conversation),
    ]


#: The headers of the tables, in the order of the cells above.
DESK_COLUMNS: Final = (
    "desk",
    "from (UTC)",
    "to (UTC)",
    "handled",
    "most open",
    "still open",
    "answered",
    "median first response",
    "time with unread",
)
CONVERSATION_COLUMNS: Final = (
    "conversation",
    "open",
    "focused",
    "first response",
    "msgs V/P/E",
    "unread peak",
    "",
)
