"""``deskstate stats`` and ``deskstate report``: what a log holds, and how each desk fared."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Iterable, Iterator

from deskstate.anomaly import Anomaly
from deskstate.cli.common import (
    EXIT_OK,
    only_desk,
    origins,
    print_json,
    reading,
    report,
    rich_console,
)
from deskstate.cli.parallel import fleet_sources, run_fleet, with_fleet
from deskstate.metrics import DeskMetrics, collect_metrics
from deskstate.replay import ReplayStep, replay_steps
from deskstate.stats import DeskStats, collect_stats, total_stats


def stats_command(args: argparse.Namespace) -> int:
    """``deskstate stats``: count what a log holds (or several, on :mod:`deskstate.fleet`)."""
    if with_fleet(args):
        return _stats_many(args)
    args.log = args.log[0] if args.log else None  # one log, read as the other commands do
    with reading(args) as log:
        per_desk = collect_stats(replay_steps(log.records, allowed_origins=origins(args)))
    return _show_stats(args, {"log": log.source}, per_desk)


def _show_stats(
    args: argparse.Namespace, header: dict[str, object], per_desk: dict[str | None, DeskStats]
) -> int:
    """Print the statistics of the desks asked for, and their total (``--json``: after header)."""
    per_desk = only_desk(per_desk, args.desk)
    total = total_stats(per_desk)
    if args.json:
        print_json(
            {
                **header,
                "desks": {str(key): stats.to_dict() for key, stats in per_desk.items()},
                "total": total.to_dict(),
            }
        )
    else:
        from deskstate.render import render_stats  # noqa: PLC0415

        rich_console().print(render_stats(per_desk, total))
    return EXIT_OK


def _stats_many(args: argparse.Namespace) -> int:
    from deskstate.fleet import stats_many  # noqa: PLC0415 - only this command

    with fleet_sources(args) as sources:
        per_desk = run_fleet(stats_many, sources, args)
    return _show_stats(args, {"logs": sources}, per_desk)


def report_command(args: argparse.Namespace) -> int:
    """Measure each desk (``deskstate.metrics``), report its anomalies, print the metrics."""
    if args.html is not None:
        from deskstate.cli.drawing import report_html  # noqa: PLC0415 - only with --html

        return report_html(args)
    if with_fleet(args):
        return _report_many(args)
    args.log = args.log[0] if args.log else None  # one log, read as the other commands do
    anomalies: list[Anomaly] = []
    with reading(args) as log:
        steps = replay_steps(log.records, allowed_origins=origins(args))
        per_desk = only_desk(collect_metrics(noting(steps, args.desk, anomalies)), args.desk)
    return show_report(args, log.source, {"log": log.source}, per_desk, anomalies)


def noting(
    steps: Iterable[ReplayStep], desk: str | None, anomalies: list[Anomaly]
) -> Iterator[ReplayStep]:
    """``steps`` as they come; their anomalies (``desk``'s only, if given) go to ``anomalies``."""
    for step in steps:
        if desk is None or step.desk == desk:
            anomalies.extend(step.anomalies)
        yield step


def _report_many(args: argparse.Namespace) -> int:
    """``report LOG...`` on :mod:`deskstate.fleet`: anomalies desk by desk, then the metrics."""
    from deskstate.fleet import metrics_many  # noqa: PLC0415 - only this command

    anomalies: list[Anomaly] = []

    def noting(desk: str | None, anomaly: Anomaly) -> None:
        if args.desk is None or desk == args.desk:
            anomalies.append(anomaly)

    with fleet_sources(args) as sources:
        per_desk = run_fleet(functools.partial(metrics_many, on_anomaly=noting), sources, args)
    per_desk = only_desk(per_desk, args.desk)
    return show_report(args, "<logs>", {"logs": sources}, per_desk, anomalies)


def show_report(
    args: argparse.Namespace,
    source: str,
    header: dict[str, object],
    per_desk: dict[str | None, DeskMetrics],
    anomalies: list[Anomaly],
) -> int:
    """Report the anomalies on standard error, then print the metrics (``--json``: after header)."""
    report(source, anomalies)
    if args.json:
        print_json(
            {
                **header,
                "desks": {str(key): metrics.to_dict() for key, metrics in per_desk.items()},
            }
        )
        return EXIT_OK
    from deskstate.report import render_report  # noqa: PLC0415 - keeps `--json` free of rich

    console = rich_console()
    console.print(render_report(per_desk))
    if anomalies:
        console.print(f"[yellow]{len(anomalies)} anomalies reported on standard error[/]")
    return EXIT_OK
