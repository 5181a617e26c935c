"""Replaying records desk by desk, each desk as replay would, checking order across sources."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

import attrs

from deskstate.anomaly import Anomaly
from deskstate.errors import ProtocolError
from deskstate.fleet.common import Desk, OutOfOrder, Source, _Options
from deskstate.fleet.sources import _positioned
from deskstate.records import LogLine
from deskstate.replay import ReplayStep, apply_record
from deskstate.serialise import from_dict
from deskstate.state import DeskState
from deskstate.timestamps import format_timestamp


class _Seen(NamedTuple):
    """The last record of a desk that carried a timestamp, and where it was."""

    ts: datetime
    order: int
    source: str | None
    line: int | None
    record: int


def _where(source: str | None, line: int | None, index: int) -> str:
    place = f"line {line}" if line is not None else f"record {index}"
    return place if source is None else f"{source}, {place}"


class _Runner:
    """Replays records desk by desk, each as replay would, and checks their order across sources."""

    def __init__(self, options: _Options) -> None:
        self.start = DeskState() if options.initial is None else from_dict(options.initial)
        self._options = options
        self._states: dict[Desk, DeskState] = {}
        self._seen: dict[Desk, _Seen] = {}

    def step(
        self, desk: Desk, order: int, source: str | None, index: int, record: object
    ) -> ReplayStep:
        """Apply ``record``, the ``index``-th of source number ``order``, to ``desk``'s snapshot."""
        line = record.line if isinstance(record, LogLine) else None
        state = self._states.get(desk, self.start)
        event, state, anomalies = apply_record(state, record, allowed_origins=self._options.origins)
        if anomalies:
            anomalies = tuple(
                attrs.evolve(anomaly, index=index, line=line, source=source)
                for anomaly in anomalies
            )
            if self._options.strict:
                raise ProtocolError(anomalies[0])
        if event is not None and event.ts is not None and self._options.check_order:
            self._check_order(desk, _Seen(event.ts, order, source, line, index))
        self._states[desk] = state
        return ReplayStep(index, line, desk, event, state, anomalies)

    def _check_order(self, desk: Desk, now: _Seen) -> None:
        before = self._seen.get(desk)
        self._seen[desk] = now
        if before is None or before.order == now.order or now.ts >= before.ts:
            return
        raise OutOfOrder(
            f"{_where(now.source, now.line, now.record)}: desk {desk!r} goes back in time, to "
            f"{format_timestamp(now.ts)} from {format_timestamp(before.ts)} at "
            f"{_where(before.source, before.line, before.record)}: the logs are not in time order. "
            "Give them oldest first (for example sorted by name, when named by time), or, if that "
            "desk's clock went back, turn this check off (check_order=False, or --any-order)."
        )


def _sequential(sources: list[Source], options: _Options) -> tuple[Iterator[ReplayStep], DeskState]:
    """The steps of every record of the sources, streamed, and the snapshot desks start from."""
    runner = _Runner(options)
    return (runner.step(*record) for record in _positioned(sources)), runner.start


def _filed(steps: Iterable[ReplayStep], found: dict[Desk, list[Anomaly]]) -> Iterator[ReplayStep]:
    """``steps`` as they come, each one's anomalies filed under its desk in ``found``."""
    for step in steps:
        if step.anomalies:
            found.setdefault(step.desk, []).extend(step.anomalies)
        yield step
