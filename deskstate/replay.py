"""Replaying records: fold a whole sequence into a :class:`Replay`, or :func:`scan` every snapshot.

Lenient replay never stops: a record that does not parse, or comes from a page outside the
allowed origins, is not applied and is reported as an anomaly with its record index (and file
line). Strict replay stops at the first anomaly with :class:`~deskstate.ProtocolError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

import attrs

from deskstate._fold import fold_desks, foreign_origin
from deskstate.anomaly import Anomaly
from deskstate.errors import InvalidEvent, ProtocolError
from deskstate.events import Event
from deskstate.records import DEFAULT_ORIGINS, LogLine, desk_of, open_record
from deskstate.reducer import step
from deskstate.state import DeskState

__all__ = [
    "Applied",
    "Replay",
    "ReplayStep",
    "apply_record",
    "origin_set",
    "replay",
    "replay_desks",
    "replay_steps",
    "replays_by_desk",
    "scan",
]


@attrs.frozen
class Replay:
    """The outcome of a replay: the final snapshot, every anomaly, the number of records read."""

    state: DeskState
    anomalies: tuple[Anomaly, ...]
    count: int


class ReplayStep(NamedTuple):
    """What became of one record in a replay.

    ``index`` is the 0-based record index and ``line`` its file line (or ``None``); ``desk`` the
    desk it was filed under; ``event`` the event applied, or ``None`` when the record was reported
    instead (``invalid-event``, ``foreign-origin``); ``state`` that desk's snapshot after it;
    ``anomalies`` what it raised.
    """

    index: int  # type: ignore[assignment] # shadows tuple.index, as Anomaly.index is named
    line: int | None
    desk: str | None
    event: Event | None
    state: DeskState
    anomalies: tuple[Anomaly, ...]


def origin_set(allowed_origins: Iterable[str] | None) -> frozenset[str] | None:
    """``allowed_origins`` as a frozenset (``None``: trust every origin); refuses a lone string."""
    if allowed_origins is None:
        return None
    if isinstance(allowed_origins, str):
        raise TypeError(
            "allowed_origins must be a collection of origins, not one string: "
            f"write allowed_origins=[{allowed_origins!r}]"
        )
    return frozenset(allowed_origins)


def _apply(
    states: Mapping[str | None, DeskState],
    start: DeskState,
    record: object,
    index: int,
    origins: frozenset[str] | None,
    by_desk: bool,
) -> ReplayStep:
    """Apply one record to the snapshot of its desk (in ``states``), or report why not."""
    line = None
    value = record
    if isinstance(record, LogLine):
        line, value = record.line, record.value
    try:
        if isinstance(record, LogLine) and record.error is not None:
            raise InvalidEvent(record.error)
        event, desk, origin = open_record(value)
    except InvalidEvent as error:
        key = desk_of(value) if by_desk else None
        anomaly = Anomaly("invalid-event", str(error), None, index, line)
        return ReplayStep(index, line, key, None, states.get(key, start), (anomaly,))
    key = desk if by_desk else None
    state = states.get(key, start)
    if origins is not None and origin is not None and origin not in origins:
        anomaly = foreign_origin(origin, getattr(event, "conversation_id", None))
        anomaly = anomaly.located(index, line)
        return ReplayStep(index, line, key, None, state, (anomaly,))
    state, anomalies = step(state, event)
    if anomalies:
        anomalies = tuple(anomaly.located(index, line) for anomaly in anomalies)
    return ReplayStep(index, line, key, event, state, anomalies)


class Applied(NamedTuple):
    """What one record did to a desk: the event applied (or ``None``), the snapshot, anomalies."""

    event: Event | None
    state: DeskState
    anomalies: tuple[Anomaly, ...]


def apply_record(
    state: DeskState,
    record: object,
    *,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
) -> Applied:
    """Apply one record (an event, a bare event, an envelope or a log line) to ``state``.

    As replay does, leniently: a record that does not parse (``invalid-event``) or comes from an
    origin not allowed (``foreign-origin``) is not applied, and ``state`` comes back with the
    anomaly. The anomalies carry no record index (there is no replay to count in).
    """
    origins = origin_set(allowed_origins)
    applied = _apply({}, state, record, 0, origins, by_desk=False)
    anomalies = tuple(attrs.evolve(anomaly, index=None) for anomaly in applied.anomalies)
    return Applied(applied.event, applied.state, anomalies)


def replay_steps(
    records: Iterable[object],
    *,
    initial: DeskState | None = None,
    strict: bool = False,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
    by_desk: bool = True,
) -> Iterator[ReplayStep]:
    """Replay ``records`` one :class:`ReplayStep` at a time: the building block of the others.

    With ``by_desk`` (the default) each record is applied to the snapshot of its envelope's
    ``desk``, as :func:`replay_desks` does; without it, all records fold into one desk, as
    :func:`replay` does. The options are those of :func:`replay`. Memory stays flat: only the
    latest snapshot of each desk is kept.
    """
    origins = origin_set(allowed_origins)  # refuse a bad argument now, not at the first record
    return _steps(records, initial, strict, origins, by_desk)


def _steps(
    records: Iterable[object],
    initial: DeskState | None,
    strict: bool,
    origins: frozenset[str] | None,
    by_desk: bool,
) -> Iterator[ReplayStep]:
    start = initial if initial is not None else DeskState()
    states: dict[str | None, DeskState] = {}
    for index, record in enumerate(records):
        outcome = _apply(states, start, record, index, origins, by_desk)
        if strict and outcome.anomalies:
            raise ProtocolError(outcome.anomalies[0])
        states[outcome.desk] = outcome.state
        yield outcome


def replay(
    records: Iterable[object],
    *,
    initial: DeskState | None = None,
    strict: bool = False,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
) -> Replay:
    """Fold ``records`` (parsed events, bare events, envelopes, or lines of a log) into a snapshot.

    Every record is either applied or reported. ``allowed_origins`` lists the page origins whose
    records are applied (records without an ``origin`` are trusted); ``None`` trusts every origin.
    All records are folded into one desk, whatever their ``desk``: see :func:`replay_desks`.
    """
    start = initial if initial is not None else DeskState()
    origins = origin_set(allowed_origins)
    folded = fold_desks(records, start, strict, origins, by_desk=False).get(None)
    if folded is None:
        return Replay(start, (), 0)
    return Replay(folded.state, folded.anomalies, folded.count)


def scan(
    records: Iterable[object],
    *,
    initial: DeskState | None = None,
    strict: bool = False,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
) -> Iterator[DeskState]:
    """Yield the desk before any record, then after each record: item ``n`` is the desk after ``n``.

    A record that is reported rather than applied yields the desk unchanged, so indices stay
    aligned with records. Snapshots share structure, so keeping them all is cheap.
    """
    steps = replay_steps(
        records, initial=initial, strict=strict, allowed_origins=allowed_origins, by_desk=False
    )
    return _snapshots(initial if initial is not None else DeskState(), steps)


def _snapshots(start: DeskState, steps: Iterator[ReplayStep]) -> Iterator[DeskState]:
    yield start
    for outcome in steps:
        yield outcome.state


def replay_desks(
    records: Iterable[object],
    *,
    initial: DeskState | None = None,
    strict: bool = False,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
) -> dict[str | None, Replay]:
    """Replay a log that interleaves desks: one :class:`Replay` per envelope ``desk``.

    Records without a desk are replayed under ``None``. Each desk's replay equals replaying that
    desk's records alone, except that anomalies keep the record index in the whole log.
    """
    start = initial if initial is not None else DeskState()
    origins = origin_set(allowed_origins)
    return {
        desk: Replay(folded.state, folded.anomalies, folded.count)
        for desk, folded in fold_desks(records, start, strict, origins, by_desk=True).items()
    }


def replays_by_desk(steps: Iterable[ReplayStep], start: DeskState) -> dict[str | None, Replay]:
    """One :class:`Replay` per desk of ``steps`` (of a replay by desk), in order of first record.

    ``start`` is the snapshot of a desk none of whose records was applied.
    """
    states: dict[str | None, DeskState] = {}
    anomalies: dict[str | None, list[Anomaly]] = {}
    counts: dict[str | None, int] = {}
    for outcome in steps:
        states[outcome.desk] = outcome.state
        anomalies.setdefault(outcome.desk, []).extend(outcome.anomalies)
        counts[outcome.desk] = counts.get(outcome.desk, 0) + 1
    return {
        desk: Replay(states.get(desk, start), tuple(anomalies[desk]), counts[desk])
        for desk in counts
    }
