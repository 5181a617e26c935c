"""``deskstate report --html OUT.html``: the metrics printed as usual, and an HTML page written."""

from __future__ import annotations

import argparse
import importlib.util
import sys

from deskstate.anomaly import Anomaly
from deskstate.cli.common import fail, only_desk, origins, reading
from deskstate.cli.counting import noting, show_report
from deskstate.cli.parallel import with_fleet
from deskstate.metrics import DeskMetrics, metric_rows
from deskstate.replay import replay_steps


def report_html(args: argparse.Namespace) -> int:
    """Replay one log once: its rows feed the charts, its metrics the tables and the page."""
    if with_fleet(args):
        fail(
            "--html draws the replay of one LOG: it cannot be used with several LOGs, a URL, "
            "--jobs or --scheduler"
        )
    if args.html == "-":
        fail("--html needs a file name: standard output carries the tables")
    if importlib.util.find_spec("matplotlib") is None:
        fail("--html needs matplotlib: pip install 'deskstate[plots]'")
    from deskstate.html_report import collect_charts, write_html_report  # noqa: PLC0415

    args.log = args.log[0] if args.log else None  # one log, read as the other commands do
    anomalies: list[Anomaly] = []
    measured: dict[str | None, DeskMetrics] = {}
    with reading(args) as log:
        steps = replay_steps(log.records, allowed_origins=origins(args))
        rows = metric_rows(noting(steps, args.desk, anomalies), metrics=measured)
        charts = collect_charts(row for row in rows if args.desk is None or row.desk == args.desk)
    per_desk = only_desk(measured, args.desk)
    try:
        write_html_report(per_desk, charts, args.html, title=f"deskstate report: {log.source}")
    except OSError as error:
        fail(f"cannot write {args.html}: {error.strerror or error}")
    status = show_report(args, log.source, {"log": log.source}, per_desk, anomalies)
    print(f"HTML report written to {args.html}", file=sys.stderr)
    return status
