"""What the watch view shows, derived from a snapshot by memoised selectors, and how it reads.

The panes of the view are functions of the snapshot shown: the rows of the conversation table
(:data:`rows`), the focused conversation's card (:data:`focused_card`) and the availability per
channel (:data:`channels`). Each is a :func:`~deskstate.selector` whose inputs are parts
of the snapshot, so a snapshot that shares those parts (the same objects: an event elsewhere on the
desk) gives back the very same value without recomputing it, and
:meth:`~deskstate.Store.watch` tells the view only of the panes that changed. The values are
plain tuples: they can be compared, and computed off the UI thread.

The rest turns values into rich text for the widgets: a pane, a line of the event log for a
:class:`~deskstate.Change`, the status line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Final, NamedTuple

from rich.text import Text

from deskstate import Anomaly, Change, Conversation, Event, Fact, UnknownEvent, query, selector
from deskstate.render import visitor_name

__all__ = [
    "CHANNELS",
    "Card",
    "Row",
    "Travel",
    "card_text",
    "change_lines",
    "channels",
    "channels_text",
    "focused_card",
    "rows",
    "status_text",
    "unread_badge",
]

#: The known channels, in the order the view lists them (others follow, by name).
CHANNELS: Final = ("CHAT", "CALL", "VIDEO", "THIRD_PARTY")
#: The participant types whose message counts are shown as V/P/E.
PARTICIPANTS: Final = ("Visitor", "Professional", "Expert")
#: Profile fields shown first, in this order (the GraphQL ``Visitor`` type's); others follow.
PROFILE_FIELDS: Final = (
    "visitorId",
    "externalUserId",
    "firstName",
    "lastName",
    "email",
    "phoneNumber",
    "city",
    "country",
)
STATUS_STYLES: Final = {
    "AVAILABLE": "bold green",
    "UNAVAILABLE": "red",
    "UNAVAILABLE_FORCED": "yellow",
}
#: How many facts a line of the event log names before saying how many more there are.
FACTS_SHOWN: Final = 4
#: How many event names a batch's line of the event log counts before "and more".
EVENT_NAMES_SHOWN: Final = 4


class Row(NamedTuple):
    """One row of the conversation table: an open conversation, in desk order."""

    position: int
    id: str
    project: str
    visitor: str
    messages: str  # V/P/E
    unread: int
    focused: bool
    implicit: bool


class Card(NamedTuple):
    """The focused conversation as its pane shows it."""

    id: str
    project: str
    implicit: bool
    visitor: tuple[tuple[str, str], ...]  # (field, value as text), known fields first
    messages: tuple[tuple[str, int], ...]  # (participant type, count), V/P/E first
    total: int
    unread: int
    clicks: int


def _project(conversation: Conversation) -> str:
    return "-" if conversation.project_id is None else str(conversation.project_id)


def _counts(conversation: Conversation) -> str:
    counts = conversation.message_counts
    shown = "/".join(str(counts.get(kind, 0)) for kind in PARTICIPANTS)
    others = sum(count for kind, count in counts.items() if kind not in PARTICIPANTS)
    return f"{shown} +{others}" if others else shown


def _rows(
    conversations: Mapping[str, Conversation], order: Sequence[str], focused_id: str | None
) -> tuple[Row, ...]:
    return tuple(
        Row(
            position,
            cid,
            _project(conversation),
            visitor_name(conversation),
            _counts(conversation),
            conversation.unread,
            cid == focused_id,
            conversation.implicit,
        )
        for position, (cid, conversation) in enumerate(
            ((cid, conversations[cid]) for cid in order), start=1
        )
    )


#: The rows of the conversation table, recomputed only when a conversation, the order or the focus
#: changed (not for a new availability, say).
rows = selector(
    _rows,
    inputs=[attrgetter("conversations"), attrgetter("order"), attrgetter("focused_id")],
    maxsize=64,
)


def _json_text(value: object) -> str:
    """A profile value as text: strings as they are, anything else as JSON (keys sorted)."""
    if isinstance(value, str):
        return value
    return json.dumps(_plain(value), ensure_ascii=False, separators=(", ", ": "), sort_keys=True)


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_plain(item) for item in value]
    return value


def _card(conversation: Conversation | None) -> Card | None:
    if conversation is None:
        return None
    profile = conversation.visitor
    known = [name for name in PROFILE_FIELDS if name in profile]
    others = sorted(name for name in profile if name not in PROFILE_FIELDS)
    counts = conversation.message_counts
    messages = [(kind, counts.get(kind, 0)) for kind in PARTICIPANTS]
    messages += sorted((kind, count) for kind, count in counts.items() if kind not in PARTICIPANTS)
    return Card(
        conversation.id,
        _project(conversation),
        conversation.implicit,
        tuple((name, _json_text(profile[name])) for name in [*known, *others]),
        tuple(messages),
        len(conversation.messages),
        conversation.unread,
        conversation.state_box_clicks,
    )


#: The focused conversation's card, recomputed only when that conversation (or the focus) changed.
focused_card = selector(_card, inputs=[query.focused], maxsize=64)


def _channels(availability: Mapping[str, str]) -> tuple[tuple[str, str | None], ...]:
    others = sorted(channel for channel in availability if channel not in CHANNELS)
    return tuple((channel, availability.get(channel)) for channel in [*CHANNELS, *others])


#: The status of each channel (``None``: never reported), the known channels first.
channels = selector(_channels, inputs=[attrgetter("availability")], maxsize=64)


# --- rich text for the widgets --------------------------------------------------------------------


def unread_badge(unread: int) -> Text:
    """The unread count as a badge (nothing when there is none)."""
    return Text(f" {unread} ", style="bold white on red") if unread else Text("")


def card_text(card: Card | None) -> Text:
    """The focused conversation's pane: who it is, the visitor's profile, its message counts."""
    if card is None:
        return Text("No conversation is focused.", style="dim")
    text = Text()
    text.append(card.id, style="bold")
    text.append(f"\nproject {card.project}" + (" (implicit)" if card.implicit else ""))
    text.append("\n\nVisitor\n", style="bold underline")
    if not card.visitor:
        text.append("  profile not known yet\n", style="dim")
    width = max((len(name) for name, _ in card.visitor), default=0)
    for name, value in card.visitor:
        text.append(f"  {name.ljust(width)}  ", style="cyan")
        text.append(f"{value}\n")
    text.append("\nMessages\n", style="bold underline")
    text.append("  " + "  ".join(f"{kind} {count}" for kind, count in card.messages))
    text.append(f"  ({card.total} in all)\n")
    text.append("  unread ")
    text.append_text(unread_badge(card.unread) if card.unread else Text("0"))
    text.append(f"   state box clicks {card.clicks}")
    return text


def channels_text(statuses: Iterable[tuple[str, str | None]]) -> Text:
    """The availability pane: one channel a line, its status coloured."""
    text = Text()
    for number, (channel, status) in enumerate(statuses):
        if number:
            text.append("\n")
        text.append(f"{channel:<12}")
        if status is None:
            text.append("not reported", style="dim")
        else:
            text.append(status, style=STATUS_STYLES.get(status, "magenta"))
    return text


def _clock(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _event_name(event: Event) -> str:
    if isinstance(event, UnknownEvent):
        name = event.name
        return f"unknown event {name!r}" if name is not None else "record without an event name"
    return event.name


class Travel(NamedTuple):
    """Where a move in time led: the position shown in the history, and its length."""

    position: int
    length: int


def _facts(facts: Sequence[Fact]) -> str:
    described = [fact.describe() for fact in facts[:FACTS_SHOWN]]
    if len(facts) > FACTS_SHOWN:
        described.append(f"and {len(facts) - FACTS_SHOWN} more")
    return "; ".join(described) if described else "nothing changed"


def _events(events: Sequence[Event]) -> str:
    tally: dict[str, int] = {}
    for event in events:
        name = _event_name(event)
        tally[name] = tally.get(name, 0) + 1
    named = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    listed = [f"{count} {name}" for name, count in named[:EVENT_NAMES_SHOWN]]
    if len(named) > EVENT_NAMES_SHOWN:
        listed.append(f"{len(named) - EVENT_NAMES_SHOWN} more kinds")
    return f"{len(events)} events ({', '.join(listed)})"


def _anomaly(anomaly: Anomaly) -> Text:
    where = f"line {anomaly.line}: " if anomaly.line is not None else ""
    style = "bold red" if anomaly.kind in ("invalid-event", "foreign-origin") else "bold yellow"
    return Text.assemble(("  ⚠ ", style), (f"{where}{anomaly.kind}", style), f": {anomaly.message}")


def change_lines(change: Change, travel: Travel | None = None) -> list[Text]:
    """The event log's lines for one Change: what came in and what it did, then its anomalies.

    One line for the Change: the event's name (a batch: how many events of which kinds) or the
    move in time, then the facts' ``describe()``; then one highlighted line per anomaly, with the
    line of the log when known.
    """
    event, facts = change.event, change.facts
    line = Text()
    if event is None and travel is not None:
        if travel.position < travel.length:
            line.append(f"⏪ history {travel.position}/{travel.length}: ", style="bold magenta")
        else:
            line.append("⏩ live again: ", style="bold magenta")
        line.append(_facts(facts), style="magenta")
    else:
        events: Sequence[Event] = ()
        if isinstance(event, tuple):
            events = event
        elif event is not None:
            events = (event,)
        if len(events) == 1:
            (only,) = events
            if only.ts is not None:
                line.append(f"{only.ts.strftime('%H:%M:%S')} ", style="dim")
            line.append(_event_name(only), style="bold")
        elif events:
            line.append(_events(events), style="bold")
        else:
            line.append("no event applied", style="dim")
        if events or facts:
            line.append(" · ")
            line.append(_facts(facts), style="" if facts else "dim")
    return [line, *(_anomaly(anomaly) for anomaly in change.anomalies)]


def status_text(
    *,
    read: int,
    version: int,
    clock: datetime | None,
    travel: Travel | None,
    paused: bool,
    waiting: int,
    reading: str,
    other_desks: int,
    desk: str | None,
    error: str | None,
) -> Text:
    """The status line: records read, the snapshot's version and clock, live or history, reading."""
    text = Text()
    if desk is not None:
        text.append(f"desk {desk} · ", style="bold")
    text.append(f"{read} records read · version {version} · clock {_clock(clock)} · ")
    if travel is None:
        text.append("live", style="bold green")
    else:
        text.append(f"viewing {travel.position}/{travel.length} of history", style="bold magenta")
    text.append(" · ")
    if paused:
        text.append("paused", style="bold yellow")
    else:
        text.append(reading, style="cyan" if error is None else "bold red")
    if waiting:
        text.append(f" · {waiting} waiting", style="bold yellow")
    if other_desks:
        text.append(f" · {other_desks} records of other desks", style="yellow")
    if error is not None:
        text.append(f" · {error}", style="bold red")
    return text
