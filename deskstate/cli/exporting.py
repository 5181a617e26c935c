"""``deskstate export``: the tidy tables of a log, as Parquet or CSV files for analysts."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Iterable, Iterator

from deskstate.anomaly import Anomaly
from deskstate.cli.common import EXIT_OK, desk_keys, fail, origins, reading, report
from deskstate.cli.parallel import fleet_sources, run_fleet, with_fleet
from deskstate.errors import UnreadableLog
from deskstate.export import export_tables
from deskstate.metrics import metric_rows
from deskstate.replay import ReplayStep, replay_steps


def _kept(steps: Iterable[ReplayStep], source: str, desk: str | None) -> Iterator[ReplayStep]:
    """The steps of ``desk`` (all, when ``None``), their anomalies reported as they come.

    Fails (exit 2) after the last step when the log has no such desk: the export then leaves no
    table behind.
    """
    seen: set[str | None] = set()
    for step in steps:
        seen.add(step.desk)
        if desk is None or step.desk == desk:
            report(source, step.anomalies)
            yield step
    if desk is not None and desk not in seen:
        fail(f"no desk {desk!r} in this log (desks: {desk_keys(seen)})")


def _writing(args: argparse.Namespace, write: Callable[[], dict[str, int]]) -> dict[str, int]:
    """What ``write`` wrote; its errors of usage or of the directory exit 2."""
    try:
        return write()
    except ImportError as error:
        if (error.name or "").partition(".")[0] != "pyarrow":
            raise
        fail(str(error))
    except FileExistsError as error:
        fail(str(error))
    except UnreadableLog:
        raise  # main() reports it, naming the log
    except OSError as error:  # the directory cannot be made or written
        fail(f"cannot write to {args.to}: {error}")


def export_command(args: argparse.Namespace) -> int:
    """Replay the log and write its six tables to ``--to`` (``deskstate.export``)."""
    if with_fleet(args):
        return _export_many(args)
    args.log = args.log[0] if args.log else None  # one log, read as the other commands do
    with reading(args) as log:
        steps = _kept(
            replay_steps(log.records, allowed_origins=origins(args)), log.source, args.desk
        )
        written = _writing(
            args,
            lambda: export_tables(
                metric_rows(steps), args.to, format=args.format, overwrite=args.force
            ),
        )
    return _show(f"exported {log.source} to {args.to} ({args.format}):", written)


def _export_many(args: argparse.Namespace) -> int:
    """``export LOG...`` on :mod:`deskstate.fleet`: a file per desk in a directory per table."""
    from deskstate.fleet import export_many  # noqa: PLC0415 - only this way of exporting

    if args.desk is not None:
        fail(
            "--desk exports one desk of one LOG (without --jobs or --scheduler); with several "
            "LOGs, export them all and read DIR/TABLE/desk=KEY.EXT, or filter on the desk column"
        )
    anomalies: list[Anomaly] = []
    run = functools.partial(
        export_many,
        directory=args.to,
        format=args.format,
        overwrite=args.force,
        on_anomaly=lambda _desk, anomaly: anomalies.append(anomaly),
    )
    with fleet_sources(args) as sources:
        written = _writing(args, lambda: run_fleet(run, sources, args))
    report("<logs>", anomalies)
    return _show(
        f"exported {len(sources)} logs to {args.to} ({args.format}), a file per desk in a "
        "directory per table:",
        written,
    )


def _show(title: str, written: dict[str, int]) -> int:
    print(title)
    width = max(len(name) for name in written)
    for name, count in written.items():
        print(f"  {name:<{width}}  {count:>9,} rows")
    if written["anomalies"]:
        print(f"{written['anomalies']:,} anomalies reported on standard error")
    return EXIT_OK
