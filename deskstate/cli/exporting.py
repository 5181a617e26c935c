"""``deskstate export``: the tidy tables of a log, as Parquet or CSV files for analysts."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator

from deskstate.cli.common import EXIT_OK, desk_keys, fail, origins, reading, report
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


def export_command(args: argparse.Namespace) -> int:
    """Replay the log and write its six tables to ``--to`` (``deskstate.export``)."""
    with reading(args) as log:
        steps = _kept(
            replay_steps(log.records, allowed_origins=origins(args)), log.source, args.desk
        )
        try:
            written = export_tables(
                metric_rows(steps), args.to, format=args.format, overwrite=args.force
            )
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
    print(f"exported {log.source} to {args.to} ({args.format}):")
    width = max(len(name) for name in written)
    for name, count in written.items():
        print(f"  {name:<{width}}  {count:>9,} rows")
    if written["anomalies"]:
        print(f"{written['anomalies']:,} anomalies reported on standard error")
    return EXIT_OK
