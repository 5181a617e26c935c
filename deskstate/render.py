"""Showing a desk to a person on a terminal: a table of the open conversations and a summary.

An edge of the library (it imports rich); the core never imports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from deskstate import query
from deskstate.state import Conversation, DeskState
from deskstate.stats import DeskStats
from deskstate.timestamps import format_timestamp

__all__ = ["render_check", "render_desk", "render_stats", "visitor_name"]

_STATUS_STYLES = {"AVAILABLE": "green", "UNAVAILABLE": "red", "UNAVAILABLE_FORCED": "yellow"}
_PARTICIPANTS = ("Visitor", "Professional", "Expert")
_CLOSED_SHOWN = 5
_CHANNELS = ("CHAT", "CALL", "VIDEO", "THIRD_PARTY")


def visitor_name(conversation: Conversation) -> str:
    """The visitor's name as an operator would say it, else their email or id, else ``-``."""
    visitor = conversation.visitor
    name = " ".join(
        str(part) for part in (visitor.get("firstName"), visitor.get("lastName")) if part
    )
    if name:
        return name
    if visitor.get("email"):
        return str(visitor["email"])
    return f"visitor {visitor['visitorId']}" if visitor.get("visitorId") else "-"


def _message_counts(conversation: Conversation) -> str:
    counts = conversation.message_counts
    shown = "/".join(str(counts.get(kind, 0)) for kind in _PARTICIPANTS)
    others = sum(count for kind, count in counts.items() if kind not in _PARTICIPANTS)
    return f"{shown} +{others} other" if others else shown


def _conversations_table(state: DeskState) -> Table:
    table = Table(
        title="Open conversations, in desk order", title_justify="left", box=box.SIMPLE_HEAD
    )
    table.add_column("#", justify="right")
    table.add_column("", justify="center")
    table.add_column("conversation", no_wrap=True, overflow="ellipsis")
    table.add_column("project", justify="right")
    table.add_column("visitor")
    table.add_column("msgs V/P/E", justify="right")
    table.add_column("unread", justify="right")
    for position, conversation in enumerate(query.open_conversations(state), start=1):
        is_focused = conversation.id == state.focused_id
        table.add_row(
            str(position),
            Text("▶", style="bold cyan") if is_focused else "",
            Text(conversation.id + (" (implicit)" if conversation.implicit else "")),
            "-" if conversation.project_id is None else str(conversation.project_id),
            visitor_name(conversation),
            _message_counts(conversation),
            Text(str(conversation.unread), style="bold red") if conversation.unread else "0",
            style="bold" if is_focused else None,
        )
    return table


def _summary(state: DeskState) -> Iterator[RenderableType]:
    current = query.focused(state)
    focus = "nobody" if current is None else f"{current.id} ({visitor_name(current)})"
    yield Text.assemble(("Focus: ", "bold"), focus)
    channels = Text("Availability: ", style="bold")
    if not state.availability:
        channels.append("never reported", style="dim")
    known = {channel: rank for rank, channel in enumerate(_CHANNELS)}
    ordered = sorted(state.availability.items(), key=lambda item: (known.get(item[0], 99), item[0]))
    for position, (channel, status) in enumerate(ordered):
        if position:
            channels.append("  ")
        channels.append(f"{channel} ")
        channels.append(status, style=_STATUS_STYLES.get(status, "magenta"))
    yield channels
    closed = query.closed_conversations(state)
    listed = ", ".join(f"{c.id} ({visitor_name(c)})" for c in closed[:_CLOSED_SHOWN])
    more = f" and {len(closed) - _CLOSED_SHOWN} more" if len(closed) > _CLOSED_SHOWN else ""
    yield Text.assemble((f"Closed ({len(closed)}): ", "bold"), (listed + more) or "none")
    clock = "-" if state.clock is None else format_timestamp(state.clock)
    yield Text(
        f"{state.version} events reduced, {query.unread_count(state)} unread, clock {clock}",
        style="dim",
    )


def render_desk(state: DeskState, title: str | None = None) -> RenderableType:
    """Return a renderable of ``state``: its conversations in desk order, focus, availability."""
    parts: list[RenderableType] = []
    if title:
        parts.append(Text(title, style="bold underline"))
    if query.is_empty(state):
        parts.append(Text("No conversation is open.", style="dim"))
    else:
        parts.append(_conversations_table(state))
    parts.extend(_summary(state))
    return Group(*parts)


def render_check(
    source: str, records: int, summary: Mapping[str, Mapping[str, object]]
) -> RenderableType:
    """Return a renderable of a ``check`` summary: anomalies per kind, with their first lines."""
    if not summary:
        return Text(f"{source}: {records} records, no anomaly", style="green")
    table = Table(title=f"{source}: {records} records", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("anomaly")
    table.add_column("count", justify="right")
    table.add_column("first lines")
    for kind, entry in summary.items():
        lines = entry["first_lines"]
        assert isinstance(lines, list)
        count = entry["count"]
        shown = ", ".join("-" if line is None else str(line) for line in lines)
        more = ", ..." if isinstance(count, int) and count > len(lines) else ""
        table.add_row(Text(kind, style="yellow"), str(count), shown + more)
    return table


def _tally(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items())) or "-"


def render_stats(per_desk: Mapping[str | None, DeskStats], total: DeskStats) -> RenderableType:
    """Return a renderable of ``stats``: one row per desk, a total row, then events per type."""
    table = Table(title="Desks", title_justify="left", box=box.SIMPLE_HEAD, show_footer=False)
    table.add_column("desk")
    table.add_column("records", justify="right")
    table.add_column("conversations", justify="right")
    table.add_column("most open", justify="right")
    table.add_column("open at end", justify="right")
    table.add_column("messages V/P/E", justify="right")
    table.add_column("anomalies", justify="right")
    rows = [*((str(desk) if desk is not None else "-", stats) for desk, stats in per_desk.items())]
    if len(per_desk) > 1:
        rows.append(("all desks", total))
    for position, (name, stats) in enumerate(rows):
        messages = "/".join(str(stats.messages.get(kind, 0)) for kind in _PARTICIPANTS)
        table.add_row(
            name,
            str(stats.records),
            str(stats.conversations),
            str(stats.most_open),
            str(stats.open_at_end),
            messages,
            str(sum(stats.anomalies.values())),
            style="bold" if position == len(per_desk) else None,
            end_section=position == len(per_desk) - 1,
        )
    events = Table(title="Events applied, per type", title_justify="left", box=box.SIMPLE_HEAD)
    events.add_column("event")
    events.add_column("count", justify="right")
    for name, count in sorted(total.events.items(), key=lambda item: (-item[1], item[0])):
        events.add_row(name, str(count))
    parts: list[RenderableType] = [table, events]
    if total.anomalies:
        parts.append(Text.assemble(("Anomalies: ", "bold"), _tally(total.anomalies)))
    return Group(*parts)
