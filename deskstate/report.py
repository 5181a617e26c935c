"""Showing desk metrics to a person on a terminal: what ``deskstate report`` prints.

An edge of the library (it imports rich); the metrics themselves are computed by the pure
:mod:`deskstate.metrics`. In the tables, ``?`` is a time that is unknown (a record without ``ts``,
or a clock going backwards) and ``-`` one that does not apply (a conversation never answered).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from deskstate.metrics import ConversationMetrics, DeskMetrics

__all__ = ["format_duration", "render_report"]

_PARTICIPANTS = ("Visitor", "Professional", "Expert")
_UNKNOWN = "?"


def format_duration(duration: timedelta | None) -> str:
    """A duration as people read it: ``45.2s``, ``3m05s``, ``2h07m``, ``1d04h``; ``?``: unknown."""
    if duration is None:
        return _UNKNOWN
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


def _moment(moment: datetime | None) -> str:
    """A time to the second, in UTC (the JSON form keeps the full ISO-8601 one)."""
    return "-" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _share(share: float | None) -> str:
    return _UNKNOWN if share is None else f"{share:.0%}"


def _first_response(conversation: ConversationMetrics) -> str:
    if not conversation.answered:
        return "-"
    return format_duration(conversation.first_response)


def _median_response(conversations: Iterable[ConversationMetrics]) -> str:
    """The median first response over the answers whose time is known, and how many are not."""
    answered = [c for c in conversations if c.answered]
    known = [c.first_response.total_seconds() for c in answered if c.first_response is not None]
    if not answered:
        return "-"
    shown = format_duration(timedelta(seconds=statistics.median(known))) if known else _UNKNOWN
    unknown = len(answered) - len(known)
    return f"{shown} ({unknown} unknown)" if unknown else shown


def _desks_table(per_desk: Mapping[str | None, DeskMetrics]) -> Table:
    table = Table(title="Desks", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("desk")
    table.add_column("from (UTC)", no_wrap=True)
    table.add_column("to (UTC)", no_wrap=True)
    table.add_column("handled", justify="right")
    table.add_column("most open", justify="right")
    table.add_column("still open", justify="right")
    table.add_column("answered", justify="right")
    table.add_column("median first response", justify="right")
    table.add_column("time with unread", justify="right")
    for key, desk in per_desk.items():
        conversations = desk.conversations.values()
        asked = sum(1 for c in conversations if c.messages.get("Visitor"))
        table.add_row(
            "-" if key is None else key,
            _moment(desk.started_at),
            _moment(desk.ended_at),
            str(desk.handled),
            str(desk.most_open),
            str(sum(c.still_open for c in conversations)),
            f"{sum(c.answered for c in conversations)}/{asked}",
            _median_response(conversations),
            _share(desk.unread_share),
        )
    return table


def _availability_table(desk: DeskMetrics) -> Table:
    table = Table(title="Time per availability status", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("channel")
    table.add_column("status")
    table.add_column("time", justify="right")
    for channel, statuses in sorted(desk.availability_time.items()):
        for status, time in sorted(statuses.items()):
            table.add_row(channel, status, format_duration(time))
    return table


def _marks(conversation: ConversationMetrics) -> str:
    marks = []
    if conversation.still_open:
        marks.append("open")
    if conversation.implicit:
        marks.append("implicit")
    if conversation.reopened:
        marks.append(f"reopened {conversation.reopened}x")
    return ", ".join(marks)


def _conversations_table(desk: DeskMetrics) -> Table:
    table = Table(title="Conversations", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("conversation", no_wrap=True, overflow="ellipsis")
    table.add_column("open", justify="right")
    table.add_column("focused", justify="right")
    table.add_column("first response", justify="right")
    table.add_column("msgs V/P/E", justify="right")
    table.add_column("unread peak", justify="right")
    table.add_column("")
    for cid, conversation in sorted(desk.conversations.items()):
        counts = conversation.messages
        table.add_row(
            cid,
            format_duration(conversation.time_open),
            format_duration(conversation.time_focused),
            _first_response(conversation),
            "/".join(str(counts.get(kind, 0)) for kind in _PARTICIPANTS),
            str(conversation.unread_peak),
            _marks(conversation),
        )
    return table


def render_report(per_desk: Mapping[str | None, DeskMetrics]) -> RenderableType:
    """Return a renderable of the metrics: a row per desk, then each desk's details."""
    if not per_desk:
        return Text("No record in this log.", style="dim")
    parts: list[RenderableType] = [_desks_table(per_desk)]
    for key, desk in per_desk.items():
        parts.append(Text("Desk " + ("-" if key is None else key), style="bold underline"))
        if desk.availability_time:
            parts.append(_availability_table(desk))
        if desk.conversations:
            parts.append(_conversations_table(desk))
        else:
            parts.append(Text("No conversation.", style="dim"))
    parts.append(Text("?: unknown time (no ts, or a clock going back); -: none", style="dim"))
    return Group(*parts)
