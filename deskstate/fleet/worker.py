"""What a worker runs: every desk of a bucket replayed from its chunks, in one of the modes.

The functions sent to workers live at the top level of importable modules: Dask pickles them by
reference.
"""

from __future__ import annotations

from collections.abc import Iterator

from deskstate.anomaly import Anomaly
from deskstate.errors import DeskStateError, ProtocolError
from deskstate.fleet.common import Desk, OutOfOrder, _Mode, _Options, _Result
from deskstate.fleet.layout import _Target, _write_desk
from deskstate.fleet.runner import _filed, _Runner
from deskstate.fleet.sources import _Chunk, _unpacked
from deskstate.metrics import collect_metrics
from deskstate.replay import ReplayStep, replays_by_desk
from deskstate.serialise import to_dict
from deskstate.stats import collect_stats


class _StoppedError(Exception):
    """A desk's replay stopped at the record ``(order, index)``: carries the error as data."""

    def __init__(self, at: tuple[int, int], error: DeskStateError) -> None:
        super().__init__(str(error))
        self.at = at
        self.error = error


def _desk_steps(runner: _Runner, desk: Desk, chunks: list[_Chunk]) -> Iterator[ReplayStep]:
    for chunk in chunks:
        for index, line, value, error in chunk.records:
            try:
                step = runner.step(
                    desk, chunk.order, chunk.source, index, _unpacked(line, value, error)
                )
            except (ProtocolError, OutOfOrder) as stop:
                raise _StoppedError((chunk.order, index), stop) from stop
            yield step


def _run_desk(
    desk: Desk, chunks: list[_Chunk], mode: _Mode, options: _Options, target: _Target | None = None
) -> _Result:
    """Replay one desk from its chunks; the result, or where and why it stopped, as plain data.

    In the ``export`` mode, write its tables to ``target`` and return the rows written.
    """
    chunks = sorted(chunks, key=lambda chunk: chunk.order)  # they come from the sources unordered
    first = chunks[0]
    result: _Result = {"desk": desk, "first": (first.order, first.records[0][0])}
    runner = _Runner(options)
    steps = _desk_steps(runner, desk, chunks)
    try:
        if mode == "stats":
            result["stats"] = collect_stats(steps)[desk].to_dict()
            return result
        if mode == "export":
            assert target is not None
            filed: dict[Desk, list[Anomaly]] = {}
            result["written"] = _write_desk(_filed(steps, filed), desk, runner.start, target)
            result["anomalies"] = [anomaly.to_dict() for anomaly in filed.get(desk, ())]
            return result
        if mode == "metrics":
            found: dict[Desk, list[Anomaly]] = {}
            metrics = collect_metrics(_filed(steps, found), initial=runner.start)[desk]
            result["metrics"] = metrics.to_dict(lossless=True)
            result["anomalies"] = [anomaly.to_dict() for anomaly in found.get(desk, ())]
            return result
        replay = replays_by_desk(steps, runner.start)[desk]
    except _StoppedError as stop:
        result["at"] = stop.at
        if isinstance(stop.error, ProtocolError):
            result["stopped"] = stop.error.anomaly.to_dict()
        else:
            result["disorder"] = str(stop.error)
        return result
    result["state"] = to_dict(replay.state)
    result["anomalies"] = [anomaly.to_dict() for anomaly in replay.anomalies]
    result["count"] = replay.count
    return result


def _run_bucket(
    parts: list[list[_Chunk]], mode: _Mode, options: _Options, target: _Target | None = None
) -> list[_Result]:
    """Replay every desk of one bucket, from its chunks read from each source."""
    desks: dict[Desk, list[_Chunk]] = {}
    for part in parts:
        for chunk in part:
            desks.setdefault(chunk.desk, []).append(chunk)
    return [_run_desk(desk, chunks, mode, options, target) for desk, chunks in desks.items()]
