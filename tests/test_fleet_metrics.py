"""`deskstate.fleet.metrics_many`: the metrics of each desk of many logs, every way alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import distributed
import pytest
from fleet_helpers import Replays
from helpers import added, envelope, focused, fold, message, write_log

from deskstate import Anomaly, read_log
from deskstate.fleet import Desk, OutOfOrder, metrics_many
from deskstate.metrics import DeskMetrics, desk_metrics


def measured(
    parts: list[Path], jobs: int | None = None, scheduler: str | None = None
) -> tuple[dict[Desk, DeskMetrics], list[tuple[Desk, Anomaly]]]:
    """`metrics_many` on ``jobs`` or ``scheduler``, and what it gave ``on_anomaly``, in order."""
    reported: list[tuple[Desk, Anomaly]] = []
    metrics = metrics_many(
        parts,
        jobs=jobs,
        scheduler=scheduler,
        on_anomaly=lambda desk, anomaly: reported.append((desk, anomaly)),
    )
    return metrics, reported


def test_the_metrics_are_the_same_every_way(
    parts: list[Path], expected: Replays, cluster: distributed.LocalCluster
) -> None:
    """One process, a pool of 2, a 2-worker cluster: the metrics of one replay of all the logs.

    The anomalies go to ``on_anomaly`` desk by desk, each in its own file, as replay_many has them.
    """
    reference = desk_metrics(record for path in parts for record in read_log(path))
    anomalies = [
        (desk, anomaly) for desk, replay in expected.items() for anomaly in replay.anomalies
    ]
    assert len(reference) == 40
    assert anomalies
    ways: list[tuple[int | None, str | None]] = [
        (None, None),
        (1, None),
        (2, None),
        (None, cluster.scheduler_address),
    ]
    for where in ways:
        metrics, reported = measured(parts, *where)
        assert metrics == reference, where
        assert list(metrics) == list(reference), where  # desks in the order of their first record
        assert reported == anomalies, where


def at(seconds: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)


def test_a_desk_split_over_files_is_measured_as_one(tmp_path: Path) -> None:
    """Desk d1 spans two files: its times run across them (worked out by hand), every way."""
    first = write_log(
        tmp_path / "09h.jsonl",
        envelope(added("a1"), desk="d1", ts=1000),
        envelope(added("b1"), desk="d2", ts=1500),
    )
    second = write_log(
        tmp_path / "10h.jsonl",
        envelope(message("a1", "m1", "Visitor"), desk="d1", ts=2000),
        envelope(focused("a1"), desk="d1", ts=2500),
        envelope(focused("ghost"), desk="d2"),
        envelope(message("a1", "m2", "Professional"), desk="d1", ts=4000),
    )
    for jobs in (None, 2):
        metrics, reported = measured([first, second], jobs=jobs)
        d1 = metrics["d1"]
        assert (d1.started_at, d1.ended_at) == (at(1), at(4))
        a1 = d1.conversations["a1"]
        assert a1.time_open == timedelta(seconds=3)  # open from 1 s to the desk's end at 4 s
        assert a1.time_focused == timedelta(seconds=1.5)
        assert a1.first_response == timedelta(seconds=2)
        assert dict(a1.messages) == {"Visitor": 1, "Professional": 1}
        assert a1.still_open
        ((desk, anomaly),) = reported
        assert (desk, anomaly.kind, anomaly.source, anomaly.line) == (
            "d2",
            "unknown-conversation",
            str(second),
            3,
        )


def test_an_initial_desk_is_where_every_desk_starts(parts: list[Path]) -> None:
    """With ``initial``, each desk starts from it in a pool as in one process."""
    initial = fold(added("before"))
    reference = desk_metrics(
        (record for path in parts for record in read_log(path)), initial=initial
    )
    assert (
        reference["agent-021"].conversations["before"].time_open is None
    )  # opened at no known time
    assert metrics_many(parts, initial=initial) == reference
    assert metrics_many(parts, initial=initial, jobs=2) == reference


def test_logs_out_of_order_are_refused_every_way(tmp_path: Path) -> None:
    """A desk going back in time from one log to the next raises OutOfOrder, as replay_many."""
    newer = write_log(tmp_path / "newer.jsonl", envelope(added("c1"), desk="d", ts=5000))
    older = write_log(tmp_path / "older.jsonl", envelope(added("c0"), desk="d", ts=1000))
    for jobs in (None, 2):
        with pytest.raises(OutOfOrder, match="desk 'd' goes back in time"):
            metrics_many([newer, older], jobs=jobs)
    assert set(metrics_many([newer, older], check_order=False)["d"].conversations) == {"c0", "c1"}
