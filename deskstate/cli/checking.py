"""``deskstate check``: every anomaly of a log, summed up per kind (exit status 1 when any)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Final

from deskstate.anomaly import ANOMALY_KINDS, Anomaly
from deskstate.cli.common import (
    EXIT_ANOMALIES,
    EXIT_OK,
    origins,
    print_json,
    reading,
    report,
    rich_console,
)
from deskstate.replay import replay_steps

#: How many lines of each anomaly kind ``check`` names.
_FIRST_LINES: Final = 5


def check_command(args: argparse.Namespace) -> int:
    """``deskstate check``: replay a log and report every anomaly (exit status 1 when any)."""
    with reading(args) as log:
        anomalies: list[Anomaly] = []
        records = 0
        for step in replay_steps(log.records, allowed_origins=origins(args)):
            records += 1
            anomalies.extend(step.anomalies)
    report(log.source, anomalies)
    summary = _summarise(anomalies)
    if args.json:
        print_json({"log": log.source, "records": records, "anomalies": summary})
    else:
        from deskstate.render import render_check  # noqa: PLC0415

        rich_console().print(render_check(log.source, records, summary))
    return EXIT_ANOMALIES if anomalies else EXIT_OK


def _summarise(anomalies: Iterable[Anomaly]) -> dict[str, dict[str, object]]:
    """Per anomaly kind, in the SPEC's order: how many, and the first lines (or records) named."""
    counts: dict[str, int] = {}
    first: dict[str, list[int | None]] = {}
    for anomaly in anomalies:
        counts[anomaly.kind] = counts.get(anomaly.kind, 0) + 1
        where = first.setdefault(anomaly.kind, [])
        if len(where) < _FIRST_LINES:
            where.append(anomaly.line if anomaly.line is not None else anomaly.index)
    return {
        kind: {"count": counts[kind], "first_lines": first[kind]}
        for kind in ANOMALY_KINDS
        if kind in counts
    }
