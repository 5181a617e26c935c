"""Showing desk metrics to a person on a terminal: what ``deskstate report`` prints.

An edge of the library (it imports rich); the metrics themselves are computed by the pure
:mod:`deskstate.metrics`. In the tables, ``?`` is a time that is unknown (a record without ``ts``,
or a clock going backwards) and ``-`` one that does not apply (a conversation never answered).
"""

from __future__ import annotations

from collections.abc import Mapping

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from deskstate._report_format import (
    conversation_cells,
    desk_cells,
    desk_name,
    format_duration,
)
from deskstate.metrics import DeskMetrics

__all__ = ["format_duration", "render_report"]


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
        table.add_row(*desk_cells(key, desk))
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
        table.add_row(*conversation_cells(cid, conversation))
    return table


def render_report(per_desk: Mapping[str | None, DeskMetrics]) -> RenderableType:
    """Return a renderable of the metrics: a row per desk, then each desk's details."""
    if not per_desk:
        return Text("No record in this log.", style="dim")
    parts: list[RenderableType] = [_desks_table(per_desk)]
    for key, desk in per_desk.items():
        parts.append(Text("Desk " + desk_name(key), style="bold underline"))
        if desk.availability_time:
            parts.append(_availability_table(desk))
        if desk.conversations:
            parts.append(_conversations_table(desk))
        else:
            parts.append(Text("No conversation.", style="dim"))
    parts.append(Text("?: unknown time (no ts, or a clock going back); -: none", style="dim"))
    return Group(*parts)
