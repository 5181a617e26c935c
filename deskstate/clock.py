"""Time travel by clock: each desk as it was at a time of the envelope clock, in one pass.

The rule, per desk: the desk at ``T`` is its snapshot after its records up to, not including, its
**first** record whose ``ts`` is later than ``T`` ("the desk when its clock first passed T").
Records without a ``ts`` before that point are applied; records after it are not, even when their
``ts`` is earlier (the clock went back). A desk none of whose records came before that point is the
initial desk, with no record read. A ``ts`` equal to ``T`` is not later: that record is applied.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import attrs

from deskstate.anomaly import Anomaly
from deskstate.errors import InvalidEvent, ProtocolError
from deskstate.events import EVENT_CLASSES
from deskstate.records import DEFAULT_ORIGINS, LogLine
from deskstate.replay import Replay, replay_steps
from deskstate.state import DeskState
from deskstate.timestamps import parse_timestamp

__all__ = ["record_time", "state_at", "states_at"]


def record_time(record: object) -> datetime | None:
    """The envelope clock of a record: its ``ts`` as an aware UTC datetime, or ``None``.

    ``None`` for a bare event (it has no envelope), a record without ``ts``, and a record whose
    ``ts`` does not parse (replay reports that record as ``invalid-event``).
    """
    if isinstance(record, LogLine):
        record = record.value
    if isinstance(record, EVENT_CLASSES):
        return record.ts
    if not isinstance(record, Mapping) or "event" in record or "data" not in record:
        return None
    value = record.get("ts")
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except InvalidEvent:
        return None


def _aware(when: object) -> datetime:
    if not isinstance(when, datetime):
        raise TypeError(f"a time to travel to must be a datetime, got {type(when).__name__}")
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(
            f"a time to travel to must carry an offset, got the naive {when.isoformat()} "
            "(a local time is ambiguous): give tzinfo, e.g. datetime(..., tzinfo=UTC)"
        )
    return when


@attrs.frozen
class _Cut:
    """A desk frozen at a time: its snapshot, how many of its anomalies and records came before."""

    state: DeskState
    anomalies: int
    count: int


@attrs.define
class _Desk:
    """One desk being replayed: its latest snapshot, anomalies, records, and its cuts so far."""

    state: DeskState
    anomalies: list[Anomaly] = attrs.field(factory=list)
    count: int = 0
    cuts: list[_Cut] = attrs.field(factory=list)  # one per time passed, in order of time

    def replay_at(self, cut: int) -> Replay:
        """The desk at the ``cut``-th time in order (all of it when its clock never passed it)."""
        if cut < len(self.cuts):
            frozen = self.cuts[cut]
            return Replay(frozen.state, tuple(self.anomalies[: frozen.anomalies]), frozen.count)
        return Replay(self.state, tuple(self.anomalies), self.count)


def states_at(
    records: Iterable[object],
    moments: Sequence[datetime],
    *,
    initial: DeskState | None = None,
    strict: bool = False,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
) -> list[dict[str | None, Replay]]:
    """Every desk at each of ``moments``, from one pass over ``records``: one dict per moment.

    Each dict maps every desk of the log (as :func:`~deskstate.replay_desks` keys them) to its
    :class:`~deskstate.Replay` at that moment, by the rule of this module: ``count`` is the number
    of its records before the cut, ``anomalies`` theirs. ``moments`` are aware datetimes, in any
    order (a naive one raises :class:`ValueError`). The options are those of
    :func:`~deskstate.replay`; ``strict`` stops only at an anomaly of a record applied at some
    moment, not at one after every cut. The log is read to its end, since any desk may start late.
    """
    wanted = [_aware(moment) for moment in moments]
    order = sorted(range(len(wanted)), key=lambda position: wanted[position])
    times = [wanted[position] for position in order]
    start = initial if initial is not None else DeskState()
    desks: dict[str | None, _Desk] = {}
    mine, theirs = itertools.tee(records)
    steps = replay_steps(theirs, initial=initial, allowed_origins=allowed_origins, by_desk=True)
    for ts, step in zip(map(record_time, mine), steps, strict=True):
        desk = desks.get(step.desk)
        if desk is None:
            desk = desks[step.desk] = _Desk(start)
        if ts is not None:
            while len(desk.cuts) < len(times) and ts > times[len(desk.cuts)]:
                desk.cuts.append(_Cut(desk.state, len(desk.anomalies), desk.count))
        if strict and step.anomalies and len(desk.cuts) < len(times):
            raise ProtocolError(step.anomalies[0])
        desk.state = step.state
        desk.anomalies.extend(step.anomalies)
        desk.count += 1
    at_cut = {position: cut for cut, position in enumerate(order)}
    return [
        {key: desk.replay_at(at_cut[position]) for key, desk in desks.items()}
        for position in range(len(wanted))
    ]


def state_at(
    records: Iterable[object],
    when: datetime,
    *,
    initial: DeskState | None = None,
    strict: bool = False,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
) -> dict[str | None, Replay]:
    """Every desk of the log as it was at ``when`` (an aware datetime), by this module's rule.

    Like :func:`~deskstate.replay_desks`, with each desk cut where its clock first passed
    ``when``; a desk with no record before its cut is ``initial`` (the empty desk), count 0.
    """
    (desks,) = states_at(
        records, [when], initial=initial, strict=strict, allowed_origins=allowed_origins
    )
    return desks
