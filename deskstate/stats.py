"""Statistics of a replayed log, per desk: what ``deskstate stats`` prints.

Pure: :func:`collect_stats` folds the :class:`~deskstate.replay.ReplayStep` s of a replay, keeping
a few counters and the latest snapshot per desk, so memory stays flat however long the log is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Final

import attrs
from pyrsistent import PMap, pmap

from deskstate.events import EVENT_PREFIX, Event, UnknownEvent
from deskstate.replay import ReplayStep
from deskstate.state import DeskState

__all__ = ["DeskStats", "collect_stats", "event_name", "total_stats"]

_NONE: Final[PMap[str, int]] = pmap()


def _frozen_tally(tally: Mapping[str, int]) -> PMap[str, int]:
    return tally if isinstance(tally, PMap) else pmap(tally)


@attrs.frozen
class DeskStats:
    """What one desk's records held and led to.

    ``records`` counts the records read for the desk (applied or reported); ``events`` the events
    applied, per event name; ``anomalies`` the anomalies, per kind; ``conversations`` the distinct
    conversations seen (open or closed at the end); ``most_open`` the most conversations open at
    once; ``open_at_end`` those still open; ``messages`` the messages kept, per participant type
    (a duplicate is not kept, a message to a closed conversation is).
    """

    records: int = 0
    events: PMap[str, int] = attrs.field(default=_NONE, converter=_frozen_tally)
    anomalies: PMap[str, int] = attrs.field(default=_NONE, converter=_frozen_tally)
    conversations: int = 0
    most_open: int = 0
    open_at_end: int = 0
    messages: PMap[str, int] = attrs.field(default=_NONE, converter=_frozen_tally)

    def to_dict(self) -> dict[str, object]:
        """A JSON-safe form, with each tally sorted by name."""
        return {
            "records": self.records,
            "events": dict(sorted(self.events.items())),
            "anomalies": dict(sorted(self.anomalies.items())),
            "conversations": self.conversations,
            "most_open": self.most_open,
            "open_at_end": self.open_at_end,
            "messages": dict(sorted(self.messages.items())),
        }


def event_name(event: Event) -> str:
    """The catalogue name of ``event`` (``CONVERSATION_ADDED``), or an unknown event's own name."""
    if isinstance(event, UnknownEvent):
        return "?" if event.name is None else event.name.removeprefix(EVENT_PREFIX)
    return event.name


@attrs.define
class _Tally:
    records: int = 0
    events: Counter[str] = attrs.Factory(Counter)
    anomalies: Counter[str] = attrs.Factory(Counter)
    most_open: int = 0
    state: DeskState = attrs.Factory(DeskState)

    def add(self, step: ReplayStep) -> None:
        self.records += 1
        if step.event is not None:
            self.events[event_name(step.event)] += 1
        for anomaly in step.anomalies:
            self.anomalies[anomaly.kind] += 1
        self.state = step.state
        self.most_open = max(self.most_open, len(step.state.conversations))

    def freeze(self) -> DeskStats:
        state = self.state
        messages: Counter[str] = Counter()
        for conversations in (state.conversations, state.closed):
            for conversation in conversations.values():
                messages.update(conversation.message_counts)
        return DeskStats(
            records=self.records,
            events=pmap(self.events),
            anomalies=pmap(self.anomalies),
            conversations=len(state.conversations) + len(state.closed),
            most_open=self.most_open,
            open_at_end=len(state.conversations),
            messages=pmap(messages),
        )


def collect_stats(steps: Iterable[ReplayStep]) -> dict[str | None, DeskStats]:
    """Tally the steps of a replay (see :func:`~deskstate.replay.replay_steps`) per desk."""
    tallies: dict[str | None, _Tally] = {}
    for step in steps:
        tally = tallies.get(step.desk)
        if tally is None:
            tally = tallies[step.desk] = _Tally()
        tally.add(step)
    return {desk: tally.freeze() for desk, tally in tallies.items()}


def _summed(tallies: Iterable[Mapping[str, int]]) -> PMap[str, int]:
    total: Counter[str] = Counter()
    for tally in tallies:
        total.update(tally)
    return pmap(total)


def total_stats(per_desk: Mapping[str | None, DeskStats]) -> DeskStats:
    """The statistics of all desks together; ``most_open`` is the most on any one desk."""
    desks = list(per_desk.values())
    return DeskStats(
        records=sum(desk.records for desk in desks),
        events=_summed(desk.events for desk in desks),
        anomalies=_summed(desk.anomalies for desk in desks),
        conversations=sum(desk.conversations for desk in desks),
        most_open=max((desk.most_open for desk in desks), default=0),
        open_at_end=sum(desk.open_at_end for desk in desks),
        messages=_summed(desk.messages for desk in desks),
    )
