"""Shared builders for the tests of deskstate.fleet.

A generated log of many desks, written in parts; what it replays to; a local Dask cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs
import distributed
from helpers import added, envelope, focused, message, write_log

from deskstate import Replay, read_log, replay_desks
from deskstate.generate import generate

Replays = dict[str | None, Replay]

#: A contact centre of 40 desks, with a share of anomalous records of every kind.
RECORDS = list(generate(2400, seed=3, desks=40, chaos=0.03))


def write_parts(directory: Path, records: Sequence[object], parts: int) -> list[Path]:
    """Write ``records`` as ``parts`` JSON Lines files, split in record order (a log rotated)."""
    size = -(-len(records) // parts)
    return [
        write_log(directory / f"part-{number}.jsonl", *records[start : start + size])
        for number, start in enumerate(range(0, len(records), size))
    ]


def expected_replays(sources: Sequence[tuple[str | None, Sequence[object]]]) -> Replays:
    """`replay_desks` over the records of all sources, one after the other.

    Each anomaly is placed in its own source: its index counted there, and the source's name.
    """
    placed = [(name, index) for name, records in sources for index in range(len(records))]
    replays = replay_desks([record for _, records in sources for record in records])

    def relocated(replay: Replay) -> Replay:
        anomalies = tuple(
            attrs.evolve(anomaly, source=placed[anomaly.index][0], index=placed[anomaly.index][1])
            for anomaly in replay.anomalies
            if anomaly.index is not None
        )
        assert len(anomalies) == len(replay.anomalies)
        return attrs.evolve(replay, anomalies=anomalies)

    return {desk: relocated(replay) for desk, replay in replays.items()}


def read_parts(paths: Sequence[Path]) -> list[tuple[str | None, list[object]]]:
    return [(str(path), list(read_log(path))) for path in paths]


def hourly_logs(directory: Path) -> list[str]:
    """Two hourly logs of two desks; d1 spans both; the second has an anomaly at line 2."""
    first = write_log(
        directory / "09h.jsonl",
        envelope(added("a1"), desk="d1", ts=1000),
        envelope(added("b1"), desk="d2", ts=1100),
        envelope(message("a1", "m1", "Visitor"), desk="d1", ts=1200),
    )
    second = write_log(
        directory / "10h.jsonl",
        envelope(focused("a1"), desk="d1", ts=2000),
        envelope(focused("ghost"), desk="d2", ts=2100),
        envelope(message("a1", "m2", "Professional"), desk="d1", ts=2500),
    )
    return [str(first), str(second)]


def local_cluster() -> distributed.LocalCluster:
    """Two worker processes of one thread each; the HTTP server on a free port, not 8787."""
    return distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
